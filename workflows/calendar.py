"""The working-day calendar: which days count, and why.

A working day is not a Saturday, Sunday, or a bank holiday of the configured region (Christmas
Day and Good Friday are bank holidays in every region's list). Bank holidays come from the
`holidays` package, adjusted by overrides that an administrator records (a holiday added by
proclamation, or one removed). Only holidays that fall on weekdays matter: the package also
lists the weekend date of a holiday whose observed substitute is a weekday, and those are left
out of everything shown to people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

REGIONS = {
    "england-and-wales": ("ENG",),
    "scotland": ("SCT",),
    "northern-ireland": ("NIR",),
    "united-kingdom": ("ENG", "SCT", "NIR"),
}
REGION_LABELS = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
    "united-kingdom": "any part of the United Kingdom",
}


def fmt(day: dt.date) -> str:
    """'Fri 18 Dec 2026' — the form every explanation uses."""
    return f"{day:%a} {day.day} {day:%b %Y}"


@lru_cache(maxsize=64)
def _package_holidays(region: str, year: int) -> dict[dt.date, str]:
    if region not in REGIONS:
        raise ValueError(f"Unknown holiday region {region!r}; choose one of {', '.join(REGIONS)}")
    found: dict[dt.date, str] = {}
    for subdiv in REGIONS[region]:
        for day, name in holidays.country_holidays("GB", subdiv=subdiv, years=year).items():
            if day.weekday() < 5:
                found.setdefault(day, name)
    return found


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days for one region, with administrator overrides applied.

    `added` maps extra holiday dates to names; `removed` lists package holidays that do not apply.
    """

    region: str = "england-and-wales"
    added: dict[dt.date, str] = field(default_factory=dict, hash=False, compare=False)
    removed: frozenset[dt.date] = field(default_factory=frozenset, hash=False, compare=False)

    def __post_init__(self):
        if self.region not in REGIONS:
            raise ValueError(
                f"Unknown holiday region {self.region!r}; choose one of {', '.join(REGIONS)}"
            )

    def holiday_name(self, day: dt.date) -> str | None:
        """The name of the weekday bank holiday on `day`, or None."""
        if day.weekday() >= 5:
            return None
        if day in self.added:
            return self.added[day]
        if day in self.removed:
            return None
        return _package_holidays(self.region, day.year).get(day)

    def bank_holidays(self, year: int) -> list[tuple[dt.date, str]]:
        """The bank holidays that fall on weekdays in `year`, in date order."""
        days = {
            d: n for d, n in _package_holidays(self.region, year).items() if d not in self.removed
        }
        days.update({d: n for d, n in self.added.items() if d.year == year and d.weekday() < 5})
        return sorted(days.items())

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, otherwise the next one."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def holidays_between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Weekday holidays from `first` to `last` inclusive."""
        out, day = [], first
        while day <= last:
            if self.holiday_name(day):
                out.append(day)
            day += dt.timedelta(days=1)
        return out

    def add_working_days(
        self, start: dt.date, count: int, *, start_counts: bool = False
    ) -> dt.date:
        """The `count`-th working day after `start`, or beginning with it when `start_counts`.

        With `start_counts`, `start` is day 1 when it is a working day (otherwise day 1 is the next
        working day); without it, day 1 is the first working day after `start`.
        """
        if count < 1:
            raise ValueError("A working-day period must be at least 1 day.")
        day = start if start_counts else start + dt.timedelta(days=1)
        counted = 0
        while True:
            if self.is_working_day(day):
                counted += 1
                if counted == count:
                    return day
            day += dt.timedelta(days=1)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start + dt.timedelta(days=1)
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += dt.timedelta(days=1)
        return count

    def latest_day_before_clear_days(self, event: dt.date, clear_days: int) -> dt.date:
        """The latest working day leaving `clear_days` clear working days before `event`.

        Clear days exclude the day itself, the event's day, weekends and bank holidays.
        """
        day, counted = event - dt.timedelta(days=1), 0
        while counted < clear_days:
            if self.is_working_day(day):
                counted += 1
            day -= dt.timedelta(days=1)
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day


def describe_skipped(days: Iterable[dt.date]) -> str:
    days = list(days)
    if not days:
        return ""
    return ", skipping " + ", ".join(f"{d.day} {d:%b}" for d in days)
