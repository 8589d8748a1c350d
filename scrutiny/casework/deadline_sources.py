"""The casework's clocks, registered with the deadline sweep (workflows.sweep).

Named in settings.CF_CLOCK_SOURCE_MODULES: the sweep imports this module and calls `register()`
(importing it also registers). Four sources:

- information requests: the health body answers; its responders and its own address (the one
  its notice of the request went to) are reminded;
- recommendations: the health body responds; reminded likewise;
- referral acknowledgements: the scrutiny committee acknowledges the involvement network's
  referral; the committee's support officers are reminded;
- statements of relevant decisions: the involvement network publishes the statement of a
  decision and its reasons (SI 2008/528 reg 2(1)(d)); its own officers are reminded.

For the first three, the lead body's chair(s) are told when the item is very overdue (its support
officers when it has no chair), and the support officers of the topic's bodies see it in their
daily digest. Each source builds its items with a fixed number of queries, however many there
are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from scrutiny.casework.models import (
    DecisionState,
    InformationRequest,
    Recommendation,
    RecommendationState,
    Referral,
    ReferralState,
    RelevantDecision,
    RequestState,
)
from scrutiny.casework.notices import ask_addressees
from scrutiny.casework.policy import People, owner_ids
from scrutiny.casework.roles import Perm
from workflows.clock_sources import ClockedItem, clock_source_register


def _topic_related(qs):
    return qs.select_related("topic__lead_body", "topic__partnership", "due_rule").prefetch_related(
        "topic__partnership__scrutiny_committees"
    )


def _region(obj):
    return obj.due_rule.effective_region if obj.due_rule_id else None


def _answerable_items(kind: str, objs: Sequence, *, title, action) -> list[ClockedItem]:
    """Requests and recommendations: the recipient health body must act."""
    objs = list(objs)
    org_ids = set()
    for obj in objs:
        org_ids |= {obj.recipient_id, obj.topic.lead_body_id} | owner_ids(obj.topic)
    people = People(org_ids)
    return [
        ClockedItem(
            kind=kind,
            obj=obj,
            due_on=obj.due_on,
            title=title(obj),
            link=obj.get_absolute_url(),
            owed_by=obj.recipient.name,
            action=action,
            topic=obj.topic.title,
            due_explanation=obj.due_explanation,
            region=_region(obj),
            reminder_recipients=ask_addressees(obj.recipient, people),
            escalation_recipients=people.chairs_or([obj.topic.lead_body_id], Perm.TOPIC_MANAGE),
            digest_recipients=people.holding(owner_ids(obj.topic), Perm.TOPIC_MANAGE),
        )
        for obj in objs
        if obj.due_on is not None
    ]


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# --- Information requests ------------------------------------------------------------------------


def _request_items(qs) -> list[ClockedItem]:
    return _answerable_items(
        "information_request",
        _topic_related(qs.select_related("recipient")),
        title=lambda r: f"Request for information to {r.recipient.name}: {_short(r.question)}",
        action="answer the request for information",
    )


def information_requests_clocks(due_by: dt.date):
    return InformationRequest.all_objects.filter(state=RequestState.ISSUED, due_on__lte=due_by)


def information_requests_open(due_by: dt.date) -> list[ClockedItem]:
    return _request_items(information_requests_clocks(due_by))


def information_requests_by_pk(pks: Sequence[int]) -> list[ClockedItem]:
    return _request_items(InformationRequest.all_objects.filter(pk__in=pks))


# --- Recommendations -----------------------------------------------------------------------------


def _recommendation_items(qs) -> list[ClockedItem]:
    return _answerable_items(
        "recommendation",
        _topic_related(qs.select_related("recipient")),
        title=lambda r: f"Recommendation to {r.recipient.name}: {_short(r.text)}",
        action="respond to the recommendation (the action it will take, or why none)",
    )


def recommendations_clocks(due_by: dt.date):
    return Recommendation.all_objects.filter(state=RecommendationState.ISSUED, due_on__lte=due_by)


def recommendations_open(due_by: dt.date) -> list[ClockedItem]:
    return _recommendation_items(recommendations_clocks(due_by))


def recommendations_by_pk(pks: Sequence[int]) -> list[ClockedItem]:
    return _recommendation_items(Recommendation.all_objects.filter(pk__in=pks))


# --- Referral acknowledgements -------------------------------------------------------------------


def _referral_items(qs) -> list[ClockedItem]:
    referrals = list(_topic_related(qs.select_related("to_body", "from_body")))
    org_ids = set()
    for r in referrals:
        org_ids |= {r.to_body_id, r.topic.lead_body_id} | owner_ids(r.topic)
    people = People(org_ids)
    return [
        ClockedItem(
            kind="referral_acknowledgement",
            obj=r,
            due_on=r.due_on,
            title=f"Referral from {r.from_body.name}: {_short(r.topic.title)}",
            link=r.topic.get_absolute_url(),
            owed_by=r.to_body.name,
            action="acknowledge the referral",
            topic=r.topic.title,
            due_explanation=r.due_explanation,
            region=_region(r),
            reminder_recipients=people.holding([r.to_body_id], Perm.REFERRAL_ACKNOWLEDGE),
            escalation_recipients=people.chairs_or([r.topic.lead_body_id], Perm.TOPIC_MANAGE),
            digest_recipients=people.holding(owner_ids(r.topic), Perm.TOPIC_MANAGE),
        )
        for r in referrals
        if r.due_on is not None
    ]


def referrals_clocks(due_by: dt.date):
    return Referral.objects.filter(state=ReferralState.AWAITING_ACKNOWLEDGEMENT, due_on__lte=due_by)


def referrals_open(due_by: dt.date) -> list[ClockedItem]:
    return _referral_items(referrals_clocks(due_by))


def referrals_by_pk(pks: Sequence[int]) -> list[ClockedItem]:
    return _referral_items(Referral.objects.filter(pk__in=pks))


# --- Statements of relevant decisions ------------------------------------------------------------


def _decision_items(qs) -> list[ClockedItem]:
    decisions = list(qs.select_related("body", "topic", "due_rule"))
    people = People({d.body_id for d in decisions})
    return [
        ClockedItem(
            kind="relevant_decision",
            obj=d,
            due_on=d.due_on,
            title=f"Statement of a decision of {d.body.name}: {_short(d.statement)}",
            link=d.get_absolute_url(),
            owed_by=d.body.name,
            action="publish the statement of the decision and its reasons",
            topic=d.topic.title if d.topic_id else "",
            due_explanation=d.due_explanation,
            region=_region(d),
            reminder_recipients=people.holding([d.body_id], Perm.TOPIC_MANAGE),
            escalation_recipients=people.chairs_or([d.body_id], Perm.TOPIC_MANAGE),
            digest_recipients=people.holding([d.body_id], Perm.TOPIC_MANAGE),
        )
        for d in decisions
        if d.due_on is not None
    ]


def decisions_clocks(due_by: dt.date):
    return RelevantDecision.objects.filter(state=DecisionState.RECORDED, due_on__lte=due_by)


def decisions_open(due_by: dt.date) -> list[ClockedItem]:
    return _decision_items(decisions_clocks(due_by))


def decisions_by_pk(pks: Sequence[int]) -> list[ClockedItem]:
    return _decision_items(RelevantDecision.objects.filter(pk__in=pks))


def register() -> None:
    clock_source_register(
        kind="information_request",
        label="Information requests",
        model=InformationRequest,
        clocks=information_requests_clocks,
        items_for=information_requests_by_pk,
    )
    clock_source_register(
        kind="recommendation",
        label="Recommendations",
        model=Recommendation,
        clocks=recommendations_clocks,
        items_for=recommendations_by_pk,
    )
    clock_source_register(
        kind="referral_acknowledgement",
        label="Referral acknowledgements",
        model=Referral,
        clocks=referrals_clocks,
        items_for=referrals_by_pk,
    )
    clock_source_register(
        kind="relevant_decision",
        label="Statements of relevant decisions",
        model=RelevantDecision,
        clocks=decisions_clocks,
        items_for=decisions_by_pk,
    )


register()
