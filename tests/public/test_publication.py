import pytest
from django.contrib.auth.models import AnonymousUser

from scrutiny.casework import services
from scrutiny.casework.models import PublicationState, Topic
from scrutiny.casework.publication import topic_publish, topic_unpublish, topics_published
from tests.public.builders import SCORES, build_topic
from workflows.audit import EventType, event_history
from workflows.cache import public_cache_bump
from workflows.errors import Conflict, Forbidden, InvalidInput


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("officer", True),  # the lead body's officer
        ("osc_officer", True),  # the partner committee's officer
        ("member", False),
        ("chair", False),
        ("responder", False),
        ("other_officer", False),
        ("resident", False),
    ],
)
def test_only_officers_of_the_topics_bodies_publish(
    request, area, officer, responder, who, allowed
):
    topic = build_topic(area, officer, responder, publish=False)
    user = request.getfixturevalue(who)
    if allowed:
        topic = topic_publish(topic=topic, by=user)
        assert topic.published_at is not None
        topic = topic_unpublish(topic=topic, by=user, reason="Error in the summary")
        assert topic.published_at is None
    else:
        with pytest.raises(Forbidden):
            topic_publish(topic=topic, by=user)
        assert Topic.objects.get(pk=topic.pk).published_at is None


@pytest.mark.parametrize(
    "target, publishable",
    [
        ("raised", False),
        ("prioritised", True),
        ("information_requested", True),
        ("response_due", True),
        ("recommendation_made", True),
        ("concluded", True),
        ("declined", True),
        ("withdrawn", True),
    ],
)
def test_publishing_needs_a_state_with_something_to_show(
    area, officer, responder, target, publishable
):
    topic = build_topic(area, officer, responder, target=target, publish=False)
    assert topic.state == target
    if publishable:
        topic_publish(topic=topic, by=officer)
        assert topics_published().filter(pk=topic.pk).exists()
    else:
        with pytest.raises(Conflict):
            topic_publish(topic=topic, by=officer)


def test_publish_twice_and_unpublish_unpublished_are_conflicts(area, officer, responder):
    topic = build_topic(area, officer, responder)
    with pytest.raises(Conflict):
        topic_publish(topic=topic, by=officer)
    topic = topic_unpublish(topic=topic, by=officer, reason="Wrong date")
    with pytest.raises(Conflict):
        topic_unpublish(topic=topic, by=officer, reason="Again")


def test_unpublish_needs_a_reason(area, officer, responder):
    topic = build_topic(area, officer, responder)
    with pytest.raises(InvalidInput) as exc:
        topic_unpublish(topic=topic, by=officer, reason="  ")
    assert "reason" in exc.value.field_errors
    assert Topic.objects.get(pk=topic.pk).published_at is not None


def test_publication_is_in_the_topics_history(area, officer, responder):
    topic = build_topic(area, officer, responder)
    topic_unpublish(topic=topic, by=officer, reason="Typo in the outcome")
    rows = [(r.event_type, r.note, r.actor_id) for r in event_history(topic)]
    assert (EventType.TOPIC_PUBLISHED, "", officer.pk) in rows
    assert (EventType.TOPIC_UNPUBLISHED, "Typo in the outcome", officer.pk) in rows


def test_publication_is_a_lifecycle_whose_moves_log_their_own_states(area, officer, responder):
    topic = build_topic(area, officer, responder, publish=False)
    assert topic.publication == PublicationState.UNPUBLISHED
    topic = topic_publish(topic=topic, by=officer, note="Agreed on 3 Dec")
    assert topic.publication == PublicationState.PUBLISHED and topic.published_at is not None
    topic = topic_unpublish(topic=topic, by=officer, reason="Typo")
    assert topic.publication == PublicationState.UNPUBLISHED and topic.published_at is None
    rows = [
        (r.event_type, r.source_state, r.target_state, r.note)
        for r in event_history(topic)
        if r.event_type in (EventType.TOPIC_PUBLISHED, EventType.TOPIC_UNPUBLISHED)
    ]
    assert rows == [
        (EventType.TOPIC_PUBLISHED, "unpublished", "published", "Agreed on 3 Dec"),
        (EventType.TOPIC_UNPUBLISHED, "published", "unpublished", "Typo"),
    ]
    assert Topic.objects.get(pk=topic.pk).state == "concluded"  # the case is not moved


def test_a_publication_conflict_names_the_publication_state(area, officer, responder):
    topic = build_topic(area, officer, responder, publish=False)
    with pytest.raises(Conflict) as exc:
        topic_unpublish(topic=topic, by=officer, reason="Wrong")
    assert "'Not published'" in exc.value.message
    assert exc.value.current_state == "unpublished"


def test_a_reopened_topic_leaves_the_public_site(area, officer, responder):
    topic = build_topic(area, officer, responder, target="declined")
    assert topics_published().filter(pk=topic.pk).exists()
    services.topic_reopen(topic=topic, by=officer)
    assert not topics_published().filter(pk=topic.pk).exists()
    topic = services.topic_prioritise(
        topic=Topic.objects.get(pk=topic.pk), by=officer, scores=SCORES
    )
    assert topics_published().filter(pk=topic.pk).exists()


