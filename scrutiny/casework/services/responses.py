"""Providers' responses (append-only) and recommendation implementation updates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from scrutiny.casework.models import (
    ActionPlanItem,
    Channel,
    ImplementationEvidence,
    ImplementationStatus,
    ImplementationUpdate,
    InformationRequest,
    ProviderResponse,
    Recommendation,
    RecommendationOutcome,
    RefusalGround,
    RequestState,
    ResponseAttachment,
    ResponseKind,
)
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from scrutiny.casework.search import search_index
from scrutiny.casework.uploads import check_upload
from workflows.audit import EventType, log_event
from workflows.cache import public_cache_bump
from workflows.clocks import working_days_late
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.services import transition_apply, transition_available

# --- Provider responses ---------------------------------------------------------------------

REQUEST_OUTCOMES = {
    RequestState.ANSWERED: "mark_answered",
    RequestState.PARTIALLY_ANSWERED: "mark_partially_answered",
    RequestState.REFUSED: "mark_refused",
}


def response_recordable(subject: InformationRequest | Recommendation) -> bool:
    """Can a response (or a correction of one) be recorded for `subject` in its state now?"""
    name = (
        REQUEST_OUTCOMES[RequestState.ANSWERED]
        if isinstance(subject, InformationRequest)
        else "respond"
    )
    return transition_available(subject, name)


FURTHER_INFORMATION_EVENTS = {
    InformationRequest: EventType.INFORMATION_REQUEST_FURTHER_INFORMATION,
    Recommendation: EventType.RECOMMENDATION_FURTHER_INFORMATION,
}

# Clock skew allowed between a sender's clock and ours; a time within it is recorded as now.
CLOCK_SKEW = dt.timedelta(minutes=5)

CORRECT_OR_ADD = (
    "To change it, correct the answer: send `supersedes` with the current answer's id and a "
    "`correction_reason`. To add to it, add further information (kind `further_information`)."
)


def _check_received(subject, received_at: dt.datetime, now: dt.datetime) -> list[str]:
    """The received date lies between the subject's issue date and now."""
    if received_at > now + CLOCK_SKEW:
        return ["The date received cannot be in the future."]
    issued_on = subject.issued_on
    if issued_on is not None and timezone.localdate(received_at) < issued_on:
        noun = subject.LABEL.lower()
        return [
            f"The date received cannot be before the {noun} was issued on {issued_on:%-d %b %Y}."
        ]
    return []


def response_current(subject) -> ProviderResponse | None:
    """The current answer to `subject` (a request or recommendation), or None."""
    return _current_answer(subject)


def _current_answer(subject) -> ProviderResponse | None:
    field = "information_request" if isinstance(subject, InformationRequest) else "recommendation"
    return (
        ProviderResponse.objects.current_answers().filter(**{field: subject}).order_by("id").last()
    )


