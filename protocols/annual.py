"""Joint working's part of an annual report (docs/annual-reports.md): the period a body reports
on, and the meetings it held in it with their attendance.

A network reports on the financial year (1 April to 31 March: the 2007 Act s227 year); a
committee on the municipal year (`protocols.services.governance.municipal_year_bounds`), the
year it reports to council on. Meetings are the body's own and the joint meetings of its
partnerships (`Meeting.objects.involving`). The public figures count meetings whose agenda is
published, and attendance recorded at meetings whose minutes are published (where the public
reads it); staff figures count every meeting and every attendance record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from protocols.models import Attendance, AttendanceStatus, Meeting, MeetingState, MinutesState
from protocols.services.governance import municipal_year_bounds, municipal_year_of
from scrutiny.casework.models import Organisation
from scrutiny.casework.services import financial_year_bounds

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE)


def report_period(body: Organisation, year: int) -> tuple[dt.date, dt.date]:
    """The first and last days of `body`'s reporting year `year`."""
    if body.kind == Organisation.Kind.SCRUTINY_COMMITTEE:
        return municipal_year_bounds(year)
    return financial_year_bounds(year)


def last_full_year(body: Organisation, today: dt.date) -> int:
    """The latest reporting year of `body` that has ended by `today`."""
    if body.kind == Organisation.Kind.SCRUTINY_COMMITTEE:
        return municipal_year_of(today) - 1
    return (today.year if today.month >= 4 else today.year - 1) - 1


@dataclass
class PersonAttendance:
    name: str
    recorded: int = 0
    attended: int = 0
    apologies: int = 0
    absent: int = 0


@dataclass
class MeetingFigures:
    held: int = 0
    cancelled: int = 0
    scheduled: int = 0
    people: list[PersonAttendance] = field(default_factory=list)

    @property
    def attendance_rate(self) -> int | None:
        """Per cent of the recorded places that were filled (present or a substitute)."""
        recorded = sum(p.recorded for p in self.people)
        attended = sum(p.attended for p in self.people)
        return round(100 * attended / recorded) if recorded else None

    def rows(self) -> list[tuple[str, str, int]]:
        out = [
            ("meetings", "held", self.held),
            ("meetings", "cancelled", self.cancelled),
            ("meetings", "scheduled, not yet held", self.scheduled),
        ]
        for p in self.people:
            out += [
                (f"attendance: {p.name}", "meetings recorded", p.recorded),
                (f"attendance: {p.name}", "attended", p.attended),
                (f"attendance: {p.name}", "apologies", p.apologies),
                (f"attendance: {p.name}", "absent", p.absent),
            ]
        return out


def meeting_figures(
    body: Organisation, starts_on: dt.date, ends_on: dt.date, *, public: bool
) -> MeetingFigures:
    """The meetings of `body` in the period and who attended them: two queries."""
    meetings = Meeting.objects.involving([body.pk]).filter(date__gte=starts_on, date__lte=ends_on)
    if public:
        meetings = meetings.published()
    figures = MeetingFigures()
    for state in meetings.values_list("state", flat=True):
        if state == MeetingState.HELD:
            figures.held += 1
        elif state == MeetingState.CANCELLED:
            figures.cancelled += 1
        else:
            figures.scheduled += 1
    attendance = Attendance.objects.filter(
        meeting__in=meetings.filter(state=MeetingState.HELD).values("pk")
    )
    if public:
        attendance = attendance.filter(meeting__minutes__state=MinutesState.PUBLISHED)
    people: dict[str, PersonAttendance] = {}
    for name, status in attendance.order_by("name").values_list("name", "status"):
        person = people.setdefault(name, PersonAttendance(name=name))
        person.recorded += 1
        if status in ATTENDED:
            person.attended += 1
        elif status == AttendanceStatus.APOLOGIES:
            person.apologies += 1
        else:
            person.absent += 1
    figures.people = list(people.values())
    return figures