# --- Cache: publishing shows at once ---------------------------------------------------------


def test_publishing_and_withdrawing_show_immediately_on_cached_pages(
    client, area, officer, responder, django_capture_on_commit_callbacks
):
    topic = build_topic(area, officer, responder, title="Maternity unit", publish=False)
    pages = ["/", "/outcomes/", "/outcomes/feed.atom", "/data/outcomes.csv"]
    for url in pages:
        assert "Maternity unit" not in client.get(url).content.decode()
    assert client.get(f"/outcomes/{topic.pk}/").status_code == 404
    # The pages are now cached; publishing must make them stale.
    with django_capture_on_commit_callbacks(execute=True):
        topic_publish(topic=topic, by=officer)
    for url in pages:
        assert "Maternity unit" in client.get(url).content.decode(), url
    assert client.get(f"/outcomes/{topic.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        topic_unpublish(topic=topic, by=officer, reason="Not agreed yet")
    for url in pages:
        assert "Maternity unit" not in client.get(url).content.decode(), url
    assert client.get(f"/outcomes/{topic.pk}/").status_code == 404


def test_public_pages_are_served_from_the_cache(client, area, officer, responder):
    topic = build_topic(area, officer, responder, title="Hearing tests")
    assert "Hearing tests" in client.get("/outcomes/").content.decode()
    # A change made behind the services' back is not seen until the version moves.
    Topic.objects.filter(pk=topic.pk).update(title="Audiology waits")
    assert "Hearing tests" in client.get("/outcomes/").content.decode()
    public_cache_bump()
    assert "Audiology waits" in client.get("/outcomes/").content.decode()


def test_a_lifecycle_move_refreshes_public_pages(
    client, area, officer, responder, django_capture_on_commit_callbacks
):
    topic = build_topic(area, officer, responder, target="prioritised")
    assert "Being scrutinised now" in client.get("/").content.decode()
    assert topic.title in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_withdraw(topic=topic, by=officer, reason="Merged with another topic")
    page = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert "Merged with another topic" in page


def test_signed_in_pages_are_not_cached(client, area, officer, responder):
    topic = build_topic(area, officer, responder, title="Hearing tests")
    client.force_login(officer)
    assert "Hearing tests" in client.get("/outcomes/").content.decode()
    Topic.objects.filter(pk=topic.pk).update(title="Audiology waits")
    assert "Audiology waits" in client.get("/outcomes/").content.decode()


# --- The officers' publish and withdraw pages -----------------------------------------------


def test_root_urls_route_publish_to_the_public_views():
    from django.urls import resolve

    assert resolve("/topics/1/publish/").view_name == "public:publish"
    assert resolve("/topics/1/unpublish/").view_name == "public:unpublish"


@pytest.mark.parametrize(
    "who, get_status, post_status",
    [
        ("officer", 200, 302),
        ("osc_officer", 200, 302),
        ("member", 200, 403),  # sees the topic, may not publish it
        ("other_officer", 404, 404),  # cannot see the topic at all
        ("responder", 404, 404),  # nothing issued to their body yet
    ],
)
def test_publish_page(client, request, area, officer, responder, who, get_status, post_status):
    topic = build_topic(area, officer, responder, target="prioritised", publish=False)
    client.force_login(request.getfixturevalue(who))
    url = f"/topics/{topic.pk}/publish/"
    assert client.get(url).status_code == get_status
    response = client.post(url, {"note": "Agreed at the meeting"})
    assert response.status_code == post_status
    published = Topic.objects.get(pk=topic.pk).published_at is not None
    assert published == (post_status == 302)
    if post_status == 302:
        assert response["Location"] == topic.get_absolute_url()


def test_publish_page_reports_a_state_that_cannot_be_published(client, area, officer, responder):
    topic = build_topic(area, officer, responder, target="raised", publish=False)
    client.force_login(officer)
    url = f"/topics/{topic.pk}/publish/"
    assert "cannot be published yet" in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 409
    assert "cannot be published" in response.content.decode()


def test_unpublish_page_needs_a_reason_and_keeps_nothing_half_done(
    client, area, officer, responder
):
    topic = build_topic(area, officer, responder)
    client.force_login(officer)
    url = f"/topics/{topic.pk}/unpublish/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for withdrawing publication" in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).published_at is not None
    response = client.post(url, {"reason": "Wrong outcome"})
    assert response.status_code == 302
    assert Topic.objects.get(pk=topic.pk).published_at is None


def test_publish_pages_need_sign_in(client, area, officer, responder):
    topic = build_topic(area, officer, responder, publish=False)
    for url in (f"/topics/{topic.pk}/publish/", f"/topics/{topic.pk}/unpublish/"):
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert Topic.objects.get(pk=topic.pk).published_at is None


def test_anonymous_user_object_cannot_publish(area, officer, responder):
    topic = build_topic(area, officer, responder, publish=False)
    with pytest.raises(Forbidden):
        topic_publish(topic=topic, by=AnonymousUser())
