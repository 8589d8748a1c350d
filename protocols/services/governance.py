"""Meeting governance: seats on a committee by municipal year, attendance, declarations of
interest and the minutes' lifecycle (docs/decisions/0024-meeting-governance.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from protocols.models import (
    MS,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CommitteeRules,
    CommitteeSeat,
    Declaration,
    InterestKind,
    Meeting,
    MeetingState,
    Minutes,
    SeatKind,
)
from protocols.search import index_meeting
from protocols.services.common import _clean
from protocols.services.meetings import _lock_meeting
from scrutiny.casework.models import Organisation
from scrutiny.casework.policy import can, forget_topic_perms, owner_ids
from scrutiny.casework.roles import Perm
from workflows.audit import EventType, log_event
from workflows.calendar import WorkingCalendar
from workflows.clocks import calendar_for
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.services import transition_apply

# --- Municipal years ------------------------------------------------------------------------


def _year_anchor(year: int) -> dt.date:
    month, day = settings.CF_MUNICIPAL_YEAR_STARTS
    return dt.date(year, month, day)


def municipal_year_start(year: int, *, calendar: WorkingCalendar | None = None) -> dt.date:
    """The first day of municipal year `year` (2026 is 2026/27): the anchor date
    (`CF_MUNICIPAL_YEAR_STARTS`, 1 May by default), or with
    `CF_MUNICIPAL_YEAR_AFTER_ANCHOR` (the default) the working day following it — the annual
    meeting of the council is held in May, after the elections of early May."""
    anchor = _year_anchor(year)
    if not settings.CF_MUNICIPAL_YEAR_AFTER_ANCHOR:
        return anchor
    calendar = calendar or calendar_for()
    return calendar.next_working_day(anchor + dt.timedelta(days=1))


def municipal_year_bounds(year: int, *, calendar=None) -> tuple[dt.date, dt.date]:
    """The first and last days of municipal year `year`."""
    calendar = calendar or calendar_for()
    start = municipal_year_start(year, calendar=calendar)
    following = municipal_year_start(year + 1, calendar=calendar)
    return start, following - dt.timedelta(days=1)


def municipal_year_of(day: dt.date, *, calendar=None) -> int:
    """The municipal year `day` falls in."""
    calendar = calendar or calendar_for()
    return day.year if day >= municipal_year_start(day.year, calendar=calendar) else day.year - 1


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


# --- Seats and the committee's rules ----------------------------------------------------------


def _check_body_officer(by, body: Organisation):
    if not can(by, Perm.MEETING_MANAGE, body):
        raise Forbidden("Only a support officer of the body keeps its membership.")


ONE_A_YEAR = (SeatKind.CHAIR, SeatKind.VICE_CHAIR)


def seat_add(
    *,
    body: Organisation,
    by,
    year: int,
    name: str,
    role: str,
    user=None,
    voting: bool = True,
    represents: str = "",
    substitute_for: CommitteeSeat | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> CommitteeSeat:
    """Record who sits on `body` in municipal year `year`, from `starts_on` (the year's first
    day by default) to `ends_on` (its last day by default)."""
    _check_body_officer(by, body)
    name = _clean(name) or (user.get_full_name() or user.username if user else "")
    errors = {}
    if not name:
        errors["name"] = ["Enter the member's name."]
    if role not in SeatKind.values:
        errors["role"] = ["Choose a role."]
    if not isinstance(year, int) or not 1990 <= year <= 2200:
        errors["year"] = ["Enter the municipal year, for example 2026 for 2026/27."]
    if errors:
        raise InvalidInput("Check the seat.", field_errors=errors)
    first, last = municipal_year_bounds(year)
    starts_on = starts_on or first
    ends_on = ends_on or last
    if not first <= starts_on <= last:
        errors["starts_on"] = [f"Choose a day within {year_label(year)} ({first} to {last})."]
    if not starts_on <= ends_on <= last:
        errors["ends_on"] = [f"Choose a day from the start of the seat to {last}."]
    # Councillors vote; a co-optee or a substitute may not.
    voting = bool(voting) if role in (SeatKind.CO_OPTEE, SeatKind.SUBSTITUTE) else True
    if role == SeatKind.SUBSTITUTE:
        if substitute_for is None:
            errors["substitute_for"] = ["Choose whom the substitute stands in for."]
        elif substitute_for.body_id != body.pk or substitute_for.year != year:
            errors["substitute_for"] = ["Choose a seat on this body in the same year."]
    else:
        substitute_for = None
    if role in ONE_A_YEAR and not errors:
        clash = CommitteeSeat.objects.filter(body=body, year=year, role=role).filter(
            starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if clash.exists():
            errors["role"] = [
                f"{body} already has a {SeatKind(role).label.lower()} for those dates: "
                "end that seat first."
            ]
    if errors:
        raise InvalidInput("Check the seat.", field_errors=errors)
    with transaction.atomic():
        seat = CommitteeSeat.objects.create(
            body=body,
            year=year,
            name=name,
            user=user,
            role=role,
            voting=voting,
            represents=_clean(represents),
            substitute_for=substitute_for,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        log_event(
            body,
            EventType.COMMITTEE_SEAT_ADDED,
            by=by,
            note=f"{seat.name}: {seat.get_role_display()}, {year_label(year)}",
            data={"seat": seat.pk},
        )
    if user is not None:
        forget_topic_perms(user)
    return seat


def seat_end(*, seat: CommitteeSeat, by, on: dt.date) -> CommitteeSeat:
    """End a seat early (a resignation, a change of chair): it is held up to and including
    `on`."""
    _check_body_officer(by, seat.body)
    if not isinstance(on, dt.date) or on < seat.starts_on:
        raise InvalidInput(
            "Choose a day on or after the seat began.",
            field_errors={"ends_on": [f"Choose a day on or after {seat.starts_on}."]},
        )
    with transaction.atomic():
        seat = CommitteeSeat.objects.select_for_update().get(pk=seat.pk)
        if seat.ends_on is not None and on > seat.ends_on:
            raise InvalidInput(
                "A seat can be ended early, not extended.",
                field_errors={"ends_on": [f"Choose a day on or before {seat.ends_on}."]},
            )
        seat.ends_on = on
        seat.save(update_fields=["ends_on"])
        log_event(
            seat.body,
            EventType.COMMITTEE_SEAT_ENDED,
            by=by,
            note=f"{seat.name}: {seat.get_role_display()} until {on}",
            data={"seat": seat.pk},
        )
    return seat


def committee_rules_set(*, body: Organisation, by, co_optees_see_exempt: bool) -> CommitteeRules:
    _check_body_officer(by, body)
    with transaction.atomic():
        rules, _ = CommitteeRules.objects.select_for_update().get_or_create(body=body)
        rules.co_optees_see_exempt = bool(co_optees_see_exempt)
        rules.save(update_fields=["co_optees_see_exempt"])
        log_event(
            body,
            EventType.COMMITTEE_RULES_CHANGED,
            by=by,
            note="Co-optees receive exempt items"
            if rules.co_optees_see_exempt
            else "Co-optees do not receive exempt items",
        )
    return rules


def seats_held_on(body_ids, day: dt.date):
    """Seats on any of `body_ids` held on `day` (who sits when)."""
    return CommitteeSeat.objects.filter(body__in=list(body_ids)).on(day)


# --- Attendance and declarations -------------------------------------------------------------


def _held_meeting(meeting: Meeting, by) -> Meeting:
    meeting = _lock_meeting(meeting, by)
    if meeting.state != MeetingState.HELD:
        raise Conflict("Attendance and declarations are recorded once the meeting has been held.")
    return meeting


def attendance_record(
    *,
    meeting: Meeting,
    by,
    name: str = "",
    status: str,
    seat: CommitteeSeat | None = None,
    substitute_for: str = "",
) -> Attendance:
    """Record one person's attendance at a held meeting (again for the same name: corrected)."""
    name = _clean(name) or (seat.name if seat else "")
    substitute_for = _clean(substitute_for)
    errors = {}
    if not name:
        errors["name"] = ["Enter who attended, or choose their seat."]
    if status not in AttendanceStatus.values:
        errors["status"] = ["Choose present, apologies, absent or substitute."]
    if status == AttendanceStatus.SUBSTITUTE and not substitute_for:
        if seat is not None and seat.substitute_for_id:
            substitute_for = seat.substitute_for.name
        else:
            errors["substitute_for"] = ["Enter whom the substitute sat for."]
    if status != AttendanceStatus.SUBSTITUTE:
        substitute_for = ""
    if seat is not None and seat.body_id not in owner_ids(meeting):
        errors["seat"] = ["Choose a seat on one of the meeting's bodies."]
    if errors:
        raise InvalidInput("Check the attendance.", field_errors=errors)
    with transaction.atomic():
        meeting = _held_meeting(meeting, by)
        row, created = Attendance.objects.select_for_update().get_or_create(
            meeting=meeting,
            name=name,
            defaults={
                "status": status,
                "seat": seat,
                "substitute_for": substitute_for,
                "recorded_by": by,
            },
        )
        if not created:
            row.status, row.seat, row.substitute_for = status, seat, substitute_for
            row.recorded_by, row.recorded_at = by, timezone.now()
            row.save()
        note = f"{name}: {row.get_status_display()}"
        if substitute_for:
            note += f" for {substitute_for}"
        log_event(meeting, EventType.MEETING_ATTENDANCE_RECORDED, by=by, note=note)
    return row


