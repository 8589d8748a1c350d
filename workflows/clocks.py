"""Due dates from deadline rules, each with an explanation a person can read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings

from workflows.calendar import WorkingCalendar, describe_skipped, fmt


@dataclass(frozen=True)
class Due:
    date: dt.date
    explanation: str


def calendar_for(region: str | None = None) -> WorkingCalendar:
    """The working calendar for `region` with the administrators' holiday overrides."""
    from workflows.models import HolidayOverride

    region = region or settings.CF_HOLIDAY_REGION
    added, removed = {}, set()
    for override in HolidayOverride.objects.filter(region=region):
        if override.action == HolidayOverride.Action.ADD:
            added[override.date] = override.name
        else:
            removed.add(override.date)
    return WorkingCalendar(region=region, added=added, removed=frozenset(removed))


def compute_due(rule, start: dt.date, *, calendar: WorkingCalendar | None = None) -> Due:
    """The due date for `rule` counted from `start` (for clear-days rules: the event's date)."""
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise TypeError("A clock starts on a date.")
    cal = calendar or calendar_for(rule.effective_region)
    Unit, Kind = type(rule).Unit, type(rule).Kind

    if rule.kind == Kind.CLEAR_DAYS_BEFORE:
        day = cal.latest_day_before_clear_days(start, rule.period)
        skipped = describe_skipped(cal.holidays_between(day, start))
        return Due(
            day,
            f"{rule.period} clear working days before {fmt(start)}{skipped}: publish by {fmt(day)}",
        )

    if rule.unit == Unit.WORKING_DAYS:
        due = cal.add_working_days(start, rule.period, start_counts=rule.start_day_counts)
        if rule.start_day_counts:
            first = cal.next_working_day(start)
            lead = f"{rule.period} working days beginning with {fmt(start)}"
            if first != start:
                lead += f" (not a working day, so day 1 is {fmt(first)})"
            skipped = describe_skipped(cal.holidays_between(start, due))
        else:
            lead = f"{rule.period} working days after {fmt(start)}"
            skipped = describe_skipped(cal.holidays_between(start + dt.timedelta(days=1), due))
        return Due(due, f"{lead}{skipped}: {fmt(due)}")

    if rule.unit == Unit.CALENDAR_DAYS:
        offset = rule.period - 1 if rule.start_day_counts else rule.period
        due = start + dt.timedelta(days=offset)
        word = "beginning with" if rule.start_day_counts else "after"
        return Due(due, f"{rule.period} days {word} {fmt(start)}: {fmt(due)}")

    if rule.unit == Unit.MONTHS:
        due = start + relativedelta(months=rule.period)
        if rule.start_day_counts:
            due -= dt.timedelta(days=1)
        word = "beginning with" if rule.start_day_counts else "after"
        label = "month" if rule.period == 1 else "months"
        return Due(due, f"{rule.period} {label} {word} {fmt(start)}: {fmt(due)}")

    raise ValueError(f"Unknown unit {rule.unit!r} on rule {rule.slug}")


def working_days_late(due_on: dt.date, received_on: dt.date, *, region: str | None = None) -> int:
    """How many working days after the due date `received_on` is (0 when on time)."""
    if received_on <= due_on:
        return 0
    cal = calendar_for(region)
    # An answer that arrives on a weekend or holiday counts from the next working day.
    return cal.working_days_between(due_on, cal.next_working_day(received_on))
