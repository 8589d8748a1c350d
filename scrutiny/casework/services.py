"""Casework services: every write to a case goes through one of these.

Each validates its input (InvalidInput → 400), checks permission (Forbidden → 403) and moves
lifecycles through `workflows.services.transition_apply`, inside one transaction: a bad input
leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from scrutiny.casework import grants
from scrutiny.casework.models import (
    ActionPlanItem,
    Channel,
    ImplementationStatus,
    ImplementationUpdate,
    InformationRequest,
    Membership,
    Organisation,
    ProviderResponse,
    Recommendation,
    RecommendationOutcome,
    RecommendationState,
    Referral,
    ReferralState,
    ReferralUpdate,
    RefusalGround,
    RequestState,
    ResponseAttachment,
    Topic,
    TopicPosition,
    TopicState,
)
from scrutiny.casework.permissions import Perm, can, topic_party_ids
from scrutiny.casework.uploads import check_upload
from workflows.clocks import calendar_for
from workflows.errors import Forbidden, InvalidInput
from workflows.models import DeadlineRule, TransitionLog
from workflows.services import transition_apply

# Which deadline rule a clock uses, by what is clocked and the kind of body that asks.
DEFAULT_RULES = {
    ("information_request", Organisation.Kind.INVOLVEMENT_NETWORK): "link-information-request",
    ("information_request", Organisation.Kind.SCRUTINY_COMMITTEE): "link-information-request",
    ("recommendation", Organisation.Kind.INVOLVEMENT_NETWORK): "link-recommendation-response",
    ("recommendation", Organisation.Kind.SCRUTINY_COMMITTEE): "osc-recommendation-response",
    ("referral", Organisation.Kind.INVOLVEMENT_NETWORK): "referral-acknowledgement",
}


def rule_for(what: str, asking_body: Organisation) -> DeadlineRule:
    rules = getattr(settings, "CF_DEADLINE_RULES", DEFAULT_RULES)
    slug = rules.get((what, asking_body.kind))
    if slug is None:
        raise InvalidInput(
            f"No deadline rule for a {what} from a {asking_body.get_kind_display()}."
        )
    try:
        return DeadlineRule.objects.get(slug=slug)
    except DeadlineRule.DoesNotExist as exc:
        raise InvalidInput(
            f"The deadline rule '{slug}' is missing; an administrator must add it."
        ) from exc


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Enter {label}.", field_errors={field: [f"Enter {label}."]})
    return value


def _log_event(instance, *, name: str, by, note: str = "", source: str = "", target: str = ""):
    """A log row for a creation or other event that is not a state change."""
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        transition=name,
        source_state=source,
        target_state=target or getattr(instance, "state", ""),
        actor=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )


# --- Topics ---------------------------------------------------------------------------------


def topic_raise(
    *,
    by,
    title: str,
    summary: str,
    lead_body: Organisation,
    partnership=None,
    body: Organisation | None = None,
    source: str = Topic.Source.OFFICER,
    health_bodies: Iterable[Organisation] = (),
    referred_on: dt.date | None = None,
    note: str = "",
) -> Topic:
    """Record a new topic, joint (with `partnership`) or of one `body`.

    A referral (source 'referral') is made by the partnership's involvement network to its
    scrutiny committee, and starts the 20-working-day acknowledgement clock.
    """
    errors = {}
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title:
        errors["title"] = ["Enter a title."]
    if not summary:
        errors["summary"] = ["Enter a summary."]
    if (partnership is None) == (body is None):
        errors["partnership"] = ["Choose a partnership (joint topic) or one body, not both."]
    if source not in Topic.Source.values:
        errors["source"] = ["Choose a source."]
    parties = partnership.party_ids() if partnership else {body.pk} if body else set()
    if lead_body is None or lead_body.pk not in parties:
        errors["lead_body"] = ["The lead body must be one of the topic's bodies."]
    if source == Topic.Source.REFERRAL and partnership is None:
        errors["source"] = ["A referral is made within a partnership."]
    health_bodies = list(health_bodies)
    if any(not h.is_health_body for h in health_bodies):
        errors["health_bodies"] = ["Only health bodies can be concerned parties."]
    if errors:
        raise InvalidInput("Check the topic's details.", field_errors=errors)
    if not (
        by.is_superuser or parties & _bodies(by, {"support_officer", "committee_member", "chair"})
    ):
        raise Forbidden("You may only raise topics for your own bodies.")

    with transaction.atomic():
        topic = Topic.objects.create(
            title=title,
            summary=summary,
            partnership=partnership,
            body=body,
            lead_body=lead_body,
            source=source,
            created_by=by if by.is_authenticated else None,
        )
        if health_bodies:
            topic.health_bodies.set(health_bodies)
        grants.topic_grant(topic)
        _log_event(topic, name="raise", by=by, note=note)
        if source == Topic.Source.REFERRAL:
            network = partnership.involvement_network
            committee = partnership.scrutiny_committees.order_by("pk").first()
            referral = Referral(
                topic=topic,
                from_body=network,
                to_body=committee,
                referred_on=referred_on or timezone.localdate(),
            )
            referral.start_clock(rule_for("referral", network), referral.referred_on)
            referral.save()
            _log_event(referral, name="refer", by=by)
    return topic


def _bodies(user, roles):
    from scrutiny.casework.permissions import bodies_with

    return bodies_with(user, roles)


def topic_prioritise(
    *, topic: Topic, by, scores: dict, note: str = "", on=None, expected_state=None
):
    framework = topic.partnership.framework if topic.partnership_id else _default_framework()
    try:
        clean = framework.validate_scores(scores)
    except ValidationError as exc:
        raise InvalidInput("Check the scores.", field_errors=exc.message_dict) from exc
    return transition_apply(
        instance=topic,
        name="prioritise",
        by=by,
        note=note,
        expected_state=expected_state,
        framework=framework,
        scores=clean,
        on=on,
    )


def _default_framework():
    from scrutiny.casework.models import PrioritisationFramework

    return PrioritisationFramework.objects.get(slug="topic")


def topic_decline(*, topic, by, reason: str, expected_state=None):
    reason = _required(reason, "reason", "the reason for declining")
    return transition_apply(
        instance=topic,
        name="decline",
        by=by,
        note=reason,
        reason=reason,
        expected_state=expected_state,
    )


def topic_reopen(*, topic, by, note: str = "", expected_state=None):
    return transition_apply(
        instance=topic, name="reopen", by=by, note=note, expected_state=expected_state
    )


def topic_withdraw(*, topic, by, reason: str, expected_state=None):
    reason = _required(reason, "reason", "the reason for withdrawing")
    return transition_apply(
        instance=topic,
        name="withdraw",
        by=by,
        note=reason,
        reason=reason,
        expected_state=expected_state,
    )


def topic_request_information(*, topic, by, note: str = "", expected_state=None):
    return transition_apply(
        instance=topic,
        name="request_information",
        by=by,
        note=note,
        expected_state=expected_state,
    )


def topic_request_more(*, topic, by, note: str = "", expected_state=None):
    return transition_apply(
        instance=topic, name="request_more", by=by, note=note, expected_state=expected_state
    )


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
    mine = parties & _bodies(by, {"support_officer"})
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
        _log_event(req, name="draft", by=by)
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


def topic_issue_requests(*, topic: Topic, by, on=None, note: str = "", expected_state=None):
    """Resolve to ask: move the topic to 'response due' and issue every drafted request."""
    with transaction.atomic():
        topic = transition_apply(
            instance=topic, name="issue_requests", by=by, note=note, expected_state=expected_state
        )
        for req in topic.requests.filter(state=RequestState.DRAFT).select_related("requested_by"):
            information_request_issue(request=req, by=by, on=on)
    return topic


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
        _log_event(rec, name="draft", by=by)
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


def topic_make_recommendations(*, topic: Topic, by, on=None, note: str = "", expected_state=None):
    """Move the topic to 'recommendation made' and issue every drafted recommendation."""
    with transaction.atomic():
        topic = transition_apply(
            instance=topic,
            name="make_recommendations",
            by=by,
            note=note,
            expected_state=expected_state,
        )
        for rec in topic.recommendations.filter(state=RecommendationState.DRAFT).select_related(
            "made_by"
        ):
            recommendation_issue(recommendation=rec, by=by, on=on)
    return topic


def topic_conclude(
    *,
    topic: Topic,
    by,
    outcome_summary: str,
    close_without_response_reason: str = "",
    on=None,
    expected_state=None,
):
    """Conclude with an outcome summary. While a recommendation still awaits its response, a
    recorded decision to close without it is required."""
    outcome_summary = _required(outcome_summary, "outcome_summary", "the outcome summary")
    reason = (close_without_response_reason or "").strip()
    with transaction.atomic():
        if reason:
            if not can(by, Perm.TOPIC_MANAGE, topic):
                raise Forbidden("You may not conclude this topic.")
            Topic.objects.filter(pk=topic.pk).update(close_without_response_reason=reason)
        return transition_apply(
            instance=topic,
            name="conclude",
            by=by,
            note=reason or "",
            expected_state=expected_state,
            outcome_summary=outcome_summary,
            on=on,
        )


def topic_record_position(
    *, topic: Topic, by, organisation: Organisation, position: str, recommendation: str = ""
) -> TopicPosition:
    """A partner body's own position on a joint topic ("agree at times to differ")."""
    position = _required(position, "position", "the body's position")
    if not topic.is_joint:
        raise InvalidInput("Positions are recorded on joint topics.")
    if organisation.pk not in topic_party_ids(topic):
        raise InvalidInput(
            "Only a party to the partnership records a position.",
            field_errors={"organisation": ["Choose a partner body."]},
        )
    if not (
        by.is_superuser
        or organisation.pk in _bodies(by, {"support_officer", "committee_member", "chair"})
    ):
        raise Forbidden("You may record a position only for your own body.")
    with transaction.atomic():
        obj, _ = TopicPosition.objects.update_or_create(
            topic=topic,
            organisation=organisation,
            defaults={
                "position": position,
                "recommendation": (recommendation or "").strip(),
                "recorded_by": by,
                "recorded_at": timezone.now(),
            },
        )
        _log_event(
            topic,
            name="record_position",
            by=by,
            note=f"{organisation}: {position[:200]}",
            source=topic.state,
        )
    return obj


