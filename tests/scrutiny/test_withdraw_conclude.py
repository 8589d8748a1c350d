"""Withdrawing a topic withdraws what is still open on it, and tells the health bodies;
concluding asks what happens to each open item; concluded is not published."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from api.keys import issue_key
from scrutiny.casework import services
from scrutiny.casework.health_body_record import health_body_record
from scrutiny.casework.models import (
    InformationRequest,
    Recommendation,
    RecommendationState,
    RequestState,
    TopicState,
)
from scrutiny.casework.publication import topic_publish
from scrutiny.casework.services.topics import Disposition, item_key
from tests.factories import UserFactory, agree_recommendations
from tests.scrutiny.casework_setup import walk_to_response_due
from workflows.audit import EventType, event_history
from workflows.errors import Forbidden, InvalidInput
from workflows.models import Notification, NotificationKind
from workflows.sweep import sweep_plan, sweep_run


@pytest.fixture
def case(area, officer, responder):
    responder.email = "responder@trust.example"
    responder.save(update_fields=["email"])
    topic = services.topic_raise(
        by=officer,
        title="Stroke services",
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.network,
    )
    topic, request, draft_rec = walk_to_response_due(topic, officer, area.trust)
    return topic, request, draft_rec


def _withdrawn_notices(user):
    return Notification.objects.filter(recipient=user, subject__startswith="Withdrawn")


def test_withdrawing_a_topic_withdraws_its_open_items_with_its_reason(case, officer, responder):
    topic, request, draft_rec = case
    services.topic_withdraw(topic=topic, by=officer, reason="The trust reversed the closure.")
    request.refresh_from_db()
    draft_rec = Recommendation.all_objects.get(pk=draft_rec.pk)
    assert request.state == RequestState.WITHDRAWN
    assert draft_rec.state == RecommendationState.WITHDRAWN
    assert request.withdrawal_reason == "The trust reversed the closure."
    assert event_history(request).last().event_type == EventType.INFORMATION_REQUEST_WITHDRAWN
    # The health body was sent the request, so it is told; the draft was never sent.
    notice = _withdrawn_notices(responder).get()
    assert notice.kind == NotificationKind.ASK_WITHDRAWN
    assert "The trust reversed the closure." in notice.body_text
    assert "No answer is owed now." in notice.body_text


def test_a_withdrawn_topics_items_are_not_chased_listed_or_counted_overdue(
    case, officer, responder, trust_key_raw
):
    topic, request, _ = case
    topic_publish(topic=topic, by=officer)
    overdue_day = request.due_on + dt.timedelta(days=10)
    assert any(a.item.obj == request for a in sweep_plan(today=overdue_day, with_digests=False)[0])
    services.topic_withdraw(topic=topic, by=officer, reason="No longer needed.")

    actions, _, _ = sweep_plan(today=overdue_day, with_digests=False)
    assert not [a for a in actions if a.item.obj == request]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {trust_key_raw}")
    listed = api.get("/api/v1/information-requests/?state=issued").json()["results"]
    assert listed == []
    record = health_body_record(request.recipient, today=overdue_day)
    assert record.overdue_unanswered == 0
    assert record.withdrawn_unanswered == 1
    assert ("Withdrawn before an answer", 1) in record.rows()


def test_withdrawal_drops_the_reminders_not_yet_sent(case, officer, responder):
    topic, request, _ = case
    sweep_run(today=request.due_on, with_digests=False)
    pending = Notification.objects.filter(
        recipient=responder, kind=NotificationKind.REMINDER_DUE, state="pending"
    )
    assert pending.exists()  # delivered after commit: the test's transaction never commits
    services.topic_withdraw(topic=topic, by=officer, reason="Closed.")
    assert not pending.exists()


@pytest.fixture
def trust_key_raw(responder, area):
    return issue_key(responder, area.trust, "Test", ["read", "respond"])[1]


# --- Concluding -------------------------------------------------------------------------------


@pytest.fixture
def concluding(case, officer):
    topic, request, rec = case
    agree_recommendations(topic)
    topic = services.topic_make_recommendations(topic=topic, by=officer)
    return topic, request, Recommendation.all_objects.get(pk=rec.pk)


def test_concluding_with_open_items_asks_for_each(concluding, officer):
    topic, request, rec = concluding
    with pytest.raises(InvalidInput) as exc:
        services.topic_conclude(topic=topic, by=officer, outcome_summary="Done")
    assert set(exc.value.field_errors) == {item_key(request), item_key(rec)}
    topic.refresh_from_db()
    assert topic.state == TopicState.RECOMMENDATION_MADE
    with pytest.raises(InvalidInput) as exc:
        services.topic_conclude(
            topic=topic,
            by=officer,
            outcome_summary="Done",
            dispositions={
                item_key(request): (Disposition.WITHDRAW, ""),
                item_key(rec): (Disposition.MONITOR, ""),
            },
        )
    assert "reason to keep monitoring" in exc.value.field_errors[item_key(rec)][0]
    # Nothing was withdrawn by the refused attempt.
    request.refresh_from_db()
    assert request.state == RequestState.ISSUED


def test_concluding_withdraws_or_keeps_monitoring_each_open_item(concluding, officer):
    topic, request, rec = concluding
    topic = services.topic_conclude(
        topic=topic,
        by=officer,
        outcome_summary="The unit stays open.",
        dispositions={
            item_key(request): (Disposition.WITHDRAW, "Answered at the meeting instead."),
            item_key(rec): (Disposition.MONITOR, "The trust will respond after its board."),
        },
    )
    assert topic.state == TopicState.CONCLUDED
    request.refresh_from_db()
    rec.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    assert request.withdrawal_reason == "Answered at the meeting instead."
    assert rec.state == RecommendationState.ISSUED  # still owed: its clock runs on
    assert event_history(rec).last().event_type == EventType.RECOMMENDATION_KEPT_OPEN
    assert event_history(rec).last().note == "The trust will respond after its board."
    assert topic.close_without_response_reason == "The trust will respond after its board."


def test_the_conclude_form_asks_about_each_open_item_with_radios(
    client, concluding, officer, responder
):
    topic, request, rec = concluding
    client.force_login(officer)
    page = client.get(f"/topics/{topic.pk}/conclude/").content.decode()
    assert f'name="{item_key(request)}"' in page and f'name="{item_key(rec)}"' in page
    assert 'type="radio"' in page
    assert "does not publish" in page
    resp = client.post(
        f"/topics/{topic.pk}/conclude/",
        {"outcome_summary": "Done", "expected_state": topic.state},
    )
    assert resp.status_code == 400
    assert f"Choose what happens to the request to {request.recipient}" in resp.content.decode()
    assert "Done" in resp.content.decode()  # what was typed is kept
    resp = client.post(
        f"/topics/{topic.pk}/conclude/",
        {
            "outcome_summary": "Done",
            "expected_state": topic.state,
            item_key(request): "withdraw",
            item_key(rec): "monitor",
            f"{item_key(rec)}-reason": "Board decision due in March.",
        },
    )
    assert resp.status_code == 302
    assert InformationRequest.all_objects.get(pk=request.pk).state == RequestState.WITHDRAWN


def test_a_concluded_topic_not_yet_published_does_not_say_published(client, concluding, officer):
    topic, request, rec = concluding
    services.topic_conclude(
        topic=topic,
        by=officer,
        outcome_summary="Done",
        dispositions={
            item_key(request): (Disposition.WITHDRAW, ""),
            item_key(rec): (Disposition.WITHDRAW, ""),
        },
    )
    client.force_login(officer)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "agreed and published" not in page
    assert "once the topic is published" in page
    assert "Not published" in page


def test_a_member_cannot_conclude_by_disposing_of_items(concluding, member):
    topic, request, rec = concluding
    stranger = UserFactory()
    for who in (member, stranger):
        with pytest.raises(Forbidden):
            services.topic_conclude(
                topic=topic,
                by=who,
                outcome_summary="Done",
                dispositions={
                    item_key(request): (Disposition.WITHDRAW, ""),
                    item_key(rec): (Disposition.WITHDRAW, ""),
                },
            )
    request.refresh_from_db()
    assert request.state == RequestState.ISSUED
