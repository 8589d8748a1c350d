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

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from scrutiny.models import (
    ActionPlanItem,
    ImplementationUpdate,
    InformationRequest,
    ProviderResponse,
    Recommendation,
    RecommendationState,
    RequestState,
    Topic,
    TopicPosition,
    TopicState,
)
from scrutiny.permissions import Perm, can
from scrutiny.presenters import rag_for
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
    return InformationRequest.objects.filter(
        topic__published_at__isnull=False,
        topic__state__in=PUBLISHABLE_STATES,
        issued_on__isnull=False,
    ).exclude(state=RequestState.DRAFT)


def recommendations_public():
    """Issued recommendations of public topics."""
    return Recommendation.objects.filter(
        topic__published_at__isnull=False,
        topic__state__in=PUBLISHABLE_STATES,
        issued_on__isnull=False,
    ).exclude(state=RecommendationState.DRAFT)


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


# --- Presenters (pure) ----------------------------------------------------------------------

TOPIC_STATE_TAGS = {
    S.PRIORITISED: "govuk-tag--light-blue",
    S.INFORMATION_REQUESTED: "govuk-tag--light-blue",
    S.RESPONSE_DUE: "govuk-tag--yellow",
    S.RECOMMENDATION_MADE: "govuk-tag--purple",
    S.CONCLUDED: "govuk-tag--green",
    S.DECLINED: "govuk-tag--grey",
    S.WITHDRAWN: "govuk-tag--grey",
}

PUBLIC_STATE_LABELS = {
    S.PRIORITISED: "On the work programme",
    S.INFORMATION_REQUESTED: "Information being requested",
    S.RESPONSE_DUE: "Waiting for answers",
    S.RECOMMENDATION_MADE: "Recommendations made",
    S.CONCLUDED: "Concluded",
    S.DECLINED: "Declined",
    S.WITHDRAWN: "Withdrawn",
}

OUTCOME_TAGS = {
    "accepted": "govuk-tag--green",
    "partially_accepted": "govuk-tag--yellow",
    "rejected": "govuk-tag--red",
    "noted": "govuk-tag--grey",
    "answered": "govuk-tag--green",
    "partially_answered": "govuk-tag--yellow",
    "refused": "govuk-tag--red",
}


def present_topics(topics):
    """Give each topic its public state label and tag class (for lists); returns a list."""
    topics = list(topics)
    for t in topics:
        t.public_state = PUBLIC_STATE_LABELS.get(t.state, t.get_state_display())
        t.public_tag = TOPIC_STATE_TAGS.get(t.state, "govuk-tag--grey")
    return topics


def lateness_text(*, on_time: bool, working_days_late: int) -> str:
    if on_time:
        return "On time"
    if working_days_late == 1:
        return "1 working day late"
    return f"{working_days_late} working days late"


def due_text(obj, *, today: dt.date) -> str:
    """'Due 20 January 2027' / 'Overdue: due 20 January 2027' for an issued request or
    recommendation still awaiting its answer."""
    if obj.due_on is None:
        return ""
    if obj.state in (RequestState.ISSUED, RecommendationState.ISSUED) and obj.due_on < today:
        return f"Overdue: was due {obj.due_on:%-d %B %Y}"
    return f"Due {obj.due_on:%-d %B %Y}"


# --- The outcome page -----------------------------------------------------------------------

# Topic log entries shown to residents, and whether their note is public-safe.
PUBLIC_TOPIC_EVENTS = {
    "raise": ("Raised", False),
    "prioritise": ("Put on the work programme", False),
    "decline": ("Declined", True),
    "reopen": ("Reopened for consideration", False),
    "request_information": ("Resolved to request information", False),
    "issue_requests": ("Information requests issued", False),
    "request_more": ("Resolved to request more information", False),
    "make_recommendations": ("Recommendations made", False),
    "conclude": ("Concluded", True),
    "withdraw": ("Withdrawn", True),
    "publish": ("Published on this site", False),
}


@dataclass
class TimelineEntry:
    on: dt.date
    title: str
    text: str = ""
    order: int = 0


@dataclass
class PublicItem:
    """A public request or recommendation with what came back."""

    obj: object
    response: ProviderResponse | None
    due: str
    lateness: str
    actions: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    rag: object | None = None  # scrutiny.presenters.Rag

    @property
    def rag_tag_class(self) -> str:
        return f"govuk-tag--{self.rag.tag.colour}" if self.rag else ""

    @property
    def outcome_tag(self) -> str:
        return OUTCOME_TAGS.get(getattr(self.obj, "outcome", ""), "govuk-tag--grey")


@dataclass
class OutcomeView:
    topic: Topic
    requests: list[PublicItem]
    recommendations: list[PublicItem]
    positions: list
    timeline: list[TimelineEntry]
    state_label: str
    state_tag: str


