"""Topics: raise, prioritise, decline, reopen, withdraw, request information, conclude, and each
body's position on a joint topic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone

from scrutiny.casework import grants, policy
from scrutiny.casework.models import (
    InformationRequest,
    Organisation,
    PrioritisationFramework,
    Recommendation,
    RecommendationState,
    RequestState,
    Topic,
    TopicPosition,
    TopicState,
)
from scrutiny.casework.models.items import ISSUED
from scrutiny.casework.roles import Perm
from scrutiny.casework.search import search_index
from scrutiny.casework.services.common import _required
from scrutiny.casework.services.items import (
    OPEN_ITEM_STATES,
    chosen_items,
    information_request_issue,
    item_withdraw,
    recommendation_agree_at_meeting,
    recommendation_issue,
)
from scrutiny.casework.services.referrals import (
    referral_check_referrer,
    referral_committee,
    referral_make,
)
from workflows.audit import EventType, log_event
from workflows.cache import public_cache_bump
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import DeadlineRule
from workflows.services import transition_allowed_for, transition_apply, transition_available

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
        search_index(topic)
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


def _scored(framework: PrioritisationFramework, scores: dict, reason: str) -> tuple[dict, str]:
    """Clean scores, and the reason needed when their total is below the framework's
    threshold (blank otherwise: a topic that meets the threshold needs no excuse)."""
    try:
        clean = framework.validate_scores(scores)
    except ValidationError as exc:
        raise InvalidInput("Check the scores.", field_errors=exc.message_dict) from exc
    reason = (reason or "").strip()
    total = sum(clean.values())
    if total >= framework.threshold:
        return clean, ""
    if not reason:
        message = (
            f"These scores total {total}, below the threshold of {framework.threshold} out of "
            f"{framework.max_total}: record why the topic goes on the work programme anyway."
        )
        raise InvalidInput(message, field_errors={"below_threshold_reason": [message]})
    return clean, reason


def topic_prioritise(
    *,
    topic: Topic,
    by,
    scores: dict,
    note: str = "",
    on=None,
    expected_state=None,
    below_threshold_reason: str = "",
):
    """Score the topic and put it on the work programme. Below the framework's threshold this
    needs a recorded reason (`below_threshold_reason`)."""
    framework = topic.applicable_framework()
    clean, reason = _scored(framework, scores, below_threshold_reason)
    return transition_apply(
        instance=topic,
        name="prioritise",
        by=by,
        note=note or reason,
        expected_state=expected_state,
        framework=framework,
        scores=clean,
        on=on,
        below_threshold_reason=reason,
    )


def topic_scores_correct(
    *, topic: Topic, by, scores: dict, reason: str, below_threshold_reason: str = ""
) -> Topic:
    """Correct the scores of a prioritised topic, against the framework they were given under.
    Logged with the scores before and after and the reason for the correction."""
    reason = _required(reason, "reason", "the reason for correcting the scores")
    with transaction.atomic():
        locked = (
            Topic.objects.select_for_update(of=("self",))
            .select_related("framework")
            .get(pk=topic.pk)
        )
        if not policy.can(by, Perm.TOPIC_PRIORITISE, locked):
            raise Forbidden("You may not score this topic.")
        if locked.state != TopicState.PRIORITISED:
            raise Conflict(
                "Scores are corrected while the topic is 'Prioritised'; it is "
                f"'{locked.get_state_display()}'.",
                current_state=locked.state,
            )
        framework = locked.framework or locked.applicable_framework()
        clean, low_reason = _scored(framework, scores, below_threshold_reason)
        before = {"scores": locked.scores, "total": locked.score_total}
        after = {"scores": clean, "total": sum(clean.values())}
        if before == after and low_reason == locked.below_threshold_reason:
            raise InvalidInput(
                "These are the scores already recorded: change at least one.",
                field_errors={"__all__": ["Change at least one score."]},
            )
        locked.framework = framework
        locked.scores, locked.score_total = clean, after["total"]
        locked.below_threshold_reason = low_reason
        locked.save(
            update_fields=[
                "framework",
                "scores",
                "score_total",
                "below_threshold_reason",
                "updated_at",
            ]
        )
        log_event(
            locked,
            EventType.TOPIC_SCORES_CORRECTED,
            by=by,
            note=f"{before['total']} → {after['total']}: {reason}",
            data={"before": before, "after": after, "below_threshold_reason": low_reason},
        )
    return locked


def topic_decline(*, topic, by, reason: str, expected_state=None):
    reason = _required(reason, "reason", "the reason for declining")
    with transaction.atomic():
        topic = transition_apply(
            instance=topic,
            name="decline",
            by=by,
            note=reason,
            reason=reason,
            expected_state=expected_state,
        )
        search_index(topic)  # the reason is public
    return topic


def topic_reopen(*, topic, by, note: str = "", expected_state=None):
    return transition_apply(
        instance=topic, name="reopen", by=by, note=note, expected_state=expected_state
    )


def _open_items(topic: Topic) -> list:
    """The topic's requests and recommendations still drafted or awaiting an answer."""
    return [
        *InformationRequest.all_objects.filter(topic=topic, state__in=OPEN_ITEM_STATES)
        .select_related("recipient")
        .order_by("pk"),
        *Recommendation.all_objects.filter(topic=topic, state__in=OPEN_ITEM_STATES)
        .select_related("recipient")
        .order_by("pk"),
    ]


