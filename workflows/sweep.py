"""The deadline sweep: clock sources, reminders, overdue marks and escalation.

The engine knows nothing about casework. Higher packages register *clock sources* (usually from
their AppConfig.ready): each yields `ClockedItem`s — what is clocked, when it is due, who is
reminded, who is told when it is very overdue, whose daily digest lists it, and a link.

    from workflows.sweep import ClockedItem, clock_source_register

    clock_source_register(
        kind="protocol_review",
        label="Protocol reviews",
        model=ProtocolVersion,
        open_items=lambda due_by: [...ClockedItem...],   # open items due on or before due_by
        items_for=lambda pks: [...ClockedItem...],       # the same items by primary key
    )

`sweep_run(today=…)` then, for every open item:

- on the reminder day (N working days before the due date, default 5) and until the due date:
  a reminder to the item's reminder recipients;
- on the due date: a reminder;
- after it: an overdue mark and an overdue notice;
- N working days after it (default 20): a "very overdue" mark and an escalation.

Marks and notifications have unique keys, so running the sweep twice — or two sweeps at once —
writes and sends each thing once. A missed day is caught up on the next run.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from workflows.calendar import WorkingCalendar, fmt
from workflows.clocks import calendar_for
from workflows.models import Notification, NotificationKind, SweepMark
from workflows.recipients import recipients_unique

log = logging.getLogger(__name__)


# --- The registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockedItem:
    """One open clock, as the sweep and the e-mails see it.

    `obj` is the clocked model instance; `title` names it for people ("Request for information:
    …"); `owed_by` is the body that must act; `action` says what it must do ("answer the request
    for information"); `link` is a path (or absolute URL) to the case.
    """

    kind: str
    obj: Any
    due_on: dt.date
    title: str
    link: str
    owed_by: str = ""
    action: str = "respond"
    topic: str = ""
    due_explanation: str = ""
    region: str | None = None
    reminder_recipients: Sequence[Any] = ()
    escalation_recipients: Sequence[Any] = ()
    digest_recipients: Sequence[Any] = ()

    @property
    def object_id(self) -> int:
        return self.obj.pk

    @property
    def label(self) -> str:
        return clock_source(self.kind).label if self.kind in _sources else self.kind


@dataclass(frozen=True)
class ClockSource:
    kind: str
    label: str
    open_items: Callable[[dt.date], Iterable[ClockedItem]]
    items_for: Callable[[Sequence[int]], Iterable[ClockedItem]] | None = None
    model: type | None = None


_sources: dict[str, ClockSource] = {}


def clock_source_register(
    *,
    kind: str,
    label: str,
    open_items: Callable[[dt.date], Iterable[ClockedItem]],
    items_for: Callable[[Sequence[int]], Iterable[ClockedItem]] | None = None,
    model: type | None = None,
) -> ClockSource:
    """Register (or replace) the clock source `kind`.

    `open_items(due_by)` yields the open items due on or before `due_by` (the sweep asks for
    everything overdue and everything due within the reminder window). `items_for(pks)` yields
    the items for those primary keys of `model`, open or not: it is used to tell people when a
    due date moved.
    """
    source = ClockSource(
        kind=kind, label=label, open_items=open_items, items_for=items_for, model=model
    )
    _sources[kind] = source
    return source


def clock_source_unregister(kind: str) -> None:
    _sources.pop(kind, None)


_configured_loaded = False


def _load_configured_sources() -> None:
    """Import the modules named in settings.CF_CLOCK_SOURCE_MODULES (once), calling the
    `register()` of each that has one. The composition root (settings) names them, so the
    engine needs no import of a higher package."""
    global _configured_loaded
    if _configured_loaded:
        return
    _configured_loaded = True
    for name in getattr(settings, "CF_CLOCK_SOURCE_MODULES", ()):
        module = importlib.import_module(name)
        register = getattr(module, "register", None)
        if callable(register):
            register()


def clock_sources() -> list[ClockSource]:
    _load_configured_sources()
    return list(_sources.values())


def clock_source(kind: str) -> ClockSource:
    return _sources[kind]


def clock_source_for_model(model) -> ClockSource | None:
    _load_configured_sources()
    for source in _sources.values():
        if source.model is not None and model is not None and issubclass(model, source.model):
            return source
    return None


# --- Working-day arithmetic the sweep needs -----------------------------------------------------


def working_days_before(cal: WorkingCalendar, day: dt.date, count: int) -> dt.date:
    """The working day that leaves `count` working days up to and including `day`.

    Due Wed 20 Jan 2027, 5 working days before: Wed 13 Jan 2027 (14, 15, 18, 19, 20 Jan).
    """
    if count < 1:
        return day
    counted, current = 0, day
    while counted < count:
        current -= dt.timedelta(days=1)
        if cal.is_working_day(current):
            counted += 1
    return current


def reminder_day(cal: WorkingCalendar, due_on: dt.date) -> dt.date:
    return working_days_before(cal, due_on, settings.CF_REMINDER_WORKING_DAYS_BEFORE)


# --- The plan -------------------------------------------------------------------------------------


class Event:
    REMINDER_BEFORE = "reminder_before"
    REMINDER_DUE = "reminder_due"
    OVERDUE = "overdue"
    VERY_OVERDUE = "very_overdue"

    LABELS = {
        REMINDER_BEFORE: "reminder before",
        REMINDER_DUE: "due today",
        OVERDUE: "newly overdue",
        VERY_OVERDUE: "newly very overdue (escalated)",
    }


_EVENT_MARK = {
    Event.OVERDUE: SweepMark.Level.OVERDUE,
    Event.VERY_OVERDUE: SweepMark.Level.VERY_OVERDUE,
}
_EVENT_NOTIFICATION = {
    Event.REMINDER_BEFORE: NotificationKind.REMINDER_BEFORE,
    Event.REMINDER_DUE: NotificationKind.REMINDER_DUE,
    Event.OVERDUE: NotificationKind.REMINDER_OVERDUE,
    Event.VERY_OVERDUE: NotificationKind.ESCALATION,
}


@dataclass
class SweepAction:
    event: str
    item: ClockedItem
    recipients: list
    working_days_late: int = 0

    @property
    def event_key(self) -> str:
        return event_key(self.item, self.event)

    @property
    def mark_level(self) -> str | None:
        return _EVENT_MARK.get(self.event)

    @property
    def notification_kind(self) -> str:
        return _EVENT_NOTIFICATION[self.event]

    def describe(self) -> str:
        who = ", ".join(sorted(u.get_username() for u in self.recipients)) or "nobody to tell"
        late = f", {self.working_days_late} working days late" if self.working_days_late else ""
        return (
            f"[{self.event}] {self.item.kind} #{self.item.object_id} {self.item.title} — "
            f"due {fmt(self.item.due_on)}{late} → {who}"
        )


@dataclass
class SweepReport:
    today: dt.date
    dry_run: bool
    items_by_kind: Counter = field(default_factory=Counter)
    actions: list[SweepAction] = field(default_factory=list)
    digests: dict = field(default_factory=dict)  # user -> list of (section, item)
    marks_written: int = 0
    notifications_written: int = 0
    requeued: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Counter]:
        out: dict[str, Counter] = defaultdict(Counter)
        for kind, n in self.items_by_kind.items():
            out[kind]["open items in view"] = n
        for action in self.actions:
            out[action.item.kind][Event.LABELS[action.event]] += 1
        return out

    def lines(self) -> list[str]:
        head = f"Deadline sweep for {fmt(self.today)}"
        if self.dry_run:
            head += " (dry run: nothing was changed or sent)"
        lines = [head]
        for kind, counter in sorted(self.counts().items()):
            parts = [f"{n} {what}" for what, n in counter.items()]
            lines.append(f"{kind}: " + ", ".join(parts))
        for action in self.actions:
            lines.append("  " + action.describe())
        lines.append(f"digests: {len(self.digests)} officer(s)")
        for user, entries in sorted(self.digests.items(), key=lambda kv: kv[0].get_username()):
            lines.append(f"  digest → {user.get_username()}: {len(entries)} item(s)")
        if not self.dry_run:
            lines.append(
                f"written: {self.marks_written} mark(s), {self.notifications_written} "
                f"notification(s); {self.requeued} pending notification(s) re-queued"
            )
        for error in self.errors:
            lines.append(f"FAILED: {error}")
        return lines


def event_key(item: ClockedItem, event: str) -> str:
    return f"{item.kind}:{item.object_id}:{event}:{item.due_on.isoformat()}"


def digest_key(today: dt.date) -> str:
    return f"digest:{today.isoformat()}"


def _digest_time() -> dt.time:
    hours, _, minutes = settings.CF_DIGEST_TIME.partition(":")
    return dt.time(int(hours), int(minutes or 0))


def _unique_users(users: Iterable) -> list:
    """Each user or mailbox once (a mailbox only if no user has its address), e-mailable."""
    return [u for u in recipients_unique(users) if u.is_active and u.email]


def sweep_plan(*, today: dt.date, with_digests: bool) -> tuple[list[SweepAction], dict, Counter]:
    """What is due for `today`: every event not yet recorded, and each officer's digest."""
    from workflows.notifications import preferences_for

    default_cal = calendar_for(None)
    calendars = {default_cal.region: default_cal}
    before = settings.CF_REMINDER_WORKING_DAYS_BEFORE
    very = settings.CF_VERY_OVERDUE_WORKING_DAYS
    # Everything due within the reminder window, with a week's slack for other regions.
    due_by = default_cal.add_working_days(today, max(before, 1)) + dt.timedelta(days=7)

    items: list[ClockedItem] = []
    counts: Counter = Counter()
    for source in clock_sources():
        for item in source.open_items(due_by):
            items.append(item)
            counts[item.kind] += 1

    candidates: list[SweepAction] = []
    digest: dict = defaultdict(list)
    for item in items:
        region = item.region or default_cal.region
        cal = calendars.get(region) or calendars.setdefault(region, calendar_for(region))
        due = item.due_on
        section = None
        if today < due:
            if today >= reminder_day(cal, due):
                candidates.append(
                    SweepAction(Event.REMINDER_BEFORE, item, [*item.reminder_recipients])
                )
                section = "due_soon"
        elif today == due:
            candidates.append(SweepAction(Event.REMINDER_DUE, item, [*item.reminder_recipients]))
            section = "due_today"
        else:
            late = cal.working_days_between(due, today)
            candidates.append(
                SweepAction(
                    Event.OVERDUE, item, [*item.reminder_recipients], working_days_late=late
                )
            )
            if late >= very:
                escalate = [*item.escalation_recipients]
                candidates.append(
                    SweepAction(Event.VERY_OVERDUE, item, escalate, working_days_late=late)
                )
            section = "very_overdue" if late >= very else "overdue"
        if with_digests and section:
            for officer in item.digest_recipients:
                digest[officer].append((section, item))

    actions = _not_yet_done(candidates)

    # Only the people who want each kind, and can be e-mailed.
    everyone = [u for a in actions for u in a.recipients] + list(digest)
    prefs = preferences_for(everyone)
    for action in actions:
        action.recipients = [
            u for u in _unique_users(action.recipients) if prefs.wants(u, action.notification_kind)
        ]
    digests = {}
    if digest:
        already = set(
            Notification.objects.filter(
                event_key=digest_key(today), recipient__in=[u.pk for u in digest]
            ).values_list("recipient_id", flat=True)
        )
        for officer in _unique_users(digest):
            if officer.pk not in already and prefs.wants(officer, NotificationKind.DIGEST):
                digests[officer] = digest[officer]
    return actions, digests, counts


def _not_yet_done(candidates: list[SweepAction]) -> list[SweepAction]:
    """Drop the events already recorded: marks for overdue levels, notifications for reminders."""
    if not candidates:
        return []
    ctypes = {}
    for action in candidates:
        model = type(action.item.obj)
        if model not in ctypes:
            ctypes[model] = ContentType.objects.get_for_model(model)
    object_ids = {a.item.object_id for a in candidates}
    marks = set(
        SweepMark.objects.filter(
            content_type__in=set(ctypes.values()), object_id__in=object_ids
        ).values_list("content_type_id", "object_id", "level", "due_on")
    )
    reminder_keys = {a.event_key for a in candidates if a.mark_level is None}
    sent_pairs = set()
    for key, user_id, address in Notification.objects.filter(
        event_key__in=reminder_keys
    ).values_list("event_key", "recipient_id", "to_email"):
        sent_pairs.add((key, user_id if user_id is not None else address))
    out = []
    for action in candidates:
        item = action.item
        if action.mark_level is not None:
            key = (ctypes[type(item.obj)].pk, item.object_id, action.mark_level, item.due_on)
            if key in marks:
                continue
        else:
            action.recipients = [
                u
                for u in action.recipients
                if (action.event_key, u.pk if u.pk is not None else u.email) not in sent_pairs
            ]
            if not action.recipients:
                continue
        out.append(action)
    return out


def sweep_run(
    *,
    today: dt.date | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    with_digests: bool | None = None,
) -> SweepReport:
    """Mark, remind and escalate for `today`; with `dry_run`, only say what would happen.

    Digests go out on working days, at the first run after CF_DIGEST_TIME (always when `today`
    is given explicitly, unless `with_digests` says otherwise).
    """
    from workflows.notifications import (
        digest_notification_create,
        item_notification_create,
        notifications_requeue_due,
    )

    now = now or timezone.now()
    explicit_day = today is not None
    today = today or timezone.localdate(now)
    if with_digests is None:
        is_working = calendar_for(None).is_working_day(today)
        with_digests = is_working and (
            explicit_day or timezone.localtime(now).time() >= _digest_time()
        )

    actions, digests, counts = sweep_plan(today=today, with_digests=with_digests)
    report = SweepReport(today=today, dry_run=dry_run, items_by_kind=counts)
    report.actions = actions
    report.digests = digests
    if dry_run:
        return report

    def apply(action) -> tuple[int, int]:
        marks = notes = 0
        with transaction.atomic():
            if action.mark_level is not None:
                _, created = SweepMark.objects.get_or_create(
                    content_type=ContentType.objects.get_for_model(type(action.item.obj)),
                    object_id=action.item.object_id,
                    level=action.mark_level,
                    due_on=action.item.due_on,
                    defaults={"kind": action.item.kind, "marked_on": today},
                )
                if not created:
                    return 0, 0  # another sweep got there first: it tells the people
                marks = 1
            for user in action.recipients:
                if item_notification_create(action=action, recipient=user, today=today):
                    notes += 1
        return marks, notes

    # Each item in its own transaction: one that fails is reported and retried by the next
    # sweep, and does not hold up the others.
    for action in actions:
        try:
            marks, notes = apply(action)
        except Exception as exc:
            log.exception("deadline sweep: %s failed", action.describe())
            report.errors.append(f"{action.describe()}: {type(exc).__name__}: {exc}")
            continue
        report.marks_written += marks
        report.notifications_written += notes
    for officer, entries in digests.items():
        try:
            with transaction.atomic():
                if digest_notification_create(recipient=officer, entries=entries, today=today):
                    report.notifications_written += 1
        except Exception as exc:
            log.exception("deadline sweep: digest to %s failed", officer)
            report.errors.append(f"digest → {officer.get_username()}: {type(exc).__name__}: {exc}")
    report.requeued = notifications_requeue_due(now=now)
    log.info(
        "deadline sweep %s: %d marks, %d notifications, %d re-queued",
        today,
        report.marks_written,
        report.notifications_written,
        report.requeued,
    )
    return report
