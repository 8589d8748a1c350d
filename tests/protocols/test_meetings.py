"""Meetings: scheduling with warnings, the agenda-publication clock, late agendas and items,
minutes that move topics, and permissions."""

import datetime as dt

import pytest
from django.utils import timezone

from protocols import services
from protocols.models import AgendaItem, AgendaState, Meeting, MeetingState
from scrutiny.casework import services as casework
from scrutiny.casework.models import TopicState
from tests.factories import TopicFactory, UserFactory
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import AuditEvent, HolidayOverride
from workflows.services import holiday_override_save, transition_apply

from .conftest import paper_file

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("meeting_on", "publish_by", "explained"),
    [
        # Tue 5 Jan 2027: clear days Mon 4 Jan, Thu 31, Wed 30, Tue 29, Thu 24 Dec (skipping
        # Fri 1 Jan, Mon 28 Dec substitute for Boxing Day, Fri 25 Dec): publish by Wed 23 Dec.
        (dt.date(2027, 1, 5), dt.date(2026, 12, 23), "skipping 25 Dec, 28 Dec, 1 Jan"),
        # Thu 1 Apr 2027 (Easter Sunday 28 Mar): clear days Wed 31, Tue 30, Thu 25, Wed 24,
        # Tue 23 Mar (skipping Mon 29 Easter Monday, Fri 26 Good Friday): publish by Mon 22 Mar.
        (dt.date(2027, 4, 1), dt.date(2027, 3, 22), "skipping 26 Mar, 29 Mar"),
        # An ordinary week: Thu 14 Jan 2027 ⇒ clear days 13, 12, 11, 8, 7 ⇒ publish Wed 6 Jan.
        (dt.date(2027, 1, 14), dt.date(2027, 1, 6), ""),
    ],
)
def test_latest_agenda_date_counts_clear_working_days(
    make_meeting, meeting_on, publish_by, explained
):
    meeting = make_meeting(date=meeting_on)
    assert meeting.due_on == publish_by
    assert meeting.due_rule.slug == "agenda-publication"
    assert explained in meeting.due_explanation
    assert meeting.due_explanation.endswith(
        f"publish by {publish_by:%a} {publish_by.day} {publish_by:%b %Y}"
    )


def test_new_bank_holiday_moves_an_unpublished_agenda_date_only(make_meeting, officer):
    unpublished = make_meeting(date=dt.date(2027, 1, 14))
    published = make_meeting(date=dt.date(2027, 1, 14), start=dt.time(10, 0))
    services.agenda_item_add(meeting=published, by=officer, title="Item")
    services.meeting_publish_agenda(meeting=published, by=officer)
    holiday_override_save(
        override=HolidayOverride(
            region="england-and-wales", date=dt.date(2027, 1, 11), name="Proclaimed holiday"
        )
    )
    unpublished.refresh_from_db()
    published.refresh_from_db()
    assert unpublished.due_on == dt.date(2027, 1, 5)
    assert published.due_on == dt.date(2027, 1, 6)


def test_a_past_date_needs_confirmation(make_meeting):
    with pytest.raises(services.NeedsConfirmation) as exc:
        make_meeting(date=dt.date(2026, 11, 20), confirm=False)
    assert "in the past" in exc.value.warnings[0]
    assert not Meeting.objects.exists()
    assert make_meeting(date=dt.date(2026, 11, 20), confirm=True).pk


def test_a_clash_for_the_same_body_needs_confirmation(area, make_meeting, osc_officer):
    make_meeting(start=dt.time(18, 0), end_time=dt.time(20, 0))
    # The committee is a party to the joint meeting: its own meeting at 19:00 clashes.
    with pytest.raises(services.NeedsConfirmation) as exc:
        make_meeting(by=osc_officer, body=area.committee, start=dt.time(19, 0), confirm=False)
    assert "clashes with 'Joint scrutiny meeting'" in exc.value.warnings[0]
    assert Meeting.objects.count() == 1
    # Later the same day does not clash; another body's meeting does not clash.
    make_meeting(by=osc_officer, body=area.committee, start=dt.time(20, 0), confirm=False)
    assert Meeting.objects.count() == 2


