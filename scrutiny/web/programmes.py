"""The work programme by municipal year, on staff and public pages, and the public "who is who"
of a committee or network. The web layer composes joint working (programmes, seats, meetings)
with the casework (topics, and which of them are public), as `scrutiny.web.meetings` does."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Q
from django.utils import timezone

from protocols import selectors as joint
from protocols import services as joint_services
from protocols.models import CommitteeSeat, Meeting, MeetingState, WorkProgramme
from scrutiny.casework import publication
from scrutiny.casework.models import Organisation, Partnership
from scrutiny.web.presenters import public_state_label

year_label = joint_services.year_label

WHO_IS_WHO_KINDS = (Organisation.Kind.SCRUTINY_COMMITTEE, Organisation.Kind.INVOLVEMENT_NETWORK)


def current_year() -> int:
    return joint_services.municipal_year_of(timezone.localdate())


def year_from(value, default: int | None = None) -> int:
    """The `?year=` of a page: the current municipal year when absent, InvalidInput (400) when
    it is not a year."""
    if value in (None, ""):
        return default if default is not None else current_year()
    return joint_services.check_year(value)


def year_choices(partnership: Partnership, year: int, now: int) -> list[tuple[int, str]]:
    """The years a chooser offers: those with a programme, the shown one, this one (`now`) and
    the next."""
    years = {*joint.programme_years(partnership), year, now, now + 1}
    return [(y, joint_services.year_label(y)) for y in sorted(years, reverse=True)]


@dataclass
class MeetingGroup:
    meeting: Meeting | None
    entries: list
    # On public pages: whether the meeting may be named (its agenda is published).
    named: bool = True


def _groups(entries) -> list[MeetingGroup]:
    return [
        MeetingGroup(meeting, list(rows))
        for meeting, rows in groupby(entries, key=lambda e: e.meeting)
    ]


@dataclass
class YearProgramme:
    """A partnership's programme for one year as its staff see it."""

    partnership: Partnership
    year: int
    programme: WorkProgramme | None
    groups: list[MeetingGroup] = field(default_factory=list)
    scheduled: int = 0
    meetings: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return joint_services.year_label(self.year)

    @property
    def over_capacity(self) -> int:
        if self.programme is None:
            return 0
        return max(self.scheduled - self.programme.planned_capacity, 0)

    @property
    def left(self) -> int:
        if self.programme is None:
            return 0
        return max(self.programme.planned_capacity - self.scheduled, 0)


def year_programme(partnership: Partnership, year: int) -> YearProgramme:
    """The staff view: every topic on the programme (staff of the partnership see its topics
    whether published or not), grouped by target meeting, and the meetings one may target."""
    programme = joint.work_programme_of(partnership, year)
    if programme is None:
        return YearProgramme(partnership, year, None)
    entries = list(joint.programme_entries(programme))
    first, last = joint_services.municipal_year_bounds(year)
    return YearProgramme(
        partnership,
        year,
        programme,
        groups=_groups(entries),
        scheduled=len(entries),
        meetings=list(joint.programme_meetings(programme, first, last)),
    )


# --- Public ---------------------------------------------------------------------------------


@dataclass
class PublicProgramme:
    partnership: Partnership
    year: int
    programme: WorkProgramme | None
    groups: list[MeetingGroup] = field(default_factory=list)
    shown: int = 0
    not_yet_public: int = 0

    @property
    def label(self) -> str:
        return joint_services.year_label(self.year)


def _public_entries(programmes):
    """The entries of `programmes` whose topic is public, and how many others each has."""
    public_ids = publication.topics_published().values("pk")
    rows = (
        joint.programme_entries_of(programmes)
        .filter(topic__in=public_ids)
        .select_related("topic__lead_body", "meeting")
    )
    hidden = dict(
        WorkProgramme.objects.filter(pk__in=[p.pk for p in programmes])
        .annotate(n=Count("entries", filter=~Q(entries__topic__in=public_ids)))
        .values_list("pk", "n")
    )
    rows = list(rows)
    for entry in rows:
        entry.public_state = public_state_label(entry.topic.state)
    return rows, hidden


