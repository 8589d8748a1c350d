"""The work programme by municipal year (issue 15 item 4): capacity, the reserve for issues that
arise, topics scheduled to target meetings, the reason needed beyond capacity, and its pages."""

from __future__ import annotations

import datetime as dt

import pytest

from protocols import services
from protocols.models import Meeting, ProgrammeEntry, WorkProgramme
from scrutiny.casework import services as casework
from tests.factories import PartnershipFactory, TopicFactory
from workflows.audit import EventType
from workflows.errors import Forbidden, InvalidInput
from workflows.models import AuditEvent

YEAR = 2026  # the tests run on 26 Nov 2026, in 2026/27


@pytest.fixture
def wp(area, officer):
    return services.programme_set(
        partnership=area.partnership, by=officer, year=YEAR, topic_capacity=3, reserved=1
    )


def _topics(area, n, **kw):
    return [
        TopicFactory(partnership=area.partnership, lead_body=area.network, title=f"T{i}", **kw)
        for i in range(n)
    ]


def _events(kind):
    return list(AuditEvent.objects.filter(event_type=kind).order_by("id"))


# --- the year's capacity --------------------------------------------------------------------


def test_setting_a_programme_records_its_capacity_and_logs_it(area, officer, wp):
    assert (wp.year, wp.topic_capacity, wp.reserved, wp.planned_capacity) == (YEAR, 3, 1, 2)
    again = services.programme_set(
        partnership=area.partnership,
        by=officer,
        year=YEAR,
        topic_capacity=4,
        reserved=1,
        slots_per_meeting=2,
    )
    assert again.pk == wp.pk and WorkProgramme.objects.count() == 1
    assert (again.topic_capacity, again.slots_per_meeting) == (4, 2)
    events = _events(EventType.WORK_PROGRAMME_SET)
    assert len(events) == 2
    assert events[1].data["before"]["topic_capacity"] == 3
    assert events[1].note == "2026/27: 4 topics, 1 held in reserve, 2 a meeting"
    # Saving the same numbers again changes nothing and logs nothing.
    services.programme_set(
        partnership=area.partnership,
        by=officer,
        year=YEAR,
        topic_capacity=4,
        reserved=1,
        slots_per_meeting=2,
    )
    assert len(_events(EventType.WORK_PROGRAMME_SET)) == 2


@pytest.mark.parametrize("year", ["abc", "", None, 1800, "2301", "20x6"])
def test_a_bad_year_is_refused(area, officer, year):
    with pytest.raises(InvalidInput) as err:
        services.programme_set(
            partnership=area.partnership, by=officer, year=year, topic_capacity=3
        )
    assert "year" in err.value.field_errors
    assert not WorkProgramme.objects.exists()


def test_the_reserve_cannot_exceed_the_capacity(area, officer):
    with pytest.raises(InvalidInput) as err:
        services.programme_set(
            partnership=area.partnership, by=officer, year=YEAR, topic_capacity=2, reserved=3
        )
    assert "reserved" in err.value.field_errors
    with pytest.raises(InvalidInput) as err:
        services.programme_set(
            partnership=area.partnership, by=officer, year=YEAR, topic_capacity=0
        )
    assert "topic_capacity" in err.value.field_errors


def test_only_the_partnerships_officers_keep_the_programme(area, member, chair, other_officer):
    for who in (member, chair, other_officer):
        with pytest.raises(Forbidden):
            services.programme_set(
                partnership=area.partnership, by=who, year=YEAR, topic_capacity=3
            )


# --- scheduling -----------------------------------------------------------------------------


def test_beyond_the_planned_capacity_a_reason_is_needed_and_recorded(area, officer, wp):
    one, two, three = _topics(area, 3)
    services.programme_schedule(programme=wp, by=officer, topic=one)
    services.programme_schedule(programme=wp, by=officer, topic=two)
    # Capacity 3 with 1 held in reserve: the third is beyond the plan.
    with pytest.raises(InvalidInput) as err:
        services.programme_schedule(programme=wp, by=officer, topic=three, reason="  ")
    message = err.value.field_errors["reason"][0]
    assert "2 topics scheduled against a capacity of 3" in message
    assert "1 are held in reserve" in message
    assert ProgrammeEntry.objects.count() == 2
    entry = services.programme_schedule(
        programme=wp, by=officer, topic=three, reason="A consultation on closing the unit."
    )
    assert entry.over_capacity_reason == "A consultation on closing the unit."
    events = _events(EventType.PROGRAMME_TOPIC_SCHEDULED)
    assert len(events) == 3
    assert events[-1].data["over_capacity"] is True
    assert "beyond capacity: A consultation" in events[-1].note
    # Within capacity, a reason given is not recorded as an over-capacity reason.
    assert ProgrammeEntry.objects.get(topic=one).over_capacity_reason == ""


