"""Relevant decisions of an involvement network (SI 2008/528 reg 2): recording one (by the
services that carry a decision out, or by an officer for the other kinds), its statement and
reasons, publication on the public decisions page, and setting one aside when it was recorded
in error. A decision's publication clock is the deadline rule `relevant-decision-publication`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from scrutiny.casework.models import (
    RECORDED_BY_SERVICES,
    DecisionKind,
    DecisionState,
    InformationRequest,
    Organisation,
    Recommendation,
    Referral,
    RelevantDecision,
    Topic,
)
from scrutiny.casework.policy import can, owner_ids
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.common import _required, rule_for
from workflows.audit import EventType, log_event
from workflows.clocks import calendar_for
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.services import transition_apply


def _short(text: str, n: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _check_network(body: Organisation) -> None:
    if body.kind != Organisation.Kind.INVOLVEMENT_NETWORK:
        raise InvalidInput(
            "Relevant decisions are an involvement network's.",
            field_errors={"body": ["Choose an involvement network."]},
        )


def _create(*, body, kind, decided_on, statement, reasons, topic, subject, by) -> RelevantDecision:
    decision = RelevantDecision(
        body=body,
        kind=kind,
        decided_on=decided_on,
        topic=topic,
        statement=statement,
        reasons=reasons,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if subject is not None:
        decision.subject_type = ContentType.objects.get_for_model(subject)
        decision.subject_id = subject.pk
    rule = rule_for("relevant_decision", body)
    decision.start_clock(rule, decided_on, calendar=calendar_for(rule.effective_region))
    decision.save()
    log_event(
        decision,
        EventType.DECISION_RECORDED,
        by=by,
        note=decision.get_kind_display(),
        data={"kind": kind, "rule": rule.slug},
        source_state="",
    )
    return decision


def decision_record(
    *,
    body: Organisation,
    kind: str,
    by,
    statement: str,
    reasons: str = "",
    decided_on: dt.date | None = None,
    topic: Topic | None = None,
) -> RelevantDecision:
    """An officer records a relevant decision of a kind the services do not record themselves
    (how the network works, which services, spending, enter and view, reporting elsewhere)."""
    _check_network(body)
    if not can(by, Perm.TOPIC_MANAGE, body):
        raise Forbidden(f"Only {body}'s officers record its decisions.")
    if kind not in DecisionKind.values:
        raise InvalidInput("Choose the kind of decision.", field_errors={"kind": ["Choose one."]})
    if kind in RECORDED_BY_SERVICES:
        raise InvalidInput(
            "This kind of decision is recorded when it is carried out (issuing the request or "
            "recommendation, or making the referral).",
            field_errors={"kind": ["Choose another kind: this one is recorded for you."]},
        )
    statement = _required(statement, "statement", "the decision")
    today = timezone.localdate()
    decided_on = decided_on or today
    if decided_on > today:
        raise InvalidInput(
            "A decision is recorded once it has been made.",
            field_errors={"decided_on": ["The date must be today or in the past."]},
        )
    if topic is not None and body.pk not in owner_ids(topic):
        raise InvalidInput(
            "The topic must be one of the network's.",
            field_errors={"topic": ["Choose one of the network's topics."]},
        )
    with transaction.atomic():
        return _create(
            body=body,
            kind=kind,
            decided_on=decided_on,
            statement=statement,
            reasons=(reasons or "").strip(),
            topic=topic,
            subject=None,
            by=by,
        )


def _statement_for(subject) -> tuple[str, str]:
    if isinstance(subject, InformationRequest):
        return (
            DecisionKind.REQUEST_INFORMATION,
            f"To ask {subject.recipient} for information: {_short(subject.question)}",
        )
    if isinstance(subject, Recommendation):
        return (
            DecisionKind.REFER_REPORT,
            f"To refer a recommendation to {subject.recipient}: {_short(subject.text)}",
        )
    if isinstance(subject, Referral):
        return (
            DecisionKind.REFER_TO_OSC,
            f"To refer '{subject.topic.title}' to {subject.to_body}.",
        )
    raise TypeError(f"No relevant decision for {type(subject).__name__}.")


def decision_record_for(subject, *, body: Organisation, by, on: dt.date | None = None):
    """Record the decision that `subject` (an issued request or recommendation, or a referral)
    carries out, when `body` — the body that asked or referred — is an involvement network.
    Once per subject. Call inside the subject's transaction. Returns the decision or None."""
    if body.kind != Organisation.Kind.INVOLVEMENT_NETWORK:
        return None
    kind, statement = _statement_for(subject)
    existing = RelevantDecision.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, kind=kind
    ).first()
    if existing is not None:
        return existing
    return _create(
        body=body,
        kind=kind,
        decided_on=on or timezone.localdate(),
        statement=statement,
        reasons="",
        topic=getattr(subject, "topic", None),
        subject=subject,
        by=by,
    )


def _locked(decision: RelevantDecision) -> RelevantDecision:
    return RelevantDecision.objects.select_for_update().get(pk=decision.pk)


def decision_edit(*, decision: RelevantDecision, by, statement: str, reasons: str):
    """Change the statement and reasons of a decision not yet published."""
    if not can(by, Perm.TOPIC_MANAGE, decision):
        raise Forbidden("Only the network's officers edit its decisions.")
    statement = _required(statement, "statement", "the decision")
    reasons = (reasons or "").strip()
    with transaction.atomic():
        decision = _locked(decision)
        if decision.state != DecisionState.RECORDED:
            raise Conflict(
                f"This decision is {decision.get_state_display().lower()}: "
                "its statement can no longer change."
            )
        if (decision.statement, decision.reasons) == (statement, reasons):
            return decision
        decision.statement, decision.reasons = statement, reasons
        decision.save(update_fields=["statement", "reasons", "updated_at"])
        log_event(decision, EventType.DECISION_STATEMENT_EDITED, by=by)
    return decision


def decision_publish(*, decision: RelevantDecision, by):
    """Publish the statement and reasons on the public decisions page (and its feed). Without
    its reasons written the statement cannot go out: InvalidInput says so (the transition's
    condition says the same to anyone who bypasses this)."""
    if not can(by, Perm.TOPIC_MANAGE, decision):
        raise Forbidden("Only the network's officers publish its decisions.")
    current = RelevantDecision.objects.only("state", "reasons").get(pk=decision.pk)
    if current.state == DecisionState.RECORDED and not current.reasons.strip():
        message = "Write the statement of the decision and its reasons before publishing it."
        raise InvalidInput(message, field_errors={"reasons": [message]})
    return transition_apply(instance=decision, name="publish", by=by)


def decision_set_aside(*, decision: RelevantDecision, by, reason: str):
    """A decision recorded in error (never one already published: that record stands)."""
    reason = _required(reason, "reason", "why the decision is set aside")
    return transition_apply(instance=decision, name="set_aside", by=by, note=reason, reason=reason)
