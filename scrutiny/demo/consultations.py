"""Demo service-change consultations and the health-body register (docs/consultations.md).

Northby has a consultation in every state, one of them with a call-in request to the Secretary of
State; Southby keeps a decided 2023 proposal with the committee's saved referral (made before 31
January 2024). Every health body gets a (made-up, "ZZ…") ODS code, the trusts and ICBs plans,
and the Northby trust board dates. Idempotent: an area whose committee already has
consultations is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from protocols import services as protocol_services
from scrutiny.casework import services
from scrutiny.casework.models import BoardMeeting, Consultation, HealthBodyPlan
from scrutiny.casework.services.register import health_body_plan_save
from scrutiny.demo.story import at, working_day, working_days_after

# (state wanted, title, what changes, who) for Northby's consultations.
NORTHBY = [
    (
        "received",
        "Community dental service moving to the Riverside health centre",
        "The community dental clinic at Eastgate closes and reopens at the Riverside centre.",
        "Children and adults with additional needs who use the community dental service.",
    ),
    (
        "substantial",
        "Hyper-acute stroke care on one site",
        "Hyper-acute stroke care moves from both hospitals to Northby General.",
        "Everyone in Northby who has a stroke, and their families.",
    ),
    (
        "not_substantial",
        "New opening hours for the phlebotomy clinic",
        "The walk-in blood test clinic opens at 7.30am instead of 8.30am and closes earlier.",
        "Patients who have blood tests at Northby General.",
    ),
    (
        "comments_sent",
        "Maternity unit at Dale Hospital becoming midwife-led",
        "Consultant-led births move to Northby General; Dale becomes a midwife-led unit.",
        "Pregnant women and birthing people in the Dale valley.",
    ),
    (
        "decided",
        "Closing the minor injuries unit at Westbrook",
        "The minor injuries unit closes; urgent care is offered at the new urgent treatment "
        "centre at Northby General.",
        "Westbrook residents, who would travel 9 miles further for minor injuries.",
    ),
    (
        "withdrawn",
        "Merging the two podiatry services",
        "The trust's and the community trust's podiatry services merge into one.",
        "Podiatry patients across Northby.",
    ),
]


def _minute(area, consultation, *, on: dt.date, substantial: bool, reason: str):
    by = area.osc_officer
    meeting = protocol_services.meeting_create(
        by=by,
        body=area.committee,
        title="Health Overview and Scrutiny Committee",
        date=on,
        start_time=dt.time(18, 30),
        place="Council Chamber, Town Hall",
        confirm=True,
    )
    item = protocol_services.agenda_item_add(
        meeting=meeting, by=by, title=consultation.title, topic=consultation.topic
    )
    protocol_services.meeting_mark_held(meeting=meeting, by=by)
    verdict = "is" if substantial else "is not"
    item = protocol_services.item_record_decision(
        item=item, by=by, decision=f"Resolved that the proposal {verdict} a substantial variation."
    )
    return protocol_services.item_assess_consultation(
        item=item, consultation=consultation, by=by, substantial=substantial, reason=reason
    )


# How many days ago each was received: the decided one long enough ago for its decision date
# (60 working days after receipt) and its call-in to have passed.
RECEIVED_DAYS_AGO = {
    "received": 20,
    "substantial": 40,
    "not_substantial": 50,
    "comments_sent": 60,
    "decided": 150,
    "withdrawn": 30,
}


def _northby(area, responder) -> int:
    by = area.osc_officer
    made = 0
    for i, (state, title, what, who) in enumerate(NORTHBY):
        received = working_day(RECEIVED_DAYS_AGO[state])
        c = services.consultation_record(
            by=by,
            body=area.trust if i % 2 == 0 else area.icb,
            committee=area.committee,
            title=title,
            what_changes=what,
            who_is_affected=who,
            received_on=received,
            comments_due_on=working_days_after(received, 40),
            proposed_decision_on=working_days_after(received, 60),
            documents=[
                ("Consultation document", f"https://demo.critical-friend.example/c/{i + 1}.pdf")
            ],
        )
        made += 1
        if state == "received":
            continue
        if state == "withdrawn":
            services.consultation_withdraw(
                consultation=c, by=by, reason="The trusts will consult again in spring."
            )
            continue
        c = _minute(
            area,
            c,
            on=working_days_after(received, 8),
            substantial=state != "not_substantial",
            reason=(
                "It changes where residents go for the service."
                if state != "not_substantial"
                else "The service stays where it is; only its hours change."
            ),
        )
        if state == "not_substantial":
            continue
        if state in ("comments_sent", "decided"):
            c = services.consultation_send_comments(
                consultation=c,
                by=by,
                comments="The committee asks that transport to the new site is in place first.",
                on=working_days_after(received, 30),
            )
        if state == "decided":
            decided = working_days_after(received, 60)
            c = services.consultation_record_decision(
                consultation=c,
                by=by,
                decision="The minor injuries unit closes on 1 April.",
                reasons="Too few patients used it at night; the urgent treatment centre is "
                "open 24 hours.",
                on=decided,
            )
            request = services.call_in_request_record(
                consultation=c,
                by=by,
                requested_by_name="Save Westbrook MIU (residents' campaign)",
                requested_on=working_days_after(decided, 2),
                ground="not_in_interests",
                grounds="The travel time to Northby General is too long for people without a car.",
            )
            services.call_in_answer(
                request=request,
                by=by,
                called_in=True,
                on=working_days_after(decided, 6),
                note="Direction given under Schedule 10A paragraph 3(1).",
            )
    return made


def _southby(area, responder) -> int:
    by = area.osc_officer
    c = services.consultation_record(
        by=by,
        body=area.trust,
        committee=area.committee,
        title="Southby birth centre becoming a daytime service",
        what_changes="The birth centre closes overnight.",
        who_is_affected="Women and birthing people in Southby.",
        received_on=dt.date(2023, 3, 6),
        comments_due_on=dt.date(2023, 4, 28),
        proposed_decision_on=dt.date(2023, 6, 29),
    )
    c = _minute(
        area, c, on=dt.date(2023, 3, 21), substantial=True, reason="Every overnight birth moves."
    )
    c = services.consultation_send_comments(
        consultation=c, by=by, comments="Keep overnight births.", on=dt.date(2023, 4, 26)
    )
    c = services.consultation_record_decision(
        consultation=c,
        by=by,
        decision="The birth centre becomes a daytime service.",
        reasons="Midwife staffing.",
        on=dt.date(2023, 6, 29),
    )
    referral = services.call_in_request_record(
        consultation=c,
        by=by,
        requested_by_name=str(area.committee),
        requested_by_body=area.committee,
        requested_on=dt.date(2023, 9, 4),
        ground="not_in_interests",
        grounds="The committee considers the decision not in the interests of the health "
        "service in Southby (reg 23(9)(c)).",
    )
    services.call_in_answer(
        request=referral,
        by=by,
        called_in=False,
        on=dt.date(2023, 12, 1),
        note="The Secretary of State asked the trust and the committee to resolve it locally.",
    )
    return 1


def _register(area, n: int) -> None:
    bodies = [area.trust, area.foundation_trust, area.icb, area.gp, area.social_care]
    for j, body in enumerate(bodies):
        if not body.ods_code:
            body.ods_code = f"ZZ{n}{j:02d}"
            body.save(update_fields=["ods_code"])
    by = area.osc_officer
    for body in (area.trust, area.icb):
        if HealthBodyPlan.objects.filter(body=body).exists():
            continue
        health_body_plan_save(
            by=by,
            body=body,
            kind=HealthBodyPlan.Kind.PRIORITIES,
            title=f"{body.name}: priorities 2026/27",
            summary="Shorter waits for planned operations; more care at home; a single "
            "stroke service.",
            published_on=working_day(200),
            period_start=dt.date(2026, 4, 1),
            period_end=dt.date(2027, 3, 31),
        )
    if not BoardMeeting.objects.filter(body=area.trust).exists():
        today = timezone.localdate()
        for k in range(4):
            day = working_days_after(today, 20 + 40 * k)
            BoardMeeting.objects.create(
                body=area.trust,
                title="Board meeting in public",
                starts_at=at(day, 10),
                location="Boardroom, Northby General",
            )


def seed_consultations(result: dict) -> list[str]:
    """Called by `seed_demo` with what `scrutiny.demo.casework.seed()` returns."""
    users = result["users"]
    northby, southby = result["areas"]
    made = 0
    if not Consultation.all_objects.filter(committee=northby.committee).exists():
        made += _northby(northby, users["trust-responder"])
    if not Consultation.all_objects.filter(committee=southby.committee).exists():
        made += _southby(southby, users["southby-trust-responder"])
    _register(northby, 1)
    _register(southby, 2)
    if not made:
        return []
    return ["", f"Consultations: {made} seeded (see /consultations/ and /service-changes/)."]
