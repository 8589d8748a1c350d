"""What the case page offers whom: `presenters.topic_actions` and `referral_actions`, built from
the lifecycle and the policy (templates only test the booleans)."""

import pytest

from scrutiny.casework import services
from scrutiny.web import presenters
from tests.factories import TopicFactory
from tests.scrutiny.casework_setup import SCORES, walk_to_response_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(area):
    return TopicFactory(partnership=area.partnership, lead_body=area.network)


def test_an_officer_on_a_raised_topic(joint, officer):
    actions = presenters.topic_actions(officer, joint)
    assert set(actions.transitions) == {"prioritise", "decline", "withdraw"}
    assert actions.manage and actions.position and actions.any
    assert not actions.draft  # nothing to draft before it is prioritised
    assert not actions.publishable  # a raised topic has nothing to show residents


def test_once_prioritised_requests_are_drafted_and_it_can_be_published(joint, officer):
    topic = services.topic_prioritise(topic=joint, by=officer, scores=SCORES)
    actions = presenters.topic_actions(officer, topic)
    assert actions.draft and actions.publishable
    assert "request_information" in actions.transitions


def test_a_committee_member_records_a_position_but_does_not_manage(joint, member):
    actions = presenters.topic_actions(member, joint)
    assert actions.position
    assert not actions.manage and not actions.draft


def test_no_position_is_offered_on_a_withdrawn_topic(joint, officer):
    topic = services.topic_withdraw(topic=joint, by=officer, reason="Merged")
    actions = presenters.topic_actions(officer, topic)
    assert not actions.position and actions.transitions == [] and not actions.any


def test_responses_are_recorded_by_the_topics_officer_on_issued_items(joint, area, officer):
    topic, request, draft_recommendation = walk_to_response_due(joint, officer, area.trust)
    actions = presenters.topic_actions(
        officer, topic, requests=[request], recommendations=[draft_recommendation]
    )
    assert actions.request_responses == {request.pk}
    assert actions.recommendation_responses == set()  # a draft takes no response


def test_referral_actions_follow_its_state(area, officer, osc_officer):
    topic = services.topic_raise(
        by=officer,
        title="Referred",
        summary="For the committee",
        partnership=area.partnership,
        lead_body=area.network,
        source="referral",
    )
    referral = topic.referral
    assert presenters.referral_actions(osc_officer, referral) == presenters.ReferralActions(
        acknowledge=True, update=False
    )
    assert presenters.referral_actions(officer, referral) == presenters.ReferralActions()
    referral = services.referral_acknowledge(referral=referral, by=osc_officer, text="Noted")
    assert presenters.referral_actions(osc_officer, referral) == presenters.ReferralActions(
        acknowledge=False, update=True
    )
    assert presenters.referral_actions(osc_officer, None) == presenters.ReferralActions()
