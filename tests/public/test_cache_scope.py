"""The public cache is invalidated narrowly: a move on topic A refreshes A's page, A's health
bodies' pages and the lists, and leaves topic B's page and an unrelated body's page cached
(workflows/cache.py; docs/decisions/0021-batch-jobs-and-cache-keys.md)."""

import pytest
from django.core.cache import cache

from scrutiny.casework import services
from scrutiny.casework.models import Organisation, Topic
from tests.public.builders import build_topic
from workflows.cache import (
    CACHE_VERSION_KEY,
    OUTCOMES,
    CacheScope,
    public_cache_bump,
    public_cache_token,
)

pytestmark = pytest.mark.django_db


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_move_on_one_topic_leaves_the_others_cached(
    client, area, officer, responder, django_capture_on_commit_callbacks
):
    a = build_topic(area, officer, responder, target="response_due", title="Stroke unit A")
    b = build_topic(
        area,
        officer,
        responder,
        target="response_due",
        title="Hearing tests B",
        recipient=area.other_trust,
    )
    a_body, b_body = area.trust, area.other_trust
    urls = {
        "a": f"/outcomes/{a.pk}/",
        "b": f"/outcomes/{b.pk}/",
        "a_body": f"/health-bodies/{a_body.slug}/",
        "b_body": f"/health-bodies/{b_body.slug}/",
        "list": "/outcomes/",
        "bodies": "/health-bodies/",
    }
    for url in urls.values():
        _page(client, url)  # now cached
    # Changes behind the services' back: seen only where the cache was refreshed.
    Topic.objects.filter(pk=b.pk).update(title="Audiology waits B")
    Organisation.objects.filter(pk=a_body.pk).update(name="Renamed Hospitals A")
    Organisation.objects.filter(pk=b_body.pk).update(name="Renamed Care B")

    with django_capture_on_commit_callbacks(execute=True):
        services.topic_withdraw(topic=a, by=officer, reason="Merged with another topic")

    assert "Merged with another topic" in _page(client, urls["a"])
    assert "Renamed Hospitals A" in _page(client, urls["a_body"])
    assert "Audiology waits B" in _page(client, urls["list"])
    assert "Renamed Hospitals A" in _page(client, urls["bodies"])
    # Topic B's page and the other body's page are still the cached ones.
    assert "Hearing tests B" in _page(client, urls["b"])
    assert "Audiology waits B" not in _page(client, urls["b"])
    assert "Renamed Care B" not in _page(client, urls["b_body"])
    # The whole site's version still refreshes everything (an administrator's change).
    public_cache_bump()
    assert "Audiology waits B" in _page(client, urls["b"])
    assert "Renamed Care B" in _page(client, urls["b_body"])


def test_a_request_moves_its_topic_and_its_recipients_pages(
    client, area, officer, responder, django_capture_on_commit_callbacks
):
    topic = build_topic(area, officer, responder, target="response_due", title="Beds")
    (request,) = topic.requests.all()
    scope = request.public_cache_scope()
    assert scope.topics == {topic.pk}
    assert area.trust.slug in scope.bodies
    assert area.other_trust.slug not in scope.bodies
    assert {OUTCOMES} <= scope.lists


def test_the_versions_live_on_the_shared_cache_and_a_bump_changes_only_its_keys():
    a, b = CacheScope.of(topics=[1]), CacheScope.of(topics=[2])
    before_a, before_b = public_cache_token(a), public_cache_token(b)
    assert cache.get("cf:public:v:topic:1") is not None  # started on first use
    public_cache_bump(a)
    assert public_cache_token(a) != before_a
    assert public_cache_token(b) == before_b
    everything = cache.get(CACHE_VERSION_KEY)
    public_cache_bump()
    assert cache.get(CACHE_VERSION_KEY) != everything
    assert public_cache_token(b) != before_b


def test_a_page_hit_reads_its_versions_in_one_cache_call(client, area, officer, responder):
    topic = build_topic(area, officer, responder, title="Stroke unit")
    url = f"/outcomes/{topic.pk}/"
    _page(client, url)
    calls = []
    real = cache.get_many

    def counting(keys, *args, **kwargs):
        calls.append(list(keys))
        return real(keys, *args, **kwargs)

    cache.get_many = counting
    try:
        _page(client, url)
    finally:
        del cache.get_many
    assert calls == [[CACHE_VERSION_KEY, f"cf:public:v:topic:{topic.pk}"]]
