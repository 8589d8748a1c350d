"""`seed_scale` (issue 13 item 1): the national-scale data set at S=0.001, loaded once for the
module (rolled back at the end), checked for its shape, its consistency with what the services
would write (grants, clocks, logs) and for what the pages and the API make of it."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Max
from django.test import Client

from protocols.models import AgendaItem, Meeting
from scrutiny.casework import grants
from scrutiny.casework.models import (
    InformationRequest,
    Organisation,
    Partnership,
    ProviderResponse,
    PublicationState,
    Recommendation,
    Topic,
    TopicAccess,
)
from scrutiny.casework.policy import visible
from scrutiny.demo.scale import NATIONAL, RefuseToSeed, Shape, seed_scale
from workflows.clocks import compute_due
from workflows.models import AuditEvent, Notification

SCALE = 0.001
PASSWORD = "scale-test-password"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        printed, written = seed_scale(SCALE, PASSWORD)
        yield printed, written
        transaction.set_rollback(True)


@pytest.fixture
def printed(seeded, db):
    return seeded[0]


def _signed_in(username: str) -> Client:
    """A client signed in through the sign-in form, as a person would."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    assert response["Location"] == "/signed-in/", username
    return client


def test_counts_are_the_national_shape_scaled(seeded, db):
    _, written = seeded
    shape = Shape.at(SCALE)
    assert written["scrutiny.Topic"] == Topic.objects.count() == NATIONAL["topics"] * SCALE
    assert Partnership.objects.count() == shape.partnerships
    assert Meeting.objects.count() == NATIONAL["meetings"] * SCALE
    assert AgendaItem.objects.count() == 4 * Meeting.objects.count()
    for model, key in (
        (InformationRequest, "requests"),
        (Recommendation, "recommendations"),
        (ProviderResponse, "responses"),
    ):
        count = model._base_manager.count()
        assert count == pytest.approx(NATIONAL[key] * SCALE, rel=0.1), model
    # The big trust works with every partnership here (30 at national scale).
    trust = Organisation.objects.get(slug="scale-big-trust")
    assert Topic.objects.filter(health_bodies=trust).values("partnership").distinct().count() > 1
    # Every topic has its transition log, from 'raised' to the state it is in.
    topic_events = AuditEvent.objects.filter(content_type__model="topic")
    assert topic_events.filter(event_type="topic_raised").count() == Topic.objects.count()
    last = {
        e.object_id: e
        for e in topic_events.exclude(event_type__in=["topic_published"]).order_by("at", "id")
    }
    assert {t.pk: t.state for t in Topic.objects.all()} == {
        pk: e.target_state for pk, e in last.items()
    }
    assert Notification.objects.filter(state="sent").count() == (
        InformationRequest.all_objects.issued().count() + Recommendation.all_objects.count()
    )


def test_access_rows_are_exactly_what_grants_would_grant(seeded, db):
    # One row per (body, topic) (ADR 0019): at most the parties plus the bodies asked.
    per_topic = TopicAccess.objects.values("topic").annotate(n=Count("id")).aggregate(top=Max("n"))
    assert per_topic["top"] <= 3 + 6
    assert TopicAccess.objects.values("topic").distinct().count() == Topic.objects.count()
    assert grants.sync_all() == {"grants_added": 0, "grants_removed": 0}


def test_it_refuses_a_database_with_topics(seeded, db, monkeypatch):
    with pytest.raises(RefuseToSeed):
        seed_scale(SCALE, PASSWORD)
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already has topics"):
        call_command("seed_scale", "--scale", "0.001")


def test_it_needs_demo_password(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_scale", "--scale", "0.001")


def test_the_busy_officer_sees_their_topics_through_the_policy(printed, django_user_model):
    officer = django_user_model.objects.get(username=printed.officer)
    networks = list(officer.memberships.values_list("organisation_id", flat=True))
    expected = Topic.objects.filter(partnership__involvement_network__in=networks) | (
        Topic.objects.filter(body__in=networks)
    )
    seen = visible(officer, Topic.objects.all())
    assert set(seen.values_list("pk", flat=True)) == set(expected.values_list("pk", flat=True))
    assert seen.count() > Topic.objects.count() / 3


def test_every_clock_has_its_explanation(seeded, db):
    clocked = [
        *InformationRequest.all_objects.filter(due_on__isnull=False).select_related("due_rule"),
        *Recommendation.all_objects.filter(due_on__isnull=False).select_related("due_rule"),
        *Meeting.objects.select_related("due_rule"),
    ]
    assert len(clocked) > 300
    assert not InformationRequest.all_objects.issued().filter(due_on__isnull=True).exists()
    for item in clocked:
        due = compute_due(item.due_rule, item.clock_started_on)
        assert (item.due_on, item.due_explanation) == (due.date, due.explanation)


def test_the_printed_users_sign_in_and_the_pages_answer(printed, client, django_user_model):
    topic = Topic.objects.filter(publication=PublicationState.PUBLISHED, state="concluded").first()
    meeting = Meeting.objects.filter(agenda_published_at__isnull=False).first()
    public = [
        "/outcomes/",
        "/outcomes/?q=stroke",
        f"/outcomes/{topic.pk}/",
        "/health-bodies/scale-big-trust/",
        "/calendar.ics",
        f"/meetings/{meeting.pk}/",
        "/api/v1/public/topics/",
    ]
    for url in public:
        assert client.get(url).status_code == 200, url
    for username in (printed.officer, printed.member):
        staff = _signed_in(username)
        theirs = visible(django_user_model.objects.get(username=username), Topic.objects.all())
        for url in ("/work/", "/topics/", f"/topics/{theirs.first().pk}/", "/meetings/"):
            response = staff.get(url)
            assert response.status_code == 200, (username, url)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {printed.api_key}")
    listed = api.get("/api/v1/information-requests/")
    assert listed.status_code == 200
    assert listed.json()["count"] > 0
    responder = _signed_in(printed.responder)
    assert responder.get("/body/").status_code == 200


def test_unpublished_topics_and_exempt_items_stay_off_the_public_pages(seeded, client):
    hidden = Topic.objects.filter(publication=PublicationState.UNPUBLISHED).first()
    assert client.get(f"/outcomes/{hidden.pk}/").status_code == 404
    ids = set()
    url = "/api/v1/public/topics/?page_size=100"
    while url:
        page = client.get(url).json()
        ids |= {t["id"] for t in page["results"]}
        url = page["next"]
    published = Topic.objects.filter(publication=PublicationState.PUBLISHED)
    assert ids == set(published.values_list("pk", flat=True))
    exempt = (
        AgendaItem.objects.filter(exempt=True, meeting__agenda_published_at__isnull=False)
        .select_related("meeting")
        .first()
    )
    page = client.get(f"/meetings/{exempt.meeting_id}/").content.decode()
    assert exempt.summary not in page
    shown = AgendaItem.objects.filter(meeting=exempt.meeting, exempt=False).first()
    assert re.sub(r"\s+", " ", shown.summary) in page
