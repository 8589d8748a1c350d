"""Service-change consultations and requests to the Secretary of State: the services' rules.

The lifecycles' graphs are in tests/scrutiny/test_lifecycle_graphs.py, every move's log row in
tests/workflows/test_lifecycles.py and the two clocks across Christmas and Easter in
tests/workflows/test_clocks.py.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from protocols import services as protocol_services
from protocols.models import AgendaItem
from scrutiny.casework import policy, services
from scrutiny.casework.models import (
    CallInRequest,
    CallInRoute,
    CallInState,
    Consultation,
    ConsultationChannel,
    ConsultationState,
    Topic,
)
from tests.factories import consultation_minuted, consultation_recorded
from workflows.audit import EventType, event_history
from workflows.errors import Forbidden, InvalidInput

D = dt.date
CS = ConsultationState


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)
    return D(2026, 11, 26)


@pytest.fixture
def consultation(area, osc_officer, today):
    return consultation_recorded(by=osc_officer, body=area.trust, committee=area.committee)


def test_recording_a_consultation_gives_it_a_topic_of_the_committee_and_a_clock(
    area, osc_officer, today
):
    c = consultation_recorded(
        by=osc_officer,
        body=area.trust,
        committee=area.committee,
        received_on=D(2026, 11, 2),
        comments_due_on=D(2026, 12, 30),
        proposed_decision_on=D(2027, 1, 28),
    )

    assert c.state == CS.RECEIVED
    assert (c.topic.body, c.topic.lead_body, c.topic.source) == (
        area.committee,
        area.committee,
        Topic.Source.CONSULTATION,
    )
    assert list(c.topic.health_bodies.all()) == [area.trust]
    # The agenda of a meeting on the comments-due date: 5 clear working days before it.
    assert c.due_on == D(2026, 12, 18)
    assert "skipping 25 Dec, 28 Dec" in c.due_explanation
    assert [e.event_type for e in event_history(c)] == [EventType.CONSULTATION_RECEIVED]
    assert not c.is_public


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": " "}, "title"),
        ({"what_changes": ""}, "what_changes"),
        ({"comments_due_on": D(2026, 9, 1)}, "comments_due_on"),
        ({"proposed_decision_on": D(2026, 10, 2)}, "proposed_decision_on"),
        ({"comments_due_on": "soon"}, "comments_due_on"),
        ({"documents": [("Consultation document", "")]}, "documents"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(area, osc_officer, today, values, field):
    with pytest.raises(InvalidInput) as exc:
        consultation_recorded(by=osc_officer, body=area.trust, committee=area.committee, **values)

    assert field in exc.value.field_errors
    assert Consultation.all_objects.count() == 0
    assert Topic.objects.count() == 0


def test_only_the_committees_staff_or_the_bodys_responders_record_one(
    area, officer, responder, other_responder, today
):
    with pytest.raises(Forbidden):  # the involvement network's officer: not the committee's
        consultation_recorded(by=officer, body=area.trust, committee=area.committee)
    with pytest.raises(Forbidden):  # another trust's responder
        consultation_recorded(
            by=other_responder,
            body=area.trust,
            committee=area.committee,
            channel=ConsultationChannel.WEB,
        )

    c = consultation_recorded(
        by=responder, body=area.trust, committee=area.committee, channel=ConsultationChannel.WEB
    )

    assert c.channel == ConsultationChannel.WEB
    assert Topic.objects.count() == 1


def test_who_sees_a_consultation(
    consultation, osc_officer, member, officer, responder, other_responder
):
    visible = {
        who: policy.consultations_visible_to(user).filter(pk=consultation.pk).exists()
        for who, user in [
            ("osc_officer", osc_officer),
            ("member", member),
            ("officer", officer),
            ("responder", responder),
            ("other_responder", other_responder),
        ]
    }

    assert visible == {
        "osc_officer": True,
        "member": True,
        "officer": False,  # the committee's own topic, not the partnership's
        "responder": True,  # the proposing body's own consultation
        "other_responder": False,
    }
    assert policy.can(responder, "respond", consultation)
    assert not policy.can(responder, "manage_topic", consultation)
    assert not policy.can(member, "manage_topic", consultation)


def test_the_committees_view_comes_from_a_minuted_item_on_its_topic(
    area, consultation, osc_officer, today
):
    c = consultation_minuted(by=osc_officer, consultation=consultation, on=D(2026, 10, 15))

    assert (c.state, c.substantial, c.assessed_on) == (CS.SUBSTANTIAL, True, D(2026, 10, 15))
    assert c.minute_item_id is not None
    assert c.is_public
    assert Consultation.all_objects.public().get() == c


def test_an_item_on_another_topic_is_refused(area, consultation, osc_officer, today):
    other = consultation_recorded(
        by=osc_officer, body=area.other_trust, committee=area.committee, title="Maternity"
    )
    minuted_other = consultation_minuted(by=osc_officer, consultation=other, substantial=False)
    assert minuted_other.state == CS.NOT_SUBSTANTIAL

    item = AgendaItem.objects.get(pk=minuted_other.minute_item_id)

    with pytest.raises(InvalidInput) as exc:
        protocol_services.item_assess_consultation(
            item=item, consultation=consultation, by=osc_officer, substantial=True, reason="r"
        )

    assert "item" in exc.value.field_errors
    consultation.refresh_from_db()
    assert consultation.state == CS.RECEIVED


def test_comments_then_the_bodys_decision(consultation, osc_officer, responder, today):
    c = consultation_minuted(by=osc_officer, consultation=consultation)
    c = services.consultation_send_comments(
        consultation=c, by=osc_officer, comments="Keep a unit in the north.", on=D(2026, 11, 10)
    )
    assert (c.state, c.comments_sent_on) == (CS.COMMENTS_SENT, D(2026, 11, 10))
    assert not c.is_overdue(today)  # the clock is closed once comments are sent

    with pytest.raises(InvalidInput):  # a decision is recorded once made, not before
        services.consultation_record_decision(
            consultation=c, by=responder, decision="Go ahead", reasons="r", on=D(2026, 12, 1)
        )
    with pytest.raises(InvalidInput):  # reasons are published with the decision
        services.consultation_record_decision(
            consultation=c, by=responder, decision="Go ahead", reasons=" ", on=today
        )
    c = services.consultation_record_decision(
        consultation=c, by=responder, decision="Go ahead", reasons="Better outcomes", on=today
    )

    assert (c.state, c.decided_on, c.decision_reasons) == (CS.DECIDED, today, "Better outcomes")


def test_changing_the_dates_recounts_the_clock(consultation, osc_officer, today):
    c = services.consultation_change_dates(
        consultation=consultation,
        by=osc_officer,
        comments_due_on=D(2027, 4, 1),
        proposed_decision_on=D(2027, 5, 1),
    )

    assert c.due_on == D(2027, 3, 22)
    assert event_history(c).last().event_type == EventType.CONSULTATION_EDITED


# --- Requests to the Secretary of State ----------------------------------------------------------


def _request(consultation, by, **values):
    defaults = {
        "requested_by_name": "Keep Northby Stroke Unit",
        "requested_on": D(2026, 11, 20),
        "ground": "process",
        "grounds": "Travel times were left out.",
    }
    defaults.update(values)
    return services.call_in_request_record(consultation=consultation, by=by, **defaults)


def test_a_call_in_request_since_31_january_2024_and_its_six_month_clock(
    consultation, osc_officer, today
):
    request = _request(consultation, osc_officer)
    assert request.route == CallInRoute.CALL_IN

    request = services.call_in_answer(
        request=request, by=osc_officer, called_in=True, on=D(2026, 11, 24)
    )

    assert request.state == CallInState.CALLED_IN
    assert request.due_on == D(2027, 5, 23)
    assert request.due_explanation == "6 months beginning with Tue 24 Nov 2026: Sun 23 May 2027"


def test_a_ground_about_the_decision_needs_the_decision(consultation, osc_officer, today):
    with pytest.raises(InvalidInput) as exc:
        _request(consultation, osc_officer, ground="not_in_interests")

    assert "ground" in exc.value.field_errors
    assert CallInRequest.objects.count() == 0


def test_nothing_is_called_in_once_the_body_withdrew(consultation, osc_officer, responder, today):
    services.consultation_withdraw(consultation=consultation, by=responder, reason="Rethinking")
    consultation.refresh_from_db()

    with pytest.raises(InvalidInput) as exc:
        _request(consultation, osc_officer)

    assert "__all__" in exc.value.field_errors


def test_before_31_january_2024_it_is_the_committees_saved_referral(
    area, osc_officer, responder, today
):
    old = consultation_recorded(
        by=osc_officer,
        body=area.trust,
        committee=area.committee,
        received_on=D(2023, 6, 1),
        comments_due_on=D(2023, 7, 14),
        proposed_decision_on=D(2023, 9, 1),
    )
    old = consultation_minuted(by=osc_officer, consultation=old, on=D(2023, 6, 20))
    old = services.consultation_record_decision(
        consultation=old, by=responder, decision="Close", reasons="Staffing", on=D(2023, 9, 1)
    )

    with pytest.raises(InvalidInput) as exc:  # only the council's committee referred
        _request(old, osc_officer, requested_on=D(2023, 10, 2), ground="not_in_interests")
    assert "requested_by_body" in exc.value.field_errors
    with pytest.raises(InvalidInput) as exc:  # "process" is the call-in guidance's ground
        _request(old, osc_officer, requested_on=D(2023, 10, 2), requested_by_body=area.committee)
    assert "ground" in exc.value.field_errors

    referral = _request(
        old,
        osc_officer,
        requested_on=D(2023, 10, 2),
        ground="not_in_interests",
        requested_by_body=area.committee,
    )
    assert referral.route == CallInRoute.REFERRAL
    referral = services.call_in_answer(
        request=referral, by=osc_officer, called_in=True, on=D(2023, 11, 1)
    )
    assert referral.due_on is None  # Sch 10A's six months are the call-in's, not the referral's

    # A request made since 31 January 2024 on the same proposal is a call-in request.
    later = _request(old, osc_officer, requested_on=D(2024, 2, 1), ground="not_in_interests")
    assert later.route == CallInRoute.CALL_IN


def test_the_database_refuses_a_route_against_its_date(consultation, osc_officer, today):
    request = _request(consultation, osc_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CallInRequest.objects.filter(pk=request.pk).update(route=CallInRoute.REFERRAL)


def test_declining_needs_the_reasons_and_the_outcome_its_date(consultation, osc_officer, today):
    request = _request(consultation, osc_officer)
    with pytest.raises(InvalidInput):
        services.call_in_answer(request=request, by=osc_officer, called_in=False, on=today)
    called = services.call_in_answer(request=request, by=osc_officer, called_in=True, on=today)
    with pytest.raises(InvalidInput):  # before the direction
        services.call_in_record_outcome(
            request=called, by=osc_officer, outcome="proceed", text="t", on=D(2026, 11, 21)
        )
    done = services.call_in_record_outcome(
        request=called, by=osc_officer, outcome="proceed_modified", text="With a unit", on=today
    )

    assert (done.state, done.outcome_on) == (CallInState.DECIDED, today)
    assert not done.is_overdue(D(2028, 1, 1))


def test_a_responder_cannot_record_a_request_to_the_secretary_of_state(
    consultation, responder, today
):
    with pytest.raises(Forbidden):
        _request(consultation, responder)
