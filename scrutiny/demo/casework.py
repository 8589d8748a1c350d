"""A realistic demo area: Northby and Southby, built through the same services as real work.

Idempotent: organisations, people and memberships are updated in place; the casework of a
partnership is created once (the first run) and left alone afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from scrutiny.casework import publication, services
from scrutiny.casework.models import (
    Membership,
    Organisation,
    Partnership,
    PrioritisationFramework,
    RecommendationOutcome,
    Topic,
)
from scrutiny.demo.story import StoryClock, working_day, working_days_after

DEFAULT_DEMO_PASSWORD = "critical-friend-demo"

HB = Organisation.HealthBodyKind


@dataclass
class Area:
    partnership: Partnership
    network: Organisation
    committee: Organisation
    trust: Organisation
    foundation_trust: Organisation
    icb: Organisation
    gp: Organisation
    social_care: Organisation
    officer: object
    osc_officer: object


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def _org(slug, name, kind, health_body_kind="", **extra):
    if kind == Organisation.Kind.HEALTH_BODY:
        # Each health body has its own address, where the notices of asks go too.
        extra.setdefault("email", f"enquiries@{slug}.demo.critical-friend.example")
    org, _ = Organisation.objects.update_or_create(
        slug=slug,
        defaults={"name": name, "kind": kind, "health_body_kind": health_body_kind, **extra},
    )
    return org


def _user(username, first, last, *, superuser=False):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.first_name, user.last_name = first, last
    user.email = f"{username}@demo.critical-friend.example"
    user.is_staff = user.is_superuser = superuser
    user.set_password(demo_password())
    user.save()
    return user


def _member(user, org, role):
    if not Membership.objects.filter(user=user, organisation=org, role=role).exists():
        services.membership_add(user=user, organisation=org, role=role)


def _area(
    prefix,
    place,
    *,
    network_label,
    link_officer,
    osc_officer,
    member,
    chair,
    responder,
    link_chair=None,
    admin=None,
):
    N = Organisation.Kind
    network = _org(
        f"{prefix}-link",
        f"{place} {network_label}",
        N.INVOLVEMENT_NETWORK,
        label=network_label,
        area=f"{place} City Council",
    )
    committee = _org(
        f"{prefix}-hosc",
        f"{place} Health Overview and Scrutiny Committee",
        N.SCRUTINY_COMMITTEE,
        label="HOSC",
        area=f"{place} City Council",
    )
    trust = _org(
        f"{prefix}-hospitals",
        f"{place} Hospitals NHS Trust",
        N.HEALTH_BODY,
        HB.NHS_TRUST,
        # The trust's scrutiny team takes requests, not its general enquiries address.
        requests_email=f"scrutiny@{prefix}-hospitals.demo.critical-friend.example",
    )
    ft = _org(
        f"{prefix}-community-ft",
        f"{place} Community Health NHS Foundation Trust",
        N.HEALTH_BODY,
        HB.FOUNDATION_TRUST,
    )
    icb = _org(
        f"{prefix}-icb", f"NHS {place} Integrated Care Board", N.HEALTH_BODY, HB.COMMISSIONER
    )
    gp = _org(
        f"{prefix}-riverside-practice",
        f"Riverside Medical Practice, {place}",
        N.HEALTH_BODY,
        HB.GP_PRACTICE,
    )
    care = _org(
        f"{prefix}-adult-social-care",
        f"{place} City Council Adult Social Care",
        N.HEALTH_BODY,
        HB.COUNCIL_SOCIAL_CARE,
    )
    partnership, _ = Partnership.objects.update_or_create(
        slug=prefix,
        defaults={
            "name": f"{place} joint health scrutiny",
            "involvement_network": network,
            "framework": PrioritisationFramework.objects.get(slug="topic"),
            "programme_capacity": 8,
            "description": (
                f"The {place} {network_label} and {place} City Council's Health Overview and "
                "Scrutiny Committee share a work programme under their joint working protocol."
            ),
        },
    )
    services.partnership_set_committees(partnership=partnership, committees=[committee])
    R = Membership.Role
    _member(link_officer, network, R.SUPPORT_OFFICER)
    _member(osc_officer, committee, R.SUPPORT_OFFICER)
    if member:
        _member(member, committee, R.COMMITTEE_MEMBER)
    if chair:
        _member(chair, committee, R.CHAIR)
    if link_chair:
        _member(link_chair, network, R.CHAIR)
    _member(responder, trust, R.RESPONDER)
    if admin:
        _member(admin, network, R.AREA_ADMIN)
        _member(admin, committee, R.AREA_ADMIN)
    return Area(
        partnership, network, committee, trust, ft, icb, gp, care, link_officer, osc_officer
    )


TOPIC_SCORES = {
    "timely": 2,
    "organisational_priority": 1,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 1,
}

# What each area is scrutinising: the two areas share the shape of the story (one topic in each
# state) but not its subjects, so no title appears in both. `{network}` is the area's
# involvement network ("LINk", "Local Healthwatch").
STORIES = {
    "northby": {
        "raised": (
            "Access to NHS dentistry for children",
            "Parents in Northby report that no dental practice within ten miles is taking on "
            "children as NHS patients.",
        ),
        "referral": (
            "Delayed discharge from the acute medical unit",
            "The {network} heard from 40 families whose relatives waited more than a week for a "
            "care package before leaving hospital; we refer this to the committee.",
        ),
        "prioritised": (
            "Crisis mental health support for young people",
            "Waiting times for the under-18s crisis line and the number of young people placed "
            "out of area.",
        ),
        "declined": (
            "Car parking charges at the general hospital",
            "Residents object to the new tariff for visitors.",
            "Parking charges are a matter for the trust board and have been consulted on; "
            "scrutiny can add little. We will watch the promised concessions for carers.",
        ),
        "drafts": (
            "Booking GP appointments by telephone",
            "Calls queue for over 30 minutes at 8am; online booking is not accessible to everyone.",
            "How many calls did the practice receive between 8 and 9am each weekday in the last "
            "quarter, and how many were answered?",
            "What access standards does the ICB set for practices?",
        ),
        "overdue": (
            "Reconfiguring the hyper-acute stroke unit",
            "The proposal to move the stroke unit 18 miles away and what it means for travel "
            "times.",
            "Please provide door-to-needle times for the last 24 months and the modelled "
            "ambulance travel times under the proposal.",
            "Please provide the consultation plan and the equality impact assessment.",
            "The consultation plan and equality impact assessment are attached to our letter of "
            "today; the ambulance modelling follows from the trust.",
        ),
        "refused": (
            "Midwife staffing on the maternity unit",
            "Shifts below safe staffing levels reported by families and by the CQC.",
            "Please give planned and actual midwife fill rates for each month this year.",
            "How many community midwife posts are vacant?",
            "Community midwifery moved to the acute trust in April; we no longer hold it.",
        ),
        "recommended": (
            "Hospital discharge and social care",
            "How the trust and the council work together so people leave hospital when ready.",
            "How many patients were medically fit but waiting to leave each week?",
            "A weekly average of 61 patients, falling to 44 in the summer.",
            "Set up a single discharge hub open seven days a week.",
            "Families told us discharges stall at weekends.",
            "Publish monthly figures on care packages started within 48 hours.",
            "Accepted. The hub will open in two phases.",
        ),
        "concluded": (
            "Winter pressures in the emergency department",
            "Ambulance handover delays and corridor care last winter.",
            "Please provide ambulance handover times by week from November to March.",
            "Median handover 38 minutes; 1,204 handovers over 60 minutes.",
            "Open a handover area staffed by the trust so crews can leave within 30 minutes.",
            "Fund additional community beds for the winter.",
            "Accepted; the handover area will open before the winter.",
            "The ICB has no budget for additional beds this year.",
            "The handover area was opened and delays fell. The ICB declined to fund more "
            "community beds; the committee will return to this next winter.",
        ),
        "withdrawn": (
            "Relocating the walk-in centre",
            "Plans to move the walk-in centre to the retail park.",
            "The ICB has dropped the plan; there is nothing left to scrutinise.",
        ),
        "committee": (
            "Quality accounts of the community trust",
            "The committee's annual comment on the foundation trust's quality account.",
        ),
    },
    "southby": {
        "raised": (
            "NHS dentistry for care home residents",
            "Care home managers in Southby say residents wait months for a dentist to visit, and "
            "some have had no check-up in two years.",
        ),
        "referral": (
            "Waiting times for wheelchair services",
            "The {network} heard from 25 families waiting over 18 weeks for a wheelchair "
            "assessment; we refer this to the committee.",
        ),
        "prioritised": (
            "Eating disorder services for young adults",
            "The gap in care for people turning 18 and the distance to the nearest inpatient bed.",
        ),
        "declined": (
            "Signage at the new outpatient building",
            "Visitors find the new outpatient building hard to find from the bus station.",
            "The trust has already commissioned new signs after its own survey; scrutiny would "
            "add nothing. We will check the signs are up by the spring.",
        ),
        "drafts": (
            "Closures of community pharmacies",
            "Three pharmacies on the eastern estates closed this year, leaving long journeys for "
            "prescriptions.",
            "Which pharmacies in the practice's area have closed or cut their hours since "
            "January, and what has the practice done for its patients?",
            "How does the ICB assess the need for pharmacies when one closes?",
        ),
        "overdue": (
            "Moving planned orthopaedic surgery to one site",
            "The plan to move hip and knee operations to a single site and what it means for "
            "waiting lists and travel.",
            "Please provide waiting times for hip and knee operations for the last 24 months and "
            "the expected waits under the plan.",
            "Please provide the engagement report and the travel analysis for the plan.",
            "The engagement report and the travel analysis are attached to our e-mail of today.",
        ),
        "refused": (
            "Health visitor caseloads",
            "Families report missed development checks and health visitors carrying high "
            "caseloads.",
            "How many development checks at two years were completed on time each month?",
            "What is the average caseload of a health visitor?",
            "Health visiting is commissioned by the council; we do not hold caseload figures.",
        ),
        "recommended": (
            "Falls prevention for older people",
            "How the trust and the council help older people avoid falls at home and in hospital.",
            "How many patients over 65 were admitted after a fall at home each month?",
            "An average of 112 admissions a month, higher in the winter.",
            "Offer every patient over 65 admitted after a fall a home safety visit within a week "
            "of leaving hospital.",
            "Residents told us nobody checked their home before they went back.",
            "Publish how many home adaptations are fitted within four weeks of a referral.",
            "Accepted. The visits will start with the frailty ward.",
        ),
        "concluded": (
            "Ambulance response times in rural villages",
            "Long waits for ambulances in the villages south of the river.",
            "Please provide response times by category for the rural wards for the last year.",
            "Category 2 median 48 minutes in rural wards against 31 minutes in the town.",
            "Place a standby ambulance in the southern villages at the busiest times.",
            "Fund community first responders in every village without one.",
            "Accepted; a standby vehicle will be placed from the autumn.",
            "The ICB will not fund first responders; the voluntary sector may bid for grants.",
            "Rural response times improved with the standby ambulance. The ICB declined to fund "
            "first responders; the committee will review the grants next year.",
        ),
        "withdrawn": (
            "Closing the minor injuries unit overnight",
            "A proposal to close the minor injuries unit between midnight and 8am.",
            "The trust withdrew the proposal after the staff consultation.",
        ),
        "committee": (
            "Quality account of the hospitals trust",
            "The committee's annual comment on the hospitals trust's quality account.",
        ),
    },
}


def _raise(
    a: Area,
    title,
    summary,
    *,
    by=None,
    source=Topic.Source.OFFICER,
    joint=True,
    lead=None,
    health=(),
):
    return services.topic_raise(
        by=by or a.officer,
        title=title,
        summary=summary.format(network=a.network.label),
        partnership=a.partnership if joint else None,
        body=None if joint else a.committee,
        lead_body=lead or (a.network if joint else a.committee),
        source=source,
        health_bodies=health,
    )


def _agree(a: Area, recommendations, *, on: dt.date):
    """The chair of the body making the recommendations agrees them by chair's action."""
    for rec in recommendations:
        chair = (
            Membership.objects.filter(organisation=rec.made_by, role=Membership.Role.CHAIR)
            .select_related("user")
            .order_by("pk")
            .first()
            .user
        )
        services.recommendation_agree_by_chair(
            recommendation=rec,
            by=chair,
            reason="Agreed between meetings so the health bodies can respond before the "
            "next committee.",
            on=on,
        )


