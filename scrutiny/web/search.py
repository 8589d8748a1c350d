"""`/search/`: one search over the index (`scrutiny.casework.search`), for residents and staff.

A visitor (or a signed-in person without a staff role, or staff asking `?scope=public`) searches
what is published: `publication.entries_published()`. Staff search what they may see in their
areas: `entries_visible_to(user)`, the policy's `visible` for every kind (ADR 0011, 0019),
drafts and the exempt papers of their own meetings included, and the people of their bodies.
Both pages are the same machinery: the entries matching the words, five facets with counts
(type, area, health body, year raised or held, the topic's state), a snippet per result, pages
of 20. The page's queries do not grow with the data: facets are one grouped query each, the
page one query, the snippets one (PostgreSQL), the visible topics one (staff), people one.
docs/decisions/0033-search-everything.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from scrutiny.casework import publication, search
from scrutiny.casework.models import PUBLISHABLE_STATES, Membership, SearchKind, TopicState
from scrutiny.casework.policy import body_ids, can, topics_visible_to
from scrutiny.casework.roles import Perm
from scrutiny.web.presenters import public_state_label

PAGE_SIZE = 20
PEOPLE_LIMIT = 10

# The public words of each kind (the type facet and each result's label).
KIND_LABELS = {
    SearchKind.TOPIC: "Topic",
    SearchKind.INFORMATION_REQUEST: "Question to a health body",
    SearchKind.RECOMMENDATION: "Recommendation",
    SearchKind.RESPONSE: "Response",
    SearchKind.MEETING: "Meeting",
    SearchKind.AGENDA_ITEM: "Agenda item",
    SearchKind.PAPER: "Meeting paper",
    SearchKind.MINUTES: "Minutes",
    SearchKind.VISIT: "Enter and View report",
    SearchKind.CONSULTATION: "Service-change consultation",
}


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=200)
    type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any")] + list(SearchKind.choices)
    )
    area = forms.IntegerField(label="Area", required=False, min_value=1)
    body = forms.IntegerField(label="Health body", required=False, min_value=1)
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2200)
    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "Any")] + list(TopicState.choices)
    )

    def filters(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {k: data.get(k) for k in search.FACETS if data.get(k) not in (None, "")}


@dataclass
class Result:
    kind: str
    title: str
    url: str
    snippet: str
    where: list[str]
    about_title: str = ""
    about_url: str = ""
    meeting_url: str = ""  # a paper's or agenda item's meeting (no query: the entry has its id)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    href: str


def _url(entry, *, public: bool) -> str:
    k = entry.kind
    if k in (SearchKind.MEETING, SearchKind.AGENDA_ITEM):
        return reverse("protocols:meeting-detail", args=[entry.meeting_id])
    if k == SearchKind.PAPER:
        return reverse("protocols:paper-download", args=[entry.object_id])
    if k == SearchKind.MINUTES:
        return reverse("protocols:minutes", args=[entry.meeting_id])
    if k == SearchKind.VISIT:
        name = "public:visit" if public else "scrutiny:visit-detail"
        return reverse(name, args=[entry.object_id])
    if k == SearchKind.CONSULTATION:
        name = "public:service-change" if public else "scrutiny:consultation-detail"
        return reverse(name, args=[entry.object_id])
    name = "public:outcome" if public else "scrutiny:topic-detail"
    return reverse(name, args=[entry.topic_id])


def _topic_shown(entry, *, public: bool, visible_topics: set[int]) -> bool:
    topic = entry.topic
    if topic is None:
        return False
    if public:
        return topic.published_at is not None and topic.state in PUBLISHABLE_STATES
    return topic.pk in visible_topics


_TO = {
    SearchKind.INFORMATION_REQUEST: "Question to",
    SearchKind.RECOMMENDATION: "Recommendation to",
    SearchKind.RESPONSE: "Response from",
}


def _item_title(entry) -> str:
    if entry.kind in _TO and entry.health_body_id:
        return f"{_TO[entry.kind]} {entry.health_body.name}"
    return KIND_LABELS[entry.kind]


def _present(entries, text: str, *, public: bool, visible_topics=frozenset()) -> list[Result]:
    marks = search.snippets(entries, text)
    results = []
    for e in entries:
        shown = _topic_shown(e, public=public, visible_topics=visible_topics)
        title = e.title or _item_title(e)
        where = [
            x
            for x in (
                e.partnership.name if e.partnership_id else "",
                e.health_body.name if e.health_body_id else "",
                str(e.year),
            )
            if x
        ]
        about = shown and e.kind != SearchKind.TOPIC
        results.append(
            Result(
                kind=KIND_LABELS[e.kind],
                title=title,
                url=_url(e, public=public),
                snippet=marks.get(e.pk, ""),
                where=where,
                about_title=e.topic.title if about else "",
                about_url=(
                    reverse(
                        "public:outcome" if public else "scrutiny:topic-detail", args=[e.topic_id]
                    )
                    if about
                    else ""
                ),
                meeting_url=(
                    reverse("protocols:meeting-detail", args=[e.meeting_id])
                    if e.kind in (SearchKind.PAPER, SearchKind.MINUTES) and e.meeting_id
                    else ""
                ),
            )
        )
    return results


def _facets(request, counts, filters, *, public: bool) -> dict[str, list[FacetValue]]:
    """Each facet's values as links that add (or, selected, remove) that filter."""
    out = {}
    for name, rows in counts.items():
        values = []
        for value, label, n in rows:
            if name == "type":
                label = KIND_LABELS[value]
            elif name == "state":
                label = public_state_label(value) if public else TopicState(value).label
            elif name == "year":
                label = str(value)
            selected = str(filters.get(name, "")) == str(value)
            params = request.GET.copy()
            params.pop("page", None)
            if selected:
                params.pop(name, None)
            else:
                params[name] = value
            values.append(FacetValue(str(value), label, n, selected, "?" + params.urlencode()))
        out[name] = values
    return out


