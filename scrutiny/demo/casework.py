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
    trust = _org(f"{prefix}-hospitals", f"{place} Hospitals NHS Trust", N.HEALTH_BODY, HB.NHS_TRUST)
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


def _days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _at(day: dt.date, hour=11) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


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
    referred_on=None,
):
    return services.topic_raise(
        by=by or a.officer,
        title=title,
        summary=summary,
        partnership=a.partnership if joint else None,
        body=None if joint else a.committee,
        lead_body=lead or (a.network if joint else a.committee),
        source=source,
        health_bodies=health,
        referred_on=referred_on,
    )


def _prioritised(a: Area, title, summary, *, by=None, **kw):
    by = by or a.officer
    topic = _raise(a, title, summary, by=by, **kw)
    return services.topic_prioritise(topic=topic, by=by, scores=TOPIC_SCORES, on=_days_ago(120))


def _with_requests(a, title, summary, asks, *, issued_days_ago, by=None, **kw):
    by = by or a.officer
    topic = _prioritised(a, title, summary, by=by, **kw)
    topic = services.topic_request_information(topic=topic, by=by)
    requests = [
        services.information_request_draft(topic=topic, by=by, recipient=body, question=q)
        for body, q in asks
    ]
    if issued_days_ago is not None:
        topic = services.topic_issue_requests(topic=topic, by=by, on=_days_ago(issued_days_ago))
        for r in requests:
            r.refresh_from_db()
    return topic, requests


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


def _answer(req, by, *, days_after_issue, text, outcome="answered", channel="letter", ground=""):
    received = req.issued_on + dt.timedelta(days=days_after_issue)
    return services.provider_response_record(
        subject=req,
        by=by,
        channel=channel,
        text=text,
        outcome=outcome,
        received_at=_at(min(received, timezone.localdate())),
        refusal_ground=ground,
    )


