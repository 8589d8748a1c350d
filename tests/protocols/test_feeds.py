"""Calendar feeds: parsed back with icalendar and with ical.js; stable UIDs and rising
SEQUENCE; cancelled meetings; conditional GET; exempt items and unpublished agendas never in a
public feed; the personal feed behind a revocable token."""

import datetime as dt

import pytest
from django.urls import reverse

from protocols import services
from protocols.models import CalendarToken
from scrutiny.casework import services as casework
from scrutiny.casework.models import Topic

from .conftest import parse_icalendar

pytestmark = pytest.mark.django_db

SCORES = {
    "timely": 2,
    "organisational_priority": 2,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 1,
}


def events(body: bytes) -> dict:
    return {str(ev["UID"]): ev for ev in parse_icalendar(body).walk("VEVENT")}


@pytest.fixture
def world(area, officer, osc_officer, published_meeting, make_meeting):
    """Published, cancelled, unpublished and committee meetings, and casework with deadlines."""
    cancelled = make_meeting(title="Cancelled visit", date=dt.date(2027, 1, 12))
    services.agenda_item_add(meeting=cancelled, by=officer, title="Visit")
    services.meeting_publish_agenda(meeting=cancelled, by=officer)
    cancelled = services.meeting_cancel(meeting=cancelled, by=officer, reason="Trust postponed")
    unpublished = make_meeting(title="UNPUBLISHED-MEETING", date=dt.date(2027, 2, 2))
    committee = make_meeting(
        by=osc_officer, body=area.committee, title="HOSC meeting", date=dt.date(2027, 1, 19)
    )
    services.agenda_item_add(meeting=committee, by=osc_officer, title="Quality accounts")
    services.meeting_publish_agenda(meeting=committee, by=osc_officer)

    topic = casework.topic_raise(
        by=officer, title="Beds", summary="S", partnership=area.partnership, lead_body=area.network
    )
    topic = casework.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = casework.topic_request_information(topic=topic, by=officer)
    request = casework.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="How many beds?"
    )
    casework.topic_issue_requests(topic=topic, by=officer, on=dt.date(2026, 11, 20))
    request.refresh_from_db()
    referred = casework.topic_raise(
        by=officer,
        title="Discharge delays",
        summary="S",
        partnership=area.partnership,
        lead_body=area.network,
        source=Topic.Source.REFERRAL,
        referred_on=dt.date(2026, 11, 23),
    )
    protocol = services.protocol_create(
        partnership=area.partnership, by=officer, title="Protocol", purpose="Together."
    )
    v1 = protocol.versions.get()
    services.protocol_version_sign_off(version=v1, by=officer, organisation=area.network)
    v1 = services.protocol_version_sign_off(version=v1, by=osc_officer, organisation=area.committee)
    v1 = services.protocol_version_update(version=v1, by=officer, review_on=dt.date(2027, 9, 1))
    return {
        "published": published_meeting,
        "cancelled": cancelled,
        "unpublished": unpublished,
        "committee": committee,
        "request": request,
        "referral": referred.referral,
        "version": v1,
    }


def public_feed_urls(area):
    return [
        reverse("protocols:calendar-public"),
        reverse("protocols:calendar-body", args=[area.committee.slug]),
        reverse("protocols:calendar-body", args=[area.network.slug]),
        reverse("protocols:calendar-partnership", args=[area.partnership.slug]),
    ]


def personal_url(user):
    _, raw = services.calendar_token_create(user=user)
    return reverse("protocols:calendar-personal", args=[raw])