def provider_response_record(
    *,
    subject: InformationRequest | Recommendation,
    by,
    channel: str,
    text: str,
    outcome: str = "",
    received_at: dt.datetime | None = None,
    refusal_ground: str = "",
    attachments: Sequence = (),
    action_plan: Sequence[dict] = (),
    supersedes: ProviderResponse | None = None,
    correction_reason: str = "",
    kind: str = ResponseKind.ANSWER,
) -> ProviderResponse:
    """Append a health body's response to the accountability log and move the subject.

    Each subject has exactly one current answer (docs/decisions/0015-one-current-answer.md):
    the first answer; a correction (`supersedes` the current answer, with a
    `correction_reason`) replaces it; further information (`kind="further_information"`) is
    added beside it and moves nothing. A second answer superseding nothing is a Conflict (409)
    saying which to do. The received date lies between the subject's issue date and now.

    Responses arriving by letter, e-mail or at a meeting are recorded by an officer on the
    health body's behalf; API and web responses are submitted by the body's responder.
    """
    errors = {}
    text = (text or "").strip()
    correction_reason = (correction_reason or "").strip()
    if not text:
        errors["text"] = ["Enter the response."]
    if channel not in Channel.values:
        errors["channel"] = [f"Choose one of: {', '.join(Channel.values)}."]
    if kind not in ResponseKind.values:
        errors["kind"] = ["Choose answer or further_information."]
    further = kind == ResponseKind.FURTHER_INFORMATION
    is_request = isinstance(subject, InformationRequest)
    if further:
        if supersedes is not None:
            errors["supersedes"] = [
                "Further information supersedes nothing: it is added beside the answer."
            ]
        if outcome or refusal_ground or action_plan:
            errors["outcome"] = [
                "Further information has no outcome of its own: to change the outcome, "
                "correct the answer."
            ]
    elif is_request:
        if outcome not in REQUEST_OUTCOMES:
            errors["outcome"] = ["Choose answered, partially_answered or refused."]
        if outcome == RequestState.REFUSED and refusal_ground not in RefusalGround.values:
            errors["refusal_ground"] = ["Give the ground for refusing."]
        if outcome != RequestState.REFUSED and refusal_ground:
            errors["refusal_ground"] = ["A ground is given only for a refusal."]
        if action_plan:
            errors["action_plan"] = ["Action plans belong to responses to recommendations."]
    else:
        if outcome not in RecommendationOutcome.values:
            errors["outcome"] = ["Choose accepted, partially_accepted, rejected or noted."]
        if refusal_ground:
            errors["refusal_ground"] = ["Refusal grounds belong to information requests."]
    if supersedes is not None and not correction_reason:
        errors["correction_reason"] = ["Give the reason for the correction."]
    if supersedes is None and correction_reason:
        errors["correction_reason"] = ["A reason is given only for a correction."]
    now = timezone.now()
    received_at = received_at or now
    if received_errors := _check_received(subject, received_at, now):
        errors["received_at"] = received_errors
    # Within the skew, a time just ahead of ours is recorded as now (never after recording).
    received_at = min(received_at, now)
    plan = []
    for i, item in enumerate(action_plan or ()):
        action = str(item.get("action", "")).strip()
        owner = str(item.get("owner", "")).strip()
        target = item.get("target_date")
        if isinstance(target, str):
            try:
                target = dt.date.fromisoformat(target)
            except ValueError:
                target = None
        if not action or not owner or not isinstance(target, dt.date):
            errors[f"action_plan[{i}]"] = [
                "Each action needs an action, an owner and a target date."
            ]
        else:
            plan.append((action, owner, target))
    if errors:
        raise InvalidInput("Check the response.", field_errors=errors)
    if supersedes is not None and supersedes.subject != subject:
        raise InvalidInput(
            "A correction must supersede a response to the same request.",
            field_errors={"supersedes": ["Name an answer to this same subject."]},
        )
    checked = [check_upload(f) for f in attachments]

    with transaction.atomic():
        # Lock the subject, then decide against what is committed now: of ten concurrent
        # corrections of one answer, the first wins and the rest find it superseded (409).
        subject = type(subject).all_objects.select_for_update().get(pk=subject.pk)
        if subject.issued_on is None:
            raise Conflict(
                f"This {subject.LABEL.lower()} has not been issued: there is nothing to answer.",
                current_state=subject.state,
            )
        current = _current_answer(subject)
        noun = subject.LABEL.lower()
        if further:
            if current is None:
                raise Conflict(
                    f"This {noun} has no answer yet to add information to: record the answer.",
                    current_state=subject.state,
                )
        elif supersedes is None and current is not None:
            raise Conflict(
                f"This {noun} already has an answer (response {current.pk}). {CORRECT_OR_ADD}",
                current_state=subject.state,
            )
        elif supersedes is not None and (current is None or supersedes.pk != current.pk):
            if supersedes.kind != ResponseKind.ANSWER:
                message = "Further information cannot be corrected: correct the answer."
            else:
                message = (
                    f"Response {supersedes.pk} is no longer the current answer"
                    + (f" (response {current.pk} is)" if current else "")
                    + ": it has already been superseded. Read the current answer and correct "
                    "that one if it still needs it."
                )
            raise Conflict(message, current_state=subject.state)
        if further:
            receipt = current.outcome
        else:
            received_on = timezone.localdate(received_at)
            note = f"via {channel}" + (f"; correction: {correction_reason}" if supersedes else "")
            if is_request:
                kwargs = {"ground": refusal_ground} if outcome == RequestState.REFUSED else {}
                subject = transition_apply(
                    instance=subject,
                    name=REQUEST_OUTCOMES[outcome],
                    by=by,
                    note=note,
                    on=received_on,
                    **kwargs,
                )
            else:
                subject = transition_apply(
                    instance=subject,
                    name="respond",
                    by=by,
                    note=note,
                    outcome=outcome,
                    on=received_on,
                )
            receipt = outcome
        received_on = timezone.localdate(received_at)
        due = subject.due_on
        late = (
            working_days_late(due, received_on, region=subject.due_rule.effective_region)
            if due
            else 0
        )
        officer_recorded = channel in (Channel.LETTER, Channel.EMAIL, Channel.MEETING)
        try:
            with transaction.atomic():
                response = ProviderResponse.objects.create(
                    information_request=subject if is_request else None,
                    recommendation=None if is_request else subject,
                    organisation=subject.recipient,
                    channel=channel,
                    received_at=received_at,
                    submitted_by=None if officer_recorded else by,
                    recorded_by=by if officer_recorded else None,
                    text=text,
                    kind=kind,
                    outcome=receipt,
                    refusal_ground=refusal_ground if is_request and not further else "",
                    supersedes=supersedes,
                    correction_reason=correction_reason,
                    due_on=due,
                    on_time=due is None or received_on <= due,
                    working_days_late=late,
                )
        except IntegrityError as exc:
            # The lock makes this unreachable on PostgreSQL; the constraints back it anyway.
            raise Conflict(
                f"This {noun}'s answer has just changed. {CORRECT_OR_ADD}",
                current_state=subject.state,
            ) from exc
        for c in checked:
            ResponseAttachment.objects.create(
                response=response,
                file=c.file,
                original_name=c.name,
                content_type=c.content_type,
                size=c.size,
                sha256=c.sha256,
            )
        ActionPlanItem.objects.bulk_create(
            ActionPlanItem(response=response, action=a, owner=o, target_date=t) for a, o, t in plan
        )
        search_index(response)  # and the answer it supersedes, which leaves the record
        if further:
            log_event(
                subject,
                FURTHER_INFORMATION_EVENTS[type(subject)],
                by=by,
                note=f"via {channel}",
                data={"response": response.pk},
            )
    return response


