"""`/search/` for staff: what the person may see in their areas, through the policy (issue 16
item 6, docs/decisions/0033-search-everything.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protocols import services as meetings
from scrutiny.casework import search, services
from scrutiny.casework.models import SearchKind
from tests.public.builders import build_topic


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(area, officer, responder, other_officer):
    """Northby's published topic with a draft request; an exempt paper at Northby's joint meeting;
    Southby's own topic; names to find people by."""
    topic = build_topic(area, officer, responder, title="Stroke services", target="response_due")
    services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="Draft about vasculitis clinics"
    )
    meeting = meetings.meeting_create(
        by=officer,
        partnership=area.partnership,
        title="Joint scrutiny",
        date=dt.date.today() + dt.timedelta(days=30),
        start_time=dt.time(18, 0),
        place="Town Hall",
        confirm=True,
    )
    item = meetings.agenda_item_add(
        meeting=meeting,
        by=officer,
        title="Contract",
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason="Commercial terms.",
    )
    paper = meetings.paper_add(
        item=item,
        by=officer,
        file=SimpleUploadedFile("c.txt", b"Quixotic tender pricing", content_type="text/plain"),
        title="Tender figures",
    )
    southby = services.topic_raise(
        by=other_officer,
        title="Southby vasculitis waits",
        summary="Waits",
        body=area.other_network,
        lead_body=area.other_network,
        health_bodies=[area.other_trust],
    )
    officer.first_name, officer.last_name = "Priya", "Okonkwo"
    officer.save()
    other_officer.first_name, other_officer.last_name = "Priya", "Southwell"
    other_officer.save()
    return {"topic": topic, "paper": paper, "southby": southby, "meeting": meeting}


def _page(client, user, **params):
    client.force_login(user)
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_staff_find_drafts_and_exempt_papers_of_their_own_areas(client, world, officer):
    html = _page(client, officer, q="vasculitis")
    assert "Search your areas" in html
    assert f'href="/topics/{world["topic"].pk}/"' in html  # the draft request's topic
    assert f'href="/topics/{world["southby"].pk}/"' not in html  # another area's topic
    assert "Southby vasculitis" not in html
    html = _page(client, officer, q="quixotic")
    assert f'href="/papers/{world["paper"].pk}/"' in html
    assert "Meeting paper" in html


def test_staff_of_another_area_find_none_of_it(client, world, other_officer):
    html = _page(client, other_officer, q="vasculitis")
    assert f'href="/topics/{world["southby"].pk}/"' in html
    assert f'href="/topics/{world["topic"].pk}/"' not in html
    assert "0 results" in _page(client, other_officer, q="quixotic")


def test_people_by_name_only_in_ones_own_bodies(client, world, officer, other_officer):
    html = _page(client, officer, q="priya")
    assert "Priya Okonkwo" in html
    assert "Priya Southwell" not in html
    assert "Priya Southwell" in _page(client, other_officer, q="priya")


def test_the_public_scope_and_people_without_staff_roles_get_the_public_search(
    client, world, officer, responder
):
    html = _page(client, officer, q="quixotic", scope="public")
    assert "Search everything published" in html
    assert "0 results" in html  # the exempt paper is not public
    # A responder holds no staff pages: the public search, whatever they may see in their inbox.
    html = _page(client, responder, q="vasculitis")
    assert "Search everything published" in html
    assert "0 results" in html


def test_the_entries_follow_the_policy_for_a_responder(world, responder):
    """The index's visibility for someone who is not staff: only what the policy shows them —
    the issued request to their body, never the draft beside it."""
    entries = search.entries_visible_to(responder)
    kinds = set(entries.values_list("kind", flat=True))
    assert SearchKind.INFORMATION_REQUEST in kinds
    assert not search.entries_matching("vasculitis", entries).exists()
    assert not search.entries_matching("quixotic", entries).exists()


def test_an_inactive_person_sees_nothing(world, officer):
    officer.is_active = False
    officer.save()
    assert not search.entries_visible_to(officer).exists()


def test_staff_search_query_count_is_constant(client, world, area, officer, responder):
    def count():
        client.force_login(officer)
        with CaptureQueriesContext(connection) as ctx:
            client.get("/search/", {"q": "stroke"})
        return len(ctx.captured_queries)

    def paper(title):
        meeting = meetings.meeting_create(
            by=officer,
            partnership=area.partnership,
            title=f"Stroke review {title}",
            date=dt.date.today() + dt.timedelta(days=20),
            start_time=dt.time(18, 0),
            place="Town Hall",
            confirm=True,
        )
        item = meetings.agenda_item_add(meeting=meeting, by=officer, title="Stroke pathway")
        meetings.paper_add(
            item=item,
            by=officer,
            file=SimpleUploadedFile("s.txt", b"Stroke unit beds", content_type="text/plain"),
            title=title,
        )

    paper("First")
    one = count()
    for i in range(4):
        build_topic(area, officer, responder, title=f"Stroke {i}", target="response_due")
        paper(f"Paper {i}")
    assert count() == one  # 4 more topics, meetings, items and papers: the same queries
    assert one <= 14
