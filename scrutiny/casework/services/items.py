"""Information requests and recommendations to health bodies: draft, issue, withdraw.

Both are addressed items (`AddressedItem`); each public service is a thin call of the shared
`_draft`, `_issue` and `_withdraw` with what differs: the model, its text and the deadline rule.
"""

from __future__ import annotations

from django.db import transaction

from scrutiny.casework import grants, notices, policy
from scrutiny.casework.models import (
    AddressedItem,
    InformationRequest,
    Organisation,
    Recommendation,
    Topic,
    TopicState,
)
from scrutiny.casework.models.items import DRAFT, ISSUED
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.common import _required, rule_for
from workflows.audit import EventType, log_event
from workflows.clocks import calendar_for
from workflows.errors import Forbidden, InvalidInput
from workflows.notifications import reminders_cancel
from workflows.services import transition_apply

DRAFTABLE_FOR_REQUESTS = (
    TopicState.PRIORITISED,
    TopicState.INFORMATION_REQUESTED,
    TopicState.RESPONSE_DUE,
    TopicState.RECOMMENDATION_MADE,
)
# Drafted or issued and not yet answered: what a withdrawal or a conclusion must dispose of.
OPEN_ITEM_STATES = (DRAFT, ISSUED)
# Which deadline rule an item's clock uses (services.common.rule_for).
RULE_KIND = {InformationRequest: "information_request", Recommendation: "recommendation"}
NOUN = {InformationRequest: "request", Recommendation: "recommendation"}
DRAFTED = {
    InformationRequest: EventType.INFORMATION_REQUEST_DRAFTED,
    Recommendation: EventType.RECOMMENDATION_DRAFTED,
}


def _asking_body(topic: Topic, by, asked_by: Organisation | None, field: str) -> Organisation:
    """The body that asks: the one given, or the user's own party body (the lead body first)."""
    parties = policy.owner_ids(topic)
    if asked_by is not None:
        if asked_by.pk not in parties:
            raise InvalidInput(
                "The asking body must be one of the topic's bodies.",
                field_errors={field: ["Choose one of the topic's bodies."]},
            )
        return asked_by
    mine = parties & policy.body_ids(by, Perm.TOPIC_MANAGE)
    if topic.lead_body_id in mine or not mine:
        return topic.lead_body
    return Organisation.objects.get(pk=min(mine))


def _draft(model: type[AddressedItem], *, topic, by, recipient, asked_by, **text) -> AddressedItem:
    if recipient is None or not recipient.is_health_body:
        raise InvalidInput(
            "Choose the health body this is addressed to.",
            field_errors={"recipient": ["Choose a health body."]},
        )
    noun = NOUN[model]
    if not policy.can(by, Perm.TOPIC_MANAGE, topic):
        raise Forbidden(f"You may not draft {noun}s on this topic.")
    if topic.state not in DRAFTABLE_FOR_REQUESTS:
        raise InvalidInput(
            f"{noun.capitalize()}s cannot be drafted while the topic is "
            f"'{topic.get_state_display()}'."
        )
    with transaction.atomic():
        item = model.all_objects.create(
            topic=topic,
            recipient=recipient,
            created_by=by,
            **{model.ASKING_FIELD: _asking_body(topic, by, asked_by, model.ASKING_FIELD)},
            **text,
        )
        log_event(item, DRAFTED[model], by=by, source_state="")
    return item


def _issue(item: AddressedItem, *, by, on, note):
    """Issue a drafted request or recommendation: its statutory clock starts on `on` (default
    today), the recipient's responders may now see the topic's title and summary, and the
    health body is sent notice of it (its responders and its own address)."""
    rule = rule_for(RULE_KIND[type(item)], item.asking_body)
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
        notices.notify_ask_issued(item, by=by)
    return item


def _withdraw(item: AddressedItem, *, by, reason: str, expected_state: str | None = None):
    """Withdraw a draft or an issued item. An issued one's clock stops: its unsent reminders
    are dropped and the health body is told (its responders and its own address), and why."""
    reason = _required(reason, "reason", f"the reason for withdrawing the {NOUN[type(item)]}")
    with transaction.atomic():
        item = transition_apply(
            instance=item,
            name="withdraw",
            by=by,
            note=reason,
            reason=reason,
            expected_state=expected_state,
        )
        if item.was_issued:
            reminders_cancel(item)
            notices.notify_ask_withdrawn(item, by=by, reason=reason)
    return item


def item_withdraw(item: AddressedItem, *, by, reason: str, expected_state: str | None = None):
    """Withdraw one request or recommendation, whichever it is."""
    return _withdraw(item, by=by, reason=reason, expected_state=expected_state)


def information_request_draft(
    *,
    topic: Topic,
    by,
    recipient: Organisation,
    question: str,
    requested_by: Organisation | None = None,
) -> InformationRequest:
    question = _required(question, "question", "the question")
    return _draft(
        InformationRequest,
        topic=topic,
        by=by,
        recipient=recipient,
        asked_by=requested_by,
        question=question,
    )


def information_request_issue(*, request: InformationRequest, by, on=None, note: str = ""):
    return _issue(request, by=by, on=on, note=note)


def information_request_withdraw(*, request, by, reason: str):
    return _withdraw(request, by=by, reason=reason)


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
    return _draft(
        Recommendation,
        topic=topic,
        by=by,
        recipient=recipient,
        asked_by=made_by,
        text=text,
        rationale=(rationale or "").strip(),
    )


def recommendation_issue(*, recommendation: Recommendation, by, on=None, note: str = ""):
    return _issue(recommendation, by=by, on=on, note=note)


def recommendation_withdraw(*, recommendation, by, reason: str):
    return _withdraw(recommendation, by=by, reason=reason)
