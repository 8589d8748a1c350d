"""Scores can be corrected while a topic is prioritised (logged with before and after), and a
topic below the framework's threshold is prioritised only with a recorded reason (issue 14: "a
topic scored 0/10 is prioritised with no warning; scores cannot be corrected afterwards")."""

import pytest

from scrutiny.casework import services
from scrutiny.casework.models import PrioritisationFramework, TopicState
from tests.factories import TopicFactory
from tests.scrutiny.casework_setup import SCORES
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, Forbidden, InvalidInput

pytestmark = pytest.mark.django_db

ZERO = dict.fromkeys(SCORES, 0)


@pytest.fixture
def topic(area):
    return TopicFactory(partnership=area.partnership, lead_body=area.network, title="Stroke")


def _form(scores, **extra):
    return {**{f"score_{k}": v for k, v in scores.items()}, **extra}


def test_the_framework_has_a_threshold():
    framework = PrioritisationFramework.objects.get(slug="topic")
    assert 0 < framework.threshold <= framework.max_total


def test_zero_scores_need_a_recorded_reason(officer, topic):
    """Failed before: a topic scored 0/10 was prioritised with no warning."""
    with pytest.raises(InvalidInput) as exc:
        services.topic_prioritise(topic=topic, by=officer, scores=ZERO)
    assert "below_threshold_reason" in exc.value.field_errors
    topic.refresh_from_db()
    assert topic.state == TopicState.RAISED
    topic = services.topic_prioritise(
        topic=topic, by=officer, scores=ZERO, below_threshold_reason="A statutory consultation."
    )
    assert topic.state == TopicState.PRIORITISED
    assert topic.below_threshold_reason == "A statutory consultation."
    assert event_history(topic).last().note == "A statutory consultation."


def test_scores_at_the_threshold_keep_no_reason(officer, topic):
    topic = services.topic_prioritise(
        topic=topic, by=officer, scores=SCORES, below_threshold_reason="Not needed"
    )
    assert topic.below_threshold_reason == ""


def test_the_prioritise_form_asks_for_the_reason_and_keeps_what_was_typed(client, officer, topic):
    client.force_login(officer)
    url = f"/topics/{topic.pk}/prioritise/"
    page = client.get(url).content.decode()
    assert "below the threshold" in page and 'name="below_threshold_reason"' in page
    response = client.post(url, _form(ZERO, note="Typed note", expected_state="raised"))
    body = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in body
    assert "record why the topic goes on the work programme" in body and "Typed note" in body
    response = client.post(
        url,
        _form(ZERO, below_threshold_reason="The committee asked.", expected_state="raised"),
    )
    assert response.status_code == 302
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "The committee asked." in page


def test_scores_are_corrected_while_prioritised_and_logged(client, officer, topic):
    """Failed before: there was no way to correct them (the prioritise move gave 409)."""
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    client.force_login(officer)
    assert f"/topics/{topic.pk}/scores/" in client.get(f"/topics/{topic.pk}/").content.decode()
    url = f"/topics/{topic.pk}/scores/"
    corrected = {**SCORES, "public_interest": 2}
    response = client.post(url, _form(corrected))
    assert response.status_code == 400 and "Enter the reason for the correction." in (
        response.content.decode()
    )
    response = client.post(url, _form(corrected, reason="Misread the survey."))
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.scores["public_interest"] == 2 and topic.score_total == 8
    assert topic.state == TopicState.PRIORITISED
    event = event_history(topic).last()
    assert event.event_type == EventType.TOPIC_SCORES_CORRECTED
    assert event.data["before"]["total"] == 7 and event.data["after"]["total"] == 8
    assert "Misread the survey." in event.note


def test_a_correction_below_the_threshold_needs_its_reason(officer, topic):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    with pytest.raises(InvalidInput) as exc:
        services.topic_scores_correct(topic=topic, by=officer, scores=ZERO, reason="Recount")
    assert "below_threshold_reason" in exc.value.field_errors
    topic.refresh_from_db()
    assert topic.score_total == 7


def test_scores_are_not_corrected_after_the_topic_moved_on(client, officer, member, topic):
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    with pytest.raises(Forbidden):
        services.topic_scores_correct(topic=topic, by=member, scores=SCORES, reason="x")
    topic = services.topic_request_information(topic=topic, by=officer)
    with pytest.raises(Conflict):
        services.topic_scores_correct(topic=topic, by=officer, scores=ZERO, reason="Recount")
    client.force_login(officer)
    assert client.get(f"/topics/{topic.pk}/scores/").status_code == 409
