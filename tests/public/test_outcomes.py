import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from scrutiny.casework import search, services
from scrutiny.casework.models import Membership, Topic
from scrutiny.casework.publication import topics_published, topics_search
from tests.factories import MembershipFactory, UserFactory
from tests.public.builders import build_topic


def test_list_shows_published_topics_only(client, area, officer, responder):
    build_topic(area, officer, responder, title="Published one")
    build_topic(area, officer, responder, title="Kept back", publish=False)
    page = client.get("/outcomes/").content.decode()
    assert "Published one" in page
    assert "Kept back" not in page


@pytest.mark.parametrize(
    "params, shown, hidden",
    [
        ({"state": "concluded"}, "Stroke unit", "Eye clinic"),
        ({"state": "declined"}, "Eye clinic", "Stroke unit"),
        ({"health_body": "southby-trust"}, "Eye clinic", "Stroke unit"),
        ({"health_body": "northby-trust"}, "Stroke unit", "Eye clinic"),
        ({"q": "stroke"}, "Stroke unit", "Eye clinic"),
        ({"q": "cataract"}, "Eye clinic", "Stroke unit"),
    ],
)
def test_filters(client, area, officer, responder, params, shown, hidden):
    build_topic(area, officer, responder, title="Stroke unit", summary="Moving the stroke unit")
    build_topic(
        area,
        officer,
        responder,
        target="declined",
        title="Eye clinic",
        summary="Cataract waits",
        recipient=area.other_trust,
    )
    page = client.get("/outcomes/", params).content.decode()
    assert shown in page
    assert hidden not in page


def test_year_filter(client, area, officer, responder):
    old = build_topic(area, officer, responder, title="Old topic")
    Topic.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=800))
    build_topic(area, officer, responder, title="New topic")
    year = str(timezone.localdate().year)
    page = client.get("/outcomes/", {"year": year}).content.decode()
    assert "New topic" in page and "Old topic" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"state": "raised"},
        {"state": "nonsense"},
        {"year": "abc"},
        {"health_body": "no-such"},
        {"page": "999"},
        {"page": "x"},
        {"q": "x" * 500},
    ],
)
def test_bad_filters_are_reported_not_500(client, area, officer, responder, params):
    build_topic(area, officer, responder)
    response = client.get("/outcomes/", params)
    assert response.status_code == 200
    if "page" not in params:
        assert "There is a problem" in response.content.decode()


def test_pagination_keeps_filters(client, area, officer, responder):
    for i in range(22):
        build_topic(area, officer, responder, target="prioritised", title=f"Topic {i:02}")
    page = client.get("/outcomes/", {"state": "prioritised"}).content.decode()
    assert "22 topics" in page
    assert "state=prioritised&amp;page=2" in page
    page2 = client.get("/outcomes/", {"state": "prioritised", "page": 2}).content.decode()
    assert page2.count('href="/outcomes/') >= 2


def test_search_fallback_matches_every_word_anywhere(area, officer, responder, monkeypatch):
    monkeypatch.setattr(search, "connection", SimpleNamespace(vendor="sqlite"))
    a = build_topic(area, officer, responder, title="Stroke unit", outcome_summary="Beds kept")
    b = build_topic(area, officer, responder, title="Eye clinic", summary="Cataract waits")
    qs = topics_published()
    assert list(topics_search(qs, "STROKE beds")) == [a]
    assert list(topics_search(qs, "cataract")) == [b]
    assert list(topics_search(qs, "stroke cataract")) == []
    assert set(topics_search(qs, "  ")) == {a, b}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgres_full_text_search_stems_and_ranks(area, officer, responder):
    a = build_topic(area, officer, responder, title="Closing wards", summary="Beds")
    b = build_topic(area, officer, responder, title="Staffing", summary="The ward closed twice")
    c = build_topic(area, officer, responder, title="Eye clinic", summary="Cataract waits")
    found = list(topics_search(topics_published(), "wards closed"))
    assert set(found) == {a, b}  # stemming: closing/closed, wards/ward
    assert found[0] == a  # a title match outranks a summary match
    assert list(topics_search(topics_published(), '"eye clinic" -stroke')) == [c]


# --- The outcome page ------------------------------------------------------------------------


def test_outcome_page_shows_what_was_asked_and_what_came_back(client, area, officer, responder):
    issued = timezone.localdate() - dt.timedelta(days=70)
    topic = build_topic(area, officer, responder, issued_on=issued, title="Stroke services")
    req = topic.requests.get()
    resp = req.responses.get()
    assert not resp.on_time and resp.working_days_late > 1
    page = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert "How many beds?" in page and "40 beds" in page
    assert f"{resp.working_days_late} working days late" in page
    assert req.due_explanation in page
    assert "Keep the unit open" in page and "Accepted" in page
    assert "Keep staffing" in page and "Chief operating officer" in page  # the action plan
    assert "Amber: not started" in page  # implementation RAG
    assert "The unit stays" in page
    assert "Northby Hospitals NHS Trust" in page


def test_outcome_page_hides_drafts_superseded_answers_and_private_notes(
    client, area, officer, responder, django_capture_on_commit_callbacks
):
    topic = build_topic(area, officer, responder, target="recommendation_made")
    services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="DRAFTQUESTION"
    )
    services.recommendation_draft(topic=topic, by=officer, recipient=area.trust, text="DRAFTREC")
    req = topic.requests.get(state="answered")
    services.provider_response_record(
        subject=req,
        by=responder,
        channel="api",
        text="CORRECTED answer",
        outcome="answered",
        supersedes=req.responses.get(),
        correction_reason="The first figure was wrong.",
    )
    position = services.topic_record_position(
        topic=topic, by=officer, organisation=area.network, position="We back the unit"
    )
    page = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert "DRAFTQUESTION" not in page and "DRAFTREC" not in page
    assert "CORRECTED answer" in page and "40 beds" not in page
    # The correction is marked, with its reason; the superseded words are not republished.
    assert "was superseded on" in page and "The first figure was wrong." in page
    assert "We back the unit" not in page  # a proposal, not yet the body's position
    assert officer.username not in page
    link_chair = UserFactory(username="link-chair")
    MembershipFactory(user=link_chair, organisation=area.network, role=Membership.Role.CHAIR)
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_position_agree(position=position, by=link_chair, how="chair")
    assert "We back the unit" in client.get(f"/outcomes/{topic.pk}/").content.decode()


def test_declined_topic_shows_its_reason_in_the_timeline(client, area, officer, responder):
    topic = build_topic(area, officer, responder, target="declined", reason="Outside our remit")
    page = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert "Outside our remit" in page
    assert "Declined" in page


@pytest.mark.parametrize("publish", [False, True])
def test_unpublished_and_raised_topics_are_404(client, area, officer, responder, publish):
    topic = build_topic(area, officer, responder, target="raised", publish=publish)
    assert client.get(f"/outcomes/{topic.pk}/").status_code == 404
    assert client.get("/outcomes/999999/").status_code == 404
