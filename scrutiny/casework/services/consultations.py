"""Service-change consultations and requests to the Secretary of State (docs/consultations.md).

Every move goes through `workflows.services.transition_apply`; these validate input first. A
consultation is recorded with a topic of its own for the committee consulted, so the committee's
questions and recommendations are that topic's information requests and recommendations, drafted
and issued with the ordinary services (docs/decisions/0023-consultations.md).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from scrutiny.casework import grants, policy
from scrutiny.casework.models import (
    CALL_IN_DECISION_RULE,
    COMMENTS_AGENDA_RULE,
    GROUNDS_NEEDING_A_DECISION,
    ROUTE_GROUNDS,
    CallInOutcome,
    CallInRequest,
    CallInRoute,
    Consultation,
    ConsultationChannel,
    ConsultationDocument,
    ConsultationState,
    Organisation,
    Topic,
)
from scrutiny.casework.roles import Perm
from scrutiny.casework.search import search_index
from workflows.audit import EventType, log_event
from workflows.cache import public_cache_bump
from workflows.calendar import fmt
from workflows.errors import Forbidden, InvalidInput
from workflows.models import DeadlineRule
from workflows.services import transition_apply

CS = ConsultationState


def _rule(slug: str) -> DeadlineRule:
    try:
        return DeadlineRule.objects.get(slug=slug)
    except DeadlineRule.DoesNotExist as exc:
        raise InvalidInput(
            f"The deadline rule '{slug}' is missing; an administrator must add it."
        ) from exc


def _text(errors: dict, field: str, value, label: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [f"Enter {label}."]
    return value


def _date(errors: dict, field: str, value, label: str):
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[field] = [f"Enter {label} as a date."]
        return None
    return value


def _check(errors: dict, message: str = "Check the consultation's details.") -> None:
    if errors:
        raise InvalidInput(message, field_errors=errors)


def _dates(errors, *, received_on, proposed_decision_on, comments_due_on):
    received_on = _date(errors, "received_on", received_on, "the date it was received")
    decision_on = _date(
        errors, "proposed_decision_on", proposed_decision_on, "the body's proposed decision date"
    )
    due_on = _date(errors, "comments_due_on", comments_due_on, "the date comments are due")
    if received_on and due_on and due_on < received_on:
        errors["comments_due_on"] = ["Comments cannot be due before the proposal was received."]
    if due_on and decision_on and decision_on < due_on:
        errors["proposed_decision_on"] = [
            "The body cannot decide before the committee's comments are due."
        ]
    return received_on, decision_on, due_on


def consultation_record(
    *,
    by,
    body: Organisation,
    committee: Organisation,
    title: str,
    what_changes: str,
    who_is_affected: str,
    received_on,
    proposed_decision_on,
    comments_due_on,
    channel: str = ConsultationChannel.OFFICER,
    documents=(),
) -> Consultation:
    """Record a health body's proposal on which it consults `committee` (reg 23).

    Recorded by a support officer of the committee (`channel` 'officer'), or submitted by a
    responder of the proposing body on its web pages or through the API. `documents`: pairs of
    (title, url). Creates the committee's topic for the consultation and starts its clock.
    """
    errors = {}
    if body is None or not body.is_health_body:
        errors["body"] = ["Choose the health body that proposes the change."]
    if committee is None or committee.kind != Organisation.Kind.SCRUTINY_COMMITTEE:
        errors["committee"] = ["Choose the scrutiny committee consulted."]
    title = _text(errors, "title", title, "what the proposal is called")
    what_changes = _text(errors, "what_changes", what_changes, "what would change")
    who_is_affected = _text(errors, "who_is_affected", who_is_affected, "who is affected")
    if len(title) > 180:
        errors["title"] = ["Keep the title to 180 characters."]
    received_on, decision_on, due_on = _dates(
        errors,
        received_on=received_on,
        proposed_decision_on=proposed_decision_on,
        comments_due_on=comments_due_on,
    )
    if channel not in ConsultationChannel.values:
        errors["channel"] = ["Choose how the consultation arrived."]
    documents = [(str(t or "").strip(), str(u or "").strip()) for t, u in documents]
    if any(not t or not u for t, u in documents):
        errors["documents"] = ["Give each document a title and a link."]
    _check(errors)
    if channel == ConsultationChannel.OFFICER:
        if not policy.can(by, Perm.TOPIC_RAISE, committee):
            raise Forbidden("Only the committee's staff record a consultation it received.")
    elif not policy.can(by, Perm.HEALTH_BODY_ACT, body):
        raise Forbidden("Only a responder of the health body submits its consultations.")
    rule = _rule(COMMENTS_AGENDA_RULE)
    with transaction.atomic():
        topic = Topic.objects.create(
            title=f"Consultation: {title}",
            summary=what_changes,
            body=committee,
            lead_body=committee,
            source=Topic.Source.CONSULTATION,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        topic.health_bodies.set([body])
        grants.topic_grant(topic)
        log_event(topic, EventType.TOPIC_RAISED, by=by, note=f"consultation by {body}")
        consultation = Consultation(
            topic=topic,
            body=body,
            committee=committee,
            title=title,
            what_changes=what_changes,
            who_is_affected=who_is_affected,
            received_on=received_on,
            proposed_decision_on=decision_on,
            comments_due_on=due_on,
            channel=channel,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        consultation.start_clock(rule, due_on)
        consultation.save()
        log_event(
            consultation,
            EventType.CONSULTATION_RECEIVED,
            by=by,
            note=f"comments due {fmt(due_on)}; decision proposed for {fmt(decision_on)}",
            source_state="",
        )
        for doc_title, url in documents:
            _add_document(consultation, by=by, title=doc_title, url=url)
        search_index(topic, consultation)
    return consultation


def _add_document(consultation, *, by, title, url, published_on=None):
    doc = ConsultationDocument.objects.create(
        consultation=consultation,
        title=title[:200],
        url=url[:500],
        published_on=published_on,
        added_by=by if getattr(by, "is_authenticated", False) else None,
    )
    log_event(consultation, EventType.CONSULTATION_DOCUMENT_ADDED, by=by, note=doc.title)
    transaction.on_commit(public_cache_bump)  # a public consultation shows its documents
    return doc


def consultation_add_document(*, consultation: Consultation, by, title: str, url: str, on=None):
    errors = {}
    title = _text(errors, "title", title, "the document's title")
    url = _text(errors, "url", url, "a link to the document")
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = ["Enter a link beginning https:// or http://."]
    _check(errors, "Check the document.")
    if not policy.can(by, Perm.RESPOND, consultation):
        raise Forbidden("Only the committee's officers or the body's responders add documents.")
    with transaction.atomic():
        doc = _add_document(consultation, by=by, title=title, url=url, published_on=on)
        search_index(consultation)  # its documents' titles
        return doc


def consultation_change_dates(
    *, consultation: Consultation, by, proposed_decision_on, comments_due_on, note: str = ""
) -> Consultation:
    """The body told the committee of new dates: the clock is counted again from them."""
    errors = {}
    _, decision_on, due_on = _dates(
        errors,
        received_on=consultation.received_on,
        proposed_decision_on=proposed_decision_on,
        comments_due_on=comments_due_on,
    )
    _check(errors)
    if not policy.can(by, Perm.RESPOND, consultation):
        raise Forbidden("Only the committee's officers or the body's responders change dates.")
    if consultation.state in (CS.DECIDED, CS.WITHDRAWN):
        raise InvalidInput("The body has decided or withdrawn: its dates are on the record.")
    with transaction.atomic():
        locked = Consultation.all_objects.select_for_update().get(pk=consultation.pk)
        locked.proposed_decision_on, locked.comments_due_on = decision_on, due_on
        fields = ["proposed_decision_on", "comments_due_on", "updated_at"]
        if locked.state in Consultation.CLOCK_OPEN_STATES:
            locked.start_clock(locked.due_rule or _rule(COMMENTS_AGENDA_RULE), due_on)
            fields += list(Consultation.CLOCK_FIELDS)
        locked.save(update_fields=fields)
        log_event(
            locked,
            EventType.CONSULTATION_EDITED,
            by=by,
            note=(note or "").strip()
            or f"comments due {fmt(due_on)}; decision proposed for {fmt(decision_on)}",
        )
        transaction.on_commit(public_cache_bump)
    return locked


def consultation_assess(
    *,
    consultation: Consultation,
    by,
    substantial: bool,
    reason: str,
    minute_item_id: int,
    on: dt.date,
    note: str = "",
) -> Consultation:
    """Record the committee's view, minuted at `minute_item_id`, on whether the proposal is a
    substantial development or variation. The joint-working layer checks the agenda item
    (`protocols.services.consultations.item_assess_consultation`)."""
    errors = {}
    reason = _text(errors, "reason", reason, "the reason for the committee's view")
    if on is None or on < consultation.received_on:
        errors["item"] = ["The meeting cannot be before the proposal was received."]
    _check(errors, "Check the committee's view.")
    name = "find_substantial" if substantial else "find_not_substantial"
    with transaction.atomic():
        consultation = transition_apply(
            instance=consultation,
            name=name,
            by=by,
            note=note or reason,
            set_fields={"minute_item_id": minute_item_id},
            reason=reason,
            on=on,
        )
        search_index(consultation)  # public from here, with the committee's reason
    return consultation


def consultation_send_comments(
    *, consultation: Consultation, by, comments: str, on: dt.date | None = None
) -> Consultation:
    """The committee's comments on the proposal, sent to the body (its recommendations are the
    topic's recommendations, issued with their own clock)."""
    errors = {}
    comments = _text(errors, "comments", comments, "the committee's comments")
    on = on or timezone.localdate()
    if on < consultation.received_on:
        errors["on"] = ["Comments cannot be sent before the proposal was received."]
    _check(errors, "Check the comments.")
    late = on > consultation.comments_due_on
    note = comments if not late else f"{comments}\n(sent after the comments-due date)"
    with transaction.atomic():
        consultation = transition_apply(
            instance=consultation, name="send_comments", by=by, note=note, comments=comments, on=on
        )
        search_index(consultation)  # the comments are public
    return consultation


