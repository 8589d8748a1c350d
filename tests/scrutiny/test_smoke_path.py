import datetime as dt

import pytest

from scrutiny.casework import services
from scrutiny.casework.models import RecommendationOutcome, RequestState, TopicState
from tests.api.conftest import after_the_issue_dates  # noqa: F401 - a fixture (18 Dec 2026)
from tests.factories import agree_recommendations


@pytest.mark.usefixtures("after_the_issue_dates")
def test_a_topic_walks_the_whole_path(area, officer, responder):
    topic = services.topic_raise(
        by=officer,
        title="Stroke services",
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.network,
    )
    topic = services.topic_prioritise(
        topic=topic,
        by=officer,
        scores={
            "timely": 2,
            "organisational_priority": 2,
            "public_interest": 2,
            "influence": 1,
            "cost_effective": 1,
        },
    )
    assert topic.score_total == 8
    topic = services.topic_request_information(topic=topic, by=officer)
    req = services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="How many beds?"
    )
    topic = services.topic_issue_requests(topic=topic, by=officer, on=dt.date(2026, 12, 18))
    req.refresh_from_db()
    assert req.state == RequestState.ISSUED
    assert req.due_on == dt.date(2027, 1, 20)
    assert req.due_explanation == (
        "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 20 Jan 2027"
    )
    services.provider_response_record(
        subject=req, by=responder, channel="api", text="40 beds", outcome="answered"
    )
    rec = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.trust, text="Keep it"
    )
    agree_recommendations(topic)
    topic = services.topic_make_recommendations(topic=topic, by=officer)
    rec.refresh_from_db()
    services.provider_response_record(
        subject=rec,
        by=responder,
        channel="api",
        text="Agreed",
        outcome=RecommendationOutcome.ACCEPTED,
        action_plan=[{"action": "Keep", "owner": "COO", "target_date": "2027-03-01"}],
    )
    topic = services.topic_conclude(topic=topic, by=officer, outcome_summary="Unit kept")
    assert topic.state == TopicState.CONCLUDED