def test_a_clash_is_flagged_when_a_meeting_is_moved(area, make_meeting, osc_officer):
    make_meeting(start=dt.time(18, 0))
    other = make_meeting(by=osc_officer, body=area.committee, date=dt.date(2027, 1, 6))
    with pytest.raises(services.NeedsConfirmation):
        services.meeting_update(meeting=other, by=osc_officer, date=dt.date(2027, 1, 5))
    other.refresh_from_db()
    assert other.date == dt.date(2027, 1, 6)
    moved = services.meeting_update(
        meeting=other, by=osc_officer, date=dt.date(2027, 1, 5), confirm=True
    )
    assert moved.date == dt.date(2027, 1, 5) and moved.due_on == dt.date(2026, 12, 23)


def test_cancelled_meetings_do_not_clash(make_meeting, officer):
    first = make_meeting()
    services.meeting_cancel(meeting=first, by=officer, reason="Postponed")
    make_meeting(confirm=False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"place": "", "online_url": ""}, "place"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"end_time": dt.time(17, 0)}, "end_time"),
    ],
)
def test_bad_meeting_details_are_refused(make_meeting, changes, field):
    with pytest.raises(InvalidInput) as exc:
        make_meeting(**changes)
    assert field in exc.value.field_errors


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("officer", True), ("osc_officer", True), ("member", False), ("other_officer", False)],
)
def test_only_officers_of_the_bodies_schedule(request, area, who, allowed):
    user = request.getfixturevalue(who)
    call = lambda: services.meeting_create(  # noqa: E731
        by=user,
        partnership=area.partnership,
        title="Joint",
        date=dt.date(2027, 1, 5),
        start_time=dt.time(18, 0),
        place="Hall",
    )
    if allowed:
        assert call().pk
    else:
        with pytest.raises(Forbidden):
            call()


def test_publishing_late_needs_the_chairs_reason_of_urgency(make_meeting, officer, chair):
    meeting = make_meeting(date=dt.date(2026, 12, 1))  # latest date was Mon 23 Nov
    assert meeting.due_on == dt.date(2026, 11, 23)
    services.agenda_item_add(meeting=meeting, by=officer, title="Winter pressures")
    with pytest.raises(InvalidInput, match="ask the chair"):
        services.meeting_publish_agenda(meeting=meeting, by=officer)
    services.meeting_request_urgency_reason(meeting=meeting, by=officer)
    with pytest.raises(Conflict, match="awaiting the chair's reason"):
        services.meeting_publish_agenda(meeting=meeting, by=officer)
    meeting.refresh_from_db()
    assert meeting.agenda_published_at is None
    services.meeting_give_urgency_reason(meeting=meeting, by=chair, reason="Flu surge")
    done = services.meeting_publish_agenda(meeting=meeting, by=officer)
    assert done.published_late() and done.urgency_chair == chair
    assert done.urgency_reason == "Flu surge"


def test_publishing_on_time_needs_no_reason_and_only_once(make_meeting, officer):
    meeting = make_meeting()
    with pytest.raises(InvalidInput):  # nothing to publish yet
        services.meeting_publish_agenda(meeting=meeting, by=officer)
    services.agenda_item_add(meeting=meeting, by=officer, title="Item")
    meeting = services.meeting_publish_agenda(meeting=meeting, by=officer)
    assert not meeting.published_late() and meeting.urgency_reason == ""
    with pytest.raises(Conflict):
        services.meeting_publish_agenda(meeting=meeting, by=officer)


def test_publishing_the_agenda_is_a_logged_move_that_raises_the_sequence(
    make_meeting, officer, chair
):
    meeting = make_meeting(date=dt.date(2026, 12, 1))  # late: the latest date was 23 Nov
    services.agenda_item_add(meeting=meeting, by=officer, title="Winter pressures")
    services.meeting_request_urgency_reason(meeting=meeting, by=officer)
    services.meeting_give_urgency_reason(meeting=meeting, by=chair, reason="Flu surge")
    before = Meeting.objects.get(pk=meeting.pk).sequence
    meeting = services.meeting_publish_agenda(meeting=meeting, by=officer)
    assert meeting.agenda == AgendaState.PUBLISHED and meeting.sequence == before + 1
    row = event_history(meeting).last()
    assert (row.event_type, row.source_state, row.target_state, row.note) == (
        EventType.MEETING_AGENDA_PUBLISHED,
        "unpublished",
        "published",
        "late: Flu surge",
    )
    with pytest.raises(AttributeError):
        meeting.agenda = AgendaState.UNPUBLISHED