def consultation_record_decision(
    *, consultation: Consultation, by, decision: str, reasons: str, on: dt.date | None = None
) -> Consultation:
    """The body's decision and its reasons (publicity: a decision is published with them)."""
    errors = {}
    decision = _text(errors, "decision", decision, "the body's decision")
    reasons = _text(errors, "reasons", reasons, "the body's reasons")
    on = on or timezone.localdate()
    if on < consultation.received_on:
        errors["on"] = ["The decision cannot be before the proposal was received."]
    if on > timezone.localdate():
        errors["on"] = ["Record a decision once it is made, not before."]
    _check(errors, "Check the decision.")
    with transaction.atomic():
        consultation = transition_apply(
            instance=consultation,
            name="record_decision",
            by=by,
            note=decision,
            decision=decision,
            reasons=reasons,
            on=on,
        )
        search_index(consultation)
    return consultation


def consultation_withdraw(*, consultation: Consultation, by, reason: str) -> Consultation:
    errors = {}
    reason = _text(errors, "reason", reason, "why the proposal was withdrawn")
    _check(errors, "Check the reason.")
    return transition_apply(
        instance=consultation, name="withdraw", by=by, note=reason, reason=reason
    )


# --- Requests to the Secretary of State ----------------------------------------------------------


def call_in_request_record(
    *,
    consultation: Consultation,
    by,
    requested_by_name: str,
    requested_on: dt.date,
    ground: str,
    grounds: str,
    requested_by_body: Organisation | None = None,
) -> CallInRequest:
    """Record that someone asked the Secretary of State to intervene.

    The date chooses the route: on or after 31 January 2024 a call-in request (anyone may ask);
    before it, the committee's referral under reg 23(9), saved by SI 2024/16 reg 3. A ground
    about the decision needs the body's decision first; nothing is asked about a withdrawn
    proposal.
    """
    errors = {}
    requested_by_name = _text(errors, "requested_by_name", requested_by_name, "who asked")
    grounds = _text(errors, "grounds", grounds, "the grounds given")
    requested_on = _date(errors, "requested_on", requested_on, "the date of the request")
    route = CallInRequest.route_on(requested_on) if requested_on else None
    if requested_on:
        if requested_on < consultation.received_on:
            errors["requested_on"] = ["The request cannot be before the proposal was received."]
        elif requested_on > timezone.localdate():
            errors["requested_on"] = ["Record a request once it has been made."]
    if route and ground not in ROUTE_GROUNDS[route]:
        errors["ground"] = [
            "Choose a ground the "
            + ("call-in guidance" if route == CallInRoute.CALL_IN else "regulation (reg 23(9))")
            + " allows."
        ]
    if consultation.state == CS.WITHDRAWN:
        errors["__all__"] = ["The body withdrew this proposal: there is nothing to call in."]
    elif ground in GROUNDS_NEEDING_A_DECISION and (
        consultation.state != CS.DECIDED
        or (requested_on and consultation.decided_on and requested_on < consultation.decided_on)
    ):
        errors["ground"] = [
            "The body has not decided yet: a request on the ground that its decision is not in "
            "the interests of the health service comes after the decision."
        ]
    if route == CallInRoute.REFERRAL and (
        requested_by_body is None or requested_by_body.pk != consultation.committee_id
    ):
        errors["requested_by_body"] = [
            "Before 31 January 2024 only the consulted council (its committee) could refer a "
            "proposal to the Secretary of State."
        ]
    _check(errors, "Check the request to the Secretary of State.")
    if not policy.can(by, Perm.TOPIC_MANAGE, consultation):
        raise Forbidden("Only the committee's support officers record these requests.")
    with transaction.atomic():
        request = CallInRequest.objects.create(
            consultation=consultation,
            route=route,
            requested_by_name=requested_by_name[:200],
            requested_by_body=requested_by_body,
            requested_on=requested_on,
            ground=ground,
            grounds=grounds,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        log_event(
            request,
            EventType.CALL_IN_REQUESTED,
            by=by,
            note=f"{request.get_route_display()} by {requested_by_name}",
            source_state="",
        )
        transaction.on_commit(public_cache_bump)
    return request


def call_in_answer(
    *, request: CallInRequest, by, called_in: bool, on: dt.date, note: str = ""
) -> CallInRequest:
    """The Secretary of State's answer: a direction calling the proposal in (which starts the
    six-month clock of Sch 10A para 3(2)(a)), or a decision not to."""
    errors = {}
    note = (note or "").strip()
    if not isinstance(on, dt.date) or on < request.requested_on:
        errors["on"] = ["The answer cannot be before the request."]
    elif on > timezone.localdate():
        errors["on"] = ["Record the answer once it has been given."]
    if not called_in and not note:
        errors["note"] = ["Enter the reasons the Secretary of State gave."]
    _check(errors, "Check the answer.")
    if called_in:
        rule = _rule(CALL_IN_DECISION_RULE) if request.route == CallInRoute.CALL_IN else None
        return transition_apply(
            instance=request, name="call_in", by=by, note=note, on=on, answer=note, rule=rule
        )
    return transition_apply(instance=request, name="decline", by=by, note=note, on=on, answer=note)


def call_in_record_outcome(
    *, request: CallInRequest, by, outcome: str, text: str, on: dt.date
) -> CallInRequest:
    errors = {}
    text = _text(errors, "text", text, "what the Secretary of State decided")
    if outcome not in CallInOutcome.values:
        errors["outcome"] = ["Choose the outcome."]
    if not isinstance(on, dt.date) or (request.answered_on and on < request.answered_on):
        errors["on"] = ["The decision cannot be before the proposal was called in."]
    elif on > timezone.localdate():
        errors["on"] = ["Record the decision once it has been made."]
    _check(errors, "Check the Secretary of State's decision.")
    return transition_apply(
        instance=request, name="record_outcome", by=by, note=text, outcome=outcome, text=text, on=on
    )


def call_in_withdraw(*, request: CallInRequest, by, reason: str) -> CallInRequest:
    errors = {}
    reason = _text(errors, "reason", reason, "why the request was withdrawn")
    _check(errors, "Check the reason.")
    return transition_apply(instance=request, name="withdraw", by=by, note=reason, reason=reason)
