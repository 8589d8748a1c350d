"""Import meetings from an iCalendar file that a committee system exported.

Idempotent on UID: each event (each occurrence of a recurring one, keyed by UID and
RECURRENCE-ID) becomes one meeting; importing the same file again changes nothing, and a changed
event updates its meeting and raises its SEQUENCE. Recurring events are expanded within a bounded
window. The whole file is checked before anything is written, and written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urlparse

import icalendar
import recurring_ical_events
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from protocols.feeds import host
from protocols.models import Meeting, MeetingState
from protocols.services.calendars import ImportResult
from protocols.services.meetings import _agenda_rule, meeting_cancel
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from workflows.audit import EventType, log_event
from workflows.errors import Forbidden, InvalidInput

MAX_ICS_BYTES = getattr(settings, "CF_MAX_ICS_BYTES", 1024 * 1024)
MAX_EVENTS = getattr(settings, "CF_MAX_ICS_EVENTS", 500)
# Expanding repeating events stops at MAX_EVENTS or after this many seconds, whichever comes
# first: one RRULE:FREQ=MINUTELY with no end once tied up a worker for minutes.
EXPANSION_SECONDS = getattr(settings, "CF_ICS_EXPANSION_SECONDS", 5.0)
WINDOW_BACK = dt.timedelta(days=366)
WINDOW_AHEAD = dt.timedelta(days=2 * 366)
UNKNOWN_PLACE = "To be confirmed"


def _own_uid_pattern():
    return re.compile(rf"meeting-\d+@{re.escape(host())}")


def _bad(message: str) -> InvalidInput:
    return InvalidInput(message, field_errors={"file": [message]})


def read_calendar(uploaded) -> icalendar.Calendar:
    """Check and parse an uploaded file; raise InvalidInput saying what is wrong."""
    name = getattr(uploaded, "name", "upload") or "upload"
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_ICS_BYTES:
        raise _bad(f"'{name}' is larger than {MAX_ICS_BYTES // 1024} KB: split the calendar.")
    data = uploaded.read(MAX_ICS_BYTES + 1)
    if len(data) > MAX_ICS_BYTES:
        raise _bad(f"'{name}' is larger than {MAX_ICS_BYTES // 1024} KB: split the calendar.")
    if not data.strip():
        raise _bad(f"'{name}' is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _bad(f"'{name}' is not a text calendar file (it is not UTF-8).") from exc
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise _bad(f"'{name}' is not an iCalendar file: it must begin with BEGIN:VCALENDAR.")
    try:
        cal = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise _bad(f"'{name}' is not a valid iCalendar file: {str(exc)[:200]}") from exc
    if not isinstance(cal, icalendar.Calendar) or cal.name != "VCALENDAR":
        raise _bad(f"'{name}' is not an iCalendar file.")
    return cal


def _local(value) -> dt.datetime:
    tz = timezone.get_default_timezone()
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _event_rows(cal: icalendar.Calendar, today: dt.date):
    """[(key, values, cancelled)] for every timed event in the window; list of skip notes."""
    problems, rows, skipped = [], [], []
    recurring_uids = set()
    for ev in cal.walk("VEVENT"):
        uid = str(ev.get("UID", "")).strip()
        label = str(ev.get("SUMMARY", "")).strip() or uid or "an event"
        if not uid:
            problems.append(f"'{label}' has no UID, so it cannot be imported safely twice.")
        elif len(uid) > 400:
            problems.append(f"'{label}' has a UID longer than 400 characters.")
        bad = [p for p, _ in getattr(ev, "errors", []) if p]
        if bad:
            problems.append(f"'{label}' has unreadable {', '.join(sorted(set(bad)))}.")
        if "DTSTART" not in ev:
            problems.append(f"'{label}' has no start (DTSTART).")
        if any(p in ev for p in ("RRULE", "RDATE", "RECURRENCE-ID")):
            recurring_uids.add(uid)
        rules = ev.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules else []:
            if set(rule.get("FREQ", [])) & {"SECONDLY", "MINUTELY", "HOURLY"}:
                problems.append(
                    f"'{label}' repeats more often than daily; a meeting series cannot."
                )
    if problems:
        raise _bad("This calendar cannot be imported: " + " ".join(problems[:5]))

    start = today - WINDOW_BACK
    end = today + WINDOW_AHEAD
    occurrences = []
    deadline = time.monotonic() + EXPANSION_SECONDS
    try:
        # In date order, lazily: stop past the window, at the limit, or when time runs out.
        for ev in recurring_ical_events.of(cal).after(start):
            begin = ev.get("DTSTART").dt
            if (begin.date() if isinstance(begin, dt.datetime) else begin) >= end:
                break
            occurrences.append(ev)
            if len(occurrences) > MAX_EVENTS:
                raise _bad(
                    f"This calendar has more than {MAX_EVENTS} events between "
                    f"{start:%-d %b %Y} and {end:%-d %b %Y}; import at most {MAX_EVENTS} at a "
                    "time."
                )
            if time.monotonic() > deadline:
                raise _bad("This calendar's repeating events take too long to read.")
    except InvalidInput:
        raise
    except Exception as exc:  # the library raises many kinds on bad recurrence rules
        raise _bad(f"This calendar's repeating events cannot be read: {str(exc)[:200]}") from exc
    seen = set()
    own_uid = _own_uid_pattern()
    for ev in occurrences:
        uid = str(ev.get("UID")).strip()
        title = str(ev.get("SUMMARY", "")).strip()[:200] or "Meeting"
        begin = ev.get("DTSTART").dt
        if not isinstance(begin, dt.datetime):
            skipped.append(f"'{title}' on {begin:%-d %b %Y} is all-day: a meeting needs a time.")
            continue
        begin = _local(begin)
        finish = ev.get("DTEND")
        end_time = None
        if finish is not None and isinstance(finish.dt, dt.datetime):
            finish = _local(finish.dt)
            if finish.date() == begin.date() and finish.time() > begin.time():
                end_time = finish.time().replace(second=0, microsecond=0)
        if own_uid.fullmatch(uid):
            skipped.append(f"'{title}' is already a meeting here (it came from our own feed).")
            continue
        key = uid
        if uid in recurring_uids:
            key = f"{uid}#{begin.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
        if key in seen:
            continue
        seen.add(key)
        url = str(ev.get("URL", "")).strip()
        if urlparse(url).scheme not in ("http", "https") or len(url) > 200:
            url = ""
        place = str(ev.get("LOCATION", "")).strip()[:300]
        values = {
            "title": title,
            "date": begin.date(),
            "start_time": begin.time().replace(second=0, microsecond=0),
            "end_time": end_time,
            "place": place or ("" if url else UNKNOWN_PLACE),
            "online_url": url,
        }
        cancelled = str(ev.get("STATUS", "")).strip().upper() == "CANCELLED"
        rows.append((key, values, cancelled))
    return rows, skipped


def meetings_import_ics(
    *, by, uploaded, body=None, partnership=None, today: dt.date | None = None
) -> ImportResult:
    """Import every timed event of `uploaded` as a meeting of `body` or `partnership`."""
    if (body is None) == (partnership is None):
        raise InvalidInput(
            "Choose the body or partnership whose meetings these are.",
            field_errors={"organiser": ["Choose one body or a partnership."]},
        )
    probe = Meeting(body=body, partnership=partnership)
    if not can(by, Perm.MEETING_MANAGE, probe):
        raise Forbidden("Only a support officer of the body may import its meetings.")
    today = today or timezone.localdate()
    cal = read_calendar(uploaded)
    rows, skipped = _event_rows(cal, today)
    result = ImportResult(skipped=skipped)
    rule = _agenda_rule()
    with transaction.atomic():
        existing = {
            m.import_key: m
            for m in Meeting.objects.select_for_update().filter(
                import_key__in=[k for k, _, _ in rows]
            )
        }
        for key, values, cancelled in rows:
            meeting = existing.get(key)
            if meeting is None:
                meeting = Meeting(
                    body=body, partnership=partnership, import_key=key, created_by=by, **values
                )
                meeting.start_clock(rule, meeting.date)
                meeting.save()
                log_event(meeting, EventType.MEETING_IMPORTED, by=by, source_state="")
                if cancelled:
                    meeting = meeting_cancel(
                        meeting=meeting, by=by, reason="Cancelled in the imported calendar."
                    )
                result.created.append(meeting)
                continue
            if (meeting.body_id, meeting.partnership_id) != (
                getattr(body, "pk", None),
                getattr(partnership, "pk", None),
            ):
                raise InvalidInput(
                    f"'{values['title']}' was imported before for {meeting.organiser}; import it "
                    "there, or give the event a new UID.",
                    field_errors={"file": ["An event belongs to another body's meetings."]},
                )
            changed = {f: v for f, v in values.items() if getattr(meeting, f) != v}
            if meeting.state != MeetingState.SCHEDULED:
                changed = {}  # a held or cancelled meeting keeps its record
            if changed:
                for f, v in changed.items():
                    setattr(meeting, f, v)
                if "date" in changed:
                    meeting.start_clock(meeting.due_rule or rule, meeting.date)
                meeting.sequence += 1
                meeting.save()
                log_event(
                    meeting,
                    EventType.MEETING_IMPORT_UPDATED,
                    by=by,
                    note="changed: " + ", ".join(changed),
                    data={"changed": sorted(changed)},
                )
            if cancelled and meeting.state == MeetingState.SCHEDULED:
                meeting = meeting_cancel(
                    meeting=meeting, by=by, reason="Cancelled in the imported calendar."
                )
                changed = changed or {"state": "cancelled"}
            (result.updated if changed else result.unchanged).append(meeting)
    return result