def interest_declare(
    *, item: AgendaItem, by, attendee: Attendance, kind: str, interest: str, withdrew: bool
) -> Declaration:
    """Record a declaration of interest on one item by someone at the meeting."""
    interest = _clean(interest)
    errors = {}
    if kind not in InterestKind.values:
        errors["kind"] = ["Choose the kind of interest."]
    if not interest:
        errors["interest"] = ["Say what the interest is."]
    if attendee is None or attendee.meeting_id != item.meeting_id:
        errors["attendee"] = ["Choose someone recorded as attending this meeting."]
    elif attendee.status not in (AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE):
        errors["attendee"] = ["Only someone present can declare an interest."]
    if errors:
        raise InvalidInput("Check the declaration.", field_errors=errors)
    with transaction.atomic():
        meeting = _held_meeting(item.meeting, by)
        declaration = Declaration.objects.create(
            item=item,
            attendee=attendee,
            kind=kind,
            interest=interest,
            withdrew=bool(withdrew),
            recorded_by=by,
        )
        # The log never carries an exempt item's words (a topic's history can be public).
        where = f"item {item.position} (exempt)" if item.exempt else f"item {item.position}"
        log_event(
            meeting,
            EventType.MEETING_INTEREST_DECLARED,
            by=by,
            note=f"{attendee.name}: {declaration.get_kind_display()} on {where}"
            + (", withdrew" if declaration.withdrew else ""),
        )
    return declaration


