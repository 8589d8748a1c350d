"""Search: one index of what topics, requests, recommendations, responses (with their action
plans), Enter and View reports, service-change consultations and, registered by `protocols`,
meetings, agenda items, papers and minutes say.

Each searchable object has one `SearchEntry` row (its kind and id, its topic, partnership, health
body, the year its topic was raised, whether the object itself may be shown, its title and text),
and on PostgreSQL a stored, weighted `tsvector` with a GIN index, so a search is an index scan
rather than `to_tsvector` over every row. The services call `search_index(...)` in the same
transaction as the change that alters what an object says or whether it may be shown; `manage.py
search_reindex` rebuilds the lot (or fills in what is missing) in batches.

A topic's publication is *not* copied into the index: public search joins the entries to
`topics_published()`, so publishing or withdrawing a topic needs no reindex and nothing in the
index can outlive a withdrawal. See docs/decisions/0020-search.md.

Every kind of entry belongs to a registered `Source` (docs/decisions/0033-search-everything.md):
what of it the public may see, what a person may see (the policy's `visible`), and how to
rebuild it. The casework registers its kinds here; `protocols.search` registers the meeting
kinds when its app is ready, so this layer never imports the one above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from scrutiny.casework.models import (
    PUBLISHABLE_STATES,
    TOPIC_KINDS,
    ActionPlanItem,
    Consultation,
    InformationRequest,
    ProviderResponse,
    Recommendation,
    SearchEntry,
    SearchKind,
    Topic,
    Visit,
)
from scrutiny.casework.policy import (
    consultations_visible_to,
    recommendations_visible_to,
    requests_visible_to,
    topics_visible_to,
    visible,
)

CONFIG = "english"
MAX_WORDS = 20  # the fallback's words; PostgreSQL parses the whole query itself
BATCH = 500
MAX_TEXT = 100_000  # characters of one entry's text (a long paper is indexed from its start)
# Kinds whose own text weighs like a topic's (B); the rest, parts of something, weigh C.
_WEIGHT_B = {SearchKind.TOPIC, SearchKind.VISIT, SearchKind.CONSULTATION, SearchKind.MEETING}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

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


def partnerships_of_bodies(body_ids: Iterable[int]) -> dict[int, int]:
    """Each body's partnership (the area facet): the one it is the network of, or a committee
    of; the lowest id where a committee serves several. Two queries for any number of bodies."""
    body_ids = set(body_ids) - {None}
    if not body_ids:
        return {}
    from scrutiny.casework.models import Partnership

    found: dict[int, int] = {}
    rows = list(
        Partnership.objects.filter(involvement_network__in=body_ids)
        .order_by("-pk")
        .values_list("involvement_network_id", "pk")
    ) + list(
        Partnership.scrutiny_committees.through.objects.filter(organisation_id__in=body_ids)
        .order_by("-partnership_id")
        .values_list("organisation_id", "partnership_id")
    )
    for body_id, partnership_id in rows:
        found[body_id] = min(partnership_id, found.get(body_id, partnership_id))
    return found


def _visit_entry(visit: Visit, partnership_id: int | None) -> SearchEntry:
    """What a published report shows residents: never its team, the provider's accuracy
    comments or any safeguarding concern (those are not in the entry at all)."""
    return SearchEntry(
        kind=SearchKind.VISIT,
        object_id=visit.pk,
        topic_id=None,
        partnership_id=partnership_id,
        health_body_id=visit.site.body_id,
        year=(visit.carried_out_on or visit.planned_for).year,
        public=True,  # its publicity is its state, read at query time (`Visit.published`)
        title=f"Enter and View: {visit.site.name}"[:300],
        text=_join(visit.purpose, visit.findings, visit.report, visit.response),
    )


def _consultation_entry(consultation: Consultation, partnership_id, documents=()) -> SearchEntry:
    """What the public service-change pages show (the proposal, who it affects, the committee's
    view and comments, the body's decision and reasons, the documents' titles)."""
    return SearchEntry(
        kind=SearchKind.CONSULTATION,
        object_id=consultation.pk,
        topic_id=None,
        partnership_id=partnership_id,
        health_body_id=consultation.body_id,
        year=consultation.received_on.year,
        public=True,  # public once assessed (`Consultation.public`), read at query time
        title=consultation.title[:300],
        text=_join(
            consultation.what_changes,
            consultation.who_is_affected,
            consultation.assessment_reason,
            consultation.comments,
            consultation.decision,
            consultation.decision_reasons,
            *documents,
        ),
    )


# --- Writing ---------------------------------------------------------------------------------


def _store(entries: list[SearchEntry]) -> None:
    """Insert or replace `entries` (one per (kind, object id)) and, on PostgreSQL, compute their
    vectors in the database: title weight A, a topic's own text B, everything else C."""
    if not entries:
        return
    for e in entries:
        # PostgreSQL text holds no NUL; text extracted from files may carry any control byte.
        e.title = _CONTROL.sub(" ", e.title or "")[:300]
        e.text = _CONTROL.sub(" ", e.text or "")[:MAX_TEXT]
    SearchEntry.objects.bulk_create(
        entries,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=[
            "topic",
            "meeting_id",
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
        weight = "B" if kind in _WEIGHT_B else "C"
        SearchEntry.objects.filter(kind=kind, object_id__in=ids).update(
            vector=SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("text", weight=weight, config=CONFIG)
        )


def search_store(entries: list[SearchEntry]) -> None:
    """Insert or replace entries built by another layer's source (`protocols.search`), in the
    caller's transaction."""
    _store(list(entries))


def search_remove(kind: str, object_ids: Iterable[int]) -> None:
    SearchEntry.objects.filter(kind=kind, object_id__in=list(object_ids)).delete()


def search_index(*objects) -> None:
    """Index (again) these topics, requests, recommendations, responses, visits and
    consultations, in the caller's transaction. A response's entry needs its item and topic; a
    correction re-indexes the answer it supersedes too, which leaves the public record."""
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
        elif isinstance(obj, Visit):
            area = partnerships_of_bodies([obj.network_id]).get(obj.network_id)
            entries.append(_visit_entry(obj, area))
        elif isinstance(obj, Consultation):
            area = partnerships_of_bodies([obj.committee_id]).get(obj.committee_id)
            documents = obj.documents.values_list("title", flat=True)
            entries.append(_consultation_entry(obj, area, documents))
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


def _index_visits(ids) -> int:
    visits = list(Visit.all_objects.filter(pk__in=ids).select_related("site"))
    areas = partnerships_of_bodies(v.network_id for v in visits)
    _store([_visit_entry(v, areas.get(v.network_id)) for v in visits])
    return len(visits)


def _index_consultations(ids) -> int:
    from scrutiny.casework.models import ConsultationDocument

    consultations = list(Consultation.all_objects.filter(pk__in=ids))
    areas = partnerships_of_bodies(c.committee_id for c in consultations)
    documents: dict[int, list[str]] = {}
    for cid, title in ConsultationDocument.objects.filter(consultation__in=ids).values_list(
        "consultation_id", "title"
    ):
        documents.setdefault(cid, []).append(title)
    _store(
        [
            _consultation_entry(c, areas.get(c.committee_id), documents.get(c.pk, ()))
            for c in consultations
        ]
    )
    return len(consultations)


# --- Sources: what of each kind may be shown, and how it is rebuilt ----------------------------


@dataclass(frozen=True)
class Source:
    """The kinds one layer writes. `public()`: a Q over `SearchEntry` of the entries anyone may
    see; `visible(actor)`: those the actor may (the policy's `visible`, ADR 0011/0019);
    `rows()`: a queryset of the source's objects (ordered by pk) to rebuild from, and
    `index(ids)` the function that (re)writes their entries, returning how many it wrote;
    `kind`: the kind whose entry marks an object (or topic) as indexed, for `--missing`."""

    name: str
    kinds: tuple[str, ...]
    public: Callable[[], Q]
    visible: Callable[[object], Q]
    rows: Callable[[], object]
    index: Callable[[list[int]], int]
    kind: str


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.name] = source


def _ids_q(kind: str, qs) -> Q:
    return Q(kind=kind, object_id__in=qs.values("pk"))


def _topics_public() -> Q:
    # The topic's publication, read live (ADR 0020); an object's own publicity in `public`.
    return Q(
        kind__in=TOPIC_KINDS,
        public=True,
        topic__published_at__isnull=False,
        topic__state__in=PUBLISHABLE_STATES,
    )


def _topics_visible(actor) -> Q:
    # Each kind through its own rule: a responder sees the topics asked of their body, never
    # another body's drafts on the same topic.
    return (
        _ids_q(SearchKind.TOPIC, topics_visible_to(actor))
        | _ids_q(SearchKind.INFORMATION_REQUEST, requests_visible_to(actor))
        | _ids_q(SearchKind.RECOMMENDATION, recommendations_visible_to(actor))
        | _ids_q(SearchKind.RESPONSE, visible(actor, ProviderResponse.objects.all()))
    )


register(
    Source(
        name="topics",
        kinds=TOPIC_KINDS,
        public=_topics_public,
        visible=_topics_visible,
        rows=lambda: Topic.objects.order_by("pk"),
        index=search_index_topics,
        kind=SearchKind.TOPIC,
    )
)
register(
    Source(
        name="visits",
        kinds=(SearchKind.VISIT,),
        public=lambda: _ids_q(SearchKind.VISIT, Visit.all_objects.published()),
        visible=lambda actor: _ids_q(SearchKind.VISIT, visible(actor, Visit.all_objects.all())),
        rows=lambda: Visit.all_objects.order_by("pk"),
        index=_index_visits,
        kind=SearchKind.VISIT,
    )
)
register(
    Source(
        name="consultations",
        kinds=(SearchKind.CONSULTATION,),
        public=lambda: _ids_q(SearchKind.CONSULTATION, Consultation.all_objects.public()),
        visible=lambda actor: _ids_q(SearchKind.CONSULTATION, consultations_visible_to(actor)),
        rows=lambda: Consultation.all_objects.order_by("pk"),
        index=_index_consultations,
        kind=SearchKind.CONSULTATION,
    )
)


def search_reindex(
    *, only_missing: bool = False, batch: int = BATCH, progress=None, sources=None
) -> int:
    """Rebuild the index source by source, `batch` objects (topics, visits, meetings…) per
    round, each round in its own transaction (memory stays flat with the data; no lock is held
    for long). `only_missing`: only objects without an entry of their own (the backfill after
    migrating). `sources`: the names of the sources to rebuild (default all)."""
    written = 0
    for source in SOURCES.values():
        if sources and source.name not in sources:
            continue
        rows = source.rows()
        if only_missing:
            rows = rows.exclude(
                pk__in=SearchEntry.objects.filter(kind=source.kind).values("object_id")
            )
        last = 0
        while True:
            ids = list(rows.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
            if not ids:
                break
            with transaction.atomic():
                written += source.index(ids)
            last = ids[-1]
            if progress:
                progress(source.name, last, written)
    return written


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
    # Only the casework's own kinds: the meeting kinds' `public` is always true (their source
    # decides at query time), so an exempt paper on a topic must not find it here.
    entries = SearchEntry.objects.filter(kind__in=TOPIC_KINDS)
    if public:
        entries = entries.filter(public=True)
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


# --- Searching everything: entries, facets, snippets -------------------------------------------

# The facets, each a column of the entry (the state is its topic's, for entries about a topic).
FACETS = {
    "type": "kind",
    "area": "partnership_id",
    "body": "health_body_id",
    "year": "year",
    "state": "topic__state",
}
_FACET_LABELS = {"area": "partnership__name", "body": "health_body__name"}
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_CHARS = 240


def entries_public():
    """The entries anyone may see: each source's public rule, read live."""
    return SearchEntry.objects.filter(reduce(or_, (s.public() for s in SOURCES.values())))


def entries_visible_to(actor):
    """The entries `actor` may see, each kind through the policy (`visible`), drafts and exempt
    papers included where the person may open them. Nothing for an inactive person."""
    return SearchEntry.objects.filter(reduce(or_, (s.visible(actor) for s in SOURCES.values())))


def entries_anonymous():
    """What a visitor sees through the policy (the check that `public` matches it)."""
    return entries_visible_to(AnonymousUser())


def _published_topic() -> Q:
    return Q(topic__published_at__isnull=False, topic__state__in=PUBLISHABLE_STATES)


def entries_filtered(entries, filters: dict, *, public: bool = False):
    """Entries narrowed by facet values (`filters`: facet name → value; unknown names and empty
    values are ignored). `public`: the state facet counts only published topics' states (a
    public paper on an unpublished topic says nothing of that topic)."""
    for name, value in filters.items():
        if name in FACETS and value not in (None, ""):
            entries = entries.filter(**{FACETS[name]: value})
            if public and name == "state":
                entries = entries.filter(_published_topic())
    return entries


def facet_counts(matches, filters: dict, *, public: bool = False) -> dict[str, list[tuple]]:
    """For each facet, its values among `matches` with their counts, each facet counted under
    the other facets' filters (so a reader can switch a value): one grouped query per facet.
    Rows are (value, label, count); the label is the area's or body's name, else None."""
    counts = {}
    for name, column in FACETS.items():
        others = {k: v for k, v in filters.items() if k != name}
        qs = entries_filtered(matches, others, public=public).exclude(**{f"{column}__isnull": True})
        if public and name == "state":
            qs = qs.filter(_published_topic())
        label = _FACET_LABELS.get(name)
        fields = [column, label] if label else [column]
        rows = qs.order_by().values(*fields).annotate(n=Count("pk")).order_by(*fields)
        counts[name] = [(r[column], r[label] if label else None, r["n"]) for r in rows]
    return counts


def entries_search(entries, text: str):
    """`entries` matching `text`, best first: PostgreSQL ranks by `ts_rank` on the stored
    vector; elsewhere the newest year first."""
    text = (text or "").strip()
    matches = entries_matching(text, entries) if text else entries
    if text and connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config=CONFIG)
        return matches.annotate(rank=SearchRank(F("vector"), query)).order_by("-rank", "-id")
    return matches.order_by("-year", "-id")


def _marked(fragment: str) -> SafeString:
    """Escape a fragment whose matches are between MARK_START and MARK_END, and mark them."""
    html = escape(fragment).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # every character of the text was escaped above


def _fallback_snippet(body: str, text: str) -> SafeString:
    words = [w for w in _words(text) if w]
    if not words:
        return _marked(body[:SNIPPET_CHARS])
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    found = pattern.search(body)
    start = max(0, found.start() - SNIPPET_CHARS // 3) if found else 0
    window = body[start : start + SNIPPET_CHARS]
    window = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", window)
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_CHARS < len(body) else ""
    return _marked(f"{prefix}{window}{suffix}")


def snippets(entries: list[SearchEntry], text: str) -> dict[int, SafeString]:
    """A short extract of each entry's text around what matched, matches in <mark>: PostgreSQL's
    `ts_headline` (stemmed, like the search) for just these entries, in one query; elsewhere
    the first place a word appears. HTML-escaped."""
    text = (text or "").strip()
    if not entries:
        return {}
    if not text or connection.vendor != "postgresql":
        return {e.pk: _fallback_snippet(e.text, text) for e in entries}
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    rows = (
        SearchEntry.objects.filter(pk__in=[e.pk for e in entries])
        .annotate(
            snippet=SearchHeadline(
                "text",
                query,
                config=CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "snippet")
    )
    return {pk: _marked(snippet or "") for pk, snippet in rows}
