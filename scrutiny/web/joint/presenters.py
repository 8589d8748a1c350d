"""Display values for the joint working pages: meeting rows, agenda items, protocol versions and
what the signed-in person may do with them. Templates stay dumb: they test the booleans here.

State words and colours come from the one table in `scrutiny.web.presenters`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from protocols import feeds
from protocols.models import AgendaItem, Meeting, MeetingState, ProtocolVersion, VersionState
from scrutiny.casework.policy import can, topics_visible_to
from scrutiny.casework.publication import topics_published
from scrutiny.casework.roles import Perm
from scrutiny.web.presenters import state_tag
from workflows.services import transition_available


def _tag_class(state: str, kind: str) -> str:
    return f"govuk-tag--{state_tag(state, kind).colour}"


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
    scheduled: bool
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
        tag_class=_tag_class(m.state, "meeting"),
        scheduled=m.state == MeetingState.SCHEDULED,
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
    minutable: bool = False  # its decision can be minuted now
    # The topic the item is about, only when this viewer may see that topic: its case page for
    # staff of its bodies, its outcome page once published; otherwise the item's own title only.
    topic_title: str = ""
    topic_url: str = ""


def agenda_topic_links(user, items) -> dict[int, tuple[str, str]]:
    """{topic id: (title, url)} for the items' topics `user` may see (two queries): never the
    title of an unpublished topic on a page a resident can open."""
    ids = {it.topic_id for it in items if it.topic_id}
    if not ids:
        return {}
    links = {
        t.pk: (t.title, reverse("public:outcome", args=[t.pk]))
        for t in topics_published().filter(pk__in=ids).only("pk", "title")
    }
    for t in topics_visible_to(user).filter(pk__in=ids).only("pk", "title"):
        links[t.pk] = (t.title, t.get_absolute_url())
    return links


def item_row(item: AgendaItem, *, minuting: bool = False, topics=None) -> ItemRow:
    """An agenda item for the page; `minuting`: the meeting's decisions are being minuted;
    `topics`: what `agenda_topic_links` gave for this viewer."""
    label = ""
    if item.exempt:
        label = (
            f"Schedule 12A paragraph {item.exempt_paragraph} "
            f"({item.get_exempt_paragraph_display().split(' — ', 1)[-1]})"
        )
    title, url = (topics or {}).get(item.topic_id, ("", ""))
    return ItemRow(
        item=item,
        exempt_label=label,
        papers=list(item.papers.all()),
        minutable=minuting and not item.resolution,
        topic_title=title,
        topic_url=url,
    )


@dataclass(frozen=True)
class MeetingActions:
    """The buttons of a meeting's page."""

    manage: bool
    add_item: bool = False
    publish_agenda: bool = False
    edit: bool = False
    cancel: bool = False
    mark_held: bool = False
    minute: bool = False  # minute the decisions on its items
    give_urgency: bool = False  # a chair: give the reason of urgency for the late agenda


@dataclass(frozen=True)
class UrgencyStatus:
    """Where a late agenda's reason of urgency stands (LGA 1972 s100B(4)(b))."""

    late: bool  # past the latest date to publish, not yet published
    awaiting: bool = False  # the chair was asked and has not answered
    given: bool = False  # the chair gave it: the officer may publish
    asked: str = ""  # "2 December 2026 at 10:15, by Olive Officer"
    chair: str = ""
    reason: str = ""

    @property
    def can_publish(self) -> bool:
        return not self.late or self.given

    @property
    def can_ask(self) -> bool:
        return self.late and not self.awaiting and not self.given


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def urgency_status(meeting: Meeting, today=None) -> UrgencyStatus:
    today = today or timezone.localdate()
    late = bool(
        meeting.due_on
        and not meeting.agenda_published
        and meeting.state == MeetingState.SCHEDULED
        and today > meeting.due_on
    )
    if not late:
        return UrgencyStatus(late=False)
    asked = ""
    if meeting.urgency_requested_at:
        at = timezone.localtime(meeting.urgency_requested_at)
        asked = f"{long_date(at.date())} at {at:%H:%M}"
        if meeting.urgency_requested_by_id:
            asked += f", by {_person(meeting.urgency_requested_by)}"
    return UrgencyStatus(
        late=True,
        awaiting=meeting.awaiting_chair_reason,
        given=meeting.urgency_given_at is not None,
        asked=asked,
        chair=_person(meeting.urgency_given_by) if meeting.urgency_given_by_id else "",
        reason=meeting.urgency_given_reason,
    )


def meeting_actions(user, meeting: Meeting) -> MeetingActions:
    if not can(user, Perm.MEETING_MANAGE, meeting):
        give = (
            urgency_status(meeting).late
            and meeting.urgency_given_at is None
            and can(user, Perm.CHAIR_BODY, meeting)
        )
        return MeetingActions(manage=False, give_urgency=give)
    scheduled = meeting.state == MeetingState.SCHEDULED
    return MeetingActions(
        manage=True,
        add_item=scheduled,
        publish_agenda=scheduled and not meeting.agenda_published,
        edit=scheduled,
        cancel=transition_available(meeting, "cancel", user),
        mark_held=transition_available(meeting, "mark_held", user),
        minute=meeting.state == MeetingState.HELD,
    )


def version_tag(v: ProtocolVersion) -> dict:
    return {"label": v.get_state_display(), "tag_class": _tag_class(v.state, "protocol_version")}


@dataclass(frozen=True)
class VersionActions:
    """The buttons of a protocol version's page."""

    manage: bool
    collecting_sign_offs: bool = False  # a draft: each party's sign-off is shown
    edit_draft: bool = False
    change_review_date: bool = False
    start_review: bool = False
    draft_next: bool = False


