"""Search: one index of what topics, requests, recommendations and responses say.

Each searchable object has one `SearchEntry` row (its kind and id, its topic, partnership, health
body, the year its topic was raised, whether the object itself may be shown, its title and text),
and on PostgreSQL a stored, weighted `tsvector` with a GIN index, so a search is an index scan
rather than `to_tsvector` over every row. The services call `search_index(...)` in the same
transaction as the change that alters what an object says or whether it may be shown; `manage.py
search_reindex` rebuilds the lot (or fills in what is missing) in batches.

A topic's publication is *not* copied into the index: public search joins the entries to
`topics_published()`, so publishing or withdrawing a topic needs no reindex and nothing in the
index can outlive a withdrawal. See docs/decisions/0020-search.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery

from scrutiny.casework.models import (
    ActionPlanItem,
    InformationRequest,
    ProviderResponse,
    Recommendation,
    SearchEntry,
    SearchKind,
    Topic,
)

CONFIG = "english"
MAX_WORDS = 20  # the fallback's words; PostgreSQL parses the whole query itself
BATCH = 500

_KINDS = {
    Topic: SearchKind.TOPIC,
    InformationRequest: SearchKind.INFORMATION_REQUEST,
    Recommendation: SearchKind.RECOMMENDATION,
    ProviderResponse: SearchKind.RESPONSE,
}


def _join(*parts) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


# --- Building entries (pure: every related row is passed in) ---------------------------------


def _topic_entry(topic: Topic) -> SearchEntry:
    return SearchEntry(
        kind=SearchKind.TOPIC,
        object_id=topic.pk,
        topic_id=topic.pk,
        partnership_id=topic.partnership_id,
        health_body_id=None,
        year=topic.created_at.year,
        public=True,
        title=topic.title[:300],
        # Only the fields the outcome page shows (never scores or their notes).
        text=_join(
            topic.summary,
            topic.outcome_summary,
            topic.decision_reason,
            topic.close_without_response_reason,
        ),
    )


def _item_entry(item, topic: Topic) -> SearchEntry:
    rationale = getattr(item, "rationale", "")
    return SearchEntry(
        kind=_KINDS[type(item)],
        object_id=item.pk,
        topic_id=topic.pk,
        partnership_id=topic.partnership_id,
        health_body_id=item.recipient_id,
        year=topic.created_at.year,
        public=item.issued_on is not None,  # drafts are never public
        title="",
        text=_join(item.body_text, rationale, item.withdrawal_reason),
    )


def _response_entry(response, item, topic: Topic, *, current: bool, actions=()) -> SearchEntry:
    return SearchEntry(
        kind=SearchKind.RESPONSE,
        object_id=response.pk,
        topic_id=topic.pk,
        partnership_id=topic.partnership_id,
        health_body_id=response.organisation_id,
        year=topic.created_at.year,
        # A superseded answer is off the public record (its correction may be why).
        public=current and item.issued_on is not None,
        title="",
        text=_join(response.text, response.correction_reason, *actions),
    )


# --- Writing ---------------------------------------------------------------------------------


def _store(entries: list[SearchEntry]) -> None:
    """Insert or replace `entries` (one per (kind, object id)) and, on PostgreSQL, compute their
    vectors in the database: title weight A, a topic's own text B, everything else C."""
    if not entries:
        return
    SearchEntry.objects.bulk_create(
        entries,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=[
            "topic",
            "partnership",
            "health_body",
            "year",
            "public",
            "title",
            "text",
            "updated_at",
        ],
    )
    if connection.vendor != "postgresql":
        return
    by_kind: dict[str, list[int]] = {}
    for e in entries:
        by_kind.setdefault(e.kind, []).append(e.object_id)
    for kind, ids in by_kind.items():
        weight = "B" if kind == SearchKind.TOPIC else "C"
        SearchEntry.objects.filter(kind=kind, object_id__in=ids).update(
            vector=SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("text", weight=weight, config=CONFIG)
        )


def search_index(*objects) -> None:
    """Index (again) these topics, requests, recommendations and responses, in the caller's
    transaction. A response's entry needs its item and topic; a correction re-indexes the answer
    it supersedes too, which leaves the public record."""
    entries = []
    for obj in objects:
        if isinstance(obj, Topic):
            entries.append(_topic_entry(obj))
        elif isinstance(obj, InformationRequest | Recommendation):
            entries.append(_item_entry(obj, obj.topic))
        elif isinstance(obj, ProviderResponse):
            item = obj.information_request or obj.recommendation
            current = not ProviderResponse.objects.filter(supersedes=obj).exists()
            actions = obj.action_plan.values_list("action", flat=True)
            entries.append(_response_entry(obj, item, item.topic, current=current, actions=actions))
            if obj.supersedes_id:
                entries.extend(
                    _response_entry(old, item, item.topic, current=False)
                    for old in ProviderResponse.objects.filter(pk=obj.supersedes_id)
                )
        else:
            raise TypeError(f"Not searchable: {type(obj).__name__}")
    _store(entries)