def outcome_detail(topic: Topic, *, today: dt.date | None = None) -> OutcomeView:
    """Everything the outcome page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    current = ProviderResponse.objects.filter(superseded_by__isnull=True).order_by(
        "received_at", "id"
    )
    reqs = list(
        requests_public()
        .filter(topic=topic)
        .select_related("recipient", "requested_by")
        .prefetch_related(Prefetch("responses", queryset=current, to_attr="public_responses"))
        .order_by("issued_on", "id")
    )
    recs = list(
        recommendations_public()
        .filter(topic=topic)
        .select_related("recipient", "made_by")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=current.prefetch_related(
                    Prefetch("action_plan", queryset=ActionPlanItem.objects.order_by("id"))
                ),
                to_attr="public_responses",
            ),
            Prefetch(
                "implementation_updates",
                queryset=ImplementationUpdate.objects.order_by("at", "id"),
                to_attr="public_updates",
            ),
        )
        .order_by("issued_on", "id")
    )
    positions = list(
        TopicPosition.objects.filter(topic=topic).select_related("organisation")
        if topic.is_joint
        else []
    )
    log = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Topic),
        object_id=topic.pk,
        transition__in=list(PUBLIC_TOPIC_EVENTS),
    ).order_by("at", "id")

    request_items = []
    for r in reqs:
        resp = r.public_responses[-1] if r.public_responses else None
        request_items.append(
            PublicItem(
                obj=r,
                response=resp,
                due=due_text(r, today=today),
                lateness=lateness_text(
                    on_time=resp.on_time, working_days_late=resp.working_days_late
                )
                if resp
                else "",
            )
        )
    rec_items = []
    for r in recs:
        resp = r.public_responses[-1] if r.public_responses else None
        actions = list(resp.action_plan.all()) if resp else []
        rec_items.append(
            PublicItem(
                obj=r,
                response=resp,
                due=due_text(r, today=today),
                lateness=lateness_text(
                    on_time=resp.on_time, working_days_late=resp.working_days_late
                )
                if resp
                else "",
                actions=actions,
                updates=r.public_updates,
                rag=rag_for(r, today),
            )
        )

    timeline = []
    for row in log:
        title, note_public = PUBLIC_TOPIC_EVENTS[row.transition]
        text = row.note if note_public else ""
        if row.transition == "conclude" and text:
            text = f"Closed without waiting for every response: {text}"
        timeline.append(TimelineEntry(timezone.localdate(row.at), title, text, 0))
    for item in request_items:
        r = item.obj
        timeline.append(
            TimelineEntry(r.issued_on, f"Information requested from {r.recipient}", item.due, 1)
        )
        if item.response:
            timeline.append(
                TimelineEntry(
                    timezone.localdate(item.response.received_at),
                    f"{r.recipient} replied: {r.get_state_display().lower()}",
                    item.lateness,
                    2,
                )
            )
    for item in rec_items:
        r = item.obj
        timeline.append(
            TimelineEntry(r.issued_on, f"Recommendation made to {r.recipient}", item.due, 1)
        )
        if item.response:
            timeline.append(
                TimelineEntry(
                    timezone.localdate(item.response.received_at),
                    f"{r.recipient} responded: {r.get_outcome_display().lower()}",
                    item.lateness,
                    2,
                )
            )
        for u in item.updates:
            timeline.append(
                TimelineEntry(
                    timezone.localdate(u.at),
                    f"Implementation by {r.recipient}: {u.get_status_display().lower()}",
                    " ".join(
                        part
                        for part in (
                            f"Revised date {u.revised_date:%-d %B %Y}." if u.revised_date else "",
                            u.note,
                        )
                        if part
                    ),
                    3,
                )
            )
    timeline.sort(key=lambda e: (e.on, e.order))
    return OutcomeView(
        topic=topic,
        requests=request_items,
        recommendations=rec_items,
        positions=positions,
        timeline=timeline,
        state_label=PUBLIC_STATE_LABELS.get(topic.state, topic.get_state_display()),
        state_tag=TOPIC_STATE_TAGS.get(topic.state, "govuk-tag--grey"),
    )


# --- meetings on public pages -----------------------------------------------------------------
# Meetings belong to protocols, which scrutiny may not import: protocols registers providers
# here (ProtocolsConfig.ready). Each must return only what is public.

_MEETING_PROVIDERS: dict[str, object] = {}


def register_public_meetings(*, upcoming, for_topic) -> None:
    """`upcoming()` -> the next published meetings; `for_topic(topic)` -> published meetings
    whose public agenda carries the topic."""
    _MEETING_PROVIDERS["upcoming"] = upcoming
    _MEETING_PROVIDERS["for_topic"] = for_topic


def next_meetings() -> list:
    provider = _MEETING_PROVIDERS.get("upcoming")
    return list(provider()) if provider else []


def related_meetings(topic) -> list:
    provider = _MEETING_PROVIDERS.get("for_topic")
    return list(provider(topic)) if provider else []
