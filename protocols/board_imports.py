"""Import a health body's board meeting dates from the calendar feed it publishes.

Board meetings are the body's own, not ours: they go on the health-body register
(`scrutiny.casework.models.BoardMeeting`), never into our meetings. The file is read and checked
as our meeting import reads it (`protocols.imports.read_calendar`, the same window, limits and
recurrence expansion) and the import is idempotent on the event's UID (and, for a repeating
event, its occurrence): importing the same feed again changes nothing, a changed event updates
its row, a cancelled one is marked cancelled. One transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from protocols.imports import _event_rows, read_calendar
from scrutiny.casework.models import BoardMeeting, Organisation
from scrutiny.casework.policy import can_keep_register_of
from workflows.audit import EventType, log_event
from workflows.errors import Forbidden


@dataclass
class BoardImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def board_meetings_import_ics(
    *, by, body: Organisation, uploaded, today: dt.date | None = None
) -> BoardImportResult:
    if not can_keep_register_of(by, body):
        raise Forbidden("Only support officers, or the body's own responders, keep its register.")
    today = today or timezone.localdate()
    rows, skipped = _event_rows(read_calendar(uploaded), today)
    result = BoardImportResult(skipped=skipped)
    tz = timezone.get_default_timezone()
    with transaction.atomic():
        existing = {
            m.uid: m
            for m in BoardMeeting.objects.select_for_update().filter(
                body=body, uid__in=[key for key, _, _ in rows]
            )
        }
        for key, values, cancelled in rows:
            wanted = {
                "title": values["title"],
                "starts_at": dt.datetime.combine(values["date"], values["start_time"], tzinfo=tz),
                "location": values["place"],
                "url": values["online_url"],
                "cancelled": cancelled,
            }
            meeting = existing.get(key)
            if meeting is None:
                meeting = BoardMeeting.objects.create(
                    body=body, uid=key, source=BoardMeeting.Source.FEED, **wanted
                )
                result.created.append(meeting)
                continue
            changed = [f for f, v in wanted.items() if getattr(meeting, f) != v]
            if not changed:
                result.unchanged.append(meeting)
                continue
            for f in changed:
                setattr(meeting, f, wanted[f])
            meeting.updated_at = timezone.now()
            meeting.save(update_fields=[*changed, "updated_at"])
            result.updated.append(meeting)
        if result.created or result.updated:
            log_event(
                body,
                EventType.BOARD_MEETINGS_IMPORTED,
                by=by,
                note=f"{len(result.created)} added, {len(result.updated)} updated",
            )
    return result