def test_every_feed_parses_with_icalendar_and_icaljs(client, area, world, member, icaljs):
    host = "cf.example.org"
    published, cancelled = world["published"], world["cancelled"]
    for url in [*public_feed_urls(area), personal_url(member)]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/calendar")
        body = response.content
        ours = events(body)
        theirs = icaljs(body)
        assert theirs["version"] == "2.0"
        assert "Europe/London" in theirs["timezones"]
        assert {e["uid"] for e in theirs["events"]} == set(ours), url
        for e in theirs["events"]:
            ev = ours[e["uid"]]
            assert e["sequence"] == int(ev["SEQUENCE"])
            assert e["summary"] == str(ev["SUMMARY"])
            assert e["url"].startswith(f"https://{host}/")
            assert e["dtstamp"].endswith("Z")
            if e["isDate"]:  # deadlines are all-day events
                assert ev["DTSTART"].dt == dt.date.fromisoformat(e["start"])
            else:
                assert e["tzid"] == "Europe/London"
                assert e["startUtc"] == int(ev["DTSTART"].dt.timestamp())
        uids = set(ours)
        if "personal" not in url:
            assert f"meeting-{published.pk}@{host}" in uids
            assert f"meeting-{world['unpublished'].pk}@{host}" not in uids
    # the joint meeting at 18:00 London on 5 Jan 2027 is 18:00 UTC (GMT)
    theirs = icaljs(client.get(reverse("protocols:calendar-public")).content)
    by_uid = {e["uid"]: e for e in theirs["events"]}
    joint = by_uid[f"meeting-{published.pk}@{host}"]
    assert joint["start"] == "2027-01-05T18:00:00"
    assert joint["startUtc"] == int(dt.datetime(2027, 1, 5, 18, tzinfo=dt.UTC).timestamp())
    assert by_uid[f"meeting-{cancelled.pk}@{host}"]["status"] == "CANCELLED"
    assert joint["status"] == "CONFIRMED"


def test_a_summer_meeting_is_in_bst(client, make_meeting, officer, icaljs):
    meeting = make_meeting(date=dt.date(2027, 6, 15), start=dt.time(18, 30))
    services.agenda_item_add(meeting=meeting, by=officer, title="A")
    services.meeting_publish_agenda(meeting=meeting, by=officer)
    theirs = icaljs(client.get(reverse("protocols:calendar-public")).content)
    (e,) = theirs["events"]
    assert e["startUtc"] == int(dt.datetime(2027, 6, 15, 17, 30, tzinfo=dt.UTC).timestamp())


def test_uid_stays_and_sequence_rises_with_every_change(client, published_meeting, officer, icaljs):
    url = reverse("protocols:calendar-public")
    uid = f"meeting-{published_meeting.pk}@cf.example.org"

    def seq():
        ours = events(client.get(url).content)
        theirs = {e["uid"]: e for e in icaljs(client.get(url).content)["events"]}
        assert set(ours) == {uid} == set(theirs)
        assert int(ours[uid]["SEQUENCE"]) == theirs[uid]["sequence"]
        return theirs[uid]["sequence"], ours[uid]

    s0, _ = seq()
    services.meeting_update(meeting=published_meeting, by=officer, title="Stroke services: v2")
    s1, ev = seq()
    assert s1 > s0 and "Stroke services: v2" in str(ev["SUMMARY"])
    services.meeting_update(meeting=published_meeting, by=officer, start_time=dt.time(17, 0))
    s2, ev = seq()
    assert s2 > s1 and ev["DTSTART"].dt.hour == 17
    services.agenda_item_add(
        meeting=published_meeting, by=officer, title="Late news", late_reason="Urgent"
    )
    s3, ev = seq()
    assert s3 > s2 and "Late news" in str(ev["DESCRIPTION"])
    services.meeting_cancel(meeting=published_meeting, by=officer, reason="Flooding")
    s4, ev = seq()
    assert s4 > s3 and str(ev["STATUS"]) == "CANCELLED"
    # an unchanged meeting keeps its SEQUENCE
    s5, _ = seq()
    assert s5 == s4


def test_conditional_get(client, published_meeting, officer):
    url = reverse("protocols:calendar-public")
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    services.meeting_update(meeting=published_meeting, by=officer, title="Renamed")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_exempt_items_and_unpublished_agendas_never_in_a_public_feed(client, area, world, member):
    for url in public_feed_urls(area):
        body = client.get(url).content.decode()
        assert "SECRET" not in body, url
        assert "UNPUBLISHED-MEETING" not in body, url
        assert "Moving the stroke unit" in body or "HOSC meeting" in body
    # members' own feed shows their unpublished meeting, still without exempt information
    body = client.get(personal_url(member)).content.decode()
    assert "UNPUBLISHED-MEETING" in body and "SECRET" not in body