def implementation_monitored(recommendation: Recommendation) -> bool:
    """Can implementation progress be reported on `recommendation` now (accepted, or partly)?"""
    return transition_available(recommendation, "update_implementation")


def recommendation_update_implementation(
    *,
    recommendation: Recommendation,
    by,
    status: str,
    revised_date: dt.date | None = None,
    note: str = "",
    channel: str = Channel.WEB,
    action: ActionPlanItem | None = None,
    evidence: Sequence = (),
) -> ImplementationUpdate:
    """Record how implementation is going: of one action of the current plan (`action`), or of
    the whole recommendation. A slipped action needs a revised date, not in the past.
    `evidence`: documents attached to the update (the checks of every upload); unpublished
    until an officer publishes each (`implementation_evidence_publish`)."""
    if status not in ImplementationStatus.values:
        raise InvalidInput(
            "Choose an implementation status.", field_errors={"status": ["Choose a status."]}
        )
    if status == ImplementationStatus.SLIPPED and revised_date is None:
        raise InvalidInput(
            "A slipped action needs a revised date.",
            field_errors={"revised_date": ["Enter the revised date."]},
        )
    if status == ImplementationStatus.SLIPPED and revised_date < timezone.localdate():
        raise InvalidInput(
            "The revised date cannot be in the past.",
            field_errors={"revised_date": ["The revised date cannot be in the past."]},
        )
    if channel not in Channel.values:
        raise InvalidInput(f"Choose one of: {', '.join(Channel.values)}.")
    if not can(by, Perm.RESPOND, recommendation):
        raise Forbidden("You may not update this recommendation.")
    if (
        action is not None
        and not recommendation.responses.current().filter(pk=action.response_id).exists()
    ):
        raise InvalidInput(
            "That action is not in the recommendation's current action plan.",
            field_errors={"action": ["Choose an action of the current plan."]},
        )
    note = (note or "").strip()
    checked = [check_upload(f, field="evidence") for f in evidence]
    with transaction.atomic():
        rec = Recommendation.all_objects.select_for_update().get(pk=recommendation.pk)
        if not transition_available(rec, "update_implementation"):
            raise InvalidInput("Implementation is monitored once a recommendation is accepted.")
        update = ImplementationUpdate.objects.create(
            recommendation=rec,
            action=action,
            status=status,
            revised_date=revised_date,
            note=note,
            channel=channel,
            by=by,
        )
        for c in checked:
            ImplementationEvidence.objects.create(
                update=update,
                file=c.file,
                original_name=c.name,
                content_type=c.content_type,
                size=c.size,
                sha256=c.sha256,
            )
        transition_apply(
            instance=rec,
            name="update_implementation",
            by=by,
            note=note,
            status=status,
            revised_date=revised_date,
        )
    return update


def implementation_evidence_publish(
    *, evidence: ImplementationEvidence, by
) -> ImplementationEvidence:
    """Publish a document attached to an implementation update: from now on residents see it
    on the outcome page (once the topic is published). Officers of the topic only; once."""
    rec = evidence.update.recommendation
    if not can(by, Perm.TOPIC_MANAGE, rec.topic):
        raise Forbidden("Only the topic's officers publish evidence.")
    with transaction.atomic():
        locked = ImplementationEvidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.published_at is not None:
            raise Conflict(f"'{locked.original_name}' is already published.")
        locked.published_at, locked.published_by = timezone.now(), by
        locked.save(update_fields=["published_at", "published_by"])
        log_event(
            rec,
            EventType.IMPLEMENTATION_EVIDENCE_PUBLISHED,
            by=by,
            note=locked.original_name,
            data={"evidence": locked.pk, "update": locked.update_id},
        )
        transaction.on_commit(public_cache_bump)
    return locked
