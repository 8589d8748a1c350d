"""Drafts can be edited and deleted before they are sent, and the officer chooses which drafts
to issue (issue 14: "drafts cannot be edited or deleted"; "'Issue requests' issues every draft
on the topic, including old ones")."""

import datetime as dt
import re

import pytest

from scrutiny.casework import services
from scrutiny.casework.models import InformationRequest, Recommendation, RequestState
from tests.factories import TopicFactory
from tests.scrutiny.casework_setup import SCORES, walk_to_response_due
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(area, officer):
    t = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Stroke")
    t = services.topic_prioritise(topic=t, by=officer, scores=SCORES)
    return services.topic_request_information(topic=t, by=officer)


@pytest.fixture
def draft(topic, officer, area):
    return services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="How many beds?"
    )


def test_an_officer_edits_a_draft_and_the_change_is_logged(client, officer, draft, area):
    client.force_login(officer)
    url = f"/requests/{draft.pk}/edit/"
    page = client.get(url).content.decode()
    assert "How many beds?" in page
    # an error keeps what was typed
    response = client.post(url, {"recipient": area.other_trust.pk, "question": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Enter the question." in body
    assert re.search(rf'value="{area.other_trust.pk}"[^>]*selected', body)
    # the blank typed, not the saved question
    assert re.search(r'name="question"[^>]*>\s*</textarea>', body)
    response = client.post(url, {"recipient": area.other_trust.pk, "question": "How many cots?"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.question, draft.recipient) == ("How many cots?", area.other_trust)
    event = event_history(draft).last()
    assert event.event_type == EventType.INFORMATION_REQUEST_EDITED
    assert event.data["before"]["question"] == "How many beds?"
    assert event.data["after"]["question"] == "How many cots?"


def test_an_issued_request_cannot_be_edited_or_deleted(client, officer, area):
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Beds")
    topic, request, _ = walk_to_response_due(topic, officer, area.trust)
    with pytest.raises(Conflict):
        services.information_request_edit(request=request, by=officer, question="Changed")
    with pytest.raises(Conflict):
        services.information_request_delete(request=request, by=officer)
    client.force_login(officer)
    assert client.get(f"/requests/{request.pk}/edit/").status_code == 409
    assert client.post(f"/requests/{request.pk}/delete/").status_code == 409


def test_a_member_may_not_edit_or_delete_drafts(client, member, draft):
    with pytest.raises(Forbidden):
        services.information_request_edit(request=draft, by=member, question="Mine")
    client.force_login(member)
    assert client.get(f"/requests/{draft.pk}/edit/").status_code == 403
    assert client.post(f"/requests/{draft.pk}/delete/").status_code == 403
    assert InformationRequest.all_objects.filter(pk=draft.pk).exists()


def test_deleting_a_draft_is_logged_on_the_topic(client, officer, topic, draft):
    client.force_login(officer)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert f"/requests/{draft.pk}/delete/" in page and f"/requests/{draft.pk}/edit/" in page
    assert client.get(f"/requests/{draft.pk}/delete/").status_code == 200
    assert client.post(f"/requests/{draft.pk}/delete/").status_code == 302
    assert not InformationRequest.all_objects.filter(pk=draft.pk).exists()
    event = event_history(topic).last()
    assert event.event_type == EventType.INFORMATION_REQUEST_DELETED
    assert event.data["question"] == "How many beds?" and event.data["id"] == draft.pk
    assert (
        "Draft information request deleted" in client.get(f"/topics/{topic.pk}/").content.decode()
    )


def test_a_draft_recommendation_is_edited_and_deleted(client, officer, topic, area):
    rec = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.trust, text="Keep it open."
    )
    client.force_login(officer)
    url = f"/recommendations/{rec.pk}/edit/"
    response = client.post(url, {"recipient": area.trust.pk, "text": "Keep it open all week."})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.text == "Keep it open all week."
    assert event_history(rec).last().event_type == EventType.RECOMMENDATION_EDITED
    services.recommendation_delete(recommendation=rec, by=officer)
    assert not Recommendation.all_objects.filter(pk=rec.pk).exists()
    assert event_history(topic).last().event_type == EventType.RECOMMENDATION_DELETED


def test_the_officer_chooses_which_drafts_to_issue(client, officer, area, topic, draft):
    """Failed before: every draft on the topic was issued, old ones included."""
    other = services.information_request_draft(
        topic=topic, by=officer, recipient=area.other_trust, question="How many nurses?"
    )
    client.force_login(officer)
    url = f"/topics/{topic.pk}/issue_requests/"
    page = client.get(url).content.decode()
    assert f'value="{draft.pk}"' in page and f'value="{other.pk}"' in page
    response = client.post(url, {"expected_state": topic.state})  # none chosen
    assert response.status_code == 400 and "Choose at least one" in response.content.decode()
    response = client.post(url, {"expected_state": topic.state, "items": [other.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    other.refresh_from_db()
    assert other.state == RequestState.ISSUED and draft.state == RequestState.DRAFT


def test_drafts_from_an_earlier_round_are_not_ticked(client, officer, area, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    t = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Old")
    t = services.topic_prioritise(topic=t, by=officer, scores=SCORES)
    old = services.information_request_draft(
        topic=t, by=officer, recipient=area.trust, question="Drafted before the decision"
    )
    time_machine.move_to(dt.datetime(2026, 11, 3, 10, 0, tzinfo=dt.UTC), tick=False)
    t = services.topic_request_information(topic=t, by=officer)
    time_machine.move_to(dt.datetime(2026, 11, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    new = services.information_request_draft(
        topic=t, by=officer, recipient=area.trust, question="Drafted for this round"
    )
    client.force_login(officer)
    page = client.get(f"/topics/{t.pk}/issue_requests/").content.decode()
    assert re.search(rf'value="{new.pk}"[^>]*checked', page)
    assert f'value="{old.pk}"' in page and not re.search(rf'value="{old.pk}"[^>]*checked', page)


def test_the_service_refuses_ids_that_are_not_drafts_of_the_topic(officer, area, topic, draft):
    elsewhere = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Else")
    elsewhere = services.topic_prioritise(topic=elsewhere, by=officer, scores=SCORES)
    elsewhere = services.topic_request_information(topic=elsewhere, by=officer)
    foreign = services.information_request_draft(
        topic=elsewhere, by=officer, recipient=area.trust, question="Not this topic's"
    )
    with pytest.raises(InvalidInput, match=str(foreign.pk)):
        services.topic_issue_requests(topic=topic, by=officer, ids=[draft.pk, foreign.pk])
    topic.refresh_from_db()
    draft.refresh_from_db()
    assert topic.state == "information_requested" and draft.state == RequestState.DRAFT
