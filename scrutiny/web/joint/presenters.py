"""Display values for templates: tags, dates, labels. Templates stay dumb."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from protocols import feeds
from protocols.models import AgendaItem, Meeting, MeetingState, ProtocolVersion, VersionState

MEETING_TAGS = {
    MeetingState.SCHEDULED: "govuk-tag--blue",
    MeetingState.CANCELLED: "govuk-tag--red",
    MeetingState.HELD: "govuk-tag--grey",
}
VERSION_TAGS = {
    VersionState.DRAFT: "govuk-tag--grey",
    VersionState.AGREED: "govuk-tag--green",
    VersionState.UNDER_REVIEW: "govuk-tag--yellow",
    VersionState.SUPERSEDED: "govuk-tag--grey",
}


def long_date(day) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


@dataclass
class MeetingRow:
    meeting: Meeting
    when: str
    time: str
    organiser: str
    where: str
    status: str
    tag_class: str
    agenda: str
    publish_by: str
    publish_by_explanation: str
    publish_overdue: bool

    @property
    def pk(self):
        return self.meeting.pk


def meeting_row(m: Meeting) -> MeetingRow:
    time = f"{m.start_time:%H:%M}"
    if m.end_time:
        time += f" to {m.end_time:%H:%M}"
    if m.agenda_published:
        published = timezone.localdate(m.agenda_published_at)
        agenda = f"Agenda published {published.day} {published:%b %Y}"
        if m.published_late():
            agenda += " (late, with the chair's reason of urgency)"
    else:
        agenda = "Agenda not published"
    today = timezone.localdate()
    return MeetingRow(
        meeting=m,
        when=long_date(m.date),
        time=time,
        organiser=f"{m.organiser}" + (" (joint meeting)" if m.is_joint else ""),
        where=" and online" if (m.place and m.online_url) else "",
        status=m.get_state_display(),
        tag_class=MEETING_TAGS.get(m.state, ""),
        agenda=agenda,
        publish_by=long_date(m.due_on) if m.due_on else "",
        publish_by_explanation=m.due_explanation,
        publish_overdue=bool(
            m.due_on
            and not m.agenda_published
            and m.state == MeetingState.SCHEDULED
            and today > m.due_on
        ),
    )


@dataclass
class ItemRow:
    item: AgendaItem
    exempt_label: str
    papers: list


def item_row(item: AgendaItem) -> ItemRow:
    label = ""
    if item.exempt:
        label = (
            f"Schedule 12A paragraph {item.exempt_paragraph} "
            f"({item.get_exempt_paragraph_display().split(' — ', 1)[-1]})"
        )
    return ItemRow(item=item, exempt_label=label, papers=list(item.papers.all()))


def version_tag(v: ProtocolVersion) -> dict:
    return {"label": v.get_state_display(), "tag_class": VERSION_TAGS.get(v.state, "")}


def feed_link(obj, path: str) -> dict:
    return {"name": str(obj), "url": path, "webcal": feeds.webcal(path)}
