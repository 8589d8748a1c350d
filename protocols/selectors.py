"""Named reads shared by pages, feeds and the API, so none can forget a filter. Who may see
what is the policy's (`scrutiny.casework.policy.visible`); these add the shape pages need."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from protocols.models import (
    MS,
    AgendaItem,
    Attendance,
    CommitteeSeat,
    Declaration,
    Meeting,
    MeetingState,
    Minutes,
    Paper,
    ProgrammeEntry,
    Protocol,
    ProtocolVersion,
    VersionState,
    WorkProgramme,
)
from scrutiny.casework.policy import holders, owner_ids, visible
from scrutiny.casework.roles import Perm

# --- Meetings -------------------------------------------------------------------------------


def _with_organiser(qs: QuerySet) -> QuerySet:
    return qs.select_related("body", "partnership")


def meetings_published() -> QuerySet:
    """Meetings anyone may see: those whose agenda is published."""
    return _with_organiser(Meeting.objects.published())


def meetings_visible_to(user) -> QuerySet:
    """Published meetings, plus every meeting of the user's own bodies (staff roles)."""
    return _with_organiser(visible(user, Meeting.objects.all()))


def meetings_for_member(user) -> QuerySet:
    """'My meetings' and agenda packs: meetings of the bodies where the user is staff, and of
    the committees they are co-opted to (a seat, `protocols.CommitteeSeat`)."""
    return _with_organiser(visible(user, Meeting.objects.all(), Perm.MEETING_PACK))


def meetings_managed_by(user) -> QuerySet:
    return visible(user, Meeting.objects.all(), Perm.MEETING_MANAGE)


def agenda_items_for(user, meeting) -> QuerySet:
    """The agenda `user` may read: every item for members; non-exempt items of a published
    agenda for everyone else; nothing of an unpublished agenda."""
    papers = Prefetch("papers", queryset=Paper.objects.order_by("uploaded_at", "id"))
    qs = meeting.items.select_related("topic").prefetch_related(papers).order_by("position", "id")
    return visible(user, qs)


def papers_visible_to(user) -> QuerySet:
    """Papers a user may download: non-exempt papers of published agendas for everyone;
    every paper of the user's own bodies' meetings for members."""
    return visible(user, Paper.objects.all())


def upcoming(qs: QuerySet, today: dt.date) -> QuerySet:
    return qs.filter(date__gte=today).order_by("date", "start_time", "id")


def past(qs: QuerySet, today: dt.date) -> QuerySet:
    return qs.filter(date__lt=today).order_by("-date", "-start_time", "-id")


def agenda_publication_due(today: dt.date, *, body_ids=None) -> QuerySet:
    """Scheduled meetings whose agenda is not yet published, by latest publication date."""
    qs = Meeting.objects.filter(
        state=MeetingState.SCHEDULED, agenda_published_at__isnull=True, due_on__isnull=False
    )
    if body_ids is not None:
        qs = qs.filter(pk__in=Meeting.objects.involving(body_ids).values("pk"))
    return qs.filter(date__gte=today).order_by("due_on", "id")


# --- Protocols ------------------------------------------------------------------------------


def protocol_versions_public() -> QuerySet:
    """Versions anyone may read: every version that was agreed."""
    return ProtocolVersion.objects.public().select_related("protocol__partnership")


def protocols_visible_to(user) -> QuerySet:
    """Protocols with a public version, plus every protocol of the user's partnerships."""
    return visible(user, Protocol.objects.select_related("partnership"))


def protocol_versions_visible_to(user, protocol) -> QuerySet:
    return visible(user, protocol.versions.all())


def current_version(protocol) -> ProtocolVersion | None:
    """The version in force: agreed or under review (never more than one)."""
    return (
        protocol.versions.filter(state__in=[VersionState.AGREED, VersionState.UNDER_REVIEW])
        .order_by("-number")
        .first()
    )


