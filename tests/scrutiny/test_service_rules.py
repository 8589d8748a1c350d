"""Services own their rules: every rule a form or serializer checks (`clean`, `validate`), the
service checks too, so a caller that skips the form cannot skip the rule. And one answer to
"which prioritisation framework applies to this topic"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from protocols import services as protocol_services
from scrutiny.casework import services
from scrutiny.casework.models import PrioritisationFramework, ProviderResponse
from tests.factories import TopicFactory, agree_recommendations
from tests.scrutiny.casework_setup import SCORES, walk_to_response_due
from workflows.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(area, officer):
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network)
    topic, request, recommendation = walk_to_response_due(topic, officer, area.trust)
    return request, recommendation


def _respond(subject, by, **kw):
    values = {"channel": "letter", "text": "Our answer", "outcome": "answered"} | kw
    return services.provider_response_record(subject=subject, by=by, **values)


# ResponseRecordForm.clean and RequestResponseInput.validate, one rule each.
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"outcome": "refused"}, "refusal_ground"),  # a refusal needs a ground
        ({"outcome": "refused", "refusal_ground": "not_a_ground"}, "refusal_ground"),  # listed
        ({"outcome": "answered", "refusal_ground": "confidential_personal"}, "refusal_ground"),
        ({"outcome": "partially_answered", "refusal_ground": "other"}, "refusal_ground"),
    ],
)
def test_the_refusal_ground_rule_is_the_services(issued, officer, values, field):
    request, _ = issued
    with pytest.raises(InvalidInput) as raised:
        _respond(request, officer, **values)
    assert field in raised.value.field_errors
    assert not ProviderResponse.objects.exists()
    request.refresh_from_db()
    assert request.state == "issued"


def test_a_refusal_with_a_listed_ground_is_recorded(issued, officer):
    request, _ = issued
    response = _respond(request, officer, outcome="refused", refusal_ground="confidential_personal")
    assert response.refusal_ground == "confidential_personal"


# ResponseRecordForm.clean_received_on
def test_a_future_received_date_is_the_services_rule_too(issued, officer):
    request, _ = issued
    with pytest.raises(InvalidInput) as raised:
        _respond(request, officer, received_at=timezone.now() + dt.timedelta(days=1))
    assert "received_at" in raised.value.field_errors


# ResponseRecordForm.clean (the action rows) and ActionPlanItemInput
@pytest.mark.parametrize(
    "row",
    [
        {"action": "Open two beds", "owner": "", "target_date": dt.date(2027, 3, 1)},
        {"action": "", "owner": "Director", "target_date": dt.date(2027, 3, 1)},
        {"action": "Open two beds", "owner": "Director", "target_date": None},
        {"action": "Open two beds", "owner": "Director", "target_date": "not a date"},
    ],
)
def test_each_action_needs_an_action_an_owner_and_a_target_date(area, officer, issued, row):
    _, recommendation = issued
    agree_recommendations(recommendation.topic)
    topic = services.topic_make_recommendations(topic=recommendation.topic, by=officer)
    recommendation.refresh_from_db()
    assert topic.state == "recommendation_made"
    with pytest.raises(InvalidInput) as raised:
        _respond(recommendation, officer, outcome="accepted", action_plan=[row])
    assert "action_plan[0]" in raised.value.field_errors


# ImplementationUpdateInput: a revised date when slipped
def test_a_slipped_action_needs_a_revised_date(officer, issued):
    _, recommendation = issued
    agree_recommendations(recommendation.topic)
    services.topic_make_recommendations(topic=recommendation.topic, by=officer)
    recommendation.refresh_from_db()
    _respond(recommendation, officer, outcome="accepted")
    with pytest.raises(InvalidInput) as raised:
        services.recommendation_update_implementation(
            recommendation=recommendation, by=officer, status="slipped"
        )
    assert "revised_date" in raised.value.field_errors


# --- Which framework applies ----------------------------------------------------------------


@pytest.fixture
def other_framework():
    return PrioritisationFramework.objects.create(
        name="Three questions",
        slug="three",
        criteria=[{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
        scale_max=3,
        threshold=4,
    )


def test_a_joint_topic_to_be_scored_uses_its_partnerships_framework(area, other_framework):
    area.partnership.framework = other_framework
    area.partnership.save()
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network)
    assert topic.applicable_framework() == other_framework


def test_a_single_bodys_topic_uses_the_default_framework(area, officer):
    topic = services.topic_raise(
        by=officer,
        title="Dentists",
        summary="None taking patients",
        body=area.network,
        lead_body=area.network,
    )
    assert topic.applicable_framework() == PrioritisationFramework.default()
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    assert topic.framework == PrioritisationFramework.default()


def test_given_scores_stay_read_against_their_framework(area, officer, other_framework):
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network)
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    area.partnership.framework = other_framework
    area.partnership.save()
    topic.refresh_from_db()
    assert topic.applicable_framework() == PrioritisationFramework.default()
    # Declined and reopened, it is scored again against the partnership's framework now.
    topic = services.topic_decline(topic=topic, by=officer, reason="Not now")
    topic = services.topic_reopen(topic=topic, by=officer)
    topic.refresh_from_db()
    assert topic.applicable_framework() == other_framework
    topic = services.topic_prioritise(topic=topic, by=officer, scores={"a": 3, "b": 1})
    assert topic.framework == other_framework and topic.score_total == 4


def test_minutes_prioritise_a_single_bodys_topic_with_the_default_criteria(
    client, area, officer, settings, tmp_path, time_machine
):
    """The minutes page asked the partnership for the framework and offered no criteria for a
    single body's topic, so the decision 'prioritise' could never be minuted for one."""
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)
    topic = services.topic_raise(
        by=officer,
        title="Dentists",
        summary="None taking patients",
        body=area.network,
        lead_body=area.network,
    )
    meeting = protocol_services.meeting_create(
        by=officer,
        body=area.network,
        title="Board",
        date=dt.date(2026, 11, 20),
        start_time=dt.time(18, 0),
        place="Hall",
        confirm=True,
    )
    item = protocol_services.agenda_item_add(
        meeting=meeting, by=officer, title="Dentists", topic=topic
    )
    protocol_services.meeting_publish_agenda(
        meeting=meeting, by=officer, now=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)
    )
    protocol_services.meeting_mark_held(meeting=meeting, by=officer)
    client.force_login(officer)
    url = reverse("protocols:item-decision", args=[meeting.pk, item.pk])
    assert 'name="score_timely"' in client.get(url).content.decode()
    scores = {f"score_{k}": v for k, v in SCORES.items()}
    response = client.post(url, {"decision": "Take it on", "resolution": "prioritise", **scores})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.state == "prioritised" and topic.score_total == sum(SCORES.values())
