"""Public pages and API lists are paged, and their prefetches never re-read the public filter."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scrutiny.casework import services
from scrutiny.casework.publication import topics_published, years_published
from scrutiny.web.public import outcomes
from tests.public.builders import build_topic


def test_health_body_page_is_paged(client, area, officer, responder, monkeypatch):
    monkeypatch.setattr("scrutiny.web.public.views.PAGE_SIZE", 2)
    made = [build_topic(area, officer, responder, title=f"Topic {i}") for i in range(3)]
    page = client.get(f"/health-bodies/{area.trust.slug}/").content.decode()
    assert "3 topics, page 1 of 2" in page
    assert 'aria-label="Page 2"' in page
    assert f'href="/outcomes/{made[0].pk}/"' not in page  # the oldest is on page 2
    page2 = client.get(f"/health-bodies/{area.trust.slug}/", {"page": 2}).content.decode()
    assert f'href="/outcomes/{made[0].pk}/"' in page2
    # A bad page number gives a page, never a 500.
    assert client.get(f"/health-bodies/{area.trust.slug}/", {"page": "x"}).status_code == 200


def test_outcome_page_pages_its_requests(client, area, officer, responder, monkeypatch):
    monkeypatch.setattr(outcomes, "ITEMS_PER_PAGE", 2)
    topic = build_topic(area, officer, responder, target="recommendation_made", question="Q0")
    for i in range(1, 3):
        req = services.information_request_draft(
            topic=topic, by=officer, recipient=area.trust, question=f"Question number {i}"
        )
        services.information_request_issue(request=req, by=officer)
    page = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert "3 information requests; showing 1 to 2." in page
    assert "Question number 2" not in page
    assert 'aria-label="Pages of information requests"' in page
    assert "requests=2" in page
    page2 = client.get(f"/outcomes/{topic.pk}/", {"requests": 2}).content.decode()
    assert "Question number 2" in page2
    assert "Keep the unit open" in page2  # the recommendations keep their own page


def test_years_come_from_the_first_and_last_public_topic(area, officer, responder):
    assert years_published() == []
    topic = build_topic(area, officer, responder)
    assert years_published() == [topic.created_at.year]


def test_public_api_prefetches_by_page_ids_only(client, area, officer, responder):
    for i in range(3):
        build_topic(area, officer, responder, title=f"Topic {i}")
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/public/topics/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == topics_published().count() == 3
    reading_publication = [q["sql"] for q in ctx.captured_queries if "published_at" in q["sql"]]
    # The page's count and its rows; no prefetch joins back to the topics' publication.
    assert len(reading_publication) == 2, reading_publication
