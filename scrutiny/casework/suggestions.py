"""Residents' topic suggestions: submit (no account), moderate, purge personal details.

A suggestion waits in its partnership's moderation queue. An officer of one of the partnership's
bodies accepts it (it becomes a raised topic, source 'resident_suggestion', through
`services.topic_raise`) or rejects it with a reason: the suggestion's `accept` and `reject`
transitions, applied by `workflows.services.transition_apply` (logged, permission-checked).
The suggester's name and e-mail (`SuggesterContact`) are seen by those officers only and deleted
after `CF_SUGGESTION_RETENTION_DAYS` (default 180) counted from submission:
`suggestions_purge_personal_details()` (the sweep can call it) or
`python manage.py purge_suggestions`.

Spam: a honeypot field in the form (checked by the view) and a per-address rate limit here.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from scrutiny.casework import policy, services
from scrutiny.casework.models import (
    Organisation,
    Partnership,
    SuggesterContact,
    SuggestionStatus,
    Topic,
    TopicSuggestion,
)
from scrutiny.casework.models.suggestions import FORBIDDEN
from scrutiny.casework.roles import Perm
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import NotificationKind
from workflows.notifications import absolute_url, notification_write
from workflows.recipients import Mailbox
from workflows.services import transition_allowed_for, transition_apply

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 200


def too_long_message(name: str, limit: int) -> str:
    return f"{name} must be {limit:,} characters or fewer"


def retention_days() -> int:
    return int(getattr(settings, "CF_SUGGESTION_RETENTION_DAYS", 180))


# --- Rate limit -----------------------------------------------------------------------------


def _rate_key(address: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"cf:suggest:rate:{digest}"


def suggestion_rate_limited(address: str) -> bool:
    """Has `address` used up its suggestions for the window? Counts one attempt if not."""
    limit = int(getattr(settings, "CF_SUGGESTION_RATE_LIMIT", 5))
    window = int(getattr(settings, "CF_SUGGESTION_RATE_WINDOW", 3600))
    key = _rate_key(address or "unknown")
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit


# --- Submit ---------------------------------------------------------------------------------


def _text(value) -> str:
    """Stripped, with line breaks as one character each (as the form's character count shows)."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def suggestion_submit(
    *,
    title: str,
    description: str,
    partnership: Partnership,
    health_body: Organisation | None = None,
    name: str = "",
    email: str = "",
) -> TopicSuggestion:
    errors = {}
    title, description = _text(title), _text(description)
    name, email = _text(name), (email or "").strip()
    if not title:
        errors["title"] = ["Enter what you think should be looked at."]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [too_long_message("What should be looked at", TITLE_MAX_LENGTH)]
    if not description:
        errors["description"] = ["Tell us why it should be looked at."]
    elif len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [too_long_message("Suggestion", DESCRIPTION_MAX_LENGTH)]
    if partnership is None:
        errors["partnership"] = ["Choose the area."]
    if health_body is not None and not health_body.is_health_body:
        errors["health_body"] = ["Choose a health body from the list."]
    if len(name) > NAME_MAX_LENGTH:
        errors["name"] = [too_long_message("Your name", NAME_MAX_LENGTH)]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Enter an e-mail address like name@example.org."]
    if errors:
        raise InvalidInput("Check your suggestion.", field_errors=errors)
    with transaction.atomic():
        suggestion = TopicSuggestion.objects.create(
            title=title,
            description=description,
            partnership=partnership,
            health_body=health_body,
        )
        if name or email:
            SuggesterContact.all_objects.create(suggestion=suggestion, name=name, email=email)
    return suggestion


# --- Moderate -------------------------------------------------------------------------------


def _pending(suggestion, by) -> TopicSuggestion:
    """Lock the suggestion and check, before anything is raised from it, that `by` may moderate
    it and that it still waits (the transition checks both again, under the same lock)."""
    locked = TopicSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not transition_allowed_for(locked, "accept", by):
        raise Forbidden(FORBIDDEN)
    if locked.status != SuggestionStatus.PENDING:
        raise Conflict(
            f"This suggestion has already been {locked.get_status_display().lower()}.",
            current_state=locked.status,
        )
    return locked


def _tell_suggester(suggestion: TopicSuggestion, *, subject: str, template: str, **context):
    """E-mail the resident who made `suggestion`, if they left an address, what became of it —
    once (the outbox's event key), saying nothing of other suggesters or unpublished topics."""
    contact = SuggesterContact.all_objects.filter(suggestion=suggestion).first()
    if contact is None or not contact.email:
        return None
    link = absolute_url(reverse("public:outcomes"))
    return notification_write(
        event_key=f"suggestion:{suggestion.pk}:{suggestion.status}",
        kind=NotificationKind.SUGGESTION_OUTCOME,
        recipient=Mailbox(contact.email, contact.name),
        subject=subject,
        template=template,
        context={"suggestion": suggestion, "link": link, **context},
        obj=suggestion,
        link=link,
    )


def suggestion_accept(
    *,
    suggestion: TopicSuggestion,
    by,
    title: str,
    summary: str,
    lead_body: Organisation | None = None,
) -> Topic:
    """Accept: raise a topic of the partnership from the (moderated) text."""
    with transaction.atomic():
        locked = _pending(suggestion, by)
        partnership = locked.partnership
        if lead_body is None:
            mine = policy.owner_ids(partnership) & policy.body_ids(by, Perm.SUGGESTION_MODERATE)
            lead_body = (
                Organisation.objects.get(pk=min(mine)) if mine else partnership.involvement_network
            )
        topic = services.topic_raise(
            by=by,
            title=title,
            summary=summary,
            partnership=partnership,
            lead_body=lead_body,
            source=Topic.Source.RESIDENT_SUGGESTION,
            health_bodies=[locked.health_body] if locked.health_body_id else [],
            note="Raised from a resident's suggestion.",
        )
        locked = transition_apply(
            instance=locked, name="accept", by=by, note=f"Topic {topic.pk} raised.", topic=topic
        )
        _tell_suggester(
            locked,
            subject="Your suggestion was taken up",
            template="suggestion_accepted",
            partnership=locked.partnership,
        )
    return topic


def suggestion_reject(*, suggestion: TopicSuggestion, by, reason: str) -> TopicSuggestion:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Enter the reason for rejecting.",
            field_errors={"reason": ["Enter the reason for rejecting."]},
        )
    with transaction.atomic():
        locked = _pending(suggestion, by)
        locked = transition_apply(instance=locked, name="reject", by=by, note=reason, reason=reason)
        _tell_suggester(
            locked,
            subject="What happened to your suggestion",
            template="suggestion_rejected",
            partnership=locked.partnership,
            reason=reason,
        )
        return locked


# --- Retention ------------------------------------------------------------------------------


def suggestions_purge_personal_details(*, now: dt.datetime | None = None) -> int:
    """Delete the name and e-mail of every suggestion older than the retention period; return
    how many were deleted. Safe to run any number of times."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    with transaction.atomic():
        old = TopicSuggestion.objects.filter(submitted_at__lt=cutoff)
        deleted, _ = SuggesterContact.all_objects.filter(suggestion__in=old).delete()
        old.filter(personal_details_deleted_at__isnull=True).update(personal_details_deleted_at=now)
    return deleted