class Story:
    """One topic's story: each `step(days_ago)` runs on that working day, after the last step."""

    def __init__(self, area: Area):
        self.area = area
        self.clock = StoryClock()
        self.topic = None

    def day(self, days_ago: int) -> dt.date:
        return working_day(days_ago)

    def step(self, days_ago: int):
        return self.clock.on(working_day(days_ago))

    def after(self, issued_on: dt.date, working_days: int):
        """A step `working_days` working days after `issued_on` (a response, say)."""
        return self.clock.on(working_days_after(issued_on, working_days))

    def raised(self, days_ago, title, summary, **kw):
        with self.step(days_ago):
            self.topic = _raise(self.area, title, summary, **kw)
        return self.topic

    def prioritised(self, days_ago):
        with self.step(days_ago):
            self.topic = services.topic_prioritise(
                topic=self.topic, by=self.area.officer, scores=TOPIC_SCORES
            )

    def requests(self, days_ago, asks, *, issue=True):
        with self.step(days_ago):
            o = self.area.officer
            self.topic = services.topic_request_information(topic=self.topic, by=o)
            requests = [
                services.information_request_draft(
                    topic=self.topic, by=o, recipient=body, question=q
                )
                for body, q in asks
            ]
            if issue:
                self.topic = services.topic_issue_requests(topic=self.topic, by=o)
                for r in requests:
                    r.refresh_from_db()
        return requests

    def recommendations(self, days_ago, recs):
        with self.step(days_ago):
            o = self.area.officer
            drafted = [
                services.recommendation_draft(
                    topic=self.topic, by=o, recipient=body, text=text, rationale=why
                )
                for body, text, why in recs
            ]
            _agree(self.area, drafted, on=timezone.localdate())
            self.topic = services.topic_make_recommendations(topic=self.topic, by=o)
            for r in drafted:
                r.refresh_from_db()
        return drafted

    def answer(self, item, by, working_days, *, text, outcome="answered", channel="letter", **kw):
        """The body answers `working_days` working days after the item was issued."""
        with self.after(item.issued_on, working_days) as now:
            response = services.provider_response_record(
                subject=item,
                by=by,
                channel=channel,
                text=text,
                outcome=outcome,
                received_at=now,
                **kw,
            )
        item.refresh_from_db()
        return response

    def implementation(self, days_ago, rec, by, status, note):
        with self.step(days_ago):
            services.recommendation_update_implementation(
                recommendation=rec, by=by, status=status, note=note, channel="api"
            )

    def publish(self, days_ago):
        with self.step(days_ago):
            self.topic = publication.topic_publish(topic=self.topic, by=self.area.officer)


