"""The demo's clock: each step of a demo story happens on a working day, in order, before today.

The services stamp what they record with the time they run (a topic's `created_at`, every audit
event's `at`, a referral's date, a response's "on time"), so the demo tells a true story only if
each step runs on the day the story says it happened. A `StoryClock` moves the process clock
(time-machine) to that day for the length of one step, and never backwards: two steps of one
story on the same day run a minute apart, in the order they were called. Every day is taken from
the project's working-day calendar (`workflows.clocks.calendar_for`), counted back from today,
so the demo stays current whenever it is seeded.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import time_machine
from django.utils import timezone

from workflows.clocks import calendar_for


def working_day(days_ago: int, *, today: dt.date | None = None) -> dt.date:
    """The working day `days_ago` calendar days before today, or the working day before it."""
    calendar = calendar_for()
    day = (today or timezone.localdate()) - dt.timedelta(days=days_ago)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def working_day_on_or_after(day: dt.date) -> dt.date:
    return calendar_for().next_working_day(day)


def working_days_after(day: dt.date, count: int) -> dt.date:
    return calendar_for().add_working_days(day, count)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class StoryClock:
    """The clock of one story (a topic, a meeting): `with clock.on(day):` runs a step that day."""

    def __init__(self):
        self.last: dt.datetime | None = None

    @contextmanager
    def on(self, day: dt.date, hour: int = 10):
        start = at(day, hour)
        if self.last is not None and start <= self.last:
            start = self.last + dt.timedelta(minutes=1)
        if start > timezone.now():
            raise ValueError(f"A demo step on {start:%d %b %Y %H:%M} would be in the future.")
        with time_machine.travel(start, tick=True):
            yield start
            self.last = timezone.now()