def topic_withdraw(*, topic, by, reason: str, expected_state=None):
    """Withdraw the topic and, with the topic's reason, every request and recommendation on it
    still drafted or awaiting an answer: their clocks stop, their reminders are dropped and
    each health body is told. All of it or none."""
    reason = _required(reason, "reason", "the reason for withdrawing")
    with transaction.atomic():
        topic = transition_apply(
            instance=topic,
            name="withdraw",
            by=by,
            note=reason,
            reason=reason,
            expected_state=expected_state,
        )
        for item in _open_items(topic):
            item_withdraw(item, by=by, reason=reason)
        search_index(topic)  # the reason is public
    return topic


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


def topic_issue_requests(
    *, topic: Topic, by, ids=None, on=None, note: str = "", expected_state=None
):
    """Resolve to ask: move the topic to 'response due' and issue the chosen drafted requests
    (`ids`; every draft when None). A request not a draft of this topic is refused."""
    with transaction.atomic():
        topic = transition_apply(
            instance=topic, name="issue_requests", by=by, note=note, expected_state=expected_state
        )
        chosen = chosen_items(
            InformationRequest, topic, ids, state=RequestState.DRAFT, noun="draft request"
        )
        for req in chosen:
            information_request_issue(request=req, by=by, on=on)
    return topic


def topic_make_recommendations(
    *,
    topic: Topic,
    by,
    ids=None,
    on=None,
    note: str = "",
    expected_state=None,
    agreed_at=None,
):
    """Move the topic to 'recommendation made' and issue the chosen agreed recommendations
    (`ids`; every agreed one when None). Only agreed recommendations are issued. `agreed_at`:
    the agenda item whose decision, being minuted now, agrees the topic's drafts (then `ids`
    chooses among the drafts)."""
    with transaction.atomic():
        if agreed_at is not None:
            for rec in chosen_items(
                Recommendation, topic, ids, state=RecommendationState.DRAFT, noun="draft"
            ):
                recommendation_agree_at_meeting(
                    recommendation=rec, by=by, agenda_item=agreed_at, note=note, minuted=False
                )
            ids = None
        topic = transition_apply(
            instance=topic,
            name="make_recommendations",
            by=by,
            note=note,
            expected_state=expected_state,
        )
        chosen = chosen_items(
            Recommendation,
            topic,
            ids,
            state=RecommendationState.AGREED,
            noun="agreed recommendation",
        )
        for rec in chosen:
            recommendation_issue(recommendation=rec, by=by, on=on)
    return topic


class Disposition(TextChoices):
    """What concluding a topic does with a request or recommendation still open on it."""

    WITHDRAW = "withdraw", "Withdraw it"
    MONITOR = "monitor", "Keep monitoring it"