# --- Referrals ------------------------------------------------------------------------------


def referral_acknowledge(*, referral: Referral, by, text: str, on=None):
    text = _required(text, "text", "the acknowledgement")
    return transition_apply(
        instance=referral, name="acknowledge", by=by, note=text, text=text, on=on
    )


def referral_add_update(*, referral: Referral, by, text: str) -> ReferralUpdate:
    """Keep the involvement network informed of action taken on its referral."""
    text = _required(text, "text", "the update")
    if not can(by, Perm.REFERRAL_ACKNOWLEDGE, referral):
        raise Forbidden("Only the scrutiny committee's officers update a referral.")
    if Referral.objects.get(pk=referral.pk).state != ReferralState.ACKNOWLEDGED:
        raise InvalidInput("Acknowledge the referral before adding updates.")
    return ReferralUpdate.objects.create(referral=referral, text=text, by=by)


# --- Provider responses ---------------------------------------------------------------------

REQUEST_OUTCOMES = {
    RequestState.ANSWERED: "mark_answered",
    RequestState.PARTIALLY_ANSWERED: "mark_partially_answered",
    RequestState.REFUSED: "mark_refused",
}


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
        from workflows.clocks import working_days_late

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


def recommendation_update_implementation(
    *,
    recommendation: Recommendation,
    by,
    status: str,
    revised_date: dt.date | None = None,
    note: str = "",
    channel: str = Channel.WEB,
) -> ImplementationUpdate:
    if status not in ImplementationStatus.values:
        raise InvalidInput(
            "Choose an implementation status.", field_errors={"status": ["Choose a status."]}
        )
    if status == ImplementationStatus.SLIPPED and revised_date is None:
        raise InvalidInput(
            "A slipped action needs a revised date.",
            field_errors={"revised_date": ["Enter the revised date."]},
        )
    if not can(by, Perm.RESPOND, recommendation):
        raise Forbidden("You may not update this recommendation.")
    with transaction.atomic():
        rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if rec.state != RecommendationState.RESPONDED or rec.outcome not in (
            RecommendationOutcome.ACCEPTED,
            RecommendationOutcome.PARTIALLY_ACCEPTED,
        ):
            raise InvalidInput("Implementation is monitored once a recommendation is accepted.")
        update = ImplementationUpdate.objects.create(
            recommendation=rec,
            status=status,
            revised_date=revised_date,
            note=(note or "").strip(),
            channel=channel,
            by=by,
        )
        Recommendation.objects.filter(pk=rec.pk).update(
            implementation_status=status,
            implementation_revised_date=revised_date,
            updated_at=timezone.now(),
        )
    return update


