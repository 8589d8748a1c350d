"""Feeds with cheap validators: the ETag comes from the meetings' count and latest change (or
the outcomes list's cache version), checked before the feed is built; the built feed is kept
under its ETag (docs/decisions/0021-batch-jobs-and-cache-keys.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import protocols.feeds as feeds_module
import scrutiny.web.public.views as public_views
from protocols import services
from scrutiny.casework.publication import topic_publish
from tests.public.builders import build_topic

pytestmark = pytest.mark.django_db


def _no_building(*args, **kwargs):
    raise AssertionError("the feed was built")


@pytest.fixture
def feed_urls(published_meeting, area):
    return [
        "/calendar.ics",
        f"/calendars/body/{area.committee.slug}.ics",
        f"/calendars/partnership/{area.partnership.slug}.ics",
    ]


def test_a_304_costs_one_query_and_builds_nothing(client, feed_urls, monkeypatch):
    """One aggregate query; the body feed first finds its body (one more), the partnership
    feed its partnership and its parties (two more)."""
    etags = {url: client.get(url)["ETag"] for url in feed_urls}
    monkeypatch.setattr(feeds_module, "build_feed", _no_building)
    for url, etag in etags.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304, url
        assert response["ETag"] == etag
        allowed = {"/calendar.ics": 1, "body": 2, "partnership": 3}[
            url if url == "/calendar.ics" else url.split("/")[2]
        ]
        assert len(queries) <= allowed, [q["sql"] for q in queries]


def test_an_unchanged_200_comes_from_the_cache(client, feed_urls, monkeypatch):
    bodies = {url: client.get(url).content for url in feed_urls}
    monkeypatch.setattr(feeds_module, "build_feed", _no_building)
    for url, body in bodies.items():
        response = client.get(url)
        assert response.status_code == 200 and response.content == body


def test_a_change_makes_a_new_etag_and_a_new_feed(client, published_meeting, officer):
    url = "/calendar.ics"
    first = client.get(url)
    services.meeting_update(meeting=published_meeting, by=officer, place="Civic Centre")
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert b"Civic Centre" in changed.content


def test_an_agenda_change_makes_a_new_etag(client, published_meeting, officer):
    url = "/calendar.ics"
    first = client.get(url)
    services.agenda_item_add(
        meeting=published_meeting,
        by=officer,
        title="Late item on beds",
        late_reason="Urgent: the ward closes next week.",
    )
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_the_atom_feed_answers_304_from_the_cache_version(
    client, area, officer, responder, monkeypatch, django_capture_on_commit_callbacks
):
    build_topic(area, officer, responder, title="Stroke unit")
    first = client.get("/outcomes/feed.atom")
    etag = first["ETag"]
    monkeypatch.setattr(public_views, "outcomes_atom", _no_building)
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/outcomes/feed.atom", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and len(queries) == 0
    monkeypatch.undo()
    topic = build_topic(area, officer, responder, title="Maternity unit", publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        topic_publish(topic=topic, by=officer)
    changed = client.get("/outcomes/feed.atom", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert b"Maternity unit" in changed.content
