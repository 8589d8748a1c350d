"""Demo Enter and View for each demo area's involvement network, built through the services on
the story clock: authorised representatives (one revoked), premises of the area's trust and
care provider, and visits in every state — planned, announced, unannounced (with its reason),
postponed, cancelled, carried out (with a safeguarding concern, never public), draft report, at
the provider's factual-accuracy check, published with the provider's response overdue, and
responded. Idempotent: a network that already has visits is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.models import (
    AuthorisedRepresentative,
    Membership,
    Recommendation,
    Site,
    Visit,
)
from scrutiny.demo.story import StoryClock, working_day, working_day_on_or_after


def _chair(network):
    m = (
        Membership.objects.filter(organisation=network, role=Membership.Role.CHAIR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


class _Visit:
    """One visit's story: each step runs on its working day, in order."""

    def __init__(self, area, site, team, *, purpose: str, planned_days_ago: int, today):
        self.a, self.today, self.clock = area, today, StoryClock()
        self.planned_for = working_day(planned_days_ago, today=today)
        decided = working_day(max(planned_days_ago, 0) + 30, today=today)
        if planned_days_ago < 0:  # a visit still to come
            self.planned_for = working_day_on_or_after(today - dt.timedelta(days=planned_days_ago))
        with self.clock.on(decided):
            self.visit = services.visit_plan(
                by=area.officer,
                network=area.network,
                site=site,
                planned_for=self.planned_for,
                purpose=purpose,
                team=team,
            )

    def step(self, days_ago: int, call, **kwargs):
        with self.clock.on(working_day(days_ago, today=self.today)):
            self.visit = call(visit=self.visit, by=self.a.officer, **kwargs)
        return self

    def visited(self, findings: str, report: str, recommendations=()):
        days_ago = (self.today - self.planned_for).days
        self.step(days_ago + 7, services.visit_announce)
        self.step(days_ago, services.visit_carry_out, on=self.planned_for, findings=findings)
        self.step(max(days_ago - 3, 1), services.visit_save_report, report=report)
        chair = _chair(self.a.network)
        for text in recommendations:
            with self.clock.on(working_day(max(days_ago - 3, 1), today=self.today)):
                rec = services.visit_recommendation_draft(
                    visit=self.visit, by=self.a.officer, text=text
                )
            with self.clock.on(working_day(max(days_ago - 4, 1), today=self.today)):
                services.recommendation_agree_by_chair(
                    recommendation=rec,
                    by=chair,
                    reason="Agreed with the visit report so it can go to the provider.",
                )
        return self


