"""The deadline sweep: reminders, overdue marks and escalation, set-based and in batches.

The clock sources (`workflows.clock_sources`, re-exported here) say which rows are open clocks.
`sweep_run(today=…)` then, for every open item:

- on the reminder day (N working days before the due date, default 5) and until the due date:
  a reminder to the item's reminder recipients;
- on the due date: a reminder;
- after it: an overdue mark and an overdue notice;
- N working days after it (default 20): a "very overdue" mark and an escalation.

At national scale (docs/decisions/0021-batch-jobs-and-cache-keys.md) the candidates are chosen
in SQL: only the open clocks whose next event is due and not yet recorded (no mark for that
level and due date, no reminder written for it) are read, by primary key in batches, and only
those batches become items. Each batch's marks and notifications are inserted in bulk with
ON CONFLICT DO NOTHING on their unique keys, in the batch's own transaction, and one delivery
task is queued per batch. So a run with nothing to do reads a few index ranges and stops, and
running the sweep twice — or two sweeps at once — writes and sends each thing once. A missed day
is caught up on the next run. The officers' daily digests need every open item: they are built
on the first run of a working day after CF_DIGEST_TIME, streamed in the same batches, and a
marker (`JobRun` "deadline-sweep-digests") says the day's digests are done.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from workflows.batches import pk_batches
from workflows.calendar import WorkingCalendar, fmt
from workflows.clock_sources import (
    ClockedItem,
    ClockSource,
    clock_source,
    clock_source_for_model,
    clock_source_register,
    clock_source_unregister,
    clock_sources,
)
from workflows.clocks import calendar_for
from workflows.models import (
    DeadlineRule,
    DeadlineRuleVersion,
    JobRun,
    Notification,
    NotificationKind,
    SweepMark,
)
from workflows.notifications import (
    digest_notification_build,
    item_notification_build,
    notifications_requeue_due,
    notifications_write_many,
    preferences_for,
)
from workflows.recipients import recipients_unique

__all__ = [
    "ClockSource",
    "ClockedItem",
    "SweepAction",
    "SweepReport",
    "clock_source",
    "clock_source_for_model",
    "clock_source_register",
    "clock_source_unregister",
    "clock_sources",
    "sweep_plan",
    "sweep_run",
    "working_days_before",
]

log = logging.getLogger(__name__)

DIGESTS_DONE = "deadline-sweep-digests"  # a JobRun whose outcome is the last day digested


def batch_size() -> int:
    return int(getattr(settings, "CF_SWEEP_BATCH", 500))


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


@dataclass(frozen=True)
class DigestEntry:
    """What a digest shows of an item (light: a day's digests hold every open item)."""

    kind: str
    object_id: int
    due_on: dt.date
    title: str
    owed_by: str
    link: str


# A report keeps this many actions as objects (for callers and tests); every action's line is
# kept for the printed report.
REPORT_ACTIONS = 2000


@dataclass
class SweepReport:
    today: dt.date
    dry_run: bool
    items_by_kind: Counter = field(default_factory=Counter)
    actions: list[SweepAction] = field(default_factory=list)
    action_lines: list[str] = field(default_factory=list)
    events: dict = field(default_factory=lambda: defaultdict(Counter))
    digests: dict = field(default_factory=dict)  # user -> list of (section, DigestEntry)
    marks_written: int = 0
    notifications_written: int = 0
    requeued: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    def record(self, action: SweepAction) -> None:
        if len(self.actions) < REPORT_ACTIONS:
            self.actions.append(action)
        self.action_lines.append(action.describe())
        self.events[action.item.kind][Event.LABELS[action.event]] += 1

    def counts(self) -> dict[str, Counter]:
        out: dict[str, Counter] = defaultdict(Counter)
        for kind, n in self.items_by_kind.items():
            out[kind]["open items in view"] = n
        for kind, counter in self.events.items():
            out[kind].update(counter)
        return out

    def lines(self) -> list[str]:
        head = f"Deadline sweep for {fmt(self.today)}"
        if self.dry_run:
            head += " (dry run: nothing was changed or sent)"
        lines = [head]
        for kind, counter in sorted(self.counts().items()):
            parts = [f"{n} {what}" for what, n in counter.items()]
            lines.append(f"{kind}: " + ", ".join(parts))
        lines.extend("  " + line for line in self.action_lines)
        lines.append(f"digests: {len(self.digests)} officer(s)")
        for user, entries in sorted(self.digests.items(), key=lambda kv: kv[0].get_username()):
            lines.append(f"  digest → {user.get_username()}: {len(entries)} item(s)")
        if not self.dry_run:
            lines.append(
                f"written: {self.marks_written} mark(s), {self.notifications_written} "
                f"notification(s) in {self.batches} batch(es); {self.requeued} pending "
                "notification(s) re-queued"
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


# --- Which clocks have something to do ------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The due dates that have an event today, under every calendar in use.

    `reminder_by`: the latest due date whose reminder day has come; `very_by`: the latest due
    date that is very overdue. Each is the latest over the regions' calendars, so SQL never
    misses a candidate; each item is then checked exactly against its own calendar.
    """

    today: dt.date
    reminder_by: dt.date
    very_by: dt.date
    calendars: dict
    default_region: str


def _latest(start: dt.date, step: int, holds) -> dt.date:
    """Walk from `start` one day at a time (`step` ±1) while `holds(day)`; the last that held
    (the day before `start`, in the walk's direction, when none did)."""
    day, last = start, start - dt.timedelta(days=step)
    for _ in range(400):
        if not holds(day):
            break
        last = day
        day += dt.timedelta(days=step)
    return last


def sweep_window(today: dt.date) -> Window:
    default_cal = calendar_for(None)
    calendars = {default_cal.region: default_cal}
    regions = set(DeadlineRule.objects.exclude(region="").values_list("region", flat=True))
    regions |= set(DeadlineRuleVersion.objects.exclude(region="").values_list("region", flat=True))
    for region in sorted(regions - set(calendars)):
        calendars[region] = calendar_for(region)
    very = settings.CF_VERY_OVERDUE_WORKING_DAYS
    reminder_by, very_by = today, dt.date.min
    for cal in calendars.values():
        reminder_by = max(
            reminder_by,
            _latest(today, 1, lambda due, cal=cal: reminder_day(cal, due) <= today),
        )
        very_by = max(
            very_by,
            _latest(
                today - dt.timedelta(days=1),
                -1,
                lambda due, cal=cal: cal.working_days_between(due, today) < very,
            )
            - dt.timedelta(days=1),
        )
    return Window(
        today=today,
        reminder_by=reminder_by,
        very_by=very_by,
        calendars=calendars,
        default_region=default_cal.region,
    )


def _event_key_sql(kind: str, event: str, due_field: str):
    return Concat(
        Value(f"{kind}:"),
        Cast(OuterRef("pk"), models.CharField()),
        Value(f":{event}:"),
        Cast(OuterRef(due_field), models.CharField()),
        output_field=models.CharField(),
    )


def candidate_clocks(source: ClockSource, window: Window):
    """The source's open clocks with an event due and not yet recorded, as a queryset.

    Reminders are recorded by their notification (any recipient's), overdue levels by their
    mark, each for the clock's current due date (a moved due date is a new clock)."""
    today, f = window.today, source.due_field
    ctype = ContentType.objects.get_for_model(source.model)
    marks = SweepMark.objects.filter(
        content_type=ctype, object_id=OuterRef("pk"), due_on=OuterRef(f)
    )

    def written(event: str) -> Exists:
        return Exists(
            Notification.objects.filter(
                content_type=ctype,
                object_id=OuterRef("pk"),
                kind=_EVENT_NOTIFICATION[event],
                event_key=_event_key_sql(source.kind, event, f),
            )
        )

    return source.clocks(window.reminder_by).filter(
        (Q(**{f"{f}__gt": today}) & ~written(Event.REMINDER_BEFORE))
        | (Q(**{f: today}) & ~written(Event.REMINDER_DUE))
        | (Q(**{f"{f}__lt": today}) & ~Exists(marks.filter(level=SweepMark.Level.OVERDUE)))
        | (
            Q(**{f"{f}__lte": window.very_by})
            & ~Exists(marks.filter(level=SweepMark.Level.VERY_OVERDUE))
        )
    )


def _item_batches(source: ClockSource, window: Window, *, everything: bool):
    size = batch_size()
    if source.set_based:
        qs = source.clocks(window.reminder_by) if everything else candidate_clocks(source, window)
        for pks in pk_batches(qs, size):
            yield list(source.items_for(pks))
        return
    items = list(source.open_items(window.reminder_by))
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- The plan, one batch at a time ----------------------------------------------------------------


def _plan_batch(items, window: Window, digest) -> list[SweepAction]:
    """What is due for these items today, not yet recorded; adds their digest entries."""
    today, very = window.today, settings.CF_VERY_OVERDUE_WORKING_DAYS
    candidates: list[SweepAction] = []
    for item in items:
        region = item.region or window.default_region
        cal = window.calendars.get(region)
        if cal is None:
            cal = window.calendars[region] = calendar_for(region)
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
        if digest is not None and section:
            entry = DigestEntry(
                item.kind, item.object_id, item.due_on, item.title, item.owed_by, item.link
            )
            for officer in item.digest_recipients:
                digest[officer].append((section, entry))

    actions = _not_yet_done(candidates)
    # Only the people who want each kind, and can be e-mailed.
    prefs = preferences_for([u for a in actions for u in a.recipients])
    for action in actions:
        action.recipients = [
            u for u in _unique_users(action.recipients) if prefs.wants(u, action.notification_kind)
        ]
    return actions


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
    if reminder_keys:
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


def _digests_due(digest: dict, today: dt.date) -> dict:
    """The officers still owed today's digest (not yet written; wanted), with their entries."""
    if not digest:
        return {}
    already = set(
        Notification.objects.filter(
            event_key=digest_key(today), recipient__in=[u.pk for u in digest]
        ).values_list("recipient_id", flat=True)
    )
    prefs = preferences_for(list(digest))
    return {
        officer: digest[officer]
        for officer in _unique_users(digest)
        if officer.pk not in already and prefs.wants(officer, NotificationKind.DIGEST)
    }


def digests_done_for(today: dt.date) -> bool:
    return JobRun.objects.filter(name=DIGESTS_DONE, last_outcome=today.isoformat()).exists()


def _digests_mark_done(today: dt.date, now: dt.datetime) -> None:
    run, _ = JobRun.objects.get_or_create(name=DIGESTS_DONE)
    run.last_started_at = run.last_finished_at = now
    run.last_outcome, run.last_ok = today.isoformat(), True
    run.runs += 1
    run.save()


def _sweep(report: SweepReport, *, with_digests: bool, write) -> None:
    """Plan every source in batches; `write(actions)` (None for a dry run) applies each."""
    window = sweep_window(report.today)
    digest: dict | None = defaultdict(list) if with_digests else None
    for source in clock_sources():
        for items in _item_batches(source, window, everything=with_digests):
            report.items_by_kind[source.kind] += len(items)
            actions = _plan_batch(items, window, digest)
            for action in actions:
                report.record(action)
            if write is not None and actions:
                write(actions)
    report.digests = _digests_due(digest, report.today) if digest is not None else {}


def sweep_plan(*, today: dt.date, with_digests: bool) -> tuple[list[SweepAction], dict, Counter]:
    """What is due for `today` (every event not yet recorded), each officer's digest, and how
    many open items were in view per kind; writes nothing."""
    report = SweepReport(today=today, dry_run=True)
    _sweep(report, with_digests=with_digests, write=None)
    return report.actions, report.digests, report.items_by_kind


# --- Writing, one batch per transaction -----------------------------------------------------------


def _write_batch(actions: list[SweepAction], *, report: SweepReport, stamp: dt.datetime) -> None:
    """Marks and notifications for one batch, in bulk and in one transaction.

    Each notification is rendered first: an item whose e-mail cannot be rendered is reported
    (the next sweep tries it again) and written neither mark nor e-mail. A mark another sweep
    wrote first (ON CONFLICT DO NOTHING left ours out) means that sweep tells the people."""
    today = report.today
    ctypes: dict = {}
    rendered = []
    for action in actions:
        model = type(action.item.obj)
        ctype = ctypes.get(model) or ctypes.setdefault(
            model, ContentType.objects.get_for_model(model)
        )
        try:
            notes = [
                n
                for user in action.recipients
                if (
                    n := item_notification_build(
                        action=action, recipient=user, today=today, now=stamp, content_type=ctype
                    )
                )
                is not None
            ]
        except Exception as exc:
            log.exception("deadline sweep: %s failed", action.describe())
            report.errors.append(f"{action.describe()}: {type(exc).__name__}: {exc}")
            continue
        rendered.append((action, ctype, notes))
    if not rendered:
        return
    try:
        with transaction.atomic():
            marked = [(a, ct) for a, ct, _ in rendered if a.mark_level is not None]
            ours = set()
            if marked:
                SweepMark.objects.bulk_create(
                    [
                        SweepMark(
                            content_type=ct,
                            object_id=a.item.object_id,
                            kind=a.item.kind,
                            level=a.mark_level,
                            due_on=a.item.due_on,
                            marked_on=today,
                            at=stamp,
                        )
                        for a, ct in marked
                    ],
                    ignore_conflicts=True,
                )
                ours = set(
                    SweepMark.objects.filter(
                        at=stamp, object_id__in={a.item.object_id for a, _ in marked}
                    ).values_list("content_type_id", "object_id", "level", "due_on")
                )
            to_write, marks = [], 0
            for action, ctype, notes in rendered:
                if action.mark_level is not None:
                    key = (ctype.pk, action.item.object_id, action.mark_level, action.item.due_on)
                    if key not in ours:
                        continue  # another sweep got there first: it tells the people
                    marks += 1
                to_write.extend(notes)
            written = notifications_write_many(to_write)
    except Exception as exc:
        log.exception("deadline sweep: a batch of %d failed", len(rendered))
        report.errors.extend(f"{a.describe()}: {type(exc).__name__}: {exc}" for a, _, _ in rendered)
        return
    report.marks_written += marks
    report.notifications_written += len(written)
    report.batches += 1


def _write_digests(report: SweepReport, *, stamp: dt.datetime) -> bool:
    """Every owed digest, in batches; True when all were written."""
    ok = True
    officers = list(report.digests.items())
    size = batch_size()
    for start in range(0, len(officers), size):
        built = []
        for officer, entries in officers[start : start + size]:
            try:
                n = digest_notification_build(
                    recipient=officer, entries=entries, today=report.today, now=stamp
                )
            except Exception as exc:
                log.exception("deadline sweep: digest to %s failed", officer)
                report.errors.append(
                    f"digest → {officer.get_username()}: {type(exc).__name__}: {exc}"
                )
                ok = False
                continue
            if n is not None:
                built.append(n)
        try:
            with transaction.atomic():
                report.notifications_written += len(notifications_write_many(built))
        except Exception as exc:
            log.exception("deadline sweep: a batch of digests failed")
            report.errors.append(f"digests: {type(exc).__name__}: {exc}")
            ok = False
    return ok


def sweep_run(
    *,
    today: dt.date | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    with_digests: bool | None = None,
) -> SweepReport:
    """Mark, remind and escalate for `today`; with `dry_run`, only say what would happen.

    Digests go out on working days, at the first run after CF_DIGEST_TIME (always when `today`
    is given explicitly, unless `with_digests` says otherwise), once a day.
    """
    now = now or timezone.now()
    explicit_day = today is not None
    today = today or timezone.localdate(now)
    if with_digests is None:
        is_working = calendar_for(None).is_working_day(today)
        with_digests = (
            is_working
            and (explicit_day or timezone.localtime(now).time() >= _digest_time())
            and not digests_done_for(today)
        )
    report = SweepReport(today=today, dry_run=dry_run)
    # The moment this run writes under: its marks and notifications carry it, which is how a
    # batch tells the rows it wrote from rows a sweep running at the same time wrote.
    stamp = timezone.now()

    def write(actions):
        _write_batch(actions, report=report, stamp=stamp)

    _sweep(report, with_digests=with_digests, write=None if dry_run else write)
    if dry_run:
        return report
    if with_digests and _write_digests(report, stamp=stamp) and not report.errors:
        _digests_mark_done(today, now)
    report.requeued = notifications_requeue_due(now=now)
    log.info(
        "deadline sweep %s: %d marks, %d notifications in %d batches, %d re-queued",
        today,
        report.marks_written,
        report.notifications_written,
        report.batches,
        report.requeued,
    )
    return report
