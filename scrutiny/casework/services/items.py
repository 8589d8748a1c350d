"""Information requests and recommendations to health bodies: draft, issue, withdraw."""

from __future__ import annotations

from django.db import transaction

from scrutiny.casework import grants
from scrutiny.casework.models import (
    InformationRequest,
    Organisation,
    Recommendation,
    Topic,
    TopicState,
)
from scrutiny.casework.permissions import Perm, bodies_with, can, topic_party_ids
from scrutiny.casework.services.common import _required, rule_for
from workflows.audit import EventType, log_event
from workflows.clocks import calendar_for
from workflows.errors import Forbidden, InvalidInput
from workflows.services import transition_apply


def _asking_body(topic: Topic, by, asked_by: Organisation | None) -> Organisation:
    """The body that asks: the one given, or the user's own party body (the lead body first)."""
    parties = topic_party_ids(topic)
    if asked_by is not None:
        if asked_by.pk not in parties:
            raise InvalidInput(
                "The asking body must be one of the topic's bodies.",
                field_errors={"requested_by": ["Choose one of the topic's bodies."]},
            )
        return asked_by
    mine = parties & bodies_with(by, {"support_officer"})
    if topic.lead_body_id in mine or not mine:
        return topic.lead_body
    return Organisation.objects.get(pk=min(mine))


def _check_recipient(recipient, field="recipient"):
    if recipient is None or not recipient.is_health_body:
        raise InvalidInput(
            "Choose the health body this is addressed to.",
            field_errors={field: ["Choose a health body."]},
        )


DRAFTABLE_FOR_REQUESTS = (
    TopicState.PRIORITISED,
    TopicState.INFORMATION_REQUESTED,
    TopicState.RESPONSE_DUE,
    TopicState.RECOMMENDATION_MADE,
)


def information_request_draft(
    *,
    topic: Topic,
    by,
    recipient: Organisation,
    question: str,
    requested_by: Organisation | None = None,
) -> InformationRequest:
    question = _required(question, "question", "the question")
    _check_recipient(recipient)
    if not can(by, Perm.TOPIC_MANAGE, topic):
        raise Forbidden("You may not draft requests on this topic.")
    if topic.state not in DRAFTABLE_FOR_REQUESTS:
        raise InvalidInput(
            f"Requests cannot be drafted while the topic is '{topic.get_state_display()}'."
        )
    with transaction.atomic():
        req = InformationRequest.objects.create(
            topic=topic,
            requested_by=_asking_body(topic, by, requested_by),
            recipient=recipient,
            question=question,
            created_by=by,
        )
        log_event(req, EventType.INFORMATION_REQUEST_DRAFTED, by=by, source_state="")
    return req


def _issue(item, *, what: str, asking_body, by, on, note):
    """Issue a drafted request or recommendation: its statutory clock starts on `on` (default
    today), and the recipient's responders may now see the topic's title and summary."""
    rule = rule_for(what, asking_body)
    with transaction.atomic():
        item = transition_apply(
            instance=item,
            name="issue",
            by=by,
            note=note,
            rule=rule,
            on=on,
            calendar=calendar_for(rule.effective_region),
        )
        grants.responder_grant(topic_id=item.topic_id, body_id=item.recipient_id)
    return item


def information_request_issue(*, request: InformationRequest, by, on=None, note: str = ""):
    return _issue(
        request,
        what="information_request",
        asking_body=request.requested_by,
        by=by,
        on=on,
        note=note,
    )


def information_request_withdraw(*, request, by, reason: str):
    reason = _required(reason, "reason", "the reason for withdrawing the request")
    return transition_apply(instance=request, name="withdraw", by=by, note=reason, reason=reason)


def recommendation_draft(
    *,
    topic: Topic,
    by,
    recipient: Organisation,
    text: str,
    rationale: str = "",
    made_by: Organisation | None = None,
) -> Recommendation:
    text = _required(text, "text", "the recommendation")
    _check_recipient(recipient)
    if not can(by, Perm.TOPIC_MANAGE, topic):
        raise Forbidden("You may not draft recommendations on this topic.")
    if topic.state not in DRAFTABLE_FOR_REQUESTS:
        raise InvalidInput(
            f"Recommendations cannot be drafted while the topic is '{topic.get_state_display()}'."
        )
    with transaction.atomic():
        rec = Recommendation.objects.create(
            topic=topic,
            made_by=_asking_body(topic, by, made_by),
            recipient=recipient,
            text=text,
            rationale=(rationale or "").strip(),
            created_by=by,
        )
        log_event(rec, EventType.RECOMMENDATION_DRAFTED, by=by, source_state="")
    return rec


def recommendation_issue(*, recommendation: Recommendation, by, on=None, note: str = ""):
    return _issue(
        recommendation,
        what="recommendation",
        asking_body=recommendation.made_by,
        by=by,
        on=on,
        note=note,
    )


def recommendation_withdraw(*, recommendation, by, reason: str):
    reason = _required(reason, "reason", "the reason for withdrawing the recommendation")
    return transition_apply(
        instance=recommendation, name="withdraw", by=by, note=reason, reason=reason
    )
