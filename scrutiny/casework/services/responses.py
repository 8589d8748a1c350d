"""Providers' responses (append-only) and recommendation implementation updates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from scrutiny.casework.models import (
    ActionPlanItem,
    Channel,
    ImplementationStatus,
    ImplementationUpdate,
    InformationRequest,
    ProviderResponse,
    Recommendation,
    RecommendationOutcome,
    RefusalGround,
    RequestState,
    ResponseAttachment,
)
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from scrutiny.casework.uploads import check_upload
from workflows.clocks import working_days_late
from workflows.errors import Forbidden, InvalidInput
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


def provider_response_record(
    *,
    subject: InformationRequest | Recommendation,
    by,
    channel: str,
    text: str,
    outcome: str,
    received_at: dt.datetime | None = None,
    refusal_ground: str = "",
    attachments: Sequence = (),
    action_plan: Sequence[dict] = (),
    supersedes: ProviderResponse | None = None,
) -> ProviderResponse:
    """Append a health body's response to the accountability log and move the subject.

    Responses arriving by letter, e-mail or at a meeting are recorded by an officer on the
    health body's behalf; API and web responses are submitted by the body's responder.
    """
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = ["Enter the response."]
    if channel not in Channel.values:
        errors["channel"] = [f"Choose one of: {', '.join(Channel.values)}."]
    is_request = isinstance(subject, InformationRequest)
    if is_request:
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
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        errors["received_at"] = ["The date received cannot be in the future."]
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
    checked = [check_upload(f) for f in attachments]

    if supersedes is not None:
        if supersedes.subject != subject:
            raise InvalidInput("A correction must supersede a response to the same request.")
        if hasattr(supersedes, "superseded_by"):
            raise InvalidInput("That response has already been superseded.")

    with transaction.atomic():
        received_on = timezone.localdate(received_at)
        if is_request:
            kwargs = {"ground": refusal_ground} if outcome == RequestState.REFUSED else {}
            subject = transition_apply(
                instance=subject,
                name=REQUEST_OUTCOMES[outcome],
                by=by,
                note=f"via {channel}",
                on=received_on,
                **kwargs,
            )
        else:
            subject = transition_apply(
                instance=subject,
                name="respond",
                by=by,
                note=f"via {channel}",
                outcome=outcome,
                on=received_on,
            )
        due = subject.due_on
        late = (
            working_days_late(due, received_on, region=subject.due_rule.effective_region)
            if due
            else 0
        )
        officer_recorded = channel in (Channel.LETTER, Channel.EMAIL, Channel.MEETING)
        response = ProviderResponse.objects.create(
            information_request=subject if is_request else None,
            recommendation=None if is_request else subject,
            organisation=subject.recipient,
            channel=channel,
            received_at=received_at,
            submitted_by=None if officer_recorded else by,
            recorded_by=by if officer_recorded else None,
            text=text,
            outcome=outcome,
            refusal_ground=refusal_ground if is_request else "",
            supersedes=supersedes,
            due_on=due,
            on_time=due is None or received_on <= due,
            working_days_late=late,
        )
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
) -> ImplementationUpdate:
    """Record how implementation is going: of one action of the current plan (`action`), or of
    the whole recommendation. A slipped action needs a revised date, not in the past."""
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
        transition_apply(
            instance=rec,
            name="update_implementation",
            by=by,
            note=note,
            status=status,
            revised_date=revised_date,
        )
    return update
