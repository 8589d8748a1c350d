"""Recommendations move draft -> agreed -> issued. Agreement is a minuted meeting decision (the
officer records which) or the chair's own recorded action; only agreed recommendations issue
(issue 14: "a recommendation is issued with no committee agreement though the form says 'after
the committee agrees them'")."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from protocols import services as protocol_services
from scrutiny.casework import services
from scrutiny.casework.models import Membership, Recommendation, RecommendationState
from tests.factories import MembershipFactory, TopicFactory, UserFactory
from tests.scrutiny.casework_setup import walk_to_response_due
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(area, officer):
    """A joint topic in 'response due' with one draft recommendation made by the LINk."""
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Stroke")
    topic, _, rec = walk_to_response_due(topic, officer, area.trust)
    assert rec.made_by == area.network
    return topic, rec


@pytest.fixture
def link_chair(area):
    user = UserFactory(username="link-chair")
    MembershipFactory(user=user, organisation=area.network, role=Membership.Role.CHAIR)
    return user


def _minuted_item(area, officer, topic, *, decide=True):
    meeting = protocol_services.meeting_create(
        by=officer,
        partnership=area.partnership,
        body=None,
        date=dt.date(2026, 11, 20),
        start_time=dt.time(18, 0),
        title="Joint scrutiny meeting",
        place="Town Hall",
        confirm=True,
    )
    item = protocol_services.agenda_item_add(
        meeting=meeting, by=officer, title="Stroke", topic=topic
    )
    protocol_services.meeting_mark_held(meeting=meeting, by=officer)
    if decide:
        item = protocol_services.item_record_decision(
            item=item, by=officer, decision="Agreed the recommendation to the trust."
        )
    item.refresh_from_db()
    return item


def test_a_draft_recommendation_cannot_be_issued(drafted, officer):
    """Failed before: topic_make_recommendations issued every draft, agreed or not."""
    topic, rec = drafted
    with pytest.raises(Conflict, match="Agree at least one recommendation"):
        services.topic_make_recommendations(topic=topic, by=officer)
    with pytest.raises(Conflict):
        services.recommendation_issue(recommendation=rec, by=officer)
    rec.refresh_from_db()
    assert rec.state == RecommendationState.DRAFT and rec.issued_on is None


def test_the_chair_agrees_by_chairs_action_and_then_it_can_be_issued(drafted, officer, link_chair):
    topic, rec = drafted
    rec = services.recommendation_agree_by_chair(
        recommendation=rec, by=link_chair, reason="The trust decides before our next meeting."
    )
    assert rec.state == RecommendationState.AGREED
    assert rec.agreement_basis == "chair" and rec.agreed_by == link_chair
    event = event_history(rec).last()
    assert event.event_type == EventType.RECOMMENDATION_AGREED_BY_CHAIR
    assert event.actor == link_chair and "next meeting" in event.note
    services.topic_make_recommendations(topic=topic, by=officer)
    rec.refresh_from_db()
    assert rec.state == RecommendationState.ISSUED and rec.due_on is not None


def test_the_officer_cannot_record_the_chairs_action(drafted, officer, chair):
    """The officer cannot; nor can the chair of another body (the HOSC's chair, for a
    recommendation the LINk makes)."""
    _, rec = drafted
    for who in (officer, chair):
        with pytest.raises(Forbidden):
            services.recommendation_agree_by_chair(recommendation=rec, by=who, reason="Urgent")
    rec.refresh_from_db()
    assert rec.state == RecommendationState.DRAFT


def test_the_chairs_action_needs_a_reason(drafted, link_chair):
    _, rec = drafted
    with pytest.raises(InvalidInput) as exc:
        services.recommendation_agree_by_chair(recommendation=rec, by=link_chair, reason="  ")
    assert "reason" in exc.value.field_errors


def test_a_minuted_meeting_decision_agrees_it(area, drafted, officer):
    topic, rec = drafted
    item = _minuted_item(area, officer, topic)
    rec = services.recommendation_agree_at_meeting(recommendation=rec, by=officer, agenda_item=item)
    assert rec.state == RecommendationState.AGREED
    assert rec.agreement_basis == "meeting" and rec.agreed_at_item == item
    assert event_history(rec).last().event_type == EventType.RECOMMENDATION_AGREED_AT_MEETING


def test_an_unminuted_or_unrelated_item_does_not_agree_it(area, drafted, officer):
    topic, rec = drafted
    unminuted = _minuted_item(area, officer, topic, decide=False)
    with pytest.raises(InvalidInput, match="not minuted"):
        services.recommendation_agree_at_meeting(
            recommendation=rec, by=officer, agenda_item=unminuted
        )
    other_topic = TopicFactory(partnership=area.partnership, lead_body=area.network, title="X")
    elsewhere = _minuted_item(area, officer, other_topic)
    with pytest.raises(InvalidInput, match="about this topic"):
        services.recommendation_agree_at_meeting(
            recommendation=rec, by=officer, agenda_item=elsewhere
        )
    rec.refresh_from_db()
    assert rec.state == RecommendationState.DRAFT


def test_a_meeting_resolution_to_make_recommendations_agrees_and_issues_them(
    area, drafted, officer
):
    topic, rec = drafted
    item = _minuted_item(area, officer, topic, decide=False)
    protocol_services.item_record_decision(
        item=item,
        by=officer,
        decision="Make the recommendation.",
        resolution="make_recommendations",
    )
    rec.refresh_from_db()
    assert rec.state == RecommendationState.ISSUED
    assert rec.agreement_basis == "meeting" and rec.agreed_at_item_id == item.pk


def test_the_database_refuses_an_agreed_recommendation_that_does_not_say_how(drafted):
    _, rec = drafted
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.all_objects.filter(pk=rec.pk).update(state=RecommendationState.AGREED)


# --- the pages ------------------------------------------------------------------------------


def test_the_draft_form_tells_the_truth(client, drafted, officer):
    topic, _ = drafted
    client.force_login(officer)
    page = client.get(f"/topics/{topic.pk}/recommendations/new/").content.decode()
    assert "the committee agrees it" in page and "chair records a chair" in page


def test_the_chair_has_a_chairs_action_page_and_the_officer_does_not(
    client, drafted, officer, link_chair
):
    topic, rec = drafted
    url = f"/recommendations/{rec.pk}/chairs-action/"
    client.force_login(officer)
    assert client.get(url).status_code == 403
    assert url not in client.get(f"/topics/{topic.pk}/").content.decode()
    client.force_login(link_chair)
    assert url in client.get(f"/topics/{topic.pk}/").content.decode()
    page = client.post(url, {"reason": ""})
    assert page.status_code == 400 and "Enter the reason for the chair" in page.content.decode()
    assert client.post(url, {"reason": "Before the trust's board meets."}).status_code == 302
    rec.refresh_from_db()
    assert rec.state == RecommendationState.AGREED and rec.agreed_by == link_chair
    assert client.get(url).status_code == 409  # agreed already


def test_the_officer_records_the_minuted_decision_on_a_page(client, area, drafted, officer):
    topic, rec = drafted
    item = _minuted_item(area, officer, topic)
    client.force_login(officer)
    url = f"/recommendations/{rec.pk}/agreement/"
    page = client.get(url).content.decode()
    assert "Agreed the recommendation to the trust." in page
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"agenda_item": item.pk}).status_code == 302
    rec.refresh_from_db()
    assert rec.state == RecommendationState.AGREED and rec.agreed_at_item == item


def test_the_issue_page_offers_only_agreed_recommendations(
    client, drafted, officer, link_chair, area
):
    topic, rec = drafted
    other = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.trust, text="Publish the waiting times."
    )
    services.recommendation_agree_by_chair(recommendation=rec, by=link_chair, reason="Urgent")
    client.force_login(officer)
    url = f"/topics/{topic.pk}/make_recommendations/"
    page = client.get(url).content.decode()
    assert f'value="{rec.pk}"' in page and f'value="{other.pk}"' not in page
    assert "Drafts not yet agreed" in page
    response = client.post(url, {"expected_state": topic.state, "items": [other.pk]})
    assert response.status_code == 400
    response = client.post(url, {"expected_state": topic.state, "items": [rec.pk]})
    assert response.status_code == 302
    rec.refresh_from_db()
    other.refresh_from_db()
    assert rec.state == RecommendationState.ISSUED and other.state == RecommendationState.DRAFT


def test_the_topic_page_does_not_grow_with_drafts(client, area, drafted, officer, link_chair):
    """The chair's and the officer's links on each card cost no query per item."""
    topic, _ = drafted

    def queries(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/topics/{topic.pk}/").status_code == 200
        return len(ctx.captured_queries)

    before = {user.pk: queries(user) for user in (officer, link_chair)}
    for n in range(3):
        services.recommendation_draft(
            topic=topic, by=officer, recipient=area.trust, text=f"Recommendation {n}"
        )
    after = {user.pk: queries(user) for user in (officer, link_chair)}
    assert after == before


def test_the_issue_page_says_why_nothing_can_be_issued_yet(client, drafted, officer):
    topic, _ = drafted
    client.force_login(officer)
    response = client.get(f"/topics/{topic.pk}/make_recommendations/")
    assert response.status_code == 409
    assert "Only agreed recommendations are issued" in response.content.decode()
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert f"/topics/{topic.pk}/make_recommendations/" not in page
