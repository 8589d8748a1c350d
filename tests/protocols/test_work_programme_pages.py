"""The work programme's pages: the staff year's programme with its chooser, setting the capacity,
scheduling (a reason beyond capacity, the form keeping what was typed), taking a topic off; the
public programme, its feed and the "who is who" pages, with their query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protocols import services
from protocols.models import ProgrammeEntry, WorkProgramme
from tests.factories import TopicFactory, UserFactory
from tests.public.builders import build_topic

YEAR = 2026


@pytest.fixture
def wp(area, officer):
    return services.programme_set(
        partnership=area.partnership, by=officer, year=YEAR, topic_capacity=2, reserved=1
    )


def _topic(area, title):
    return TopicFactory(partnership=area.partnership, lead_body=area.network, title=title)


# --- staff pages ----------------------------------------------------------------------------


def test_the_programme_page_shows_the_year_chosen(client, area, officer, wp, make_meeting):
    meeting = make_meeting(title="January meeting")
    services.programme_schedule(
        programme=wp, by=officer, topic=_topic(area, "Dentistry"), meeting=meeting
    )
    client.force_login(officer)
    page = client.get("/programme/northby/").content.decode()  # the current year
    assert "Joint work programme 2026/27" in page
    assert "Dentistry" in page and "January meeting, 5 January 2027" in page
    assert 'href="/programme/northby/2026/schedule/"' in page
    other = client.get("/programme/northby/?year=2027").content.decode()
    assert "There is no work programme for 2027/28 yet." in other
    assert "Topics by target meeting" not in other
    assert 'href="/programme/northby/2027/capacity/"' in other


@pytest.mark.parametrize("year", ["abc", "1800", "2026.5"])
def test_a_bad_year_is_a_400(client, officer, area, year):
    client.force_login(officer)
    response = client.get(f"/programme/northby/?year={year}")
    assert response.status_code == 400
    assert "Enter the municipal year" in response.content.decode()
    assert client.get("/programme/northby/1800/capacity/").status_code == 400


def test_setting_up_a_year_through_the_page(client, area, officer):
    client.force_login(officer)
    assert client.get("/programme/northby/2027/capacity/").status_code == 200
    bad = client.post("/programme/northby/2027/capacity/", {"topic_capacity": "3", "reserved": "5"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Hold back at most the whole capacity (3 topics)." in body
    assert 'value="5"' in body  # what was typed is kept
    ok = client.post(
        "/programme/northby/2027/capacity/",
        {"topic_capacity": "6", "reserved": "2", "slots_per_meeting": "2"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/programme/northby/?year=2027"
    wp = WorkProgramme.objects.get(year=2027)
    assert (wp.topic_capacity, wp.reserved, wp.slots_per_meeting) == (6, 2, 2)


def test_scheduling_beyond_capacity_is_warned_and_needs_a_reason(client, area, officer, wp):
    services.programme_schedule(programme=wp, by=officer, topic=_topic(area, "First"))
    late = _topic(area, "Late arrival")
    client.force_login(officer)
    form = client.get("/programme/northby/2026/schedule/").content.decode()
    assert "The programme for 2026/27 is full" in form
    refused = client.post("/programme/northby/2026/schedule/", {"topic": late.pk, "reason": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Give the reason for adding it beyond capacity." in body
    assert f'value="{late.pk}" selected' in body  # the form keeps the choice
    assert ProgrammeEntry.objects.count() == 1
    done = client.post(
        "/programme/northby/2026/schedule/",
        {"topic": late.pk, "reason": "The trust proposes to close the ward."},
    )
    assert done.status_code == 302
    page = client.get("/programme/northby/?year=2026").content.decode()
    assert "Added beyond capacity: The trust proposes to close the ward." in page
    assert "1 topic over its planned capacity" in page


def test_unscheduling_through_the_page(client, area, officer, wp):
    entry = services.programme_schedule(programme=wp, by=officer, topic=_topic(area, "Gone"))
    client.force_login(officer)
    url = f"/programme/northby/2026/entries/{entry.pk}/unschedule/"
    assert client.get(url).status_code == 405
    assert client.post(url, {"note": "Done elsewhere"}).status_code == 302
    assert not ProgrammeEntry.objects.exists()
    assert client.post(url).status_code == 404  # gone


def test_who_may_use_the_keepers_pages(client, area, officer, member, other_officer, wp):
    entry = services.programme_schedule(programme=wp, by=officer, topic=_topic(area, "Kept"))
    urls = [
        "/programme/northby/2026/capacity/",
        "/programme/northby/2026/schedule/",
    ]
    client.force_login(member)  # a committee member sees the programme, but does not keep it
    page = client.get("/programme/northby/").content.decode()
    assert "Kept" in page and "Schedule a topic" not in page
    assert [client.get(u).status_code for u in urls] == [403, 403]
    unschedule = f"/programme/northby/2026/entries/{entry.pk}/unschedule/"
    assert client.post(unschedule).status_code == 403
    client.force_login(other_officer)  # another area's officer: not found at all
    assert client.get("/programme/northby/").status_code == 404
    assert [client.get(u).status_code for u in urls] == [404, 404]
    assert client.post(unschedule).status_code == 404
    client.force_login(officer)
    assert client.get("/programme/northby/2027/schedule/").status_code == 404  # no programme
    assert ProgrammeEntry.objects.count() == 1


# --- public pages ---------------------------------------------------------------------------


@pytest.fixture
def public_world(area, officer, responder, wp, make_meeting):
    shown = make_meeting(title="Published meeting")
    services.agenda_item_add(meeting=shown, by=officer, title="Apologies")
    services.meeting_publish_agenda(
        meeting=shown, by=officer, now=dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)
    )
    hidden = make_meeting(title="Secret meeting", date=dt.date(2027, 2, 2))
    public = build_topic(area, officer, responder, target="prioritised", publish=True, title="Beds")
    private = build_topic(
        area, officer, responder, target="prioritised", publish=False, title="Private title"
    )
    services.programme_schedule(programme=wp, by=officer, topic=public, meeting=shown)
    services.programme_schedule(
        programme=wp, by=officer, topic=private, meeting=hidden, reason="Private reason"
    )
    return {"public": public, "private": private, "shown": shown, "hidden": hidden}


def test_the_public_programme_names_only_published_topics_and_meetings(client, public_world):
    page = client.get("/work-programme/northby/").content.decode()
    assert "Work programme 2026/27" in page
    assert "Beds" in page and "Published meeting" in page
    assert "Private title" not in page and "Secret meeting" not in page
    assert "Private reason" not in page
    assert "1 more topic is on the programme" in page
    assert "Time held in reserve for issues that arise" in page and "1 topics" in page
    feed = client.get("/work-programme/northby/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    text = feed.content.decode()
    assert "Beds (aimed at Published meeting, 5 January 2027)" in text
    assert "Private title" not in text and "Secret meeting" not in text
    assert client.get("/work-programme/northby/?year=nonsense").status_code == 400
    assert client.get("/work-programme/nowhere/").status_code == 404
    index = client.get("/work-programme/").content.decode()
    assert "Capacity 2 topics, 1 held in reserve" in index


def test_who_is_who_shows_members_and_never_their_contact_details(
    client, area, officer, osc_officer, public_world
):
    person = UserFactory(username="cllr-login", email="private.address@example.org")
    services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=YEAR,
        name="Cllr Ada Chair",
        role="chair",
        user=person,
    )
    services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=YEAR,
        name="Nina Network",
        role="co_optee",
        voting=False,
        represents="Northby LINk",
    )
    services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=YEAR,
        name="Olly Old",
        role="member",
        ends_on=dt.date(2026, 9, 1),
    )
    page = client.get("/who-is-who/northby-hosc/").content.decode()
    assert "Cllr Ada Chair" in page and "Chair" in page
    assert "Nina Network, representing Northby LINk: non-voting" in page
    assert "Olly Old" not in page  # left before today
    assert "private.address" not in page and "cllr-login" not in page
    assert "Published meeting" in page and "Secret meeting" not in page
    assert "Beds" in page and "Private title" not in page
    index = client.get("/who-is-who/").content.decode()
    assert "Northby HOSC" in index and "Northby LINk" in index
    assert client.get("/who-is-who/northby-trust/").status_code == 404  # a health body


def _more(area, officer, osc_officer, responder, wp, make_meeting, n):
    for i in range(n):
        meeting = make_meeting(title=f"Extra {i}", date=dt.date(2027, 3, 2 + i))
        services.agenda_item_add(meeting=meeting, by=officer, title="Apologies")
        services.meeting_publish_agenda(
            meeting=meeting, by=officer, now=dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)
        )
        topic = build_topic(
            area, officer, responder, target="prioritised", publish=bool(i % 2), title=f"X{i}"
        )
        services.programme_schedule(
            programme=wp, by=officer, topic=topic, meeting=meeting, reason="More"
        )
        services.seat_add(
            body=area.committee,
            by=osc_officer,
            year=YEAR,
            name=f"Cllr {i}",
            role="co_optee" if i % 2 else "member",
            voting=False,
        )


PUBLIC_PAGES = [
    "/work-programme/",
    "/work-programme/northby/",
    "/work-programme/northby/feed.atom",
    "/who-is-who/",
    "/who-is-who/northby-hosc/",
]


def _counts(client):
    counts = []
    for url in PUBLIC_PAGES:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts


def test_public_query_counts_are_constant_with_the_data(
    client, area, officer, osc_officer, responder, wp, make_meeting, public_world
):
    few = _counts(client)
    _more(area, officer, osc_officer, responder, wp, make_meeting, 4)
    many = _counts(client)
    assert few == many
    # The index pages 3; a programme 6 (its feed 5); a body's page 9.
    assert max(many) <= 9, dict(zip(PUBLIC_PAGES, many, strict=True))