def seed_casework(a: Area, place: str, responder) -> None:
    o = a.officer
    # raised
    _raise(
        a,
        "Access to NHS dentistry for children",
        f"Parents in {place} report that no dental practice within ten miles is taking on "
        "children as NHS patients.",
        source=Topic.Source.RESIDENT_SUGGESTION,
        health=[a.icb],
    )
    _raise(
        a,
        "Delayed discharge from the acute medical unit",
        f"The {a.network.label} heard from 40 families whose relatives waited more than a week "
        "for a care package before leaving hospital; we refer this to the committee.",
        source=Topic.Source.REFERRAL,
        referred_on=_days_ago(12),
        health=[a.trust, a.social_care],
    )
    # prioritised
    _prioritised(
        a,
        "Crisis mental health support for young people",
        "Waiting times for the under-18s crisis line and the number of young people "
        "placed out of area.",
        health=[a.foundation_trust, a.icb],
    )
    # declined
    declined = _raise(
        a,
        "Car parking charges at the general hospital",
        "Residents object to the new tariff for visitors.",
        health=[a.trust],
    )
    services.topic_decline(
        topic=declined,
        by=o,
        reason=(
            "Parking charges are a matter for the trust board and have been consulted on; scrutiny "
            "can add little. We will watch the promised concessions for carers."
        ),
    )
    # information requested, drafts not yet issued
    _with_requests(
        a,
        "Booking GP appointments by telephone",
        "Calls queue for over 30 minutes at 8am; online booking is not accessible to everyone.",
        [
            (
                a.gp,
                "How many calls did the practice receive between 8 and 9am each "
                "weekday in the last quarter, and how many were answered?",
            ),
            (a.icb, "What access standards does the ICB set for practices?"),
        ],
        issued_days_ago=None,
        health=[a.gp, a.icb],
    )
    # response due: one overdue, one answered late, one refused
    _, reqs = _with_requests(
        a,
        "Reconfiguring the hyper-acute stroke unit",
        "The proposal to move the stroke unit 18 miles away and what it means for travel times.",
        [
            (
                a.trust,
                "Please provide door-to-needle times for the last 24 months and the modelled "
                "ambulance travel times under the proposal.",
            ),
            (a.icb, "Please provide the consultation plan and the equality impact assessment."),
        ],
        issued_days_ago=45,
        health=[a.trust, a.icb],
    )
    _answer(
        reqs[1],
        a.officer,
        days_after_issue=35,
        channel="email",
        text="The consultation plan and equality impact assessment are attached to our "
        "letter of today; the ambulance modelling follows from the trust.",
    )
    _, reqs = _with_requests(
        a,
        "Midwife staffing on the maternity unit",
        "Shifts below safe staffing levels reported by families and by the CQC.",
        [
            (
                a.trust,
                "Please give planned and actual midwife fill rates for each month this year.",
            ),
            (a.foundation_trust, "How many community midwife posts are vacant?"),
        ],
        issued_days_ago=6,
        health=[a.trust, a.foundation_trust],
    )
    _answer(
        reqs[1],
        a.officer,
        days_after_issue=3,
        outcome="refused",
        ground="not_held",
        text="Community midwifery moved to the acute trust in April; we no longer hold it.",
    )
    # recommendations made: one accepted with an action plan, one still awaited (overdue)
    topic, reqs = _with_requests(
        a,
        "Hospital discharge and social care",
        "How the trust and the council work together so people leave hospital when ready.",
        [(a.trust, "How many patients were medically fit but waiting to leave each week?")],
        issued_days_ago=90,
        health=[a.trust, a.social_care],
    )
    _answer(
        reqs[0],
        responder,
        days_after_issue=25,
        channel="api",
        text="A weekly average of 61 patients, falling to 44 in the summer.",
    )
    rec1 = services.recommendation_draft(
        topic=topic,
        by=o,
        recipient=a.trust,
        text="Set up a single discharge hub open seven days a week.",
        rationale="Families told us discharges stall at weekends.",
    )
    services.recommendation_draft(
        topic=topic,
        by=o,
        recipient=a.social_care,
        text="Publish monthly figures on care packages started within 48 hours.",
    )
    _agree(a, topic.recommendations.drafts(), on=_days_ago(52))
    services.topic_make_recommendations(topic=topic, by=o, on=_days_ago(50))
    rec1.refresh_from_db()
    services.provider_response_record(
        subject=rec1,
        by=responder,
        channel="api",
        outcome=RecommendationOutcome.ACCEPTED,
        text="Accepted. The hub will open in two phases.",
        received_at=_at(_days_ago(30)),
        action_plan=[
            {
                "action": "Open the hub on weekdays",
                "owner": "Director of Operations",
                "target_date": _days_ago(-30),
            },
            {
                "action": "Extend to weekends",
                "owner": "Director of Operations",
                "target_date": _days_ago(-120),
            },
        ],
    )
    services.recommendation_update_implementation(
        recommendation=rec1,
        by=responder,
        status="on_track",
        note="Weekday hub staffed.",
        channel="api",
    )
    # concluded, with responses and implementation monitoring
    topic, reqs = _with_requests(
        a,
        "Winter pressures in the emergency department",
        "Ambulance handover delays and corridor care last winter.",
        [(a.trust, "Please provide ambulance handover times by week from November to March.")],
        issued_days_ago=200,
        health=[a.trust],
    )
    _answer(
        reqs[0],
        responder,
        days_after_issue=27,
        channel="api",
        text="Median handover 38 minutes; 1,204 handovers over 60 minutes.",
    )
    rec_a = services.recommendation_draft(
        topic=topic,
        by=o,
        recipient=a.trust,
        text="Open a handover area staffed by the trust so crews can leave within 30 minutes.",
    )
    rec_b = services.recommendation_draft(
        topic=topic, by=o, recipient=a.icb, text="Fund additional community beds for the winter."
    )
    _agree(a, [rec_a, rec_b], on=_days_ago(152))
    services.topic_make_recommendations(topic=topic, by=o, on=_days_ago(150))
    rec_a.refresh_from_db()
    rec_b.refresh_from_db()
    services.provider_response_record(
        subject=rec_a,
        by=responder,
        channel="api",
        outcome=RecommendationOutcome.ACCEPTED,
        text="Accepted; the area opened in October.",
        received_at=_at(_days_ago(130)),
        action_plan=[
            {
                "action": "Open a 10-trolley handover area",
                "owner": "Chief Nurse",
                "target_date": _days_ago(60),
            }
        ],
    )
    services.recommendation_update_implementation(
        recommendation=rec_a,
        by=responder,
        status="achieved",
        channel="api",
        note="Open since 1 October; median handover now 24 minutes.",
    )
    services.provider_response_record(
        subject=rec_b,
        by=o,
        channel="letter",
        outcome=RecommendationOutcome.REJECTED,
        text="The ICB has no budget for additional beds this year.",
        received_at=_at(_days_ago(100)),
    )
    services.topic_conclude(
        topic=topic,
        by=o,
        on=_days_ago(80),
        outcome_summary=(
            "The handover area was opened and delays fell. The ICB declined to fund "
            "more community beds; the committee will return to this next winter."
        ),
    )
    # withdrawn
    withdrawn = _raise(
        a,
        "Relocating the walk-in centre",
        "Plans to move the walk-in centre to the retail park.",
        health=[a.icb],
    )
    services.topic_withdraw(
        topic=withdrawn,
        by=o,
        reason=("The ICB has dropped the plan; there is nothing left to scrutinise."),
    )
    # residents see the outcomes and the work in progress that the officers chose to publish
    for topic in Topic.objects.filter(partnership=a.partnership).exclude(
        state__in=[Topic._meta.get_field("state").default, "information_requested"]
    ):
        publication.topic_publish(topic=topic, by=o)
    # a committee-only topic, raised by the committee's own officer
    _raise(
        a,
        "Quality accounts of the community trust",
        "The committee's annual comment on the foundation trust's quality account.",
        by=a.osc_officer,
        joint=False,
        health=[a.foundation_trust],
    )


DEMO_LOGINS = [
    ("admin", "administrator (all bodies, Django admin)"),
    ("northby-link-officer", "support officer, Northby LINk"),
    ("northby-osc-officer", "support officer, Northby HOSC"),
    ("northby-member", "committee member, Northby HOSC"),
    ("northby-chair", "chair, Northby HOSC"),
    ("northby-link-chair", "chair, Northby LINk (agrees recommendations by chair's action)"),
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