def test_the_agenda_transition_itself_records_the_urgency_only_when_late(make_meeting, chair):
    admin = UserFactory(username="admin", is_superuser=True)
    on_time = make_meeting()
    on_time = transition_apply(
        instance=on_time,
        name="publish_agenda",
        by=admin,
        at=timezone.now(),
        urgency_reason="Not needed",
        chair=chair,
    )
    assert (on_time.urgency_reason, on_time.urgency_chair, on_time.sequence) == ("", None, 1)
    cancelled = services.meeting_cancel(meeting=make_meeting(title="Off"), by=admin, reason="Snow")
    with pytest.raises(Conflict, match="Only a scheduled meeting"):
        transition_apply(instance=cancelled, name="publish_agenda", by=admin, at=timezone.now())


def test_items_added_after_publication_are_late_items(make_meeting, officer):
    meeting = make_meeting()
    first = services.agenda_item_add(meeting=meeting, by=officer, title="First")
    services.meeting_publish_agenda(meeting=meeting, by=officer)
    with pytest.raises(InvalidInput) as exc:
        services.agenda_item_add(meeting=meeting, by=officer, title="Urgent")
    assert "late_reason" in exc.value.field_errors
    late = services.agenda_item_add(
        meeting=meeting, by=officer, title="Urgent", late_reason="Closure announced yesterday"
    )
    assert not first.late and late.late and late.position == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"exempt": True, "public_interest_reason": "Reason"}, "exempt_paragraph"),
        (
            {"exempt": True, "exempt_paragraph": 8, "public_interest_reason": "R"},
            "exempt_paragraph",
        ),
        ({"exempt": True, "exempt_paragraph": 1}, "public_interest_reason"),
        ({"title": ""}, "title"),
    ],
)
def test_exempt_items_need_a_paragraph_and_a_public_interest_reason(
    make_meeting, officer, values, field
):
    meeting = make_meeting()
    values = {"title": "Item", **values}
    with pytest.raises(InvalidInput) as exc:
        services.agenda_item_add(meeting=meeting, by=officer, **values)
    assert field in exc.value.field_errors
    assert not AgendaItem.objects.exists()


def test_items_reorder(make_meeting, officer):
    meeting = make_meeting()
    a = services.agenda_item_add(meeting=meeting, by=officer, title="A")
    b = services.agenda_item_add(meeting=meeting, by=officer, title="B")
    services.agenda_item_move(item=b, by=officer, up=True)
    assert list(meeting.items.order_by("position").values_list("title", flat=True)) == ["B", "A"]
    services.agenda_item_move(item=a, by=officer, up=True)
    assert list(meeting.items.order_by("position").values_list("title", flat=True)) == ["A", "B"]


def test_papers_are_checked(make_meeting, officer):
    meeting = make_meeting()
    item = services.agenda_item_add(meeting=meeting, by=officer, title="A")
    with pytest.raises(InvalidInput):
        services.paper_add(item=item, by=officer, file=paper_file("evil.exe", "MZ"))
    with pytest.raises(InvalidInput):
        services.paper_add(item=item, by=officer, file=paper_file("fake.pdf", "not a pdf"))
    paper = services.paper_add(item=item, by=officer, file=paper_file())
    assert paper.size > 0 and len(paper.sha256) == 64


# --- Minutes --------------------------------------------------------------------------------

SCORES = {
    "timely": 2,
    "organisational_priority": 2,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 1,
}


@pytest.fixture
def held_meeting(area, make_meeting, officer):
    meeting = make_meeting(date=dt.date(2026, 11, 20))
    topic = casework.topic_raise(
        by=officer,
        title="Stroke unit",
        summary="Moving it",
        partnership=area.partnership,
        lead_body=area.network,
    )
    item = services.agenda_item_add(meeting=meeting, by=officer, title="Stroke", topic=topic)
    services.meeting_mark_held(meeting=meeting, by=officer)
    item.refresh_from_db()
    return item


