"""Meetings on the casework pages: topic timelines, the work programme's target meetings, the
members' agendas, and the public home and outcome pages. The web layer sits above both the
casework and joint working, so the pages compose them here and neither domain needs a hook."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from protocols.models import AgendaItem, MeetingState
from protocols.selectors import meetings_for_member, meetings_published, upcoming
from scrutiny.casework.policy import visible
from scrutiny.casework.selectors import TimelineEntry


def topic_meetings_timeline(topic, user):
    """One entry per agenda item of this topic that `user` may see, with any decision: exempt
    items only for members of the meeting's bodies, unpublished agendas only for them too."""
    items = (
        visible(user, AgendaItem.objects.filter(topic=topic))
        .select_related("meeting")
        .order_by("meeting__date", "position")
    )
    entries = []
    for item in items:
        meeting = item.meeting
        when = timezone.make_aware(dt.datetime.combine(meeting.date, meeting.start_time))
        detail = item.decision or (
            "On the published agenda" if meeting.agenda_published_at else "Planned for the agenda"
        )
        entries.append(
            TimelineEntry(
                at=when,
                title=f"{meeting.title}: {item.title}",
                detail=detail,
                anchor=reverse("protocols:meeting-detail", args=[meeting.pk]),
                kind="meeting",
            )
        )
    return entries


def target_meetings(topic_ids):
    """{topic id: (label, url)}: the next scheduled meeting whose agenda carries the topic."""
    today = timezone.localdate()
    items = (
        AgendaItem.objects.filter(
            topic_id__in=list(topic_ids),
            meeting__state=MeetingState.SCHEDULED,
            meeting__date__gte=today,
        )
        .select_related("meeting")
        .order_by("meeting__date", "meeting__start_time")
    )
    found = {}
    for item in items:
        if item.topic_id not in found:
            m = item.meeting
            label = f"{m.title}, {m.date:%-d %b %Y}"
            found[item.topic_id] = (label, reverse("protocols:meeting-detail", args=[m.pk]))
    return found


def member_agendas(user):
    meetings = list(upcoming(meetings_for_member(user), timezone.localdate())[:10])
    return {
        "title": "Your next meetings",
        "template": "protocols/includes/member_agendas.html",
        "context": {"meetings": meetings},
    }


def public_upcoming(limit: int = 5):
    scheduled = meetings_published().exclude(state=MeetingState.CANCELLED)
    return upcoming(scheduled, timezone.localdate())[:limit]


def public_for_topic(topic):
    """Published meetings with a public (non-exempt) agenda item on this topic."""
    items = AgendaItem.objects.public().filter(topic=topic).values("meeting_id")
    return meetings_published().filter(pk__in=items).order_by("-date", "-start_time")
