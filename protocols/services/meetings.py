"""Meetings: create, update, cancel, mark held, publish the agenda (with its deadline)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from protocols.models import (
    Meeting,
    MeetingState,
)
from protocols.search import index_meeting
from protocols.selectors import chairs_of
from protocols.services.common import _clean
from scrutiny.casework.models import Organisation, Partnership
from scrutiny.casework.policy import can, owner_ids
from scrutiny.casework.roles import Perm
from workflows.audit import EventType, log_event
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import DeadlineRule, NotificationKind
from workflows.notifications import absolute_url, notification_write
from workflows.services import transition_apply

# --- Meetings -------------------------------------------------------------------------------


class NeedsConfirmation(InvalidInput):
    """Something to check before saving (a past date, a clash): confirm to save anyway."""

    def __init__(self, warnings: list[str]):
        super().__init__("Check before saving: " + " ".join(warnings))
        self.warnings = warnings


MEETING_FIELDS = ("title", "date", "start_time", "end_time", "place", "online_url")


def _agenda_rule() -> DeadlineRule:
    try:
        return DeadlineRule.objects.get(slug=Meeting.RULE)
    except DeadlineRule.DoesNotExist as exc:
        raise InvalidInput(
            f"The deadline rule '{Meeting.RULE}' is missing; an administrator must add it."
        ) from exc


def _validate_meeting(values: dict) -> dict:
    errors = {}
    out = dict(values)
    out["title"] = _clean(values.get("title"))
    out["place"] = _clean(values.get("place"))
    out["online_url"] = _clean(values.get("online_url"))
    if not out["title"]:
        errors["title"] = ["Enter a title."]
    if not isinstance(values.get("date"), dt.date):
        errors["date"] = ["Enter the date of the meeting."]
    if not isinstance(values.get("start_time"), dt.time):
        errors["start_time"] = ["Enter the start time."]
    end = values.get("end_time")
    start = values.get("start_time")
    if end is not None and isinstance(start, dt.time) and end <= start:
        errors["end_time"] = ["The end time must be after the start time."]
    if not out["place"] and not out["online_url"]:
        errors["place"] = ["Enter a place, an online link, or both."]
    if out["online_url"] and urlparse(out["online_url"]).scheme not in ("http", "https"):
        errors["online_url"] = ["Enter a link starting with https://."]
    if errors:
        raise InvalidInput("Check the meeting's details.", field_errors=errors)
    return out


def meeting_warnings(
    *, bodies: set[int], date, start_time, end_time=None, exclude_pk=None, today=None
) -> list[str]:
    """Reasons to stop and check: a date in the past; another meeting of the same body whose
    time overlaps on the same day (joint meetings count for every party)."""
    warnings = []
    today = today or timezone.localdate()
    if date < today:
        warnings.append(f"The date, {date:%-d %B %Y}, is in the past.")
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(date, start_time, tzinfo=tz)
    end = (
        dt.datetime.combine(date, end_time, tzinfo=tz)
        if end_time and end_time > start_time
        else start + Meeting.DEFAULT_LENGTH
    )
    others = (
        Meeting.objects.involving(bodies)
        .filter(date=date)
        .exclude(state=MeetingState.CANCELLED)
        .select_related("body", "partnership")
    )
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    for other in others:
        if other.starts_at() < end and start < other.ends_at():
            warnings.append(
                f"It clashes with '{other.title}' ({other.organiser}) on "
                f"{other.date:%-d %B %Y} from {other.start_time:%H:%M}."
            )
    return warnings


def _meeting_bodies(body, partnership) -> set[int]:
    if partnership is not None:
        return partnership.party_ids()
    return {body.pk}


def meeting_create(
    *,
    by,
    title: str,
    date: dt.date,
    start_time: dt.time,
    body: Organisation | None = None,
    partnership: Partnership | None = None,
    end_time: dt.time | None = None,
    place: str = "",
    online_url: str = "",
    confirm: bool = False,
    today: dt.date | None = None,
) -> Meeting:
    """Schedule a meeting of one body or a joint one. A past date or a clash raises
    NeedsConfirmation unless `confirm` (the person saw the warnings and chose to go on)."""
    if (body is None) == (partnership is None):
        raise InvalidInput(
            "Choose one body or a partnership (joint meeting).",
            field_errors={"organiser": ["Choose one body or a partnership."]},
        )
    if body is not None and body.is_health_body:
        raise InvalidInput(
            "Meetings belong to involvement networks and scrutiny committees.",
            field_errors={"organiser": ["Choose a network or a committee."]},
        )
    values = _validate_meeting(
        {
            "title": title,
            "date": date,
            "start_time": start_time,
            "end_time": end_time,
            "place": place,
            "online_url": online_url,
        }
    )
    probe = Meeting(body=body, partnership=partnership)
    if not can(by, Perm.MEETING_MANAGE, probe):
        raise Forbidden("Only a support officer of the meeting's body may schedule it.")
    bodies = _meeting_bodies(body, partnership)
    if not confirm:
        warnings = meeting_warnings(
            bodies=bodies, date=date, start_time=start_time, end_time=end_time, today=today
        )
        if warnings:
            raise NeedsConfirmation(warnings)
    with transaction.atomic():
        meeting = Meeting(body=body, partnership=partnership, created_by=by, **values)
        meeting.start_clock(_agenda_rule(), meeting.date)
        meeting.save()
        log_event(
            meeting,
            EventType.MEETING_SCHEDULED,
            by=by,
            note="confirmed after warnings" if confirm else "",
            data={"confirmed_after_warnings": confirm},
            source_state="",
        )
        index_meeting(meeting)
    return meeting


def _lock_meeting(meeting, by) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=meeting.pk)
    )
    if not can(by, Perm.MEETING_MANAGE, locked):
        raise Forbidden("Only a support officer of the meeting's body may change it.")
    return locked


def _touch(meeting: Meeting):
    """A change a calendar subscriber could see: raise SEQUENCE and the modified time."""
    Meeting.objects.filter(pk=meeting.pk).update(
        sequence=meeting.sequence + 1, updated_at=timezone.now()
    )
    meeting.sequence += 1
    index_meeting(meeting)  # its agenda items and minutes as search sees them


def meeting_update(
    *, meeting: Meeting, by, confirm: bool = False, today: dt.date | None = None, **changes
) -> Meeting:
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown meeting fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = _lock_meeting(meeting, by)
        if locked.state != MeetingState.SCHEDULED:
            raise Conflict(f"This meeting is '{locked.get_state_display()}': it cannot be edited.")
        values = {f: getattr(locked, f) for f in MEETING_FIELDS}
        values.update(changes)
        values = _validate_meeting(values)
        changed = {f: v for f, v in values.items() if getattr(locked, f) != v}
        if not changed:
            return locked
        if not confirm and {"date", "start_time", "end_time"} & set(changed):
            warnings = meeting_warnings(
                bodies=owner_ids(locked),
                date=values["date"],
                start_time=values["start_time"],
                end_time=values["end_time"],
                exclude_pk=locked.pk,
                today=today,
            )
            if warnings:
                raise NeedsConfirmation(warnings)
        for f, v in changed.items():
            setattr(locked, f, v)
        if "date" in changed:
            locked.start_clock(locked.due_rule or _agenda_rule(), locked.date)
        locked.sequence += 1
        locked.save()
        log_event(
            locked,
            EventType.MEETING_EDITED,
            by=by,
            note="changed: " + ", ".join(sorted(changed)),
            data={"changed": sorted(changed)},
        )
        index_meeting(locked)
    return locked


def meeting_cancel(*, meeting: Meeting, by, reason: str) -> Meeting:
    reason = _clean(reason)
    if not reason:
        raise InvalidInput(
            "Enter the reason for cancelling.", field_errors={"reason": ["Enter the reason."]}
        )
    with transaction.atomic():
        meeting = transition_apply(
            instance=meeting, name="cancel", by=by, note=reason, reason=reason
        )
        index_meeting(meeting)  # the reason is public
    return meeting


def meeting_mark_held(*, meeting: Meeting, by) -> Meeting:
    return transition_apply(instance=meeting, name="mark_held", by=by)


def _late(meeting: Meeting, now: dt.datetime) -> bool:
    return meeting.due_on is not None and timezone.localdate(now) > meeting.due_on


def _unpublished_scheduled(locked: Meeting) -> None:
    if locked.state != MeetingState.SCHEDULED:
        raise Conflict(f"This meeting is '{locked.get_state_display()}'.")
    if locked.agenda_published_at:
        raise Conflict("The agenda is already published.")


def _urgency_link(meeting: Meeting) -> str:
    return absolute_url(reverse("protocols:meeting-urgency", args=[meeting.pk]))


def meeting_request_urgency_reason(
    *, meeting: Meeting, by, now: dt.datetime | None = None
) -> Meeting:
    """The agenda is late: an officer asks the chair(s) of the meeting's bodies for their reason
    of urgency (LGA 1972 s100B(4)(b)). Each chair is e-mailed (the outbox) a link to the chair's
    action page; until one answers, the meeting is "awaiting the chair's reason"."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_meeting(meeting, by)
        _unpublished_scheduled(locked)
        if not _late(locked, now):
            raise Conflict("The agenda is not late: publish it without a reason of urgency.")
        if locked.urgency_given_at:
            raise Conflict("The chair has given the reason of urgency: publish the agenda.")
        if locked.urgency_requested_at:
            asked = timezone.localtime(locked.urgency_requested_at)
            raise Conflict(f"The chair was asked on {asked:%-d %B %Y at %H:%M}; no answer yet.")
        chairs = list(chairs_of(locked))
        if not chairs:
            raise InvalidInput(
                "No chair is recorded for this meeting's bodies: an administrator must add the "
                "chair before a late agenda can be published."
            )
        locked.urgency_requested_at = now
        locked.urgency_requested_by = by
        locked.save(update_fields=["urgency_requested_at", "urgency_requested_by", "updated_at"])
        log_event(
            locked,
            EventType.MEETING_URGENCY_REQUESTED,
            by=by,
            note="asked " + ", ".join(c.get_full_name() or c.username for c in chairs),
            data={"chairs": [c.pk for c in chairs]},
        )
        link = _urgency_link(locked)
        for chair in chairs:
            notification_write(
                event_key=f"meeting:{locked.pk}:urgency-requested:{now:%Y%m%dT%H%M%S}",
                kind=NotificationKind.ESCALATION,
                recipient=chair,
                subject=f"Your reason of urgency is needed: {locked}",
                template="urgency_requested",
                context={"meeting": locked, "by": by, "link": link},
                obj=locked,
                link=link,
            )
    return locked