def version_actions(user, protocol, version: ProtocolVersion | None, versions) -> VersionActions:
    manage = can(user, Perm.PROTOCOL_MANAGE, protocol)
    if version is None:
        return VersionActions(manage=manage)
    in_force = version.state in (VersionState.AGREED, VersionState.UNDER_REVIEW)
    return VersionActions(
        manage=manage,
        collecting_sign_offs=version.state == VersionState.DRAFT,
        edit_draft=manage and version.state == VersionState.DRAFT,
        change_review_date=manage and in_force,
        start_review=manage and transition_available(version, "start_review", user),
        draft_next=manage and not any(v.state == VersionState.DRAFT for v in versions),
    )


def feed_link(obj, path: str) -> dict:
    return {"name": str(obj), "url": path, "webcal": feeds.webcal(path)}


# --- Minutes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesItem:
    position: int
    title: str
    decision: str
    declarations: tuple[dict, ...]


@dataclass(frozen=True)
class MinutesPage:
    """The minutes as a document: attendance, declarations and the decisions, item by item.
    On the public page an exempt item is named by its number only, with no decision and no
    declarations (Schedule 12A)."""

    tag: dict
    approved: str
    present: tuple[str, ...]
    substitutes: tuple[str, ...]
    apologies: tuple[str, ...]
    absent: tuple[str, ...]
    items: tuple[MinutesItem, ...]
    hidden_exempt: int


def _attendee(row) -> str:
    seat = row.seat
    if seat is not None and seat.role != "member":
        return f"{row.name} ({seat.get_role_display()}{'' if seat.voting else ', non-voting'})"
    return row.name


def minutes_page(minutes, items, attendance, *, public: bool, hidden_exempt=0) -> MinutesPage:
    """Pure: `items` (those the reader may see) with their `declarations` (and each one's
    `attendee`) loaded, `attendance` with seats; `hidden_exempt` exempt items the reader may
    not see are counted, never named. With `public`, an exempt item that slipped through is
    left out too."""
    by_status = {s: [] for s in ("present", "substitute", "apologies", "absent")}
    for row in attendance:
        if row.status == "substitute":
            by_status["substitute"].append(f"{row.name} (for {row.substitute_for})")
        else:
            by_status[row.status].append(_attendee(row))
    shown = []
    for item in items:
        if public and item.exempt:
            hidden_exempt += 1
            continue
        declarations = tuple(
            {
                "who": d.attendee.name,
                "kind": d.get_kind_display(),
                "interest": d.interest,
                "withdrew": d.withdrew,
            }
            for d in item.declarations.all()
        )
        shown.append(MinutesItem(item.position, item.title, item.decision, declarations))
    approved = ""
    if minutes.approved_at_item_id:
        at = minutes.approved_at_item
        approved = (
            f"Approved as a correct record at {at.meeting.title} on "
            f"{long_date(at.meeting.date)} (item {at.position})."
        )
    return MinutesPage(
        tag={
            "label": state_tag(minutes.state, "minutes", public=public).label,
            "tag_class": _tag_class(minutes.state, "minutes"),
        },
        approved=approved,
        present=tuple(by_status["present"]),
        substitutes=tuple(by_status["substitute"]),
        apologies=tuple(by_status["apologies"]),
        absent=tuple(by_status["absent"]),
        items=tuple(shown),
        hidden_exempt=hidden_exempt,
    )


@dataclass(frozen=True)
class MinutesActions:
    manage: bool
    start: bool = False
    edit: bool = False
    circulate: bool = False
    return_to_draft: bool = False
    approve: bool = False
    publish: bool = False


def minutes_actions(user, meeting, minutes) -> MinutesActions:
    if not can(user, Perm.MEETING_MANAGE, meeting):
        return MinutesActions(manage=False)
    if minutes is None:
        return MinutesActions(manage=True, start=meeting.state == MeetingState.HELD)
    return MinutesActions(
        manage=True,
        edit=minutes.state == "draft",
        circulate=transition_available(minutes, "circulate", user),
        return_to_draft=transition_available(minutes, "return_to_draft", user),
        # Its condition needs the approving item, chosen on the approve page.
        approve=minutes.state == "circulated",
        publish=transition_available(minutes, "publish", user),
    )


# --- Agenda packs (PDF) -----------------------------------------------------------------------


@dataclass(frozen=True)
class PackLink:
    """How a page offers a pack: its link and size once built, "being prepared" before."""

    url: str
    title: str
    ready: bool
    failed: bool
    text: str
    pages: dict  # {"items": {item pk: page}, "papers": {paper pk: page}} once built


def pack_link(pack, url: str) -> PackLink:
    from django.template.defaultfilters import filesizeformat

    members = pack.kind == "agenda_full"
    title = "the members' pack (with exempt items)" if members else "the agenda pack"
    if pack.ready:
        pages = f"{pack.pages} page{'s' if pack.pages != 1 else ''}"
        text = f"Download {title} (PDF, {pages}, {filesizeformat(pack.size)})"
    elif pack.failed_at:
        text = (
            f"The PDF of {title} could not be made. It is tried again in a few minutes; the "
            "papers can be downloaded one by one from the agenda."
        )
    else:
        text = f"The PDF of {title} is being prepared. Reload this page in a minute to get it."
    return PackLink(
        url=url,
        title=title,
        ready=pack.ready,
        failed=bool(pack.failed_at) and not pack.ready,
        text=text,
        pages=pack.contents if pack.ready else {},
    )