# --- Memberships ----------------------------------------------------------------------------


def _forget_roles(user):
    if hasattr(user, "_cf_roles_by_body"):
        del user._cf_roles_by_body


def membership_add(*, user, organisation: Organisation, role: str) -> Membership:
    """Give `user` a role in `organisation`, and the object permissions that follow from it."""
    membership = Membership(user=user, organisation=organisation, role=role)
    try:
        membership.full_clean()
    except ValidationError as exc:
        raise InvalidInput("Check the membership.", field_errors=exc.message_dict) from exc
    with transaction.atomic():
        membership.save()
        grants.membership_sync(user)
    _forget_roles(user)
    return membership


def membership_save(*, membership: Membership) -> Membership:
    """Save a new or edited membership (the admin's form) and resynchronise its user."""
    with transaction.atomic():
        previous_user_id = (
            Membership.objects.filter(pk=membership.pk).values_list("user_id", flat=True).first()
            if membership.pk
            else None
        )
        membership.save()
        grants.membership_sync(membership.user)
        if previous_user_id and previous_user_id != membership.user_id:
            grants.membership_sync(type(membership.user).objects.get(pk=previous_user_id))
    _forget_roles(membership.user)
    return membership


def membership_remove(*, membership: Membership) -> None:
    """Take a role away, and the object permissions with it."""
    user = membership.user
    with transaction.atomic():
        membership.delete()
        grants.membership_sync(user)
    _forget_roles(user)


def partnership_set_committees(*, partnership, committees) -> None:
    """Set the partnership's scrutiny committees; every topic it shares is regranted."""
    committees = list(committees)
    if any(c.kind != Organisation.Kind.SCRUTINY_COMMITTEE for c in committees):
        raise InvalidInput(
            "Only scrutiny committees join a partnership as committees.",
            field_errors={"scrutiny_committees": ["Choose scrutiny committees."]},
        )
    if not committees:
        raise InvalidInput(
            "A partnership needs at least one scrutiny committee.",
            field_errors={"scrutiny_committees": ["Choose at least one."]},
        )
    with transaction.atomic():
        partnership.scrutiny_committees.set(committees)
        grants.partnership_regrant(partnership)


def partnership_saved(*, partnership) -> None:
    """After the admin saved a partnership (its network or committees may have changed)."""
    grants.partnership_regrant(partnership)