def meeting_give_urgency_reason(
    *, meeting: Meeting, by, reason: str, now: dt.datetime | None = None
) -> Meeting:
    """The chair's action: the chair of one of the meeting's bodies records, themself, why the
    late agenda cannot wait. The officer who asked is told (the outbox) and can then publish."""
    now = now or timezone.now()
    reason = _clean(reason)
    if not reason:
        raise InvalidInput(
            "Enter your reason of urgency.",
            field_errors={"reason": ["Enter your reason of urgency."]},
        )
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        if not can(by, Perm.CHAIR_BODY, locked):
            raise Forbidden("Only the chair of the meeting's body gives the reason of urgency.")
        _unpublished_scheduled(locked)
        if not _late(locked, now):
            raise Conflict("The agenda is not late: it needs no reason of urgency.")
        if locked.urgency_given_at:
            raise Conflict("The reason of urgency has already been given.")
        locked.urgency_given_reason = reason
        locked.urgency_given_by = by
        locked.urgency_given_at = now
        locked.save(
            update_fields=[
                "urgency_given_reason",
                "urgency_given_by",
                "urgency_given_at",
                "updated_at",
            ]
        )
        log_event(locked, EventType.MEETING_URGENCY_GIVEN, by=by, note=reason)
        officer = locked.urgency_requested_by
        if officer is not None:
            link = absolute_url(reverse("protocols:meeting-publish", args=[locked.pk]))
            notification_write(
                event_key=f"meeting:{locked.pk}:urgency-given",
                kind=NotificationKind.ESCALATION,
                recipient=officer,
                subject=f"The chair gave the reason of urgency: {locked}",
                template="urgency_given",
                context={"meeting": locked, "chair": by, "reason": reason, "link": link},
                obj=locked,
                link=link,
            )
    return locked


