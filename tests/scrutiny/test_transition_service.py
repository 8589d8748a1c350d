"""The one transition service and the casework services on top of it, against the database."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scrutiny.casework import services
from scrutiny.casework.models import (
    InformationRequest,
    ProviderResponse,
    RecommendationOutcome,
    RequestState,
    Topic,
    TopicState,
)
from tests.api.conftest import after_the_issue_dates  # noqa: F401 - a fixture
from tests.factories import InformationRequestFactory, agree_recommendations
from workflows import services as wf
from workflows.audit import EventType, event_history
from workflows.cache import public_cache_token
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import AppendOnlyError, AuditEvent, DeadlineRule

# Answered after `_to_response_due` issues the requests (18 Dec 2026): never before.
AFTER_ISSUE = pytest.mark.usefixtures("after_the_issue_dates")

SCORES = {
    "timely": 2,
    "organisational_priority": 1,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 0,
}


@pytest.fixture
def topic(area, officer):
    return services.topic_raise(
        by=officer,
        title="Stroke services",
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.network,
    )


def _to_response_due(topic, officer, trust, on=dt.date(2026, 12, 18)):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    req = services.information_request_draft(
        topic=topic, by=officer, recipient=trust, question="How many beds?"
    )
    topic = services.topic_issue_requests(topic=topic, by=officer, on=on)
    req.refresh_from_db()
    return topic, req


def test_each_move_appends_a_log_row_with_actor_states_and_note(topic, officer):
    services.topic_decline(topic=topic, by=officer, reason="Out of our remit")
    rows = list(event_history(topic))
    assert [(r.event_type, r.source_state, r.target_state) for r in rows] == [
        (EventType.TOPIC_RAISED, "", "raised"),
        (EventType.TOPIC_DECLINED, "raised", "declined"),
    ]
    assert rows[1].actor == officer
    assert rows[1].note == "Out of our remit"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("officer", True),
        ("osc_officer", True),
        ("member", False),
        ("chair", False),
        ("responder", False),
        ("other_officer", False),
    ],
)
def test_decline_needs_an_officer_of_a_party_body(request, topic, who, allowed):
    user = request.getfixturevalue(who)
    if allowed:
        assert services.topic_decline(topic=topic, by=user, reason="No").state == "declined"
    else:
        with pytest.raises(Forbidden):
            services.topic_decline(topic=topic, by=user, reason="No")
        topic.refresh_from_db()
        assert topic.state == TopicState.RAISED


def test_a_chair_may_prioritise(topic, chair):
    assert services.topic_prioritise(topic=topic, by=chair, scores=SCORES).score_total == 6


def test_an_unavailable_move_is_a_conflict_that_names_the_state(topic, officer):
    with pytest.raises(Conflict) as exc:
        services.topic_conclude(topic=topic, by=officer, outcome_summary="Done")
    assert exc.value.current_state == TopicState.RAISED
    assert "Raised" in exc.value.message


def test_a_stale_view_is_told_the_topic_has_moved(topic, officer, osc_officer):
    services.topic_decline(topic=topic, by=osc_officer, reason="Not ours")
    with pytest.raises(Conflict) as exc:
        services.topic_prioritise(
            topic=topic, by=officer, scores=SCORES, expected_state=TopicState.RAISED
        )
    assert "just been moved" in exc.value.message
    assert exc.value.current_state == TopicState.DECLINED


def test_bad_scores_are_refused_with_field_errors(topic, officer):
    with pytest.raises(InvalidInput) as exc:
        services.topic_prioritise(topic=topic, by=officer, scores={**SCORES, "timely": 3})
    assert "timely" in exc.value.field_errors
    topic.refresh_from_db()
    assert topic.state == TopicState.RAISED


def test_a_reason_is_required_to_decline(topic, officer):
    with pytest.raises(InvalidInput):
        services.topic_decline(topic=topic, by=officer, reason="  ")


def test_no_request_can_be_issued_without_a_recipient_health_body(area, topic, officer):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    with pytest.raises(InvalidInput):
        services.information_request_draft(
            topic=topic, by=officer, recipient=area.committee, question="Q?"
        )
    with pytest.raises(Conflict, match="Draft at least one information request"):
        services.topic_issue_requests(topic=topic, by=officer)
    # A draft addressed to a non-health body (say, imported) cannot be issued either.
    bad = InformationRequestFactory(topic=topic, recipient=area.committee)
    with pytest.raises(Conflict, match="health body"):
        services.information_request_issue(request=bad, by=officer)


def test_issuing_requests_starts_each_clock(area, topic, officer):
    topic, req = _to_response_due(topic, officer, area.trust)
    assert topic.state == TopicState.RESPONSE_DUE
    assert req.state == RequestState.ISSUED
    assert req.due_rule.slug == "link-information-request"
    assert req.due_on == dt.date(2027, 1, 20)
    assert "skipping 25 Dec, 28 Dec, 1 Jan" in req.due_explanation


def test_a_failure_part_way_rolls_the_whole_move_back(area, topic, officer):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    services.information_request_draft(topic=topic, by=officer, recipient=area.trust, question="Q")
    DeadlineRule.objects.filter(slug="link-information-request").update(slug="renamed")
    with pytest.raises(InvalidInput, match="missing"):
        services.topic_issue_requests(topic=topic, by=officer)
    topic.refresh_from_db()
    assert topic.state == TopicState.INFORMATION_REQUESTED
    assert not AuditEvent.objects.filter(event_type=EventType.TOPIC_REQUESTS_ISSUED).exists()
    assert InformationRequest.all_objects.get().state == RequestState.DRAFT


def test_recommendations_by_the_committee_get_28_calendar_days(area, topic, officer, osc_officer):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    rec = services.recommendation_draft(
        topic=topic, by=osc_officer, recipient=area.trust, text="Publish the figures"
    )
    assert rec.made_by == area.committee
    agree_recommendations(topic)
    services.topic_make_recommendations(topic=topic, by=osc_officer, on=dt.date(2026, 12, 7))
    rec.refresh_from_db()
    assert rec.due_on == dt.date(2027, 1, 4)
    assert rec.due_explanation == "28 days after Mon 7 Dec 2026: Mon 4 Jan 2027"


def test_conclusion_waits_for_responses_unless_a_decision_is_recorded(area, topic, officer):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    services.recommendation_draft(topic=topic, by=officer, recipient=area.trust, text="Do it")
    agree_recommendations(topic)
    topic = services.topic_make_recommendations(topic=topic, by=officer)
    with pytest.raises(InvalidInput, match="still open"):
        services.topic_conclude(topic=topic, by=officer, outcome_summary="Finished")
    topic = services.topic_conclude(
        topic=topic,
        by=officer,
        outcome_summary="Finished",
        close_without_response_reason="The trust was dissolved; the ICB took the action on.",
    )
    assert topic.state == TopicState.CONCLUDED
    assert topic.close_without_response_reason.startswith("The trust was dissolved")


def test_side_effects_run_only_after_commit(topic, officer, django_capture_on_commit_callbacks):
    """The caller's effects and the refresh of the topic's public pages (its own cache scope:
    docs/decisions/0021) wait for the commit."""
    seen = []
    scope = topic.public_cache_scope()
    version = public_cache_token(scope)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        wf.transition_apply(
            instance=topic,
            name="decline",
            by=officer,
            reason="No",
            after_commit=[lambda: seen.append("effect")],
        )
    # Before commit: the caller's effect has not run and public pages are not refreshed.
    assert seen == []
    assert public_cache_token(scope) == version
    for callback in callbacks:
        callback()
    assert seen == ["effect"]
    assert public_cache_token(scope) != version


def test_positions_on_a_joint_topic_are_recorded_per_body(area, topic, officer, member):
    services.topic_record_position(
        topic=topic, by=officer, organisation=area.network, position="Close the unit"
    )
    services.topic_record_position(
        topic=topic, by=member, organisation=area.committee, position="Keep the unit"
    )
    assert sorted(topic.positions.values_list("position", flat=True)) == [
        "Close the unit",
        "Keep the unit",
    ]
    with pytest.raises(Forbidden):
        services.topic_record_position(
            topic=topic, by=member, organisation=area.network, position="Speak for them"
        )


def test_a_referral_starts_its_acknowledgement_clock(area, officer, osc_officer):
    topic = services.topic_raise(
        by=officer,
        title="Discharge delays",
        summary="Families waiting",
        partnership=area.partnership,
        lead_body=area.network,
        source=Topic.Source.REFERRAL,
        referred_on=dt.date(2026, 12, 18),
    )
    referral = topic.referral
    assert referral.to_body == area.committee
    # beginning with Fri 18 Dec (day 1): 20 working days, skipping 25 Dec, 28 Dec, 1 Jan.
    assert referral.due_on == dt.date(2027, 1, 19)
    with pytest.raises(Forbidden):
        services.referral_acknowledge(referral=referral, by=officer, text="Thanks")
    services.referral_acknowledge(referral=referral, by=osc_officer, text="Received")
    services.referral_add_update(referral=referral, by=osc_officer, text="On March agenda")
    assert referral.updates.count() == 1


# --- the accountability log -----------------------------------------------------------------


def test_a_late_answer_records_how_many_working_days_late(
    area, topic, officer, responder, time_machine
):
    time_machine.move_to(dt.datetime(2027, 2, 1, 12, 0, tzinfo=dt.UTC))
    _, req = _to_response_due(topic, officer, area.trust)
    received = dt.datetime(2027, 1, 25, 10, 0, tzinfo=dt.UTC)  # Mon, due Wed 20 Jan
    response = services.provider_response_record(
        subject=req,
        by=responder,
        channel="api",
        text="Here",
        outcome="answered",
        received_at=received,
    )
    assert response.on_time is False
    assert response.working_days_late == 3
    assert response.lateness == "3 working days late"
    assert response.submitted_by == responder and response.recorded_by is None
    req.refresh_from_db()
    assert req.state == RequestState.ANSWERED


def test_a_letter_is_recorded_by_an_officer_on_the_bodys_behalf(area, topic, officer, time_machine):
    time_machine.move_to(dt.datetime(2027, 2, 1, 12, 0, tzinfo=dt.UTC))
    _, req = _to_response_due(topic, officer, area.trust)
    response = services.provider_response_record(
        subject=req,
        by=officer,
        channel="letter",
        text="By post",
        outcome="refused",
        refusal_ground="confidential_personal",
        received_at=dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC),
    )
    assert response.recorded_by == officer and response.submitted_by is None
    assert response.on_time is True
    req.refresh_from_db()
    assert req.refusal_ground == "confidential_personal"


@AFTER_ISSUE
def test_a_body_may_not_answer_what_was_not_asked_of_it(area, topic, officer, other_responder):
    _, req = _to_response_due(topic, officer, area.trust)
    with pytest.raises(Forbidden):
        services.provider_response_record(
            subject=req, by=other_responder, channel="api", text="x", outcome="answered"
        )
    assert ProviderResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "text"),
        ({"outcome": "accepted"}, "outcome"),
        ({"channel": "pigeon"}, "channel"),
        ({"outcome": "refused"}, "refusal_ground"),
        ({"received_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}, "received_at"),
    ],
)
def test_a_bad_response_is_refused_and_nothing_is_written(
    area, topic, officer, responder, kwargs, field
):
    _, req = _to_response_due(topic, officer, area.trust)
    args = {"subject": req, "by": responder, "channel": "api", "text": "t", "outcome": "answered"}
    with pytest.raises(InvalidInput) as exc:
        services.provider_response_record(**{**args, **kwargs})
    assert field in exc.value.field_errors
    req.refresh_from_db()
    assert req.state == RequestState.ISSUED
    assert ProviderResponse.objects.count() == 0


@AFTER_ISSUE
def test_a_disguised_attachment_is_refused_and_nothing_is_written(area, topic, officer, responder):
    _, req = _to_response_due(topic, officer, area.trust)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 an executable", "application/pdf")
    with pytest.raises(InvalidInput, match="does not look like a .pdf"):
        services.provider_response_record(
            subject=req,
            by=responder,
            channel="api",
            text="t",
            outcome="answered",
            attachments=[fake],
        )
    assert ProviderResponse.objects.count() == 0


@AFTER_ISSUE
def test_a_correction_supersedes_and_the_original_stays(area, topic, officer, responder):
    _, req = _to_response_due(topic, officer, area.trust)
    first = services.provider_response_record(
        subject=req, by=responder, channel="api", text="Some", outcome="partially_answered"
    )
    pdf = SimpleUploadedFile("beds.pdf", b"%PDF-1.7 figures", "application/pdf")
    second = services.provider_response_record(
        subject=req,
        by=responder,
        channel="api",
        text="All of it",
        outcome="answered",
        supersedes=first,
        correction_reason="The rest arrived.",
        attachments=[pdf],
    )
    assert second.supersedes == first
    assert second.attachments.get().content_type == "application/pdf"
    req.refresh_from_db()
    assert req.state == RequestState.ANSWERED
    assert ProviderResponse.objects.count() == 2
    with pytest.raises(Conflict, match="already been superseded"):
        services.provider_response_record(
            subject=req,
            by=responder,
            channel="api",
            text="x",
            outcome="answered",
            supersedes=first,
            correction_reason="Again",
        )


@AFTER_ISSUE
def test_the_log_refuses_update_and_delete_in_model_and_queryset(area, topic, officer, responder):
    _, req = _to_response_due(topic, officer, area.trust)
    response = services.provider_response_record(
        subject=req, by=responder, channel="api", text="Here", outcome="answered"
    )
    response.text = "Rewritten"
    with pytest.raises(AppendOnlyError):
        response.save()
    with pytest.raises(AppendOnlyError):
        response.delete()
    with pytest.raises(AppendOnlyError):
        ProviderResponse.objects.filter(pk=response.pk).update(text="Rewritten")
    with pytest.raises(AppendOnlyError):
        ProviderResponse.objects.all().delete()
    assert ProviderResponse.objects.get().text == "Here"


@AFTER_ISSUE
def test_the_database_refuses_updates_to_the_log(area, topic, officer, responder):
    from django.db import IntegrityError, InternalError, connection, transaction

    _, req = _to_response_due(topic, officer, area.trust)
    response = services.provider_response_record(
        subject=req, by=responder, channel="api", text="Here", outcome="answered"
    )
    errors = (IntegrityError, InternalError)
    if connection.vendor == "sqlite":
        from django.db import OperationalError

        errors += (OperationalError,)
    with pytest.raises(errors), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scrutiny_providerresponse SET text = 'x' WHERE id = %s", [response.pk]
        )
    if connection.vendor == "postgresql":
        with pytest.raises(errors), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM scrutiny_providerresponse WHERE id = %s", [response.pk])
    assert ProviderResponse.objects.get().text == "Here"


def test_implementation_is_monitored_after_acceptance(area, topic, officer, responder):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    rec = services.recommendation_draft(topic=topic, by=officer, recipient=area.trust, text="Do")
    agree_recommendations(topic)
    services.topic_make_recommendations(topic=topic, by=officer)
    rec.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.recommendation_update_implementation(
            recommendation=rec, by=responder, status="on_track"
        )
    services.provider_response_record(
        subject=rec,
        by=responder,
        channel="api",
        text="Yes",
        outcome=RecommendationOutcome.ACCEPTED,
        action_plan=[{"action": "Do it", "owner": "COO", "target_date": "2027-06-30"}],
    )
    with pytest.raises(InvalidInput, match="revised date"):
        services.recommendation_update_implementation(
            recommendation=rec, by=responder, status="slipped"
        )
    services.recommendation_update_implementation(
        recommendation=rec, by=responder, status="slipped", revised_date=dt.date(2027, 9, 30)
    )
    rec.refresh_from_db()
    assert rec.implementation_status == "slipped"
    assert rec.responses.get().action_plan.get().owner == "COO"


def test_an_implementation_update_is_a_logged_move(area, topic, officer, responder):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    rec = services.recommendation_draft(topic=topic, by=officer, recipient=area.trust, text="Do")
    agree_recommendations(topic)
    services.topic_make_recommendations(topic=topic, by=officer)
    rec.refresh_from_db()
    services.provider_response_record(
        subject=rec, by=responder, channel="api", text="Yes", outcome="accepted"
    )
    services.recommendation_update_implementation(
        recommendation=rec, by=responder, status="on_track", note="Two wards done"
    )
    row = event_history(rec).last()
    assert (row.event_type, row.source_state, row.target_state, row.note, row.actor) == (
        EventType.RECOMMENDATION_IMPLEMENTATION_UPDATED,
        "not_started",
        "on_track",
        "Two wards done",
        responder,
    )


def test_a_model_with_two_lifecycles_lists_each_fields_moves(area, topic, officer):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    both = wf.available_transitions(topic, officer)
    assert "publish" in both and "request_information" in both
    assert "publish" not in wf.available_transitions(topic, officer, field="state")
    assert wf.available_transitions(topic, officer, field="publication") == ["publish"]
    with pytest.raises(ValueError):
        wf.available_transitions(topic, officer, field="nonsense")


def test_set_fields_never_moves_a_lifecycle_field(topic, officer):
    with pytest.raises(ValueError):
        wf.transition_apply(
            instance=topic, name="decline", by=officer, reason="No", set_fields={"state": "x"}
        )
    topic.refresh_from_db()
    assert topic.state == TopicState.RAISED


def test_the_reason_to_close_without_a_response_is_saved_only_with_the_move(
    area, topic, officer, member
):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    services.recommendation_draft(topic=topic, by=officer, recipient=area.trust, text="Do it")
    agree_recommendations(topic)
    topic = services.topic_make_recommendations(topic=topic, by=officer)
    with pytest.raises(Forbidden):
        services.topic_conclude(
            topic=topic, by=member, outcome_summary="Done", close_without_response_reason="Why"
        )
    assert Topic.objects.get(pk=topic.pk).close_without_response_reason == ""
    topic = services.topic_conclude(
        topic=topic, by=officer, outcome_summary="Done", close_without_response_reason="Closed"
    )
    row = event_history(topic).last()
    assert (row.event_type, row.note) == (EventType.TOPIC_CONCLUDED, "Closed")