def test_a_decision_moves_the_topic_in_the_same_transaction(held_meeting, officer):
    item = services.item_record_decision(
        item=held_meeting,
        by=officer,
        decision="Resolved to add it to the work programme.",
        resolution="prioritise",
        scores=SCORES,
    )
    item.topic.refresh_from_db()
    assert item.topic.state == TopicState.PRIORITISED and item.topic.score_total == 8
    item = AgendaItem.objects.get(pk=item.pk)
    services_item = services.item_record_decision  # a second resolution on the same item
    with pytest.raises(Conflict):
        services_item(item=item, by=officer, decision="Again", resolution="request_information")
    # then the next meeting resolves to ask for information
    item2 = services.agenda_item_add(
        meeting=item.meeting, by=officer, title="Stroke again", topic=item.topic
    )
    services.item_record_decision(
        item=item2, by=officer, decision="Ask the trust", resolution="request_information"
    )
    item.topic.refresh_from_db()
    assert item.topic.state == TopicState.INFORMATION_REQUESTED


def test_a_failed_topic_transition_leaves_no_minute(held_meeting, officer):
    with pytest.raises(Conflict):  # a raised topic cannot be concluded
        services.item_record_decision(
            item=held_meeting,
            by=officer,
            decision="Resolved to conclude",
            resolution="conclude",
            outcome_summary="Done",
        )
    held_meeting.refresh_from_db()
    assert held_meeting.decision == "" and held_meeting.resolution == ""
    with pytest.raises(InvalidInput):  # bad scores: nothing written either
        services.item_record_decision(
            item=held_meeting, by=officer, decision="D", resolution="prioritise", scores={}
        )
    held_meeting.refresh_from_db()
    assert held_meeting.decision == ""
    held_meeting.topic.refresh_from_db()
    assert held_meeting.topic.state == TopicState.RAISED


def test_minutes_need_a_held_meeting(make_meeting, officer):
    meeting = make_meeting()
    item = services.agenda_item_add(meeting=meeting, by=officer, title="A")
    with pytest.raises(Conflict):
        services.item_record_decision(item=item, by=officer, decision="Noted")
    with pytest.raises(Conflict):  # and a meeting is held on or after its date
        services.meeting_mark_held(meeting=meeting, by=officer)


def test_a_decision_without_a_topic_cannot_resolve(area, make_meeting, officer):
    meeting = make_meeting(date=dt.date(2026, 11, 20))
    item = services.agenda_item_add(meeting=meeting, by=officer, title="A")
    services.meeting_mark_held(meeting=meeting, by=officer)
    with pytest.raises(InvalidInput):
        services.item_record_decision(
            item=item, by=officer, decision="D", resolution="request_information"
        )
    done = services.item_record_decision(item=item, by=officer, decision="Noted")
    assert done.decision == "Noted"


def test_an_item_links_only_its_bodies_topics(area, make_meeting, officer, other_officer):
    meeting = make_meeting()
    foreign = TopicFactory()  # another partnership's topic
    with pytest.raises(InvalidInput):
        services.agenda_item_add(meeting=meeting, by=officer, title="A", topic=foreign)


def test_cancel_needs_a_reason_and_then_is_final(make_meeting, officer):
    meeting = make_meeting()
    with pytest.raises(InvalidInput):
        services.meeting_cancel(meeting=meeting, by=officer, reason=" ")
    meeting = services.meeting_cancel(meeting=meeting, by=officer, reason="Postponed")
    assert meeting.state == MeetingState.CANCELLED
    with pytest.raises(Conflict):
        services.meeting_update(meeting=meeting, by=officer, title="New")


def test_logs_never_carry_an_exempt_items_words(area, make_meeting, officer):
    topic = casework.topic_raise(
        by=officer, title="T", summary="S", partnership=area.partnership, lead_body=area.network
    )
    meeting = make_meeting(date=dt.date(2026, 11, 20))
    item = services.agenda_item_add(
        meeting=meeting,
        by=officer,
        title="SECRET-TITLE",
        topic=topic,
        exempt=True,
        exempt_paragraph=1,
        public_interest_reason="Personal",
    )
    services.paper_add(item=item, by=officer, file=paper_file(), title="SECRET-PAPER")
    services.meeting_mark_held(meeting=meeting, by=officer)
    services.item_record_decision(
        item=item, by=officer, decision="SECRET-DECISION", resolution="prioritise", scores=SCORES
    )
    notes = " ".join(AuditEvent.objects.values_list("note", flat=True))
    assert "SECRET" not in notes
    assert "exempt" in notes
