"""The meeting kinds of the search index: meetings, agenda items, papers (their text) and minutes.

`scrutiny.casework.search` holds the index and may not import this layer; this module builds
the entries of `protocols` objects and registers their `Source` (what the public may see, what a
person may see, how to rebuild) when the app is ready (`ProtocolsConfig.ready`). The services
call `index_meeting` wherever an agenda changes (`_touch`), and `index_paper` when a paper is
uploaded, which is when its text is extracted (`protocols.paper_text`). Whether an entry may be
shown is read at query time from the policy — a published agenda, a non-exempt item, published
minutes — so publishing an agenda or minutes needs no reindex.
See docs/decisions/0033-search-everything.md.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from protocols.models import MS, AgendaItem, Meeting, Minutes, Paper
from protocols.paper_text import paper_text
from scrutiny.casework.models import SearchEntry, SearchKind
from scrutiny.casework.policy import visible
from scrutiny.casework.search import (
    Source,
    partnerships_of_bodies,
    register,
    search_store,
)


def _join(*parts) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _areas(meetings) -> dict[int, int | None]:
    """Each meeting's partnership: its own (a joint meeting) or its body's."""
    bodies = partnerships_of_bodies(m.body_id for m in meetings if m.body_id)
    return {m.pk: m.partnership_id or bodies.get(m.body_id) for m in meetings}


def _entry(kind, obj_id, meeting, area, *, title, text, topic_id=None) -> SearchEntry:
    return SearchEntry(
        kind=kind,
        object_id=obj_id,
        topic_id=topic_id,
        meeting_id=meeting.pk,
        partnership_id=area,
        health_body_id=None,
        year=meeting.date.year,
        public=True,  # the policy says at query time (a published agenda, not exempt…)
        title=title[:300],
        text=text,
    )


def _meeting_entry(meeting, area) -> SearchEntry:
    return _entry(
        SearchKind.MEETING,
        meeting.pk,
        meeting,
        area,
        title=meeting.title,
        text=_join(meeting.place, meeting.cancellation_reason),
    )


def _item_entry(item, meeting, area) -> SearchEntry:
    # Not its decision: that is public with the minutes (the minutes' entry holds it).
    return _entry(
        SearchKind.AGENDA_ITEM,
        item.pk,
        meeting,
        area,
        title=item.title,
        text=_join(item.summary, item.presenter, item.late_reason),
        topic_id=item.topic_id,
    )


def _minutes_entry(minutes, meeting, area, items) -> SearchEntry:
    # The decisions of the items anyone may read; an exempt item's decision stays out.
    decisions = [f"{it.title}: {it.decision}" for it in items if it.decision and not it.exempt]
    return _entry(
        SearchKind.MINUTES,
        minutes.pk,
        meeting,
        area,
        title=f"Minutes: {meeting.title}",
        text=_join(minutes.introduction, *decisions),
    )


def _paper_entry(paper, item, meeting, area, text: str) -> SearchEntry:
    return _entry(
        SearchKind.PAPER,
        paper.pk,
        meeting,
        area,
        title=paper.title,
        text=text,
        topic_id=item.topic_id,
    )


# --- Writing (in the services' transactions) -------------------------------------------------


def index_meetings(ids) -> int:
    """(Re)write the entries of these meetings, their agenda items and minutes, and bring their
    papers' topic, year and area up to date (a paper's text is extracted once, on upload)."""
    meetings = list(Meeting.objects.filter(pk__in=list(ids)))
    areas = _areas(meetings)
    by_meeting = {m.pk: m for m in meetings}
    items: dict[int, list] = defaultdict(list)
    for item in AgendaItem.objects.filter(meeting__in=by_meeting).order_by("position", "id"):
        items[item.meeting_id].append(item)
    entries = [_meeting_entry(m, areas[m.pk]) for m in meetings]
    for meeting_id, its in items.items():
        meeting = by_meeting[meeting_id]
        entries.extend(_item_entry(it, meeting, areas[meeting_id]) for it in its)
    for minutes in Minutes.objects.filter(meeting__in=by_meeting):
        meeting = by_meeting[minutes.meeting_id]
        entries.append(_minutes_entry(minutes, meeting, areas[meeting.pk], items[meeting.pk]))
    search_store(entries)
    # Papers: one UPDATE per (meeting, topic) — a handful — never their text again.
    item_topic = {it.pk: (it.meeting_id, it.topic_id) for its in items.values() for it in its}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for paper_id, item_id in Paper.objects.filter(item__meeting__in=by_meeting).values_list(
        "pk", "item_id"
    ):
        groups[item_topic[item_id]].append(paper_id)
    for (meeting_id, topic_id), paper_ids in groups.items():
        meeting = by_meeting[meeting_id]
        SearchEntry.objects.filter(kind=SearchKind.PAPER, object_id__in=paper_ids).update(
            topic_id=topic_id, year=meeting.date.year, partnership_id=areas[meeting_id]
        )
    return len(entries)


def index_meeting(meeting) -> None:
    index_meetings([meeting.pk])


def index_papers(ids) -> int:
    """(Re)write these papers' entries, extracting their text from the files again."""
    papers = list(Paper.objects.filter(pk__in=list(ids)).select_related("item__meeting"))
    areas = _areas({p.item.meeting for p in papers})
    search_store(
        _paper_entry(p, p.item, p.item.meeting, areas[p.item.meeting_id], paper_text(p))
        for p in papers
    )
    return len(papers)


def index_paper(paper) -> None:
    index_papers([paper.pk])


# --- Sources ---------------------------------------------------------------------------------


def _ids(kind, qs):
    return Q(kind=kind, object_id__in=qs.values("pk"))


def _meetings_visible(actor):
    return _ids(SearchKind.MEETING, visible(actor, Meeting.objects.all()))


def _items_visible(actor):
    return _ids(SearchKind.AGENDA_ITEM, visible(actor, AgendaItem.objects.all()))


def _papers_visible(actor):
    return _ids(SearchKind.PAPER, visible(actor, Paper.objects.all()))


def _minutes_visible(actor):
    return _ids(SearchKind.MINUTES, visible(actor, Minutes.objects.all()))


def _public(rule):
    return lambda: rule(AnonymousUser())


def register_sources() -> None:
    register(
        Source(
            name="meetings",
            kinds=(SearchKind.MEETING, SearchKind.AGENDA_ITEM, SearchKind.MINUTES),
            public=lambda: (
                _ids(SearchKind.MEETING, Meeting.objects.published())
                | _public(_items_visible)()
                | _ids(SearchKind.MINUTES, Minutes.objects.filter(state=MS.PUBLISHED))
            ),
            visible=lambda actor: (
                _meetings_visible(actor) | _items_visible(actor) | _minutes_visible(actor)
            ),
            rows=lambda: Meeting.objects.order_by("pk"),
            index=index_meetings,
            kind=SearchKind.MEETING,
        )
    )
    register(
        Source(
            name="papers",
            kinds=(SearchKind.PAPER,),
            public=_public(_papers_visible),
            visible=_papers_visible,
            rows=lambda: Paper.objects.order_by("pk"),
            index=index_papers,
            kind=SearchKind.PAPER,
        )
    )