def seed_casework(a: Area, place: str, responder) -> None:
    """One coherent story per state, raised, moved and answered on working days before today."""
    o = a.officer
    text = STORIES[a.partnership.slug]

    # raised, from a resident's suggestion
    title, summary = text["raised"]
    Story(a).raised(8, title, summary, source=Topic.Source.RESIDENT_SUGGESTION, health=[a.icb])

    # raised by the involvement network's referral (the acknowledgement clock starts that day)
    title, summary = text["referral"]
    Story(a).raised(
        12, title, summary, source=Topic.Source.REFERRAL, health=[a.trust, a.social_care]
    )

    # prioritised, on the work programme and published as such
    title, summary = text["prioritised"]
    s = Story(a)
    s.raised(45, title, summary, health=[a.foundation_trust, a.icb])
    s.prioritised(30)
    s.publish(29)

    # declined, with its reason published
    title, summary, reason = text["declined"]
    s = Story(a)
    s.raised(60, title, summary, health=[a.trust])
    with s.step(50):
        s.topic = services.topic_decline(topic=s.topic, by=o, reason=reason)
    s.publish(49)

    # information requested: the requests are drafted, not yet issued (not published)
    title, summary, q_gp, q_icb = text["drafts"]
    s = Story(a)
    s.raised(35, title, summary, health=[a.gp, a.icb])
    s.prioritised(25)
    s.requests(20, [(a.gp, q_gp), (a.icb, q_icb)], issue=False)

    # response due: one request overdue, the other answered late
    title, summary, q_trust, q_icb, answer = text["overdue"]
    s = Story(a)
    s.raised(90, title, summary, health=[a.trust, a.icb])
    s.prioritised(70)
    reqs = s.requests(45, [(a.trust, q_trust), (a.icb, q_icb)])
    s.answer(reqs[1], o, 24, channel="email", text=answer)
    s.publish(3)

    # response due: one request refused, the other not yet due
    title, summary, q_trust, q_ft, refusal = text["refused"]
    s = Story(a)
    s.raised(40, title, summary, health=[a.trust, a.foundation_trust])
    s.prioritised(21)
    reqs = s.requests(8, [(a.trust, q_trust), (a.foundation_trust, q_ft)])
    s.answer(reqs[1], o, 2, outcome="refused", refusal_ground="not_held", text=refusal)
    s.publish(1)

    # recommendation made: one accepted with an action plan, one still awaited (overdue)
    title, summary, q, answer, rec1_text, rec1_why, rec2_text, accepted = text["recommended"]
    s = Story(a)
    s.raised(160, title, summary, health=[a.trust, a.social_care])
    s.prioritised(140)
    (req,) = s.requests(110, [(a.trust, q)])
    s.answer(req, responder, 18, channel="api", text=answer)
    rec1, _ = s.recommendations(
        60, [(a.trust, rec1_text, rec1_why), (a.social_care, rec2_text, "")]
    )
    s.answer(
        rec1,
        responder,
        14,
        channel="api",
        outcome=RecommendationOutcome.ACCEPTED,
        text=accepted,
        action_plan=[
            {
                "action": "Open the hub on weekdays",
                "owner": "Director of Operations",
                "target_date": working_day(-30),
            },
            {
                "action": "Extend to weekends",
                "owner": "Director of Operations",
                "target_date": working_day(-120),
            },
        ],
    )
    s.implementation(10, rec1, responder, "on_track", "The first phase is staffed.")
    s.publish(9)

    # concluded, with responses and implementation monitoring
    (title, summary, q, answer, rec_a_text, rec_b_text, accepted, rejected, outcome) = text[
        "concluded"
    ]
    s = Story(a)
    s.raised(280, title, summary, health=[a.trust, a.icb])
    s.prioritised(260)
    (req,) = s.requests(230, [(a.trust, q)])
    s.answer(req, responder, 17, channel="api", text=answer)
    rec_a, rec_b = s.recommendations(180, [(a.trust, rec_a_text, ""), (a.icb, rec_b_text, "")])
    s.answer(
        rec_a,
        responder,
        12,
        channel="api",
        outcome=RecommendationOutcome.ACCEPTED,
        text=accepted,
        action_plan=[
            {"action": rec_a_text, "owner": "Chief Operating Officer", "target_date": s.day(120)}
        ],
    )
    s.answer(rec_b, o, 19, outcome=RecommendationOutcome.REJECTED, text=rejected)
    s.implementation(115, rec_a, responder, "achieved", "Done, and the figures are improving.")
    with s.step(100):
        s.topic = services.topic_conclude(topic=s.topic, by=o, outcome_summary=outcome)
    s.publish(99)

    # withdrawn before it was prioritised
    title, summary, reason = text["withdrawn"]
    s = Story(a)
    s.raised(75, title, summary, health=[a.icb])
    with s.step(55):
        s.topic = services.topic_withdraw(topic=s.topic, by=o, reason=reason)
    s.publish(54)

    # a committee-only topic, raised by the committee's own officer
    title, summary = text["committee"]
    Story(a).raised(15, title, summary, by=a.osc_officer, joint=False, health=[a.foundation_trust])


