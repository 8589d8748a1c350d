"""The public read API: published topics only, never a draft; no key needed."""

import datetime as dt

import pytest
from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.models import Topic
from tests.api.conftest import build_casework

pytestmark = pytest.mark.django_db


def publish(topic):
    Topic.objects.filter(pk=topic.pk).update(published_at=timezone.now())


@pytest.fixture
def published(area, officer, responder):
    work = build_casework(area, officer)
    services.provider_response_record(
        subject=work.rec,
        by=responder,
        channel="api",
        text="Agreed",
        outcome="accepted",
        action_plan=[{"action": "Keep", "owner": "COO", "target_date": dt.date(2027, 3, 1)}],
    )
    publish(work.topic)
    unpublished = build_casework(area, officer, title="Not yet public")
    work.unpublished = unpublished
    return work


def test_public_topics_show_only_published_ones_without_drafts(anon_api, published):
    resp = anon_api.get("/api/v1/public/topics/")
    assert resp.status_code == 200
    [topic] = resp.json()["results"]
    assert topic["id"] == published.topic.pk
    assert {r["id"] for r in topic["requests"]} == {published.req.pk, published.other_req.pk}
    assert {r["id"] for r in topic["recommendations"]} == {
        published.rec.pk,
        published.other_rec.pk,
    }
    assert published.draft_req.pk not in {r["id"] for r in topic["requests"]}
    assert resp["Cache-Control"] == "public, max-age=60"
    assert (
        anon_api.get(f"/api/v1/public/topics/{published.unpublished.topic.pk}/").status_code == 404
    )


def test_public_recommendations_carry_responses_and_action_plans(anon_api, published):
    body = anon_api.get("/api/v1/public/recommendations/").json()
    ids = {r["id"] for r in body["results"]}
    assert ids == {published.rec.pk, published.other_rec.pk}
    rec = anon_api.get(f"/api/v1/public/recommendations/{published.rec.pk}/").json()
    [response] = rec["responses"]
    assert response["outcome"] == "accepted"
    assert response["action_plan"][0]["owner"] == "COO"
    for hidden in (published.draft_rec, published.unpublished.rec):
        assert anon_api.get(f"/api/v1/public/recommendations/{hidden.pk}/").status_code == 404


def test_public_recommendation_filters(anon_api, published, area):
    body = anon_api.get(f"/api/v1/public/recommendations/?recipient={area.trust.pk}").json()
    assert [r["id"] for r in body["results"]] == [published.rec.pk]
    body = anon_api.get("/api/v1/public/recommendations/?outcome=accepted").json()
    assert [r["id"] for r in body["results"]] == [published.rec.pk]


def test_a_bad_key_does_not_stop_the_public_api(published):
    from tests.api.conftest import client_for

    resp = client_for("nonsense").get("/api/v1/public/topics/")
    assert resp.status_code == 200


@pytest.mark.parametrize("listing", ["public/topics", "public/recommendations"])
def test_public_lists_take_a_fixed_number_of_queries(
    anon_api, area, officer, listing, django_assert_max_num_queries
):
    def grow(n, start):
        for i in range(n):
            publish(build_casework(area, officer, title=f"T{start + i}").topic)

    grow(1, 0)
    with django_assert_max_num_queries(12):
        assert anon_api.get(f"/api/v1/{listing}/").status_code == 200
    grow(4, 1)
    with django_assert_max_num_queries(12):
        assert anon_api.get(f"/api/v1/{listing}/").json()["count"] >= 5


def test_public_endpoints_refuse_writes(anon_api, published):
    resp = anon_api.post("/api/v1/public/topics/", {}, format="json")
    assert resp.status_code == 405


def test_a_superseded_response_is_not_shown_publicly(anon_api, published, responder):
    first = published.rec.responses.get()
    correction = services.provider_response_record(
        subject=published.rec,
        by=responder,
        channel="api",
        text="Agreed, with a later date",
        outcome="accepted",
        supersedes=first,
        correction_reason="The target date moved.",
    )
    rec = anon_api.get(f"/api/v1/public/recommendations/{published.rec.pk}/").json()
    assert [r["id"] for r in rec["responses"]] == [correction.pk]


def test_a_published_topic_reopened_to_raised_drops_out(anon_api, area, officer):
    topic = services.topic_raise(
        by=officer,
        title="Reopened",
        summary="x",
        partnership=area.partnership,
        lead_body=area.network,
    )
    topic = services.topic_decline(topic=topic, by=officer, reason="Not now")
    publish(topic)
    assert anon_api.get(f"/api/v1/public/topics/{topic.pk}/").status_code == 200
    services.topic_reopen(topic=topic, by=officer)
    assert anon_api.get(f"/api/v1/public/topics/{topic.pk}/").status_code == 404
