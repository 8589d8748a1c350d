"""Due dates from deadline rules, each with an explanation a person can read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings

from workflows.calendar import WorkingCalendar, describe_skipped, fmt
from workflows.models import DeadlineRule, HolidayOverride


@dataclass(frozen=True)
class Due:
    date: dt.date
    explanation: str


def calendar_for(region: str | None = None, *, overrides=None) -> WorkingCalendar:
    """The working calendar for `region` with the administrators' holiday overrides.

    `overrides`: the overrides to apply instead of those in the database (a preview passes the
    recorded ones with the proposed change made, unsaved).
    """
    region = region or settings.CF_HOLIDAY_REGION
    added, removed = {}, set()
    # The United Kingdom calendar counts a holiday of any part: every region's additions apply;
    # only removals recorded for the United Kingdom itself take a listed holiday away.
    if overrides is None:
        overrides = HolidayOverride.objects.all()
        if region != "united-kingdom":
            overrides = overrides.filter(region=region)
    elif region != "united-kingdom":
        overrides = [o for o in overrides if o.region == region]
    for override in overrides:
        if override.action == HolidayOverride.Action.ADD:
            added.setdefault(override.date, override.name)
        elif override.region == region:
            removed.add(override.date)
    return WorkingCalendar(region=region, added=added, removed=frozenset(removed))


def _plural(count: int, word: str) -> str:
    """'1 working day', '20 working days' (the unit's last word takes the plural)."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def compute_due(
    rule, start: dt.date, *, calendar: WorkingCalendar | None = None, terms=None
) -> Due:
    """The due date for `rule` counted from `start` (for clear-days rules: the event's date).

    The rule's terms are those in force on `start` (`DeadlineRule.terms_on`: a later change
    that is not a correction leaves the clock alone); `terms` gives them when the caller has
    already found them (a recompute, a preview). A `DeadlineRuleVersion` may be passed as
    `rule` itself.
    """
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise TypeError("A clock starts on a date.")
    if terms is None:
        terms = rule.terms_on(start) if isinstance(rule, DeadlineRule) else rule
    rule = terms
    cal = calendar or calendar_for(rule.effective_region)
    Unit, Kind = DeadlineRule.Unit, DeadlineRule.Kind

    if rule.kind == Kind.CLEAR_DAYS_BEFORE:
        day = cal.latest_day_before_clear_days(start, rule.period)
        skipped = describe_skipped(cal.holidays_between(day, start))
        return Due(
            day,
            f"{_plural(rule.period, 'clear working day')} before {fmt(start)}{skipped}: "
            f"publish by {fmt(day)}",
        )

    if rule.unit == Unit.WORKING_DAYS:
        due = cal.add_working_days(start, rule.period, start_counts=rule.start_day_counts)
        if rule.start_day_counts:
            first = cal.next_working_day(start)
            lead = f"{_plural(rule.period, 'working day')} beginning with {fmt(start)}"
            if first != start:
                lead += f" (not a working day, so day 1 is {fmt(first)})"
            skipped = describe_skipped(cal.holidays_between(start, due))
        else:
            lead = f"{_plural(rule.period, 'working day')} after {fmt(start)}"
            skipped = describe_skipped(cal.holidays_between(start + dt.timedelta(days=1), due))
        return Due(due, f"{lead}{skipped}: {fmt(due)}")

    if rule.unit == Unit.CALENDAR_DAYS:
        offset = rule.period - 1 if rule.start_day_counts else rule.period
        due = start + dt.timedelta(days=offset)
        word = "beginning with" if rule.start_day_counts else "after"
        return Due(due, f"{_plural(rule.period, 'day')} {word} {fmt(start)}: {fmt(due)}")

    if rule.unit == Unit.MONTHS:
        due = start + relativedelta(months=rule.period)
        if rule.start_day_counts:
            due -= dt.timedelta(days=1)
        word = "beginning with" if rule.start_day_counts else "after"
        return Due(due, f"{_plural(rule.period, 'month')} {word} {fmt(start)}: {fmt(due)}")

    raise ValueError(f"Unknown unit {rule.unit!r} on rule {rule.slug}")


def working_days_late(
    due_on: dt.date,
    received_on: dt.date,
    *,
    region: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> int:
    """How many working days after the due date `received_on` is (0 when on time).
    `calendar`: the region's calendar when the caller already has it (a bulk load)."""
    if received_on <= due_on:
        return 0
    cal = calendar or calendar_for(region)
    # An answer that arrives on a weekend or holiday counts from the next working day.
    return cal.working_days_between(due_on, cal.next_working_day(received_on))
