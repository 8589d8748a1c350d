"""Demo work programme: Northby's partnership plans this municipal year's scrutiny with room
for five topics, one held in reserve for issues that arise (the NCI checklist), and two topics
a meeting. Its open topics are scheduled, the first to the upcoming joint meeting, so the
programme runs one over capacity and that topic carries the reason the officer gave. Southby
has no programme yet, which the page offers to start. Idempotent: a partnership that already
has a programme for the year is left alone.
"""

from __future__ import annotations

from django.utils import timezone

from protocols import services as joint_services
from protocols.models import Meeting, MeetingState, WorkProgramme
from scrutiny.casework.models import Topic, TopicState

CAPACITY, RESERVED, SLOTS = 5, 1, 2
OVER_CAPACITY_REASON = (
    "Residents raised delays in hospital discharge at three listening events this month; the "
    "committee asked for it to be looked at this year rather than wait for next year's programme."
)


def seed_area(area, today) -> list[str]:
    partnership, officer = area.partnership, area.officer
    year = joint_services.municipal_year_of(today)
    if WorkProgramme.objects.filter(partnership=partnership, year=year).exists():
        return []
    programme = joint_services.programme_set(
        partnership=partnership,
        by=officer,
        year=year,
        topic_capacity=CAPACITY,
        reserved=RESERVED,
        slots_per_meeting=SLOTS,
    )
    first, last = joint_services.municipal_year_bounds(year)
    meeting = (
        Meeting.objects.filter(
            partnership=partnership,
            state=MeetingState.SCHEDULED,
            date__gte=max(first, today),
            date__lte=last,
        )
        .order_by("date")
        .first()
    )
    closed = (TopicState.WITHDRAWN, TopicState.DECLINED, TopicState.CONCLUDED)
    topics = list(
        Topic.objects.filter(partnership=partnership).exclude(state__in=closed).order_by("pk")
    )
    for position, topic in enumerate(topics):
        warnings = joint_services.capacity_warnings(
            programme, meeting=meeting if position == 0 else None
        )
        joint_services.programme_schedule(
            programme=programme,
            by=officer,
            topic=topic,
            meeting=meeting if position == 0 else None,
            reason=OVER_CAPACITY_REASON if warnings else "",
        )
    scheduled = programme.entries.count()
    over = max(0, scheduled - programme.planned_capacity)
    return [
        f"  Work programme {joint_services.year_label(year)} for {partnership.name}: "
        f"{scheduled} topics against a capacity of {CAPACITY} ({RESERVED} in reserve)"
        + (
            f", {over} beyond the {programme.planned_capacity} planned, with a reason"
            if over
            else ""
        )
    ]


def seed_demo(result) -> list[str]:
    today = timezone.localdate()
    lines = seed_area(result["areas"][0], today)
    return ["Demo work programme:", *lines] if lines else []
