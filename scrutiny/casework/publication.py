"""Publication: what residents may see, and the services that publish and withdraw it.

A topic is public when an officer of one of its bodies has published it (`published_at` set)
and it is in a state with something to show (`PUBLISHABLE_STATES`, see
docs/decisions/0008-publication.md). Every public page, feed and download reads through the
selectors here, so none can forget a filter:

- `topics_published()`: the public topics;
- `requests_public()` / `recommendations_public()`: issued (never draft) requests and
  recommendations of public topics;
- `responses_public()`: the current (not superseded) responses to those.

Public pages are cached under a version key; `public_cache_bump()` (called after commit by the
publish and withdraw services and by every lifecycle transition) makes them all stale at once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from scrutiny.casework.models import (
    InformationRequest,
    ProviderResponse,
    Recommendation,
    Topic,
    TopicState,
)
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import TransitionLog
from workflows.services import on_transition

S = TopicState

# Being scrutinised now: on the work programme and not yet closed.
ONGOING_STATES = (
    S.PRIORITISED,
    S.INFORMATION_REQUESTED,
    S.RESPONSE_DUE,
    S.RECOMMENDATION_MADE,
)
# Closed with a public outcome or reason.
OUTCOME_STATES = (S.CONCLUDED, S.DECLINED, S.WITHDRAWN)
PUBLISHABLE_STATES = ONGOING_STATES + OUTCOME_STATES


# --- Selectors ------------------------------------------------------------------------------


def topics_published():
    """Topics residents may see. A published topic that moves back to 'raised' (a declined topic
    reopened) drops out until it is back in a publishable state."""
    return Topic.objects.filter(published_at__isnull=False, state__in=PUBLISHABLE_STATES)


def requests_public():
    """Issued information requests of public topics (drafts, and drafts withdrawn unissued,
    never appear)."""
    return InformationRequest.all_objects.issued().filter(
        topic__published_at__isnull=False, topic__state__in=PUBLISHABLE_STATES
    )


def recommendations_public():
    """Issued recommendations of public topics."""
    return Recommendation.all_objects.issued().filter(
        topic__published_at__isnull=False, topic__state__in=PUBLISHABLE_STATES
    )


def responses_public():
    """The current response of each public request and recommendation: a response that a
    correction superseded is no longer shown."""
    return ProviderResponse.objects.filter(
        Q(information_request__in=requests_public().values("pk"))
        | Q(recommendation__in=recommendations_public().values("pk")),
        superseded_by__isnull=True,
    )


def topic_ids_concerning(*, slug: str):
    """Ids of topics about the health body `slug`: named as concerned, or asked or recommended
    to in public (a subquery; combine with `topics_published()`)."""
    return (
        Topic.objects.filter(
            Q(health_bodies__slug=slug)
            | Q(pk__in=requests_public().filter(recipient__slug=slug).values("topic_id"))
            | Q(pk__in=recommendations_public().filter(recipient__slug=slug).values("topic_id"))
        )
        .values("pk")
        .distinct()
    )


def topics_search(qs, text: str):
    """Topics of `qs` matching `text` in title, summary or outcome, best match first.

    PostgreSQL: full-text search (English stemming; websearch syntax: "quoted phrases", or,
    -exclusions). Elsewhere (SQLite): every word must appear in one of the three fields,
    case-insensitively; newest first.
    """
    text = (text or "").strip()
    if not text:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A", config="english") + SearchVector(
            "summary", "outcome_summary", weight="B", config="english"
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            qs.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "-published_at", "-id")
        )
    for word in text.split()[:20]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(outcome_summary__icontains=word)
        )
    return qs.order_by("-published_at", "-id")


# --- Cache version --------------------------------------------------------------------------

CACHE_VERSION_KEY = "cf:public:version"


def public_cache_version() -> str:
    """The current version of every cached public page."""
    version = cache.get(CACHE_VERSION_KEY)
    if version is None:
        cache.add(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(CACHE_VERSION_KEY) or "0"
    return version


def public_cache_bump() -> None:
    """Make every cached public page stale (a new version; old entries simply expire)."""
    cache.set(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def public_cache_seconds() -> int:
    return int(getattr(settings, "CF_PUBLIC_CACHE_SECONDS", 300))


@on_transition
def _bump_on_transition(instance, log_row):
    """Any lifecycle move may change what a public page shows."""
    public_cache_bump()


# --- Services -------------------------------------------------------------------------------


def _log(topic, *, name: str, by, note: str = ""):
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Topic),
        object_id=topic.pk,
        transition=name,
        source_state=topic.state,
        target_state=topic.state,
        actor=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )


def _may_publish(user, topic) -> bool:
    return can(user, Perm.TOPIC_MANAGE, topic)


def topic_publish(*, topic: Topic, by, note: str = "") -> Topic:
    """Publish a topic's outcome (or, while it is on the work programme, that it is being
    scrutinised). Only officers of the topic's bodies may publish."""
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if not _may_publish(by, locked):
            raise Forbidden("Only a support officer of the topic's bodies may publish it.")
        if locked.published_at is not None:
            raise Conflict("This topic is already published.", current_state=locked.state)
        if locked.state not in PUBLISHABLE_STATES:
            raise Conflict(
                f"A topic that is '{locked.get_state_display()}' cannot be published: "
                "prioritise, decline or withdraw it first.",
                current_state=locked.state,
            )
        now = timezone.now()
        Topic.objects.filter(pk=locked.pk).update(published_at=now, updated_at=now)
        _log(locked, name="publish", by=by, note=(note or "").strip())
        transaction.on_commit(public_cache_bump)
    return Topic.objects.get(pk=topic.pk)


def topic_unpublish(*, topic: Topic, by, reason: str) -> Topic:
    """Withdraw publication, with a reason (kept in the log, not shown to residents)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Enter the reason for withdrawing publication.",
            field_errors={"reason": ["Enter the reason for withdrawing publication."]},
        )
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if not _may_publish(by, locked):
            raise Forbidden("Only a support officer of the topic's bodies may withdraw it.")
        if locked.published_at is None:
            raise Conflict("This topic is not published.", current_state=locked.state)
        Topic.objects.filter(pk=locked.pk).update(published_at=None, updated_at=timezone.now())
        _log(locked, name="unpublish", by=by, note=reason)
        transaction.on_commit(public_cache_bump)
    return Topic.objects.get(pk=topic.pk)
