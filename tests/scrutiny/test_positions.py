"""A body's position on a joint topic is the body's (issue 14): recorded as a proposal, it is
published only once agreed at a meeting (a minuted decision) or by the body's chair."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from protocols import services as protocol_services
from scrutiny.casework import publication, services
from scrutiny.casework.models import Membership, TopicPosition
from tests.factories import MembershipFactory, UserFactory
from tests.scrutiny.casework_setup import SCORES
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def link_chair(area):
    user = UserFactory(username="link-chair")
    MembershipFactory(user=user, organisation=area.network, role=Membership.Role.CHAIR)
    return user


@pytest.fixture
def topic(area, officer):
    topic = services.topic_raise(
        by=officer,
        title="Stroke unit",
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.network,
    )
    return services.topic_prioritise(topic=topic, by=officer, scores=SCORES)


@pytest.fixture
def proposed(topic, area, member):
    """The LINk's position, proposed by one of its members."""
    link_member = UserFactory(username="link-member")
    MembershipFactory(
        user=link_member, organisation=area.network, role=Membership.Role.COMMITTEE_MEMBER
    )
    return services.topic_record_position(
        topic=topic, by=link_member, organisation=area.network, position="PROPOSED-WORDS"
    )


def _minuted_item(area, officer, topic, *, body=None):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    meeting = protocol_services.meeting_create(
        by=officer,
        body=body or area.network,
        title="LINk board",
        date=yesterday,
        start_time=dt.time(10, 0),
        place="Hall",
        confirm=True,
    )
    item = protocol_services.agenda_item_add(
        meeting=meeting, by=officer, title="Stroke unit", topic=topic
    )
    protocol_services.meeting_mark_held(meeting=meeting, by=officer)
    return protocol_services.item_record_decision(
        item=item, by=officer, decision="The board agreed the LINk's position."
    )


def test_one_members_position_is_a_proposal_and_is_not_published(proposed, topic, officer):
    assert not proposed.is_agreed
    assert event_history(topic).last().event_type == EventType.TOPIC_POSITION_RECORDED
    assert list(TopicPosition.objects.agreed()) == []


def test_the_public_outcome_page_shows_only_agreed_positions(
    client, proposed, topic, officer, link_chair, django_capture_on_commit_callbacks
):
    publication.topic_publish(topic=topic, by=officer)
    url = reverse("public:outcome", args=[topic.pk])
    assert "PROPOSED-WORDS" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_position_agree(position=proposed, by=link_chair, how="chair")
    assert "PROPOSED-WORDS" in client.get(url).content.decode()


def test_the_bodys_chair_agrees_it_by_chairs_action(proposed, topic, link_chair):
    agreed = services.topic_position_agree(
        position=proposed, by=link_chair, how="chair", note="Agreed by e-mail with the board"
    )
    assert agreed.is_agreed and agreed.agreed_by == link_chair
    assert agreed.agreed_how == TopicPosition.Agreement.CHAIR
    assert event_history(topic).last().event_type == EventType.TOPIC_POSITION_AGREED
    with pytest.raises(Conflict):
        services.topic_position_agree(position=proposed, by=link_chair, how="chair")


@pytest.mark.parametrize("who", ["officer", "chair", "osc_officer"])
def test_no_one_but_the_bodys_chair_agrees_by_chairs_action(request, proposed, who):
    # The LINk's officer, the OSC's chair and the OSC's officer are not the LINk's chair.
    with pytest.raises(Forbidden):
        services.topic_position_agree(
            position=proposed, by=request.getfixturevalue(who), how="chair"
        )
    assert not TopicPosition.objects.get(pk=proposed.pk).is_agreed


def test_a_minuted_decision_of_the_bodys_meeting_agrees_it(area, officer, proposed, topic):
    item = _minuted_item(area, officer, topic)
    agreed = protocol_services.item_agree_position(item=item, position=proposed, by=officer)
    assert agreed.agreed_how == TopicPosition.Agreement.MEETING
    assert agreed.minute_item_id == item.pk
    assert "The board agreed" in agreed.agreement_note


def test_another_bodys_meeting_does_not_agree_it(area, osc_officer, proposed, topic):
    item = _minuted_item(area, osc_officer, topic, body=area.committee)
    with pytest.raises(InvalidInput, match="did not hold this meeting"):
        protocol_services.item_agree_position(item=item, position=proposed, by=osc_officer)


def test_new_words_make_an_agreed_position_a_proposal_again(area, officer, proposed, link_chair):
    services.topic_position_agree(position=proposed, by=link_chair, how="chair")
    again = services.topic_record_position(
        topic=proposed.topic, by=officer, organisation=area.network, position="New words"
    )
    assert not again.is_agreed and again.agreed_how == ""


def test_the_chair_agrees_on_the_page(client, proposed, topic, link_chair):
    client.force_login(link_chair)
    url = reverse("scrutiny:topic-position-agree", args=[topic.pk, proposed.pk])
    page = client.get(url).content.decode()
    assert "By my chair" in page
    response = client.post(url, {"how": "chair", "note": ""})
    assert response.status_code == 302
    assert TopicPosition.objects.get(pk=proposed.pk).is_agreed
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Agreed" in page


def test_the_officer_agrees_on_the_page_from_a_minuted_decision(
    client, area, officer, proposed, topic
):
    item = _minuted_item(area, officer, topic)
    client.force_login(officer)
    url = reverse("scrutiny:topic-position-agree", args=[topic.pk, proposed.pk])
    assert "By my chair" not in client.get(url).content.decode()
    response = client.post(url, {"how": "meeting"})  # no decision chosen: kept, and said
    assert response.status_code == 400
    assert "Choose the minuted decision." in response.content.decode()
    assert client.post(url, {"how": "meeting", "item": item.pk}).status_code == 302
    assert TopicPosition.objects.get(pk=proposed.pk).minute_item_id == item.pk


def test_a_member_reads_how_a_position_is_agreed_but_cannot_agree_it(
    client, proposed, topic, member
):
    client.force_login(member)
    url = reverse("scrutiny:topic-position-agree", args=[topic.pk, proposed.pk])
    page = client.get(url)
    assert page.status_code == 200 and "You cannot agree it here" in page.content.decode()
    assert client.post(url, {"how": "chair"}).status_code == 403
    assert not TopicPosition.objects.get(pk=proposed.pk).is_agreed
