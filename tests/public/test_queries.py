"""Every public list runs the same number of queries whatever the amount of data."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scrutiny.casework import services, suggestions
from tests.factories import OrganisationFactory, agree_recommendations
from tests.public.builders import build_topic


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types, the cache version)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _grow(area, officer, responder, n):
    for i in range(n):
        body = OrganisationFactory()
        topic = build_topic(area, officer, responder, title=f"Topic {i}", recipient=body)
        services.topic_record_position(
            topic=topic, by=officer, organisation=area.network, position=f"Position {i}"
        )
        build_topic(area, officer, responder, target="response_due", title=f"Open {i}")
        build_topic(area, officer, responder, target="declined", title=f"Declined {i}")


LIST_URLS = [
    "/",
    "/outcomes/",
    "/outcomes/?q=topic",
    "/outcomes/?state=concluded&health_body=northby-trust",
    "/health-bodies/",
    "/health-bodies/northby-trust/",
    "/outcomes/feed.atom",
    "/data/",
    *[
        f"/data/{s}.{f}"
        for s in ("outcomes", "requests", "recommendations", "responses")
        for f in ("csv", "json")
    ],
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_public_lists_run_a_fixed_number_of_queries(client, area, officer, responder, url):
    _grow(area, officer, responder, 1)
    small = _queries(client, url)
    _grow(area, officer, responder, 4)
    assert _queries(client, url) == small


def test_outcome_page_runs_a_fixed_number_of_queries(client, area, officer, responder):
    one = build_topic(area, officer, responder)
    many = build_topic(area, officer, responder, target="recommendation_made")
    for i in range(3):
        req = services.information_request_draft(
            topic=many, by=officer, recipient=area.trust, question=f"Q{i}"
        )
        services.information_request_issue(request=req, by=officer)
        rec = services.recommendation_draft(
            topic=many, by=officer, recipient=area.other_trust, text=f"R{i}"
        )
        agree_recommendations(many)
        rec.refresh_from_db()
        services.recommendation_issue(recommendation=rec, by=officer)
        services.provider_response_record(
            subject=rec,
            by=officer,
            channel="letter",
            text="Agreed",
            outcome="accepted",
            action_plan=[{"action": "A", "owner": "O", "target_date": "2030-01-01"}],
        )
    for org in (area.network, area.committee):
        services.topic_record_position(
            topic=many,
            by=officer if org == area.network else _committee_officer(area),
            organisation=org,
            position="P",
        )
    assert _queries(client, f"/outcomes/{many.pk}/") == _queries(client, f"/outcomes/{one.pk}/")


def _committee_officer(area):
    from scrutiny.casework.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="committee-officer-q")
    MembershipFactory(user=user, organisation=area.committee, role=Membership.Role.SUPPORT_OFFICER)
    return user


def test_moderation_queue_runs_a_fixed_number_of_queries(client, area, officer):
    def submit(n):
        for i in range(n):
            suggestions.suggestion_submit(
                title=f"S{i}",
                description="d",
                partnership=area.partnership,
                health_body=area.trust,
                email=f"s{i}@example.org",
            )

    client.force_login(officer)
    submit(1)
    small = _queries(client, "/suggestions/")
    submit(6)
    assert _queries(client, "/suggestions/") == small