# --- Minutes ---------------------------------------------------------------------------------


def minutes_draft(*, meeting: Meeting, by, introduction: str = "") -> Minutes:
    """Start the minutes of a held meeting (its decisions are the items' decisions)."""
    with transaction.atomic():
        meeting = _held_meeting(meeting, by)
        try:
            with transaction.atomic():
                minutes = Minutes.objects.create(
                    meeting=meeting, introduction=_clean(introduction), created_by=by
                )
        except IntegrityError as exc:
            raise Conflict("This meeting's minutes are already started.") from exc
        log_event(minutes, EventType.MINUTES_DRAFTED, by=by, note=f"Minutes of {meeting}")
        index_meeting(meeting)
    return minutes


def minutes_update(*, minutes: Minutes, by, introduction: str) -> Minutes:
    with transaction.atomic():
        _lock_meeting(minutes.meeting, by)
        minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if minutes.state != MS.DRAFT:
            raise Conflict("Only draft minutes can be changed: return them to draft first.")
        minutes.introduction = _clean(introduction)
        minutes.save(update_fields=["introduction", "updated_at"])
        log_event(minutes, EventType.MINUTES_EDITED, by=by)
        index_meeting(minutes.meeting)
    return minutes


def minutes_circulate(*, minutes: Minutes, by, on: dt.date | None = None, expected_state=None):
    return transition_apply(
        instance=minutes,
        name="circulate",
        by=by,
        on=on or timezone.localdate(),
        expected_state=expected_state,
    )


def minutes_return_to_draft(*, minutes: Minutes, by, note: str = "", expected_state=None):
    return transition_apply(
        instance=minutes,
        name="return_to_draft",
        by=by,
        note=_clean(note),
        expected_state=expected_state,
    )


def approving_items_for(minutes: Minutes):
    """The agenda items that may approve these minutes: of later held meetings of the same
    body or partnership."""
    meeting = minutes.meeting
    later = Q(date__gt=meeting.date) | Q(date=meeting.date, start_time__gt=meeting.start_time)
    meetings = Meeting.objects.filter(
        later,
        body_id=meeting.body_id,
        partnership_id=meeting.partnership_id,
        state=MeetingState.HELD,
    )
    return (
        AgendaItem.objects.filter(meeting__in=meetings)
        .select_related("meeting")
        .order_by("meeting__date", "position")
    )


def minutes_approve(*, minutes: Minutes, by, item: AgendaItem, expected_state=None) -> Minutes:
    """Approve the minutes as a correct record by `item` of a later held meeting (LGA 1972
    Sch 12 para 41(1)); never at the meeting they record."""
    if item is None or not approving_items_for(minutes).filter(pk=item.pk).exists():
        raise InvalidInput(
            "Choose an item of a later, held meeting of the same body or partnership.",
            field_errors={
                "item": [
                    "Minutes are approved at a later meeting: choose the item of that "
                    "meeting that approved them."
                ]
            },
        )
    return transition_apply(
        instance=minutes,
        name="approve",
        by=by,
        note=f"Approved at {item.meeting}, item {item.position}",
        expected_state=expected_state,
        set_fields={"approved_at_item": item},
    )


def minutes_publish(*, minutes: Minutes, by, at=None, expected_state=None) -> Minutes:
    return transition_apply(
        instance=minutes,
        name="publish",
        by=by,
        at=at or timezone.now(),
        expected_state=expected_state,
    )
