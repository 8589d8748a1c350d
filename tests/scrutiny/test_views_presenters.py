"""Presenters: pure display values, tested without the database."""

import datetime as dt
from types import SimpleNamespace

import pytest

from protocols.models import Meeting, MeetingState, VersionState
from scrutiny.casework.models import (
    InformationRequest,
    RecommendationOutcome,
    RecommendationState,
    Referral,
    ReferralState,
    RequestState,
    Topic,
    TopicState,
)
from scrutiny.web import presenters
from scrutiny.web.public.outcomes import public_tag_class
from workflows.calendar import WorkingCalendar

CAL = WorkingCalendar(region="england-and-wales")
MON = dt.date(2026, 12, 21)  # Christmas week: 25 and 28 Dec are bank holidays


@pytest.mark.parametrize(
    ("due", "today", "phrase"),
    [
        (MON, MON, "due today"),
        (dt.date(2026, 12, 22), MON, "due in 1 working day"),
        (dt.date(2026, 12, 29), MON, "due in 4 working days"),  # skips 25, 26, 27, 28
        (dt.date(2026, 12, 18), MON, "1 working day overdue"),
        (dt.date(2026, 12, 21), dt.date(2026, 12, 29), "4 working days overdue"),
        (dt.date(2026, 12, 24), dt.date(2026, 12, 26), "1 working day overdue"),  # a Saturday
        (None, MON, ""),
    ],
)
def test_due_phrase_counts_working_days(due, today, phrase):
    assert presenters.due_phrase(due, today, CAL) == phrase


def test_due_tag_colours():
    assert presenters.due_tag(dt.date(2026, 12, 18), MON, CAL).colour == "red"
    assert presenters.due_tag(dt.date(2026, 12, 29), MON, CAL).colour == "orange"
    assert presenters.due_tag(dt.date(2027, 2, 1), MON, CAL).colour == "grey"
    assert presenters.due_tag(None, MON, CAL) is None


@pytest.mark.parametrize(
    ("state", "status", "revised", "due", "colour"),
    [
        ("responded", "achieved", None, None, "green"),
        ("responded", "on_track", None, None, "amber"),
        ("responded", "slipped", dt.date(2027, 1, 4), None, "amber"),
        ("responded", "slipped", dt.date(2026, 12, 1), None, "red"),
        ("responded", "slipped", None, None, "red"),
        ("responded", "not_achieved", None, None, "red"),
        ("issued", "", None, dt.date(2026, 12, 18), "red"),
        ("issued", "", None, dt.date(2027, 1, 18), None),
        ("draft", "", None, None, None),
        ("responded", "", None, None, None),  # rejected or noted: nothing to implement
    ],
)
def test_recommendation_rag(state, status, revised, due, colour):
    rag = presenters.recommendation_rag(
        state=state,
        implementation_status=status,
        implementation_revised_date=revised,
        due_on=due,
        today=MON,
    )
    assert (rag.colour if rag else None) == colour


def test_amber_shows_as_an_orange_govuk_tag():
    rag = presenters.recommendation_rag(
        state="responded",
        implementation_status="on_track",
        implementation_revised_date=None,
        due_on=None,
        today=MON,
    )
    assert rag.tag.css == "govuk-tag govuk-tag--orange"


@pytest.mark.parametrize("kind", ["topic", "request", "recommendation", "referral"])
def test_every_state_has_a_tag_and_a_meaning(kind):
    states = {
        "topic": TopicState,
        "request": RequestState,
        "recommendation": RecommendationState,
        "referral": ReferralState,
    }[kind]
    for state in states.values:
        tag = presenters.state_tag(state, kind)
        assert tag.label == states(state).label
        assert presenters.state_meaning(state, kind)


def test_unknown_state_still_renders():
    assert presenters.state_tag("mystery").label == "Mystery"


def test_score_summary():
    criteria = [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}]
    rows, verdict = presenters.score_summary({"a": 2, "b": 1}, 3, criteria, 3, 4)
    assert rows == [("A", 2), ("B", 1)]
    assert verdict == "3 out of 4: meets the threshold of 3."
    assert presenters.score_summary({}, None, criteria, 3, 4)[1] == "Not scored yet."


# --- One table of states for staff and public pages ----------------------------------------


def test_staff_and_public_pages_colour_every_topic_state_alike():
    for state in TopicState.values:
        staff = presenters.state_tag(state)
        public = presenters.state_tag(state, public=True)
        assert staff.colour == public.colour
        assert public_tag_class(state) == f"govuk-tag--{staff.colour}"


def test_public_words_are_plainer_only_where_the_table_says():
    assert presenters.state_tag("response_due").label == "Response due"
    assert presenters.state_tag("response_due", public=True).label == "Waiting for answers"
    assert presenters.public_state_label("prioritised") == "On the work programme"
    assert presenters.public_state_label("concluded") == "Concluded"  # no plainer words


@pytest.mark.parametrize("kind", ["meeting", "protocol_version", "outcome"])
def test_every_joint_state_and_outcome_has_a_tag(kind):
    states = {
        "meeting": MeetingState,
        "protocol_version": VersionState,
        "outcome": RecommendationOutcome,
    }[kind]
    for state in states.values:
        assert presenters.state_tag(state, kind).label == states(state).label
        assert presenters.state_meaning(state, kind)


# --- Clocks and where an object stands --------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "state", "running"),
    [
        ("request", "issued", True),
        ("request", "answered", False),
        ("recommendation", "issued", True),
        ("recommendation", "responded", False),
        ("referral", "awaiting_acknowledgement", True),
        ("referral", "acknowledged", False),
    ],
)
def test_clock_running_for_dashboard_rows(kind, state, running):
    assert presenters.clock_running(SimpleNamespace(kind=kind, state=state)) is running


def test_clock_running_for_models_reads_their_open_states():
    assert presenters.clock_running(InformationRequest(state="issued"))
    assert not presenters.clock_running(InformationRequest(state="withdrawn"))
    assert presenters.clock_running(Referral(state="awaiting_acknowledgement"))
    assert presenters.clock_running(Meeting(state="scheduled"))
    assert not presenters.clock_running(Meeting(state="held"))


def test_standing_says_what_an_object_is_and_where_it_stands():
    topic = Topic(pk=7, title="Beds", state="declined")
    standing = presenters.standing(topic)
    assert (standing.noun, standing.name, standing.url) == ("topic", "Beds", "/topics/7/")
    assert standing.tag == presenters.Tag("Declined", "pink")
    assert standing.meaning.startswith("Not taken on")
    referral = Referral(topic=topic, state="acknowledged")  # no page of its own: its topic's
    standing = presenters.standing(referral)
    assert (standing.noun, standing.name, standing.url) == (
        "referral",
        "Referral: Beds",
        "/topics/7/",
    )
    assert standing.tag.label == "Acknowledged"