def _public_groups(entries) -> list[MeetingGroup]:
    """By target meeting: a meeting is named only once its agenda is published; the others
    (and topics with no meeting yet) are grouped without a name."""
    named = [e for e in entries if e.meeting and e.meeting.agenda_published_at]
    later = [e for e in entries if not (e.meeting and e.meeting.agenda_published_at)]
    groups = [MeetingGroup(g.meeting, g.entries) for g in _groups(named)]
    if later:
        groups.append(MeetingGroup(None, later, named=False))
    return groups


def public_programme(partnership: Partnership, year: int) -> PublicProgramme:
    programme = joint.work_programme_of(partnership, year)
    if programme is None:
        return PublicProgramme(partnership, year, None)
    entries, hidden = _public_entries([programme])
    return PublicProgramme(
        partnership,
        year,
        programme,
        groups=_public_groups(entries),
        shown=len(entries),
        not_yet_public=hidden.get(programme.pk, 0),
    )


def public_programme_entries(partnership: Partnership, year: int) -> list:
    """The public topics on the year's programme, newest first (the feed)."""
    programme = joint.work_programme_of(partnership, year)
    if programme is None:
        return []
    entries, _ = _public_entries([programme])
    return sorted(entries, key=lambda e: (e.added_at, e.pk), reverse=True)


# --- Who is who ----------------------------------------------------------------------------


@dataclass
class WhoIsWho:
    body: Organisation
    year: int
    seats: list
    co_optees: list
    substitutes: list
    upcoming: list
    recent: list
    programmes: list  # [PublicProgramme]

    @property
    def label(self) -> str:
        return joint_services.year_label(self.year)


SEATED = ("chair", "vice_chair", "member")


def who_is_who(body: Organisation, *, meetings_shown: int = 5) -> WhoIsWho:
    """Who sits on `body` this municipal year (names, roles, whom co-optees represent, never a
    contact detail), its published meetings, and its partnerships' programmes this year."""
    today = timezone.localdate()
    year = joint_services.municipal_year_of(today)
    seats = list(
        joint.seats_of([body.pk], year).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    )
    published = joint.meetings_published().filter(
        pk__in=Meeting.objects.involving([body.pk]).values("pk")
    )
    upcoming = list(
        joint.upcoming(published.exclude(state=MeetingState.CANCELLED), today)[:meetings_shown]
    )
    recent = list(joint.past(published, today)[:meetings_shown])
    partnerships = list(
        Partnership.objects.filter(
            Q(involvement_network=body) | Q(scrutiny_committees=body)
        ).distinct()
    )
    programmes = list(
        WorkProgramme.objects.filter(partnership__in=partnerships, year=year).select_related(
            "partnership"
        )
    )
    entries, hidden = _public_entries(programmes) if programmes else ([], {})
    by_programme = {p.pk: [] for p in programmes}
    for entry in entries:
        by_programme[entry.programme_id].append(entry)
    shown = []
    for programme in programmes:
        rows = sorted(
            by_programme[programme.pk],
            key=lambda e: (e.meeting is None, e.meeting.date if e.meeting else None, e.pk),
        )
        shown.append(
            PublicProgramme(
                programme.partnership,
                year,
                programme,
                groups=_public_groups(rows),
                shown=len(rows),
                not_yet_public=hidden.get(programme.pk, 0),
            )
        )
    return WhoIsWho(
        body=body,
        year=year,
        seats=[s for s in seats if s.role in SEATED],
        co_optees=[s for s in seats if s.role == "co_optee"],
        substitutes=[s for s in seats if s.role == "substitute"],
        upcoming=upcoming,
        recent=recent,
        programmes=shown,
    )


def who_is_who_bodies():
    return Organisation.objects.filter(kind__in=WHO_IS_WHO_KINDS).order_by("kind", "name")


def seats_counted(bodies, year: int) -> dict[int, int]:
    return dict(
        CommitteeSeat.objects.filter(body__in=bodies, year=year)
        .values_list("body")
        .annotate(n=Count("id"))
        .values_list("body", "n")
    )