DEMO_LOGINS = [
    ("admin", "administrator (all bodies, Django admin)"),
    ("northby-link-officer", "support officer, Northby LINk"),
    ("northby-osc-officer", "support officer, Northby HOSC"),
    ("northby-member", "committee member, Northby HOSC"),
    ("northby-chair", "chair, Northby HOSC"),
    ("northby-link-chair", "chair, Northby LINk (agrees recommendations by chair's action)"),
    ("northby-admin", "area administrator, Northby LINk and Northby HOSC (/administration/)"),
    ("southby-admin", "area administrator, Southby Local Healthwatch and Southby HOSC"),
    ("southby-link-officer", "support officer, Southby Local Healthwatch"),
    ("southby-osc-officer", "support officer, Southby HOSC"),
    ("southby-member", "committee member, Southby HOSC"),
    ("southby-link-chair", "chair, Southby Local Healthwatch"),
    ("trust-responder", "responder, Northby Hospitals NHS Trust"),
    ("southby-trust-responder", "responder, Southby Hospitals NHS Trust"),
]


@transaction.atomic
def seed() -> dict:
    """Create or refresh the demo area; returns {"areas", "users", "created"}."""
    users = {
        "admin": _user("admin", "Ada", "Admin", superuser=True),
        "northby-link-officer": _user("northby-link-officer", "Nadia", "Officer"),
        "northby-osc-officer": _user("northby-osc-officer", "Owen", "Scrutiny"),
        "northby-member": _user("northby-member", "Cllr Mary", "Member"),
        "northby-chair": _user("northby-chair", "Cllr Charles", "Chair"),
        "northby-link-chair": _user("northby-link-chair", "Nia", "Chair"),
        "northby-admin": _user("northby-admin", "Nadia", "Admin"),
        "southby-admin": _user("southby-admin", "Sean", "Admin"),
        "southby-link-officer": _user("southby-link-officer", "Sam", "Officer"),
        "southby-osc-officer": _user("southby-osc-officer", "Sofia", "Scrutiny"),
        "southby-member": _user("southby-member", "Cllr Simon", "Member"),
        "southby-link-chair": _user("southby-link-chair", "Sian", "Chair"),
        "trust-responder": _user("trust-responder", "Tom", "Responder"),
        "southby-trust-responder": _user("southby-trust-responder", "Tara", "Responder"),
    }
    northby = _area(
        "northby",
        "Northby",
        network_label="LINk",
        link_officer=users["northby-link-officer"],
        osc_officer=users["northby-osc-officer"],
        member=users["northby-member"],
        chair=users["northby-chair"],
        link_chair=users["northby-link-chair"],
        responder=users["trust-responder"],
        admin=users["northby-admin"],
    )
    southby = _area(
        "southby",
        "Southby",
        network_label="Local Healthwatch",
        link_officer=users["southby-link-officer"],
        osc_officer=users["southby-osc-officer"],
        member=users["southby-member"],
        chair=None,
        link_chair=users["southby-link-chair"],
        responder=users["southby-trust-responder"],
        admin=users["southby-admin"],
    )
    created = False
    for area, place, responder in (
        (northby, "Northby", users["trust-responder"]),
        (southby, "Southby", users["southby-trust-responder"]),
    ):
        if not Topic.objects.filter(partnership=area.partnership).exists():
            seed_casework(area, place, responder)
            created = True
    return {"areas": [northby, southby], "users": users, "created": created}