FACET_TITLES = {
    "type": "Type",
    "area": "Area",
    "body": "Health body",
    "year": "Year",
    "state": "State of the topic",
}


def _run(request, entries, *, public: bool, user=None):
    form = SearchForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # an invalid filter is reported and ignored; valid ones still apply
    data = getattr(form, "cleaned_data", {})
    text = (data.get("q") or "").strip()
    filters = form.filters() if form.is_bound else {}
    context = {"form": form, "text": text, "public": public, "searched": bool(text)}
    if not text:
        return context
    matches = search.entries_matching(text, entries)
    counts = search.facet_counts(matches, filters, public=public)
    ordered = search.entries_search(search.entries_filtered(entries, filters, public=public), text)
    ordered = ordered.select_related("topic", "partnership", "health_body")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    visible_topics: set[int] = set()
    if not public:
        ids = {e.topic_id for e in rows if e.topic_id}
        visible_topics = set(
            topics_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        )
    page.object_list = _present(rows, text, public=public, visible_topics=visible_topics)
    params = request.GET.copy()
    params.pop("page", None)
    context.update(
        page_obj=page,
        query_string=params.urlencode(),
        facets=[
            (name, FACET_TITLES[name], values)
            for name, values in _facets(request, counts, filters, public=public).items()
            if values
        ],
        filters=filters,
    )
    return context


def _people(user, text: str) -> list:
    """The people of the user's own bodies whose name or username has every word (one query)."""
    bodies = body_ids(user, Perm.STAFF_PAGES)
    words = [w for w in text.split()[: search.MAX_WORDS] if w]
    if not bodies or not words:
        return []
    qs = Membership.objects.filter(organisation__in=bodies, user__is_active=True)
    for w in words:
        qs = qs.filter(
            Q(user__first_name__icontains=w)
            | Q(user__last_name__icontains=w)
            | Q(user__username__icontains=w)
        )
    return list(
        qs.select_related("user", "organisation").order_by(
            "user__last_name", "user__first_name", "user__username", "organisation__name"
        )[:PEOPLE_LIMIT]
    )


def _is_staff(user) -> bool:
    return user.is_authenticated and can(user, Perm.STAFF_PAGES)


def _public_search(request):
    # Not cached: a search's words are the reader's own (few repeats), and its results span
    # every kind, whose publication moves are not all under one cache scope — a cached page
    # could show a report withdrawn since. The page is a fixed handful of indexed queries.
    context = _run(request, publication.entries_published(), public=True)
    context["scope_public"] = request.GET.get("scope") == "public"
    return render(request, "public/search.html", context)


def _staff_search(request):
    user = request.user
    context = _run(request, search.entries_visible_to(user), public=False, user=user)
    context["people"] = _people(user, context["text"]) if context["text"] else []
    return render(request, "scrutiny/search.html", context)


@require_GET
def search_page(request):
    if _is_staff(request.user) and request.GET.get("scope") != "public":
        return _staff_search(request)
    return _public_search(request)