def protocol_reviews_due(today: dt.date, *, within_days: int = 30, body_ids=None) -> QuerySet:
    """Versions in force whose review date is within `within_days` of `today`, or past it.

    The deadlines engine calls this for reminders; the personal calendar shows the dates.
    """
    qs = ProtocolVersion.objects.filter(
        state__in=[VersionState.AGREED, VersionState.UNDER_REVIEW],
        review_on__isnull=False,
        review_on__lte=today + dt.timedelta(days=within_days),
    ).select_related("protocol__partnership")
    if body_ids is not None:
        body_ids = list(body_ids)
        qs = qs.filter(
            Q(protocol__partnership__involvement_network__in=body_ids)
            | Q(protocol__partnership__scrutiny_committees__in=body_ids)
        ).distinct()
    return qs.order_by("review_on", "id")


def chairs_of(meeting):
    """The chairs of the meeting's bodies: they give the reason of urgency for a late agenda."""
    return holders(Perm.CHAIR_BODY, owner_ids(meeting)).order_by("username")


def minuted_items_on(topic, organisation):
    """Agenda items on `topic` whose decision is minuted, at held meetings of `organisation` or
    joint meetings it is party to: where the body may have agreed its position."""
    return (
        AgendaItem.objects.filter(
            topic=topic,
            decided_at__isnull=False,
            meeting__state=MeetingState.HELD,
        )
        .filter(meeting__in=Meeting.objects.involving({organisation.pk}))
        .exclude(decision="")
        .select_related("meeting__body", "meeting__partnership")
        .order_by("-meeting__date", "position")
    )


# --- Meeting governance -----------------------------------------------------------------------


def minutes_visible_to(user) -> QuerySet:
    """Minutes `user` may read: published ones for everyone; every state for the staff of the
    meeting's bodies."""
    return visible(user, Minutes.objects.select_related("meeting", "approved_at_item__meeting"))


def minutes_published() -> QuerySet:
    return Minutes.objects.filter(state=MS.PUBLISHED).select_related(
        "meeting", "approved_at_item__meeting"
    )


def attendance_at(meeting) -> QuerySet:
    return Attendance.objects.filter(meeting=meeting).select_related("seat").order_by("name")


def minutes_items_for(user, meeting) -> QuerySet:
    """The agenda as the minutes show it to `user`, with each item's declarations."""
    declarations = Prefetch(
        "declarations", queryset=Declaration.objects.select_related("attendee").order_by("id")
    )
    qs = meeting.items.prefetch_related(declarations).order_by("position", "id")
    return visible(user, qs)


def seats_of(body_ids, year: int) -> QuerySet:
    """The seats on `body_ids` in municipal year `year`, chair first."""
    order = ["chair", "vice_chair", "member", "co_optee", "substitute"]
    rank = _rank("role", order)
    return (
        CommitteeSeat.objects.filter(body__in=list(body_ids), year=year)
        .select_related("user", "body", "substitute_for")
        .annotate(rank=rank)
        .order_by("body__name", "rank", "name", "id")
    )


def _rank(field: str, order: list[str]) -> Case:
    return Case(
        *[When(**{field: v}, then=Value(i)) for i, v in enumerate(order)],
        default=Value(len(order)),
        output_field=IntegerField(),
    )


# --- The work programme by municipal year ------------------------------------------------------


def work_programme_of(partnership, year: int) -> WorkProgramme | None:
    return WorkProgramme.objects.filter(partnership=partnership, year=year).first()


def programme_years(partnership) -> list[int]:
    return list(
        WorkProgramme.objects.filter(partnership=partnership)
        .order_by("-year")
        .values_list("year", flat=True)
    )


def programme_entries(programme) -> QuerySet:
    """The topics on `programme`, by target meeting (those with none yet last)."""
    return programme_entries_of([programme])


def programme_entries_of(programmes) -> QuerySet:
    return (
        ProgrammeEntry.objects.filter(programme__in=list(programmes))
        .select_related("topic__lead_body", "meeting")
        .order_by(F("meeting__date").asc(nulls_last=True), "meeting__start_time", "added_at", "id")
    )


def programme_meetings(programme, first: dt.date, last: dt.date) -> QuerySet:
    """Scheduled meetings of the partnership and of its bodies from `first` to `last` (the
    programme's year: the target meetings an officer may choose)."""
    partnership = programme.partnership
    return (
        Meeting.objects.filter(state=MeetingState.SCHEDULED, date__range=(first, last))
        .filter(Q(partnership=partnership) | Q(partnership=None, body__in=partnership.party_ids()))
        .order_by("date", "start_time", "id")
    )