def test_personal_feed_carries_the_persons_deadlines(client, world, member, icaljs):
    body = client.get(personal_url(member)).content
    theirs = {e["uid"]: e for e in icaljs(body)["events"]}
    host = "cf.example.org"
    request, referral, version = world["request"], world["referral"], world["version"]
    unpublished = world["unpublished"]
    expected = {
        f"request-{request.pk}-due@{host}": request.due_on,
        f"referral-{referral.pk}-acknowledgement@{host}": referral.due_on,
        f"protocol-review-{version.pk}@{host}": dt.date(2027, 9, 1),
        f"agenda-{unpublished.pk}@{host}": unpublished.due_on,
    }
    for uid, day in expected.items():
        assert theirs[uid]["isDate"], uid
        assert theirs[uid]["start"] == day.isoformat(), uid
    assert f"meeting-{unpublished.pk}@{host}" in theirs
    assert referral.due_on == dt.date(2026, 12, 18)  # 20 working days beginning with 23 Nov


def test_responders_feed_has_only_their_bodys_deadlines(client, world, responder, other_responder):
    mine = events(client.get(personal_url(responder)).content)
    assert set(mine) == {f"request-{world['request'].pk}-due@cf.example.org"}
    assert events(client.get(personal_url(other_responder)).content) == {}


def test_token_is_hashed_rotated_and_revoked(client, member):
    token, raw = services.calendar_token_create(user=member)
    url = reverse("protocols:calendar-personal", args=[raw])
    assert client.get(url).status_code == 200
    assert raw not in str(list(CalendarToken.objects.values_list("token_hash", "hint")))
    _, new_raw = services.calendar_token_create(user=member)  # rotate
    new_url = reverse("protocols:calendar-personal", args=[new_raw])
    assert client.get(url).status_code == 404
    assert client.get(new_url).status_code == 200
    services.calendar_token_revoke(user=member)
    assert client.get(new_url).status_code == 404
    assert client.get(reverse("protocols:calendar-personal", args=["guess"])).status_code == 404


def test_token_page_creates_rotates_and_revokes(client, member):
    page = reverse("protocols:calendars")
    assert client.get(page).status_code == 200
    assert client.post(page, {"action": "create"}).status_code == 302  # sign in first
    client.force_login(member)
    response = client.post(page, {"action": "create"}, follow=True)
    text = response.content.decode()
    assert "shown once" in text and "webcal://testserver" not in text
    token = CalendarToken.objects.get(user=member, revoked_at__isnull=True)
    assert f"webcal://cf.example.org/calendars/personal/{token.hint}" in text
    assert "/calendars/personal/" not in client.get(page).content.decode()  # shown once
    client.post(page, {"action": "rotate"})
    assert CalendarToken.objects.filter(user=member, revoked_at__isnull=True).count() == 1
    assert CalendarToken.objects.get(user=member, revoked_at__isnull=True).pk != token.pk
    client.post(page, {"action": "revoke"})
    assert not CalendarToken.objects.filter(user=member, revoked_at__isnull=True).exists()


def test_unknown_feeds_are_404(client, area):
    assert client.get(reverse("protocols:calendar-body", args=["nope"])).status_code == 404
    assert client.get(reverse("protocols:calendar-body", args=[area.trust.slug])).status_code == 404
    assert client.get(reverse("protocols:calendar-partnership", args=["nope"])).status_code == 404


def test_pages_offer_webcal_subscribe_links(client, published_meeting):
    text = client.get(reverse("protocols:meeting-list")).content.decode()
    assert 'href="webcal://cf.example.org/calendar.ics"' in text
    text = client.get(published_meeting.get_absolute_url()).content.decode()
    assert 'href="webcal://cf.example.org/calendars/partnership/northby.ics"' in text


def test_feeds_answer_head_requests(client, published_meeting):
    url = reverse("protocols:calendar-public")
    response = client.head(url)
    assert response.status_code == 200 and response["ETag"] == client.get(url)["ETag"]
