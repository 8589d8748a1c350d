"""Every list page runs a fixed number of queries, whatever the amount of data: each is measured
at two sizes, and must be the same and within its budget."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scrutiny.casework import services
from tests.factories import TopicFactory
from tests.scrutiny.casework_setup import walk_to_response_due


def add_cases(area, officer, count):
    """`count` joint topics in 'response due', each a referral with an issued request, a
    recorded response and a draft recommendation; plus raised candidates."""
    for i in range(count):
        topic = services.topic_raise(
            by=officer,
            title=f"Case {i}",
            summary="Summary",
            partnership=area.partnership,
            lead_body=area.network,
            source="referral",
            health_bodies=[area.trust],
        )
        topic, req, _ = walk_to_response_due(topic, officer, area.trust)
        services.provider_response_record(
            subject=req, by=officer, channel="letter", text="Answer", outcome="answered"
        )
        TopicFactory(partnership=area.partnership, lead_body=area.network, title=f"Cand {i}")


PAGES = {
    # session, user, roles, holidays; counts (one aggregate), page keys (one ordered LIMIT),
    # up to one query per kind on the page; filter choices (three)
    "/work/": 13,
    "/topics/": 7,
    "/referrals/": 7,
    "/members/": 9,  # one more since co-optees' seats (policy.co_opted_bodies, once a request)
    # the year's programme (issue 15.4): one for it, one for the chooser's years, one for the
    # working-day calendar (the municipal year), one for the partnership's parties (the keeper)
    "/programme/northby/": 12,
}


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", list(PAGES))
def test_list_pages_run_a_fixed_number_of_queries(
    client, area, officer, osc_officer, url, django_assert_max_num_queries
):
    client.force_login(osc_officer)
    add_cases(area, officer, 2)
    small = _count(client, url)
    add_cases(area, officer, 6)
    with django_assert_max_num_queries(PAGES[url]):
        response = client.get(url)
    assert response.status_code == 200
    assert _count(client, url) == small


def test_the_topic_page_runs_a_fixed_number_of_queries(
    client, area, officer, django_assert_max_num_queries
):
    topic = services.topic_raise(
        by=officer,
        title="Big case",
        summary="Summary",
        partnership=area.partnership,
        lead_body=area.network,
        source="referral",
    )
    topic, req, _ = walk_to_response_due(topic, officer, area.trust)
    first = services.provider_response_record(
        subject=req, by=officer, channel="email", text="Answer", outcome="answered"
    )
    client.force_login(officer)
    url = f"/topics/{topic.pk}/"
    small = _count(client, url)
    for i in range(5):
        services.recommendation_draft(
            topic=topic, by=officer, recipient=area.other_trust, text=f"More {i}"
        )
    services.provider_response_record(
        subject=req,
        by=officer,
        channel="letter",
        text="Corrected answer",
        outcome="partially_answered",
        supersedes=first,
        correction_reason="A second letter",
    )
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
    assert _count(client, url) == small
