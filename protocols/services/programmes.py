"""The work programme by municipal year: set a partnership's capacity for a year, schedule
topics to target meetings, take them off again (docs/decisions/0027-work-programme.md).

Adding a topic beyond the planned capacity (the capacity less the reserve for issues that
arise), or to a meeting whose programme slots are taken, is allowed only with a recorded
reason: without one the service refuses with the warning, so the page can show it."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from protocols.models import Meeting, MeetingState, ProgrammeEntry, WorkProgramme
from protocols.services.common import _clean
from protocols.services.governance import municipal_year_bounds, year_label
from scrutiny.casework.models import Partnership, Topic, TopicState
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from workflows.audit import EventType, log_event
from workflows.errors import Forbidden, InvalidInput

FIRST_YEAR, LAST_YEAR = 1990, 2200
MAX_CAPACITY, MAX_SLOTS = 200, 50
# Topics that are over cannot be put on a programme.
CLOSED_STATES = (TopicState.WITHDRAWN, TopicState.DECLINED)


def _check_keeper(by, partnership: Partnership):
    if not can(by, Perm.TOPIC_MANAGE, partnership):
        raise Forbidden("Only a support officer of the partnership keeps its work programme.")


def check_year(year) -> int:
    """`year` as a municipal year (2026 for 2026/27), or InvalidInput (a 400)."""
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not FIRST_YEAR <= value <= LAST_YEAR:
        raise InvalidInput(
            "Enter the municipal year, for example 2026 for 2026/27.",
            field_errors={"year": ["Enter the municipal year, for example 2026 for 2026/27."]},
        )
    return value


def _count(value, name: str, label: str, low: int, high: int, errors: dict, *, optional=False):
    if value in (None, "") and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors[name] = [f"Enter {label} from {low} to {high}."]
        return None
    return value


def programme_set(
    *,
    partnership: Partnership,
    by,
    year,
    topic_capacity,
    reserved=0,
    slots_per_meeting=None,
) -> WorkProgramme:
    """Create the programme of `partnership` for municipal year `year`, or change its
    capacity. A capacity below what is already scheduled is allowed (the page warns)."""
    _check_keeper(by, partnership)
    year = check_year(year)
    errors: dict[str, list[str]] = {}
    capacity = _count(topic_capacity, "topic_capacity", "a capacity", 1, MAX_CAPACITY, errors)
    reserve = _count(reserved or 0, "reserved", "a reserve", 0, MAX_CAPACITY, errors)
    slots = _count(
        slots_per_meeting, "slots_per_meeting", "slots", 1, MAX_SLOTS, errors, optional=True
    )
    if capacity is not None and reserve is not None and reserve > capacity:
        errors["reserved"] = [f"Hold back at most the whole capacity ({capacity} topics)."]
    if errors:
        raise InvalidInput("Check the programme's capacity.", field_errors=errors)
    with transaction.atomic():
        programme = (
            WorkProgramme.objects.select_for_update()
            .filter(partnership=partnership, year=year)
            .first()
        )
        created = programme is None
        if created:
            try:
                with transaction.atomic():
                    programme = WorkProgramme.objects.create(
                        partnership=partnership,
                        year=year,
                        topic_capacity=capacity,
                        reserved=reserve,
                        slots_per_meeting=slots,
                        created_by=by,
                    )
            except IntegrityError:  # created by someone else a moment ago
                programme = WorkProgramme.objects.select_for_update().get(
                    partnership=partnership, year=year
                )
                created = False
        before = {
            "topic_capacity": programme.topic_capacity,
            "reserved": programme.reserved,
            "slots_per_meeting": programme.slots_per_meeting,
        }
        after = {"topic_capacity": capacity, "reserved": reserve, "slots_per_meeting": slots}
        if not created:
            if before == after:
                return programme
            for name, value in after.items():
                setattr(programme, name, value)
            programme.save(update_fields=[*after, "updated_at"])
        slots_note = f", {slots} a meeting" if slots else ""
        log_event(
            programme,
            EventType.WORK_PROGRAMME_SET,
            by=by,
            note=(f"{year_label(year)}: {capacity} topics, {reserve} held in reserve{slots_note}"),
            data={"year": year, **after, **({} if created else {"before": before})},
        )
    return programme


def capacity_warnings(programme: WorkProgramme, *, meeting=None, adding=True) -> list[str]:
    """What adding one more topic (or moving one to `meeting`) would go beyond."""
    warnings = []
    entries = ProgrammeEntry.objects.filter(programme=programme)
    if adding:
        scheduled = entries.count()
        if scheduled >= programme.planned_capacity:
            warnings.append(
                f"The programme for {programme.year_label} is full: {scheduled} topics scheduled "
                f"against a capacity of {programme.topic_capacity}, of which "
                f"{programme.reserved} are held in reserve for issues that arise."
            )
    if meeting is not None and programme.slots_per_meeting:
        taken = entries.filter(meeting=meeting).count()
        if taken >= programme.slots_per_meeting:
            warnings.append(
                f"{meeting.title} on {meeting.date:%-d %B %Y} already has {taken} programme "
                f"topics; it takes {programme.slots_per_meeting}."
            )
    return warnings


def _check_meeting(programme: WorkProgramme, meeting: Meeting) -> None:
    parties = programme.partnership.party_ids()
    ours = meeting.partnership_id == programme.partnership_id or (
        meeting.partnership_id is None and meeting.body_id in parties
    )
    first, last = municipal_year_bounds(programme.year)
    problem = None
    if not ours:
        problem = "Choose a meeting of the partnership or of one of its bodies."
    elif meeting.state != MeetingState.SCHEDULED:
        problem = "Choose a meeting that is still scheduled."
    elif not first <= meeting.date <= last:
        problem = f"Choose a meeting in {programme.year_label} ({first} to {last})."
    if problem:
        raise InvalidInput(problem, field_errors={"meeting": [problem]})


def programme_schedule(
    *,
    programme: WorkProgramme,
    by,
    topic: Topic,
    meeting: Meeting | None = None,
    reason: str = "",
) -> ProgrammeEntry:
    """Put `topic` on the programme aimed at `meeting` (or none yet), or move it there if it
    is on already. Beyond capacity, `reason` is required and recorded."""
    _check_keeper(by, programme.partnership)
    reason = _clean(reason)
    if topic.partnership_id != programme.partnership_id:
        raise InvalidInput(
            "Choose a topic of this partnership.",
            field_errors={"topic": ["Choose a topic of this partnership."]},
        )
    if topic.state in CLOSED_STATES:
        message = f"“{topic.title}” is {topic.get_state_display().lower()}: it cannot be scheduled."
        raise InvalidInput(message, field_errors={"topic": [message]})
    if meeting is not None:
        _check_meeting(programme, meeting)
    with transaction.atomic():
        # One schedule at a time per programme, so two officers cannot both take the last slot.
        programme = WorkProgramme.objects.select_for_update().get(pk=programme.pk)
        entry = ProgrammeEntry.objects.filter(programme=programme, topic=topic).first()
        moving = entry is not None
        if moving and entry.meeting_id == (meeting.pk if meeting else None):
            return entry
        warnings = capacity_warnings(programme, meeting=meeting, adding=not moving)
        if warnings and not reason:
            message = " ".join(warnings) + " Give the reason for adding it beyond capacity."
            raise InvalidInput(message, field_errors={"reason": [message]})
        recorded = reason if warnings else ""
        where = f"{meeting.title}, {meeting.date}" if meeting else "no meeting yet"
        if moving:
            entry.meeting = meeting
            if recorded:
                entry.over_capacity_reason = recorded
            entry.save(update_fields=["meeting", "over_capacity_reason"])
        else:
            entry = ProgrammeEntry.objects.create(
                programme=programme,
                topic=topic,
                meeting=meeting,
                over_capacity_reason=recorded,
                added_by=by,
            )
        note = f"{topic.title}: {where}"
        if recorded:
            note += f" (beyond capacity: {recorded})"
        log_event(
            programme,
            EventType.PROGRAMME_TOPIC_SCHEDULED,
            by=by,
            note=note,
            data={
                "topic": topic.pk,
                "meeting": meeting.pk if meeting else None,
                "moved": moving,
                "over_capacity": bool(recorded),
            },
        )
    return entry


def programme_unschedule(*, entry: ProgrammeEntry, by, note: str = "") -> WorkProgramme:
    """Take a topic off the year's programme (the topic itself is untouched)."""
    programme = entry.programme
    _check_keeper(by, programme.partnership)
    with transaction.atomic():
        programme = WorkProgramme.objects.select_for_update().get(pk=programme.pk)
        found = ProgrammeEntry.objects.filter(pk=entry.pk, programme=programme).first()
        if found is None:
            return programme  # already taken off
        title, topic_id = found.topic.title, found.topic_id
        found.delete()
        note = _clean(note)
        log_event(
            programme,
            EventType.PROGRAMME_TOPIC_UNSCHEDULED,
            by=by,
            note=f"{title}{f': {note}' if note else ''}",
            data={"topic": topic_id},
        )
    return programme
