"""Named reads shared by pages, feeds and (later) the API, so none can forget a filter."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from protocols.models import (
    PUBLIC_VERSION_STATES,
    AgendaItem,
    Meeting,
    MeetingState,
    Paper,
    Protocol,
    ProtocolVersion,
    VersionState,
)
from protocols.permissions import is_meeting_member, officer_body_ids, staff_body_ids

# --- Meetings -------------------------------------------------------------------------------


def _with_organiser(qs: QuerySet) -> QuerySet:
    return qs.select_related("body", "partnership")


def meetings_published() -> QuerySet:
    """Meetings anyone may see: those whose agenda is published."""
    return _with_organiser(Meeting.objects.published())


def meetings_visible_to(user) -> QuerySet:
    """Published meetings, plus every meeting of the user's own bodies (staff roles)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return _with_organiser(Meeting.objects.all())
    bodies = staff_body_ids(user)
    qs = Meeting.objects.all()
    if not bodies:
        return _with_organiser(qs.published())
    own = Meeting.objects.involving(bodies).values("pk")
    return _with_organiser(qs.filter(Q(agenda_published_at__isnull=False) | Q(pk__in=own)))


def meetings_for_member(user) -> QuerySet:
    """'My meetings': meetings of the bodies where the user is staff."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return _with_organiser(Meeting.objects.all())
    bodies = staff_body_ids(user)
    if not bodies:
        return Meeting.objects.none()
    return _with_organiser(
        Meeting.objects.filter(pk__in=Meeting.objects.involving(bodies).values("pk"))
    )


def meetings_managed_by(user) -> QuerySet:
    if getattr(user, "is_superuser", False) and user.is_active:
        return Meeting.objects.all()
    bodies = officer_body_ids(user)
    if not bodies:
        return Meeting.objects.none()
    return Meeting.objects.filter(pk__in=Meeting.objects.involving(bodies).values("pk"))


def agenda_items_for(user, meeting) -> QuerySet:
    """The agenda `user` may read: every item for members; non-exempt items of a published
    agenda for everyone else; nothing of an unpublished agenda."""
    papers = Prefetch("papers", queryset=Paper.objects.order_by("uploaded_at", "id"))
    qs = meeting.items.select_related("topic").prefetch_related(papers).order_by("position", "id")
    if is_meeting_member(user, meeting):
        return qs
    if not meeting.agenda_published:
        return qs.none()
    return qs.public()


def papers_visible_to(user) -> QuerySet:
    """Papers a user may download: non-exempt papers of published agendas for everyone;
    every paper of the user's own bodies' meetings for members."""
    public = Q(item__exempt=False, item__meeting__agenda_published_at__isnull=False)
    if getattr(user, "is_superuser", False) and user.is_active:
        return Paper.objects.all()
    bodies = staff_body_ids(user)
    if not bodies:
        return Paper.objects.filter(public)
    own = Meeting.objects.involving(bodies).values("pk")
    return Paper.objects.filter(public | Q(item__meeting__in=own))


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
    return ProtocolVersion.objects.filter(state__in=PUBLIC_VERSION_STATES).select_related(
        "protocol__partnership"
    )


def protocols_visible_to(user) -> QuerySet:
    """Protocols with a public version, plus every protocol of the user's partnerships."""
    public = Q(versions__state__in=PUBLIC_VERSION_STATES)
    qs = Protocol.objects.select_related("partnership")
    if getattr(user, "is_superuser", False) and user.is_active:
        return qs
    bodies = staff_body_ids(user)
    q = public
    if bodies:
        q |= Q(partnership__involvement_network__in=bodies) | Q(
            partnership__scrutiny_committees__in=bodies
        )
    return qs.filter(pk__in=Protocol.objects.filter(q).values("pk"))


def protocol_versions_visible_to(user, protocol) -> QuerySet:
    from protocols.permissions import protocol_party_ids

    qs = protocol.versions.all()
    if getattr(user, "is_superuser", False) and user.is_active:
        return qs
    if protocol_party_ids(protocol) & staff_body_ids(user):
        return qs
    return qs.filter(state__in=PUBLIC_VERSION_STATES)


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


def item_is_visible(user, item: AgendaItem) -> bool:
    return agenda_items_for(user, item.meeting).filter(pk=item.pk).exists()