KEPT_OPEN = {
    InformationRequest: EventType.INFORMATION_REQUEST_KEPT_OPEN,
    Recommendation: EventType.RECOMMENDATION_KEPT_OPEN,
}


def item_key(item) -> str:
    """The key of an open item in a conclusion's dispositions: `request-5`, `recommendation-7`."""
    return f"{item.ANCHOR}-{item.pk}"


def topic_open_items(topic: Topic) -> list:
    """What concluding `topic` must dispose of: its drafts and its items awaiting an answer."""
    return _open_items(topic)


def topic_conclude(
    *,
    topic: Topic,
    by,
    outcome_summary: str,
    dispositions: Mapping[str, tuple[str, str]] | None = None,
    close_without_response_reason: str = "",
    on=None,
    expected_state=None,
):
    """Conclude with an outcome summary, disposing of every item still open on the topic.

    `dispositions` maps each open item's key (`item_key`) to (`Disposition`, reason): withdraw
    it (the reason, if any, is its withdrawal reason) or keep monitoring it (the reason is
    required; it stays open, its clock running). An open draft can only be withdrawn. Without
    `dispositions`, `close_without_response_reason` keeps every issued item open with that
    reason. An open item left without a disposition is refused (400, naming each one).
    Concluding does not publish: residents see the outcome once the topic is published.
    """
    outcome_summary = _required(outcome_summary, "outcome_summary", "the outcome summary")
    if not transition_allowed_for(topic, "conclude", by):
        raise Forbidden("You may not conclude this topic.")
    if not transition_available(topic, "conclude"):
        # Not in a state that concludes: the transition service says so (409).
        return transition_apply(
            instance=topic, name="conclude", by=by, outcome_summary=outcome_summary, on=on
        )
    legacy = (close_without_response_reason or "").strip()
    open_items = _open_items(topic)
    if dispositions is None:
        dispositions = {
            item_key(i): (Disposition.MONITOR, legacy)
            for i in open_items
            if legacy and i.state == ISSUED
        }
    errors, withdraw, monitor = {}, [], []
    for item in open_items:
        key = item_key(item)
        action, reason = dispositions.get(key, ("", ""))
        reason = (reason or "").strip()
        what = f"the {item.LABEL.lower()} to {item.recipient}"
        if action == Disposition.WITHDRAW:
            withdraw.append((item, reason or "Withdrawn when the topic concluded."))
        elif action == Disposition.MONITOR and item.state != ISSUED:
            errors[key] = [f"{what.capitalize()} is a draft, never issued: withdraw it."]
        elif action == Disposition.MONITOR and not reason:
            errors[key] = [f"Give the reason to keep monitoring {what}."]
        elif action == Disposition.MONITOR:
            monitor.append((item, reason))
        else:
            errors[key] = [
                f"Choose what happens to {what}: withdraw it, or keep monitoring it with a reason."
            ]
    if errors:
        raise InvalidInput(
            "Decide what happens to each request and recommendation still open.",
            field_errors=errors,
        )
    kept = "; ".join(
        reason if len(monitor) == 1 else f"{item.LABEL} to {item.recipient}: {reason}"
        for item, reason in monitor
    )
    with transaction.atomic():
        for item, reason in withdraw:
            item_withdraw(item, by=by, reason=reason)
        for item, reason in monitor:
            log_event(item, KEPT_OPEN[type(item)], by=by, note=reason)
        topic = transition_apply(
            instance=topic,
            name="conclude",
            by=by,
            note=kept,
            expected_state=expected_state,
            # The decision to keep items open is recorded with the move, or not at all.
            set_fields={"close_without_response_reason": kept} if kept else None,
            outcome_summary=outcome_summary,
            on=on,
        )
        search_index(topic)  # the outcome summary
    return topic


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
        scope = topic.public_cache_scope()
        transaction.on_commit(lambda: public_cache_bump(scope))
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
        scope = locked.topic.public_cache_scope()  # the public outcome page now shows it
        transaction.on_commit(lambda: public_cache_bump(scope))
    return locked
