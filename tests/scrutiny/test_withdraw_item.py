"""One request or recommendation can be withdrawn with a reason from the staff topic page
(issue 14: "one item cannot be withdrawn outside the admin")."""

import pytest

from scrutiny.casework import services
from scrutiny.casework.models import InformationRequest, RecommendationState, RequestState
from tests.factories import TopicFactory, agree_recommendations
from tests.scrutiny.casework_setup import walk_to_response_due
from workflows.audit import EventType, event_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(area, officer):
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Stroke")
    topic, request, rec = walk_to_response_due(topic, officer, area.trust)
    return topic, request, rec


def test_an_officer_withdraws_one_issued_request_with_a_reason(client, officer, issued):
    topic, request, _ = issued
    assert request.due_on is not None
    client.force_login(officer)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    url = f"/requests/{request.pk}/withdraw/"
    assert url in page
    response = client.post(url, {"reason": "", "expected_state": "issued"})
    assert response.status_code == 400 and "Enter the reason." in response.content.decode()
    response = client.post(url, {"reason": "Asked at the meeting instead.", "expected_state": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    assert request.withdrawal_reason == "Asked at the meeting instead."
    assert InformationRequest.open_clocks().filter(pk=request.pk).count() == 0
    event = event_history(request).last()
    assert event.event_type == EventType.INFORMATION_REQUEST_WITHDRAWN
    assert event.note == "Asked at the meeting instead."
    assert "Asked at the meeting instead." in client.get(f"/topics/{topic.pk}/").content.decode()


def test_an_answered_request_cannot_be_withdrawn(client, officer, issued):
    _, request, _ = issued
    services.provider_response_record(
        subject=request, by=officer, channel="letter", text="Forty beds.", outcome="answered"
    )
    client.force_login(officer)
    assert client.get(f"/requests/{request.pk}/withdraw/").status_code == 409
    page = client.get(f"/topics/{request.topic_id}/").content.decode()
    assert f"/requests/{request.pk}/withdraw/" not in page


def test_a_member_may_not_withdraw(client, member, issued):
    _, request, _ = issued
    client.force_login(member)
    response = client.post(f"/requests/{request.pk}/withdraw/", {"reason": "Mine"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.state == RequestState.ISSUED


def test_an_issued_recommendation_is_withdrawn(client, officer, issued):
    topic, _, rec = issued
    agree_recommendations(topic)
    services.topic_make_recommendations(topic=topic, by=officer)
    client.force_login(officer)
    response = client.post(
        f"/recommendations/{rec.pk}/withdraw/", {"reason": "The trust closed the ward."}
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.state == RecommendationState.WITHDRAWN and rec.due_on is not None
    assert event_history(rec).last().event_type == EventType.RECOMMENDATION_WITHDRAWN


def test_another_bodys_officer_cannot_reach_the_page(client, other_officer, issued):
    _, request, _ = issued
    client.force_login(other_officer)
    assert client.get(f"/requests/{request.pk}/withdraw/").status_code == 404
