"""Following by e-mail and feed (issue 17 item 1; docs/decisions/0030-following.md)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from scrutiny.casework import following, publication
from scrutiny.casework.models import FollowDispatch, Follower, Subscription
from tests.public.builders import build_topic
from workflows.models import Notification, NotificationKind
from workflows.notifications import notification_deliver

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/follow/(confirm|unsubscribe)/([^/\s]+)/")


def _deliver(now=None) -> list:
    """What the task worker does: deliver every pending notification; returns the new mail."""
    before = len(mail.outbox)
    ours = Notification.objects.filter(state="pending", kind__startswith="follow_")
    for pk in ours.values_list("pk", flat=True):
        notification_deliver(pk, now=now)
    return mail.outbox[before:]


def _link(message, kind: str) -> str:
    for found in LINK.finditer(message.body):
        if found.group(1) == kind:
            return f"/follow/{kind}/{found.group(2)}/"
    raise AssertionError(f"no {kind} link in {message.body}")


def _follow(
    client, target, ref, email="ada@example.org", frequency="immediate", ip="203.0.113.5", **extra
):
    return client.post(
        "/follow/",
        {"target": target, "ref": ref, "email": email, "frequency": frequency, **extra},
        REMOTE_ADDR=ip,
    )


def _confirm(client, message):
    link = _link(message, "confirm")
    assert client.get(link).status_code == 200  # a page with a button: GET confirms nothing
    response = client.post(link)
    assert response.status_code == 200, response.content
    return response


def test_a_resident_follows_a_body_and_a_search_end_to_end(client, area, officer, responder):
    """The done-when: follow a health body (immediately) and a search (weekly), confirm both,
    get a notice when an outcome about the body is published and the week's digest, and
    unsubscribe with one click."""
    response = _follow(client, "health_body", area.trust.slug)
    assert response.status_code == 302 and response["Location"] == "/follow/check-your-email/"
    assert _follow(client, "search", "q=stroke", frequency="weekly").status_code == 302
    confirmations = _deliver()
    assert [m.to for m in confirmations] == [["ada@example.org"], ["ada@example.org"]]
    for message in confirmations:
        assert "List-Unsubscribe" in message.extra_headers
        assert Subscription.all_objects.filter(confirmed_at__isnull=False).count() == 0
    for message in confirmations:
        _confirm(client, message)
    assert Subscription.all_objects.filter(confirmed_at__isnull=False).count() == 2

    topic = build_topic(area, officer, responder, title="Stroke unit closure", target="concluded")
    assert topic.published_at is not None
    call_command("follow_dispatch")
    notices = _deliver()
    assert len(notices) == 1, [m.subject for m in notices]
    notice = notices[0]
    assert notice.to == ["ada@example.org"]
    assert "Stroke unit closure" in notice.subject
    assert f"/outcomes/{topic.pk}/" in notice.body
    assert area.trust.name in notice.body
    headers = notice.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        headers["List-Unsubscribe"].startswith("<http")
        and "/follow/unsubscribe/" in (headers["List-Unsubscribe"])
    )
    # Run again (a second scheduler): nothing more.
    call_command("follow_dispatch")
    assert _deliver() == []

    next_week = timezone.now() + dt.timedelta(days=7)
    assert following.follow_digests_write(now=next_week)["digests"] == 1
    assert following.follow_digests_write(now=next_week)["digests"] == 0  # never twice
    digest = _deliver(now=next_week)
    assert len(digest) == 1
    assert digest[0].to == ["ada@example.org"]
    assert "Stroke unit closure" in digest[0].body
    assert "matching 'stroke'" in digest[0].body
    assert "List-Unsubscribe" in digest[0].extra_headers

    # One click, as a mail client does it (RFC 8058): a POST with no CSRF token.
    one_click = headers["List-Unsubscribe"].strip("<>").split("://", 1)[1]
    path = one_click[one_click.index("/") :]
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscription.all_objects.filter(target="health_body").exists()
    # The digest's own link stops the weekly e-mail, and the address is forgotten.
    response = csrf_client.post(_link(digest[0], "unsubscribe"))
    assert response.status_code == 200
    assert not Follower.all_objects.exists()
    # The link again: nothing left to stop, said plainly.
    assert b"nothing to stop" in client.get(path).content


def test_nothing_is_sent_before_confirmation(client, area, officer, responder):
    _follow(client, "health_body", area.trust.slug)
    _deliver()
    build_topic(area, officer, responder, target="concluded")
    following.follow_dispatch()
    assert following.follow_digests_write(now=timezone.now() + dt.timedelta(days=7)) == {
        "subscriptions": 0,
        "digests": 0,
    }
    assert _deliver() == []
    assert FollowDispatch.objects.exists()  # the events were looked at, and marked


def test_events_before_the_follower_confirmed_are_not_sent(client, area, officer, responder):
    build_topic(area, officer, responder, target="concluded")
    _follow(client, "health_body", area.trust.slug)
    _confirm(client, _deliver()[0])
    following.follow_dispatch()
    assert _deliver() == []


def test_following_again_does_not_duplicate(client, area):
    for frequency in ("immediate", "weekly", "immediate"):
        _follow(client, "area", area.partnership.slug, email="Ada@Example.org", frequency=frequency)
    assert Follower.all_objects.count() == 1
    sub = Subscription.all_objects.get()
    assert sub.frequency == "immediate" and sub.confirmed_at is None
    messages = _deliver()
    assert len(messages) == 3
    # The frequency is the one chosen with the link that is followed, and only then.
    _confirm(client, messages[1])
    sub.refresh_from_db()
    assert sub.frequency == "weekly" and sub.confirmed_at is not None


def test_a_committee_follower_hears_of_its_topics(client, area, officer, responder):
    _follow(client, "body", area.committee.slug, email="bo@example.org")
    _confirm(client, _deliver()[0])
    build_topic(area, officer, responder, title="Maternity", target="concluded")
    following.follow_dispatch()
    assert [m.to for m in _deliver()] == [["bo@example.org"]]


def test_a_search_follower_hears_only_of_matching_topics(client, area, officer, responder):
    _follow(client, "search", "q=dentistry", email="cy@example.org")
    _confirm(client, _deliver()[0])
    build_topic(area, officer, responder, title="Stroke", summary="Beds", target="concluded")
    following.follow_dispatch()
    assert _deliver() == []
    build_topic(area, officer, responder, title="Dentistry access", target="concluded")
    following.follow_dispatch()
    assert [m.subject for m in _deliver()] == ["Published on this site: Dentistry access"]


def test_expired_and_bad_links_are_explained(client, area, settings):
    _follow(client, "area", area.partnership.slug)
    link = _link(_deliver()[0], "confirm")
    settings.CF_FOLLOW_CONFIRM_DAYS = 0
    response = client.post(link)
    assert response.status_code == 400
    assert b"expired" in response.content
    assert client.post("/follow/confirm/nonsense/").status_code == 404
    assert client.get("/follow/unsubscribe/nonsense/").status_code == 404
    forged = signing.dumps({"s": 1, "k": "area:1"}, salt="wrong")
    assert client.post(f"/follow/unsubscribe/{forged}/").status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": "not-an-address"}, "email", "Enter an e-mail address like name@example.org."),
        ({"email": ""}, "email", "Enter your e-mail address."),
        ({"frequency": "hourly"}, "frequency", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_kept(client, area, data, field, message):
    form = {"target": "health_body", "ref": area.trust.slug, "email": "ada@example.org"}
    form |= {"frequency": "immediate"} | data
    response = client.post("/follow/", form)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if data.get("email"):
        assert f'value="{data["email"]}"' in body
    assert not Subscription.all_objects.exists()


def test_following_nothing_that_exists_is_404(client, area):
    assert _follow(client, "health_body", "no-such-body").status_code == 404
    assert _follow(client, "topic", "999999").status_code == 404
    assert _follow(client, "planet", "mars").status_code == 404


def test_an_unpublished_topic_cannot_be_followed(client, area, officer, responder):
    topic = build_topic(area, officer, responder, target="concluded", publish=False)
    assert _follow(client, "topic", str(topic.pk)).status_code == 404


def test_subscribe_requests_are_limited_per_address_and_per_client(client, area, settings):
    settings.CF_FOLLOW_RATE_ADDRESS = 2
    settings.CF_FOLLOW_RATE_CLIENT = 3
    codes = [_follow(client, "area", area.partnership.slug).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    others = [
        _follow(client, "area", area.partnership.slug, email=f"p{i}@example.org").status_code
        for i in range(2)
    ]
    assert others == [429, 429]  # this client has used its three
    assert (
        _follow(client, "area", area.partnership.slug, email="z@example.org", ip="198.51.100.9")
    ).status_code == 302


def test_the_honeypot_keeps_nothing(client, area):
    response = _follow(client, "area", area.partnership.slug, website="http://spam.example")
    assert response.status_code == 302
    assert not Follower.all_objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.FOLLOW_CONFIRM).exists()


def test_the_form_is_on_the_public_pages_and_works_without_javascript(
    client, area, officer, responder
):
    topic = build_topic(area, officer, responder, target="concluded")
    pages = {
        f"/outcomes/{topic.pk}/": f"/outcomes/{topic.pk}/feed.atom",
        f"/health-bodies/{area.trust.slug}/": f"/health-bodies/{area.trust.slug}/feed.atom",
        f"/follow/body/{area.committee.slug}/": f"/follow/body/{area.committee.slug}/feed.atom",
        f"/follow/area/{area.partnership.slug}/": f"/follow/area/{area.partnership.slug}/feed.atom",
        "/outcomes/?q=stroke": "/outcomes/search.atom?q=stroke",
    }
    for page, feed in pages.items():
        body = client.get(page).content.decode()
        assert 'action="/follow/"' in body, page
        assert 'rel="alternate" type="application/atom+xml" title="' in body
        assert f'href="{feed}"' in body, (page, feed)
        assert client.get(feed).status_code == 200, feed
    committee = client.get(f"/follow/body/{area.committee.slug}/").content.decode()
    assert 'type="text/calendar"' in committee
    assert f"/calendars/body/{area.committee.slug}.ics" in committee
    # The bare form page (no JavaScript needed) for anything followable.
    response = client.get(f"/follow/?target=health_body&ref={area.trust.slug}")
    assert response.status_code == 200
    assert area.trust.name in response.content.decode()


def test_feeds_carry_the_topics_and_their_last_real_change(client, area, officer, responder):
    topic = build_topic(area, officer, responder, title="Stroke", target="recommendation_made")
    feed = client.get(f"/health-bodies/{area.trust.slug}/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "Stroke" in body
    # A public move after publication is the entry's `updated`, not the publication time.
    publication_stamp = topic.published_at
    later = build_topic(
        area, officer, responder, title="Other", summary="Eye clinics", target="concluded"
    )
    assert later  # another topic, so the feed changes
    entry_updated = re.findall(r"<updated>([^<]+)</updated>", body)
    assert entry_updated and all(u >= publication_stamp.isoformat()[:19] for u in entry_updated)
    events = client.get(f"/outcomes/{topic.pk}/feed.atom").content.decode()
    assert "Published on this site: Stroke" in events
    search = client.get("/outcomes/search.atom?q=stroke").content.decode()
    assert "Stroke" in search and "Other" not in search


def test_feeds_answer_304_on_their_etag(
    client, area, officer, responder, django_capture_on_commit_callbacks
):
    build_topic(area, officer, responder, target="concluded")
    for url in (
        f"/health-bodies/{area.trust.slug}/feed.atom",
        f"/follow/area/{area.partnership.slug}/feed.atom",
        "/outcomes/search.atom?q=stroke",
    ):
        first = client.get(url)
        etag = first["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A change to what the feed shows makes a new ETag (the cache version is bumped on commit).
    with django_capture_on_commit_callbacks(execute=True):
        build_topic(area, officer, responder, title="Another", target="concluded")
    assert client.get(url)["ETag"] != etag


def test_the_updated_time_follows_a_later_public_move(client, area, officer, responder):
    topic = build_topic(area, officer, responder, target="recommendation_made")
    first = client.get(f"/follow/area/{area.partnership.slug}/feed.atom").content.decode()
    qs = publication.topics_with_last_change(publication.topics_published().filter(pk=topic.pk))
    before = qs.get().last_change
    assert before >= topic.published_at
    from workflows.audit import EventType, log_event

    log_event(topic, EventType.TOPIC_CONCLUDED, by=officer, note="Done")
    after = qs.get().last_change
    assert after > before
    assert first  # the feed was built before the move


def test_subscribers_addresses_never_reach_a_public_page_or_the_api(client, area):
    _follow(client, "area", area.partnership.slug, email="hidden-resident@example.org")
    _confirm(client, _deliver()[0])
    for url in (
        "/",
        "/outcomes/",
        f"/follow/area/{area.partnership.slug}/",
        f"/follow/area/{area.partnership.slug}/feed.atom",
        "/api/v1/public/topics/",
    ):
        assert b"hidden-resident" not in client.get(url).content, url


def test_unconfirmed_subscriptions_are_forgotten(client, area):
    _follow(client, "area", area.partnership.slug)
    later = timezone.now() + dt.timedelta(days=following.confirm_days() + 1)
    assert following.follow_purge(now=later) == 1
    assert not Follower.all_objects.exists()


@pytest.mark.parametrize("n", [1, 4])
def test_follow_pages_query_counts_are_constant(
    client, area, officer, responder, django_assert_max_num_queries, n
):
    topics = [
        build_topic(area, officer, responder, title=f"Topic {i}", target="concluded")
        for i in range(n)
    ]
    # Measured on SQLite: 4, 3, 3, 2 and 2 queries, the same for one topic or four.
    budgets = {
        f"/follow/body/{area.committee.slug}/": 5,
        f"/follow/area/{area.partnership.slug}/": 4,
        f"/follow/area/{area.partnership.slug}/feed.atom": 4,
        f"/outcomes/{topics[0].pk}/feed.atom": 3,
        f"/health-bodies/{area.trust.slug}/feed.atom": 3,
    }
    for url, budget in budgets.items():
        cache.clear()
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url


def test_dispatch_queries_do_not_grow_with_subscribers(
    client, area, officer, responder, django_assert_max_num_queries
):
    for i in range(6):
        _follow(
            client,
            "health_body",
            area.trust.slug,
            email=f"r{i}@example.org",
            ip=f"203.0.113.{10 + i}",
        )
    for message in _deliver():
        _confirm(client, message)
    build_topic(area, officer, responder, target="concluded")
    with django_assert_max_num_queries(30):
        done = following.follow_dispatch()
    assert done["notices"] == 6


def test_a_withdrawn_topic_is_not_named_to_its_follower(client, area, officer, responder):
    topic = build_topic(area, officer, responder, title="Withdrawn later", target="concluded")
    _follow(client, "topic", str(topic.pk))
    _confirm(client, _deliver()[0])
    publication.topic_unpublish(topic=topic, by=officer, reason="Published by mistake")
    sub = Subscription.all_objects.get()
    page = client.get(f"/follow/unsubscribe/{following.unsubscribe_token(sub)}/")
    assert page.status_code == 200
    assert b"Withdrawn later" not in page.content
    assert b"a topic no longer published" in page.content
    following.follow_dispatch()
    assert _deliver() == []