def meeting_publish_agenda(*, meeting: Meeting, by, now: dt.datetime | None = None) -> Meeting:
    """Open the agenda and its non-exempt papers to the public.

    Publishing after the latest date (`due_on`, the agenda-publication clock) needs the chair's
    reason of urgency (LGA 1972 s100B(4)(b)), given by the chair themself on the chair's action
    page (`meeting_give_urgency_reason`); an officer cannot type it in for them.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_meeting(meeting, by)
        _unpublished_scheduled(locked)
        if not locked.items.exists():
            raise InvalidInput("Add at least one agenda item before publishing.")
        late = _late(locked, now)
        chair, reason = locked.urgency_given_by, locked.urgency_given_reason
        if late and not (locked.urgency_given_at and reason and chair in chairs_of(locked)):
            if locked.urgency_requested_at:
                raise Conflict("This agenda is late and is awaiting the chair's reason of urgency.")
            raise InvalidInput(
                f"This agenda is late (the latest date to publish was {locked.due_on:%-d %B %Y}):"
                " ask the chair for their reason of urgency first."
            )
        return transition_apply(
            instance=locked,
            name="publish_agenda",
            by=by,
            note=f"late: {reason}" if late else "on time",
            # transition_apply refreshes the public pages (which list published meetings).
            at=now,
            urgency_reason=reason if late else "",
            chair=chair if late else None,
        )
