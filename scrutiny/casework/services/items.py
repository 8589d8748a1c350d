"""Information requests and recommendations to health bodies: draft, edit or delete a draft,
agree a recommendation, issue, withdraw.

Both are addressed items (`AddressedItem`); each public service is a thin call of the shared
`_draft`, `_edit`, `_delete`, `_issue` and `_withdraw` with what differs: the model, its text
and the deadline rule. A recommendation is agreed before it is issued, by a minuted meeting
decision or the chair's action (docs/decisions/0016-agreeing-recommendations.md).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from scrutiny.casework import grants, notices, policy
from scrutiny.casework.models import (
    AddressedItem,
    InformationRequest,
    Organisation,
    Recommendation,
    RecommendationState,
    Topic,
    TopicState,
)
from scrutiny.casework.models.items import DRAFT, ISSUED
from scrutiny.casework.roles import Perm
from scrutiny.casework.search import search_index, search_unindex
from scrutiny.casework.services.common import _required, rule_for
from scrutiny.casework.services.decisions import decision_record_for
from workflows.audit import EventType, log_event
from workflows.clocks import calendar_for
from workflows.errors import Conflict, Forbidden, InvalidInput
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
EDITED = {
    InformationRequest: EventType.INFORMATION_REQUEST_EDITED,
    Recommendation: EventType.RECOMMENDATION_EDITED,
}
DELETED = {
    InformationRequest: EventType.INFORMATION_REQUEST_DELETED,
    Recommendation: EventType.RECOMMENDATION_DELETED,
}
# The fields a draft's edit may change, besides its recipient.
EDITABLE = {InformationRequest: ("question",), Recommendation: ("text", "rationale")}


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
        search_index(item)  # not public while a draft; staff search finds it
    return item


def _check_recipient(recipient):
    if recipient is None or not recipient.is_health_body:
        raise InvalidInput(
            "Choose the health body this is addressed to.",
            field_errors={"recipient": ["Choose a health body."]},
        )


def _locked_draft(item: AddressedItem, by, verb: str) -> AddressedItem:
    """The item's row, locked, if `by` manages its topic and it is still a draft."""
    model, noun = type(item), NOUN[type(item)]
    locked = model.all_objects.select_for_update().select_related("topic").get(pk=item.pk)
    if not policy.can(by, Perm.TOPIC_MANAGE, locked.topic):
        raise Forbidden(f"You may not {verb} {noun}s on this topic.")
    if locked.state != RecommendationState.DRAFT:  # "draft" in both lifecycles
        raise Conflict(
            f"Only a draft can be {verb}ed: this {noun} is '{locked.get_state_display()}'.",
            current_state=locked.state,
        )
    return locked


def _edit(item: AddressedItem, *, by, recipient, **text) -> AddressedItem:
    model = type(item)
    _check_recipient(recipient)
    with transaction.atomic():
        locked = _locked_draft(item, by, "edit")
        before = {"recipient": locked.recipient_id, **{f: getattr(locked, f) for f in text}}
        after = {"recipient": recipient.pk, **text}
        changed = sorted(f for f in after if before[f] != after[f])
        if not changed:
            return locked
        locked.recipient = recipient
        for field, value in text.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*EDITABLE[model], "recipient", "updated_at"])
        search_index(locked)
        log_event(
            locked,
            EDITED[model],
            by=by,
            note="Changed: " + ", ".join(changed),
            data={
                "before": {f: before[f] for f in changed},
                "after": {f: after[f] for f in changed},
            },
        )
    return locked


def _delete(item: AddressedItem, *, by) -> None:
    """Delete a draft that was never sent. The deletion is logged on the topic (the item's own
    record goes with it), with what the draft said."""
    model = type(item)
    with transaction.atomic():
        locked = _locked_draft(item, by, "delete")
        topic, pk = locked.topic, locked.pk
        data = {
            "id": pk,
            "recipient": locked.recipient_id,
            **{f: getattr(locked, f) for f in EDITABLE[model]},
        }
        search_unindex(locked)
        locked.delete()
        log_event(
            topic,
            DELETED[model],
            by=by,
            note=f"To {locked.recipient}: {locked.body_text[:200]}",
            data=data,
        )


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
        search_index(item)  # public once issued
        notices.notify_ask_issued(item, by=by)
        decision_record_for(item, body=item.asking_body, by=by, on=item.issued_on)
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
        search_index(item)  # the withdrawal reason
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