def search_unindex(obj) -> None:
    """Remove a deleted object's entry (a draft deleted before it was sent)."""
    SearchEntry.objects.filter(kind=_KINDS[type(obj)], object_id=obj.pk).delete()


def search_index_topics(topic_ids: Iterable[int]) -> int:
    """Rebuild the entries of these topics and everything under them, in a fixed number of
    queries for the batch; returns the number of entries written."""
    topic_ids = list(topic_ids)
    topics = {t.pk: t for t in Topic.objects.filter(pk__in=topic_ids)}
    entries = [_topic_entry(t) for t in topics.values()]
    items = {}
    for model in (InformationRequest, Recommendation):
        for item in model.all_objects.filter(topic_id__in=topic_ids):
            items[(model, item.pk)] = item
            entries.append(_item_entry(item, topics[item.topic_id]))
    responses = list(
        ProviderResponse.objects.filter(
            Q(information_request__topic_id__in=topic_ids)
            | Q(recommendation__topic_id__in=topic_ids)
        )
    )
    superseded = {r.supersedes_id for r in responses if r.supersedes_id}
    actions: dict[int, list[str]] = {}
    for response_id, action in ActionPlanItem.objects.filter(
        response__in=[r.pk for r in responses]
    ).values_list("response_id", "action"):
        actions.setdefault(response_id, []).append(action)
    for r in responses:
        if r.information_request_id:
            item = items[(InformationRequest, r.information_request_id)]
        else:
            item = items[(Recommendation, r.recommendation_id)]
        entries.append(
            _response_entry(
                r,
                item,
                topics[item.topic_id],
                current=r.pk not in superseded,
                actions=actions.get(r.pk, ()),
            )
        )
    _store(entries)
    return len(entries)


def search_reindex(*, only_missing: bool = False, batch: int = BATCH, progress=None) -> int:
    """Rebuild the index topic by topic, `batch` topics per round, each round in its own
    transaction (memory stays flat with the data; no lock is held for long). `only_missing`:
    only topics without an entry of their own (the backfill after migrating)."""
    topics = Topic.objects.order_by("pk")
    if only_missing:
        topics = topics.exclude(
            pk__in=SearchEntry.objects.filter(kind=SearchKind.TOPIC).values("object_id")
        )
    written, last = 0, 0
    while True:
        ids = list(topics.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        if not ids:
            return written
        with transaction.atomic():
            written += search_index_topics(ids)
        last = ids[-1]
        if progress:
            progress(last, written)


# --- Reading ---------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w.strip('"') for w in text.split()[:MAX_WORDS] if w.strip('"')]


def entries_matching(text: str, entries=None):
    """The entries (of `entries`, default all) matching `text`. PostgreSQL: full-text search
    on the stored vectors (English stemming; websearch syntax: "quoted phrases", or,
    -exclusions). Elsewhere: every word appears in the entry's title or text, ignoring case."""
    entries = SearchEntry.objects.all() if entries is None else entries
    if connection.vendor == "postgresql":
        return entries.filter(vector=SearchQuery(text, search_type="websearch", config=CONFIG))
    for word in _words(text):
        entries = entries.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return entries


def topics_search(qs, text: str, *, public: bool = True):
    """Topics of `qs` with an entry matching `text` — the topic's own text, or one of its
    requests, recommendations or responses (only the public ones when `public`) — best match
    first (PostgreSQL: the best-ranked entry of each topic; elsewhere newest first)."""
    text = (text or "").strip()
    if not text:
        return qs
    entries = SearchEntry.objects.filter(public=True) if public else SearchEntry.objects.all()
    matches = entries_matching(text, entries)
    qs = qs.filter(pk__in=matches.values("topic_id"))
    if connection.vendor != "postgresql":
        return qs.order_by("-published_at", "-id")
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    best = (
        matches.filter(topic_id=OuterRef("pk"))
        .annotate(r=SearchRank(F("vector"), query))
        .order_by("-r")
        .values("r")[:1]
    )
    return qs.annotate(rank=Subquery(best)).order_by("-rank", "-published_at", "-id")
