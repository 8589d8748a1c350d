"""Importing meetings from .ics: idempotent on UID, recurring events expanded in a bounded
window, changes update (and raise SEQUENCE), bad files rejected whole."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from protocols import imports
from protocols.models import Meeting, MeetingState
from workflows.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db

CRLF = "\r\n"


def ics(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ModernGov//Export//EN"]
    for ev in events:
        lines += ["BEGIN:VEVENT", *ev.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return (CRLF.join(line.strip() for line in lines) + CRLF).encode()


SINGLE = """
UID:mg-1001@council.example
DTSTAMP:20261101T090000Z
DTSTART;TZID=Europe/London:20270105T180000
DTEND;TZID=Europe/London:20270105T200000
SUMMARY:Health Scrutiny Committee
LOCATION:Committee Room 1
"""
UTC_EVENT = """
UID:mg-1002@council.example
DTSTAMP:20261101T090000Z
DTSTART:20270615T170000Z
SUMMARY:Summer meeting
URL:https://meet.example.org/summer
"""
RECURRING = """
UID:series-7@council.example
DTSTAMP:20261101T090000Z
DTSTART;TZID=Europe/London:20270112T140000
DTEND;TZID=Europe/London:20270112T160000
RRULE:FREQ=MONTHLY;BYDAY=2TU
SUMMARY:Joint working group
LOCATION:Room 3
"""
ALL_DAY = """
UID:away-day@council.example
DTSTAMP:20261101T090000Z
DTSTART;VALUE=DATE:20270201
SUMMARY:Away day
"""


def upload(data: bytes, name="meetings.ics"):
    return SimpleUploadedFile(name, data, content_type="text/calendar")


def run(area, officer, data, name="meetings.ics", **kw):
    return imports.meetings_import_ics(
        by=officer, uploaded=upload(data, name), body=area.committee, **kw
    )


def snapshot():
    return sorted(
        Meeting.objects.values_list(
            "pk", "import_key", "title", "date", "start_time", "end_time", "place", "sequence"
        )
    )


def test_import_twice_gives_the_same_rows(area, osc_officer):
    data = ics(SINGLE, UTC_EVENT, RECURRING, ALL_DAY)
    first = run(area, osc_officer, data)
    rows = snapshot()
    # 2 single events + the series' second Tuesdays from Jan 2027 to the window's end (Nov 2028)
    series = Meeting.objects.filter(import_key__startswith="series-7@council.example#")
    assert series.count() == 23
    assert len(first.created) == 25 and len(first.skipped) == 1  # the all-day event
    second = run(area, osc_officer, data)
    assert snapshot() == rows
    assert len(second.created) == 0 and len(second.updated) == 0
    assert len(second.unchanged) == 25


def test_imported_values(area, osc_officer):
    run(area, osc_officer, ics(SINGLE, UTC_EVENT))
    single = Meeting.objects.get(import_key="mg-1001@council.example")
    assert (single.date, single.start_time, single.end_time) == (
        dt.date(2027, 1, 5),
        dt.time(18, 0),
        dt.time(20, 0),
    )
    assert single.place == "Committee Room 1" and single.body == area.committee
    assert single.due_on == dt.date(2026, 12, 23)  # the agenda clock starts on import
    assert single.agenda_published_at is None  # importing never publishes
    summer = Meeting.objects.get(import_key="mg-1002@council.example")
    assert summer.start_time == dt.time(18, 0)  # 17:00Z is 18:00 BST
    assert summer.online_url == "https://meet.example.org/summer"


def test_a_changed_or_cancelled_event_updates_its_meeting(area, osc_officer):
    run(area, osc_officer, ics(SINGLE))
    meeting = Meeting.objects.get()
    moved = SINGLE.replace("20270105T180000", "20270107T190000").replace(
        "20270105T200000", "20270107T210000"
    )
    result = run(area, osc_officer, ics(moved))
    meeting.refresh_from_db()
    assert [m.pk for m in result.updated] == [meeting.pk]
    assert meeting.date == dt.date(2027, 1, 7) and meeting.sequence == 1
    # clear days before Thu 7 Jan: 6, 5, 4 Jan, 31, 30 Dec (1 Jan a holiday) ⇒ publish Tue 29 Dec
    assert meeting.due_on == dt.date(2026, 12, 29)
    result = run(area, osc_officer, ics(moved + "STATUS:CANCELLED"))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED and meeting.sequence == 2
    assert Meeting.objects.count() == 1


BAD_FILES = [
    (b"", "is empty"),
    (b"hello, this is not a calendar", "must begin with BEGIN:VCALENDAR"),
    (b"%PDF-1.7 binary", "must begin with BEGIN:VCALENDAR"),
    (b"\xff\xfe\x00B\x00E", "not UTF-8"),
    (b"BEGIN:VCALENDAR\r\nthis line is broken\r\nEND:VCALENDAR\r\n", "not a valid iCalendar"),
    # A good event first in each: it must not be half-imported when a later one is bad.
    (ics(UTC_EVENT, SINGLE.replace("UID:mg-1001@council.example", "")), "has no UID"),
    (ics(UTC_EVENT, SINGLE.replace("20270105T180000", "notadate")), "unreadable DTSTART"),
    (ics(UTC_EVENT, SINGLE.replace("DTSTART;TZID=Europe/London:20270105T180000", "")), "no start"),
    (ics(UTC_EVENT, SINGLE + "RRULE:FREQ=DAILY"), "import at most 500"),
]


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_bad_files_are_rejected_and_nothing_is_imported(area, osc_officer, data, message):
    with pytest.raises(InvalidInput) as exc:
        run(area, osc_officer, data)
    assert message in exc.value.message
    assert not Meeting.objects.exists()


def test_an_oversized_file_is_rejected(area, osc_officer, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ICS_BYTES", 1000)
    data = ics(SINGLE, UTC_EVENT, RECURRING, "DESCRIPTION:" + "x" * 70 + "\n" + SINGLE)
    assert len(data) > 1000
    with pytest.raises(InvalidInput) as exc:
        run(area, osc_officer, data)
    assert "larger than" in exc.value.message
    assert not Meeting.objects.exists()


def test_an_event_of_another_body_is_not_taken_over(area, officer, osc_officer):
    run(area, osc_officer, ics(SINGLE))
    with pytest.raises(InvalidInput):
        imports.meetings_import_ics(
            by=officer, uploaded=upload(ics(SINGLE, UTC_EVENT)), body=area.network
        )
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("who", ["member", "chair", "other_officer", "responder"])
def test_only_the_bodys_officers_import(request, area, who):
    with pytest.raises(Forbidden):
        run(area, request.getfixturevalue(who), ics(SINGLE))


def test_import_page(client, area, osc_officer, member):
    url = reverse("protocols:meeting-import")
    client.force_login(member)
    assert client.get(url).status_code == 404
    client.force_login(osc_officer)
    assert client.get(url).status_code == 200
    organiser = f"body:{area.committee.pk}"
    response = client.post(url, {"organiser": organiser, "file": upload(b"garbage", "x.ics")})
    assert response.status_code == 400
    assert "must begin with BEGIN:VCALENDAR" in response.content.decode()
    response = client.post(url, {"organiser": organiser, "file": upload(ics(SINGLE))})
    assert response.status_code == 200
    assert "1 new, 0 updated, 0 unchanged" in response.content.decode()
    response = client.post(url, {"organiser": organiser, "file": upload(ics(SINGLE))})
    assert "0 new, 0 updated, 1 unchanged" in response.content.decode()


def test_our_own_feed_imported_back_adds_nothing(client, area, osc_officer, published_meeting):
    feed = client.get(reverse("protocols:calendar-public")).content
    before = snapshot()
    result = run(area, osc_officer, feed)
    assert snapshot() == before
    assert result.created == [] and "already a meeting here" in result.skipped[0]


def test_a_minutely_rule_with_no_end_is_refused_at_the_limit_without_expanding_it_all(
    area, osc_officer
):
    """One RRULE:FREQ=MINUTELY event took 298 s and 2.2 GB: every occurrence in the window
    was built before the limit was checked. Sub-daily rules are refused before any expansion,
    and a daily series stops at the limit."""
    for freq in ("MINUTELY", "HOURLY", "SECONDLY"):
        with pytest.raises(InvalidInput) as exc:
            run(area, osc_officer, ics(SINGLE + f"RRULE:FREQ={freq}"))
        assert "repeats more often than daily" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        run(area, osc_officer, ics(SINGLE + "RRULE:FREQ=DAILY"))
    assert "more than 500 events" in exc.value.message
    assert not Meeting.objects.exists()


def test_expansion_has_a_time_budget(area, osc_officer, monkeypatch):
    monkeypatch.setattr(imports, "EXPANSION_SECONDS", -1.0)
    with pytest.raises(InvalidInput) as exc:
        run(area, osc_officer, ics(RECURRING))
    assert "take too long" in exc.value.message
    assert not Meeting.objects.exists()
