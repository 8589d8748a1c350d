"""Topics: raise, prioritise, decline, reopen, withdraw, request information, conclude, and each
body's position on a joint topic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from scrutiny.casework import grants, policy
from scrutiny.casework.models import (
    InformationRequest,
    Organisation,
    Recommendation,
    Topic,
    TopicPosition,
)
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.common import _required
from scrutiny.casework.services.items import information_request_issue, recommendation_issue
from scrutiny.casework.services.referrals import (
    referral_check_referrer,
    referral_committee,
    referral_make,
)
from workflows.audit import EventType, log_event
from workflows.cache import public_cache_bump
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import DeadlineRule
from workflows.services import transition_apply

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
    committee: Organisation | None = None,
    acknowledgement_rule: DeadlineRule | None = None,
) -> Topic:
    """Record a new topic, joint (with `partnership`) or of one `body`.

    A referral (source 'referral') is made by the partnership's involvement network (its
    members and officers only) to the scrutiny `committee` of the partnership chosen (the only
    one when there is one), and starts the acknowledgement clock: `acknowledgement_rule`, the
    agreed protocol's period when the caller found one, else the regulation's 20 working days
    (see `services.referrals.referral_make`).
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
    if source == Topic.Source.REFERRAL and partnership is not None:
        try:
            committee = referral_committee(partnership=partnership, committee=committee)
        except InvalidInput as exc:
            errors.update(exc.field_errors)
    if errors:
        raise InvalidInput("Check the topic's details.", field_errors=errors)
    if not policy.can(by, Perm.TOPIC_RAISE, partnership or body):
        raise Forbidden("You may only raise topics for your own bodies.")
    if source == Topic.Source.REFERRAL:
        referral_check_referrer(by=by, partnership=partnership)

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
        log_event(topic, EventType.TOPIC_RAISED, by=by, note=note, source_state="")
        if source == Topic.Source.REFERRAL:
            referral_make(
                topic=topic,
                by=by,
                committee=committee,
                referred_on=referred_on,
                rule=acknowledgement_rule,
            )
    return topic


def topic_prioritise(
    *, topic: Topic, by, scores: dict, note: str = "", on=None, expected_state=None
):
    framework = topic.applicable_framework()
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


def topic_issue_requests(*, topic: Topic, by, on=None, note: str = "", expected_state=None):
    """Resolve to ask: move the topic to 'response due' and issue every drafted request."""
    with transaction.atomic():
        topic = transition_apply(
            instance=topic, name="issue_requests", by=by, note=note, expected_state=expected_state
        )
        drafts = InformationRequest.all_objects.filter(topic=topic).drafts()
        for req in drafts.select_related("requested_by"):
            information_request_issue(request=req, by=by, on=on)
    return topic


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
        drafts = Recommendation.all_objects.filter(topic=topic).drafts()
        for rec in drafts.select_related("made_by"):
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
    return transition_apply(
        instance=topic,
        name="conclude",
        by=by,
        note=reason,
        expected_state=expected_state,
        # The decision to close without a response is what the move's condition reads.
        set_fields={"close_without_response_reason": reason} if reason else None,
        outcome_summary=outcome_summary,
        on=on,
    )


def topic_record_position(
    *, topic: Topic, by, organisation: Organisation, position: str, recommendation: str = ""
) -> TopicPosition:
    """A partner body's own position on a joint topic ("agree at times to differ"), recorded as
    a proposal: it is published only once the body agrees it (`topic_position_agree`). New
    words make an agreed position a proposal again."""
    position = _required(position, "position", "the body's position")
    if not topic.is_joint:
        raise InvalidInput("Positions are recorded on joint topics.")
    if organisation.pk not in policy.owner_ids(topic):
        raise InvalidInput(
            "Only a party to the partnership records a position.",
            field_errors={"organisation": ["Choose a partner body."]},
        )
    if not policy.can(by, Perm.TOPIC_POSITION, organisation):
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
                # A proposal until the body agrees it.
                "agreed_at": None,
                "agreed_by": None,
                "agreed_how": "",
                "agreement_note": "",
                "minute_item_id": None,
            },
        )
        log_event(
            topic,
            EventType.TOPIC_POSITION_RECORDED,
            by=by,
            note=f"{organisation} (proposed): {position[:200]}",
            data={"organisation": organisation.pk, "position": obj.pk},
        )
        # New words take an agreed position off the public pages.
        transaction.on_commit(public_cache_bump)
    return obj


def topic_position_agree(
    *,
    position: TopicPosition,
    by,
    how: str,
    note: str = "",
    minute_item_id: int | None = None,
    at=None,
) -> TopicPosition:
    """The body agrees its proposed position, which is then published with the topic:

    - by its chair (`how="chair"`, a chair's action): `by` must be the body's chair;
    - at a meeting (`how="meeting"`): the minuted decision, `minute_item_id`, found and checked
      by the joint-working layer (`protocols.services.item_agree_position`); `by` is the officer
      minuting it, who must manage the topic.
    """
    if how not in TopicPosition.Agreement.values:
        raise InvalidInput("Say how the body agreed its position: at a meeting or by its chair.")
    note = (note or "").strip()
    with transaction.atomic():
        locked = (
            TopicPosition.objects.select_for_update(of=("self",))
            .select_related("organisation", "topic")
            .get(pk=position.pk)
        )
        if how == TopicPosition.Agreement.CHAIR:
            if not policy.can(by, Perm.CHAIR_BODY, locked.organisation):
                raise Forbidden(f"Only the chair of {locked.organisation} agrees its position.")
        else:
            if minute_item_id is None:
                raise InvalidInput("Choose the minuted decision that agreed the position.")
            if not policy.can(by, Perm.TOPIC_MANAGE, locked.topic):
                raise Forbidden("Only an officer of the topic's bodies records the minute.")
        if locked.is_agreed:
            raise Conflict(f"{locked.organisation}'s position is already agreed.")
        locked.agreed_at = at or timezone.now()
        locked.agreed_by = by
        locked.agreed_how = how
        locked.agreement_note = note
        locked.minute_item_id = minute_item_id
        locked.save(
            update_fields=[
                "agreed_at",
                "agreed_by",
                "agreed_how",
                "agreement_note",
                "minute_item_id",
            ]
        )
        log_event(
            locked.topic,
            EventType.TOPIC_POSITION_AGREED,
            by=by,
            note=f"{locked.organisation}: {locked.get_agreed_how_display()}"
            + (f" ({note[:200]})" if note else ""),
            data={
                "organisation": locked.organisation_id,
                "position": locked.pk,
                "how": how,
                "minute_item": minute_item_id,
            },
        )
        transaction.on_commit(public_cache_bump)  # the public outcome page now shows it
    return locked