def test_a_full_meeting_needs_a_reason_too(area, officer, make_meeting):
    wp = services.programme_set(
        partnership=area.partnership, by=officer, year=YEAR, topic_capacity=10, slots_per_meeting=1
    )
    meeting = make_meeting(title="January meeting")
    one, two = _topics(area, 2)
    services.programme_schedule(programme=wp, by=officer, topic=one, meeting=meeting)
    with pytest.raises(InvalidInput) as err:
        services.programme_schedule(programme=wp, by=officer, topic=two, meeting=meeting)
    assert "January meeting on 5 January 2027 already has 1" in err.value.message
    # Without a meeting there is room; moving it to the full meeting needs the reason.
    services.programme_schedule(programme=wp, by=officer, topic=two)
    with pytest.raises(InvalidInput):
        services.programme_schedule(programme=wp, by=officer, topic=two, meeting=meeting)
    moved = services.programme_schedule(
        programme=wp, by=officer, topic=two, meeting=meeting, reason="Both reports are due."
    )
    assert moved.meeting == meeting and ProgrammeEntry.objects.count() == 2
    assert _events(EventType.PROGRAMME_TOPIC_SCHEDULED)[-1].data["moved"] is True


def test_the_target_meeting_is_the_partnerships_and_in_the_year(
    area, officer, osc_officer, wp, make_meeting
):
    (topic,) = _topics(area, 1)
    other = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    # A meeting of another partnership (the officer keeps no meetings there).
    foreign = Meeting.objects.create(
        title="Elsewhere",
        partnership=other,
        date=dt.date(2027, 1, 5),
        start_time=dt.time(18),
        place="Hall",
    )
    next_year = make_meeting(title="June", date=dt.date(2027, 6, 8))
    for meeting, words in ((foreign, "of the partnership"), (next_year, "in 2026/27")):
        with pytest.raises(InvalidInput) as err:
            services.programme_schedule(programme=wp, by=officer, topic=topic, meeting=meeting)
        assert words in err.value.field_errors["meeting"][0]
    # The committee's own meeting may be the target of the joint programme.
    hosc = make_meeting(by=osc_officer, body=area.committee, title="HOSC")
    entry = services.programme_schedule(programme=wp, by=officer, topic=topic, meeting=hosc)
    assert entry.meeting == hosc


def test_a_topic_of_another_partnership_or_a_closed_one_is_refused(area, officer, wp):
    stranger = TopicFactory(title="Stranger")
    with pytest.raises(InvalidInput) as err:
        services.programme_schedule(programme=wp, by=officer, topic=stranger)
    assert "topic" in err.value.field_errors
    (topic,) = _topics(area, 1)
    casework.topic_decline(topic=topic, by=officer, reason="Not ours.")
    topic.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.programme_schedule(programme=wp, by=officer, topic=topic)
    assert not ProgrammeEntry.objects.exists()


def test_unscheduling_takes_the_topic_off_and_logs_it(area, officer, member, wp):
    (topic,) = _topics(area, 1)
    entry = services.programme_schedule(programme=wp, by=officer, topic=topic)
    with pytest.raises(Forbidden):
        services.programme_unschedule(entry=entry, by=member)
    services.programme_unschedule(entry=entry, by=officer, note="Merged with another.")
    assert not ProgrammeEntry.objects.exists()
    (event,) = _events(EventType.PROGRAMME_TOPIC_UNSCHEDULED)
    assert event.note == "T0: Merged with another." and event.data == {"topic": topic.pk}
    topic.refresh_from_db()
    assert topic.state == "raised"