def _seed_area(area, today) -> list[str]:
    network = area.network
    if Visit.all_objects.filter(network=network).exists():
        return []
    place = network.slug.split("-")[0].capitalize()  # "Northby", "Southby"
    reps = [
        AuthorisedRepresentative.objects.create(
            body=network, name=name, authorised_on=working_day(days, today=today)
        )
        for name, days in (("Pat Okafor", 700), ("Sam Lewis", 500), ("Jo Reid", 400))
    ]
    services.representative_revoke(
        by=area.officer,
        representative=reps[2],
        on=working_day(120, today=today),
        reason="Stepped down as a volunteer.",
    )
    team = reps[:2]
    ward = Site.objects.create(
        body=area.trust,
        name=f"{place} General: Elm Ward",
        address=f"{place} General Hospital, Hospital Road, {place}",
    )
    unit = Site.objects.create(
        body=area.trust,
        name=f"{place} General: Discharge lounge",
        address=f"{place} General Hospital, Hospital Road, {place}",
    )
    home = Site.objects.create(
        body=area.social_care,
        name=f"{place} Court care home",
        address=f"2 Court Lane, {place}",
    )
    why = "Residents and families told us about {}."

    _Visit(
        area,
        ward,
        team,
        purpose=why.format("mealtimes on the ward"),
        planned_days_ago=-25,
        today=today,
    )
    _Visit(
        area,
        unit,
        team,
        purpose=why.format("long waits to go home"),
        planned_days_ago=-12,
        today=today,
    ).step(2, services.visit_announce)
    _Visit(
        area, home, team, purpose=why.format("night-time care"), planned_days_ago=-8, today=today
    ).step(
        3,
        services.visit_go_unannounced,
        reason="Concerns raised are about care at night, which notice could change.",
    )
    _Visit(
        area,
        ward,
        team,
        purpose=why.format("privacy on a mixed ward"),
        planned_days_ago=-30,
        today=today,
    ).step(5, services.visit_postpone, reason="An infection outbreak closed the ward to visitors.")
    _Visit(
        area,
        home,
        team,
        purpose=why.format("activities for residents"),
        planned_days_ago=-40,
        today=today,
    ).step(9, services.visit_cancel, reason="The home closed; residents moved to new homes.")

    concern = _Visit(
        area,
        home,
        team,
        purpose=why.format("medicines at the home"),
        planned_days_ago=6,
        today=today,
    ).visited(
        "Medicines were stored safely; residents were unsure who their key worker was.",
        "Two representatives spent the morning at the home and spoke to nine residents.",
    )
    with concern.clock.on(working_day(5, today=today)):
        services.safeguarding_concern_record(
            visit=concern.visit,
            by=area.officer,
            raised_by="Pat Okafor",
            found_on=concern.visit.carried_out_on,
            description="A resident described being left without help at night for hours.",
            referred_to=f"{place} Council adult safeguarding team",
            referred_on=concern.visit.carried_out_on,
        )

    _Visit(
        area, unit, team, purpose=why.format("transport home"), planned_days_ago=20, today=today
    ).visited(
        "Patients waited for transport for up to five hours.",
        "We visited the discharge lounge and spoke to fourteen patients waiting to go home.",
        ["Book transport home when the discharge date is set, not on the day."],
    ).step(10, services.visit_draft_report)

    check = (
        _Visit(
            area,
            ward,
            team,
            purpose=why.format("help at mealtimes"),
            planned_days_ago=30,
            today=today,
        )
        .visited(
            "Not everyone who needed help to eat got it in time.",
            "We visited Elm Ward at lunchtime and spoke to eleven patients and four relatives.",
            ["Use the red tray scheme so staff can see who needs help to eat."],
        )
        .step(20, services.visit_draft_report)
    )
    check.step(4, services.visit_send_for_accuracy_check)

    overdue = (
        _Visit(
            area,
            unit,
            team,
            purpose=why.format("discharge letters"),
            planned_days_ago=95,
            today=today,
        )
        .visited(
            "Discharge letters often reached GPs a week late.",
            "We spoke to twenty patients and three GP practices about discharge letters.",
            ["Send discharge letters to the GP electronically on the day of discharge."],
        )
        .step(85, services.visit_draft_report)
        .step(84, services.visit_send_for_accuracy_check)
    )
    overdue.step(78, services.visit_record_accuracy_comments, text="No factual changes.")
    overdue.step(70, services.visit_publish)

    done = (
        _Visit(
            area,
            home,
            team,
            purpose=why.format("visiting times"),
            planned_days_ago=160,
            today=today,
        )
        .visited(
            "Visiting was restricted to one hour a day without a recorded reason.",
            "We visited the home and spoke to residents, relatives and the manager.",
            ["Restore open visiting, recording any restriction and its reason."],
        )
        .step(150, services.visit_draft_report)
        .step(149, services.visit_send_for_accuracy_check)
    )
    done.step(140, services.visit_record_accuracy_comments, text="The home has 40 beds, not 42.")
    done.step(135, services.visit_publish)
    done.step(
        110,
        services.visit_record_response,
        text="Open visiting was restored on 1 September; restrictions are now recorded.",
    )
    recs = Recommendation.all_objects.filter(visit__network=network, state="issued").count()
    return [
        f"  {network.name}: 10 Enter and View visits in every state, 3 authorised "
        f"representatives, {recs} recommendations issued with published reports"
    ]


def seed_demo(result: dict) -> list[str]:
    """Called by `seed_demo` with what `scrutiny.demo.casework.seed()` returns."""
    today = timezone.localdate()
    lines = []
    for area in result["areas"]:
        with transaction.atomic():
            lines += _seed_area(area, today)
    return (["", "Enter and View:", *lines]) if lines else []
