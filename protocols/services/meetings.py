"""Meetings: create, update, cancel, mark held, publish the agenda (with its deadline)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

from django.db import transaction
from django.utils import timezone

from protocols.models import (
    Meeting,
    MeetingState,
)
from protocols.selectors import chairs_of
from protocols.services.common import _clean
from scrutiny.casework.models import Organisation, Partnership
from scrutiny.casework.policy import can, owner_ids
from scrutiny.casework.roles import Perm
from workflows.audit import EventType, log_event
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import DeadlineRule
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
    return locked


def meeting_cancel(*, meeting: Meeting, by, reason: str) -> Meeting:
    reason = _clean(reason)
    if not reason:
        raise InvalidInput(
            "Enter the reason for cancelling.", field_errors={"reason": ["Enter the reason."]}
        )
    return transition_apply(instance=meeting, name="cancel", by=by, note=reason, reason=reason)


def meeting_mark_held(*, meeting: Meeting, by) -> Meeting:
    return transition_apply(instance=meeting, name="mark_held", by=by)


def meeting_publish_agenda(
    *,
    meeting: Meeting,
    by,
    urgency_reason: str = "",
    chair=None,
    now: dt.datetime | None = None,
) -> Meeting:
    """Open the agenda and its non-exempt papers to the public.

    Publishing after the latest date (`due_on`, the agenda-publication clock) needs the chair's
    recorded reason of urgency (LGA 1972 s100B(4)(b)); a chair publishing gives it themself.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_meeting(meeting, by)
        if locked.state != MeetingState.SCHEDULED:
            raise Conflict(f"This meeting is '{locked.get_state_display()}'.")
        if locked.agenda_published_at:
            raise Conflict("The agenda is already published.")
        if not locked.items.exists():
            raise InvalidInput("Add at least one agenda item before publishing.")
        late = locked.due_on is not None and timezone.localdate(now) > locked.due_on
        reason = _clean(urgency_reason)
        chairs = chairs_of(locked)
        if late:
            errors = {}
            if not reason:
                errors["urgency_reason"] = [
                    f"The latest date to publish was {locked.due_on:%-d %B %Y}: record the "
                    "chair's reason of urgency."
                ]
            if chair is None and by in chairs:
                chair = by
            if chair is None or chair not in chairs:
                errors["chair"] = ["Choose the chair who gave the reason of urgency."]
            if errors:
                raise InvalidInput(
                    "This agenda is late: it needs the chair's reason of urgency.",
                    field_errors=errors,
                )
        return transition_apply(
            instance=locked,
            name="publish_agenda",
            by=by,
            note=f"late: {reason}" if late else "on time",
            # transition_apply refreshes the public pages (which list published meetings).
            at=now,
            urgency_reason=reason,
            chair=chair,
        )