def information_request_edit(
    *, request: InformationRequest, by, question: str, recipient: Organisation | None = None
) -> InformationRequest:
    """Change a draft request's question or health body (logged, with before and after)."""
    question = _required(question, "question", "the question")
    return _edit(request, by=by, recipient=recipient or request.recipient, question=question)


def information_request_delete(*, request: InformationRequest, by) -> None:
    _delete(request, by=by)


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


def recommendation_edit(
    *,
    recommendation: Recommendation,
    by,
    text: str,
    rationale: str = "",
    recipient: Organisation | None = None,
) -> Recommendation:
    """Change a draft recommendation (an agreed one is fixed: what was agreed is issued)."""
    text = _required(text, "text", "the recommendation")
    return _edit(
        recommendation,
        by=by,
        recipient=recipient or recommendation.recipient,
        text=text,
        rationale=(rationale or "").strip(),
    )


def recommendation_delete(*, recommendation: Recommendation, by) -> None:
    _delete(recommendation, by=by)


def recommendation_agree_at_meeting(
    *, recommendation: Recommendation, by, agenda_item, on=None, note: str = "", minuted=True
) -> Recommendation:
    """Record that the committee agreed a draft recommendation at a meeting: `agenda_item` is
    the topic's item whose decision is minuted (`minuted=False` only for the decision being
    minuted in the same transaction, `protocols.services.agendas.item_record_decision`)."""
    if agenda_item is None or agenda_item.topic_id != recommendation.topic_id:
        raise InvalidInput(
            "Choose a meeting item about this topic.",
            field_errors={"agenda_item": ["Choose the minuted item that agreed it."]},
        )
    if minuted and agenda_item.decided_at is None:
        raise InvalidInput(
            "That item's decision is not minuted yet: minute it first, or use the chair's action.",
            field_errors={"agenda_item": ["Choose an item whose decision is minuted."]},
        )
    day = on or (timezone.localdate(agenda_item.decided_at) if minuted else timezone.localdate())
    return transition_apply(
        instance=recommendation,
        name="agree_at_meeting",
        by=by,
        note=note or f"Agreed: {agenda_item}",
        agenda_item=agenda_item,
        on=day,
    )


def recommendation_agree_by_chair(
    *, recommendation: Recommendation, by, reason: str, on=None
) -> Recommendation:
    """The chair of the body making the recommendation agrees it by chair's action, recording
    why it could not wait for a meeting. Only that chair may (the policy's
    `agree_recommendation`); an officer cannot record it for them."""
    reason = _required(reason, "reason", "the reason for the chair's action")
    return transition_apply(
        instance=recommendation,
        name="agree_by_chair",
        by=by,
        note=reason,
        reason=reason,
        on=on or timezone.localdate(),
    )


def chosen_items(model, topic: Topic, ids, *, state: str, noun: str) -> list[AddressedItem]:
    """The items of `topic` in `state` named by `ids` (all of them when `ids` is None), locked;
    an id that is not one of them is refused with a message."""
    rows = list(
        model.all_objects.select_for_update()
        .filter(topic=topic, state=state)
        .select_related(model.ASKING_FIELD, "recipient")
        .order_by("id")
    )
    if ids is None:
        return rows
    try:
        wanted = {int(pk) for pk in ids}
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"Choose the {noun}s to issue.", field_errors={"items": ["Choose from the list."]}
        ) from exc
    if not wanted:
        raise InvalidInput(
            f"Choose at least one {noun} to issue.",
            field_errors={"items": [f"Choose at least one {noun}."]},
        )
    unknown = wanted - {r.pk for r in rows}
    if unknown:
        raise InvalidInput(
            f"Only this topic's {noun}s that are ready can be issued; "
            f"these are not: {', '.join(str(pk) for pk in sorted(unknown))}.",
            field_errors={"items": [f"Choose only from the {noun}s listed."]},
        )
    return [r for r in rows if r.pk in wanted]


RECOMMENDATION_ISSUABLE = RecommendationState.AGREED


def item_note_to_body(*, item: AddressedItem, by, text: str):
    """A note from the topic's officer meant for the health body the item was sent to: it
    shows in the conversation on the body's page (other notes on the record never do)."""
    text = _required(text, "text", "the note")
    if not policy.can(by, Perm.TOPIC_MANAGE, item.topic):
        raise Forbidden("Only the topic's officers write to the health body.")
    if not item.was_issued:
        raise Conflict(
            f"This {item.LABEL.lower()} has not been issued: the body has not seen it.",
            current_state=item.state,
        )
    with transaction.atomic():
        return log_event(item, EventType.ITEM_NOTE_TO_BODY, by=by, note=text)
