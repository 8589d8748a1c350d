"""Joinable open data: the licence on every download, datapackage.json (validated with the
frictionless library), ODS and GSS codes, downloads that save rather than open, the health
body's record row by row, and schema.org JSON-LD on meeting and body pages."""

import csv
import datetime as dt
import io
import json
import re

import frictionless
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from protocols import services as meetings
from scrutiny.casework import services
from scrutiny.web.public.feeds import DATASETS, LICENCE, datapackage
from tests.public.builders import build_topic

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@pytest.fixture
def coded(area):
    area.trust.ods_code, area.trust.gss_code = "RXN", ""
    area.trust.save()
    area.other_trust.ods_code = "RXM"
    area.other_trust.save()
    for org in (area.network, area.committee):
        org.gss_code = "E08000021"
        org.save()
    return area


def _downloads():
    urls = [f"/data/{d}.{f}" for d in DATASETS for f in ("csv", "json")]
    return [
        *urls,
        "/data/datapackage.json",
        "/health-bodies/northby-trust/record.csv",
        "/health-bodies/northby-trust/record.json",
    ]


def test_every_download_saves_and_states_the_licence(client, coded, officer, responder):
    build_topic(coded, officer, responder)
    for url in _downloads():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment; filename="), url
        assert f"<{OGL}>" in response["Link"] and 'rel="license"' in response["Link"], url
        if url.endswith(".json") and "datapackage" not in url:
            assert json.loads(response.content)["licence"]["path"] == OGL, url
    page = client.get("/data/").content.decode()
    assert "Open Government Licence v3.0" in page and OGL in page
    assert "/data/datapackage.json" in page


def test_ods_and_gss_codes_are_in_the_data(client, coded, officer, responder):
    build_topic(coded, officer, responder)
    requests = list(csv.DictReader(io.StringIO(client.get("/data/requests.csv").content.decode())))
    assert requests[0]["recipient_ods_code"] == "RXN"
    assert requests[0]["requested_by_gss_code"] == "E08000021"
    responses = json.loads(client.get("/data/responses.json").content)["results"]
    assert {r["organisation_ods_code"] for r in responses} == {"RXN"}
    outcomes = json.loads(client.get("/data/outcomes.json").content)["results"]
    assert outcomes[0]["health_bodies_ods_codes"] == ["RXN"]
    assert outcomes[0]["lead_body_gss_code"] == "E08000021"
    bodies = {b["slug"]: b for b in json.loads(client.get("/data/bodies.json").content)["results"]}
    assert bodies["northby-trust"]["ods_code"] == "RXN"
    assert bodies["northby-link"]["gss_code"] == "E08000021"
    topic = client.get("/api/v1/public/topics/").json()
    first = topic["results"][0] if "results" in topic else topic[0]
    assert first["lead_body"]["gss_code"] == "E08000021"
    assert first["health_bodies"][0]["ods_code"] == "RXN"


def test_datapackage_describes_every_csv_and_validates(client, coded, officer, responder, tmp_path):
    shown = build_topic(coded, officer, responder, recipient=coded.other_trust)
    build_topic(coded, officer, responder, target="response_due", title="Open one")
    hidden = build_topic(coded, officer, responder, title="Hidden", publish=False)
    _programme(coded, officer, [shown, hidden])  # the work programmes' rows join outcomes
    package = json.loads(client.get("/data/datapackage.json").content)
    assert package["licenses"][0]["path"] == OGL == LICENCE["path"]
    assert {r["name"] for r in package["resources"]} == set(DATASETS)
    for resource in package["resources"]:
        fields = [f["name"] for f in resource["schema"]["fields"]]
        assert fields == [f.name for f in DATASETS[resource["name"]].fields]
        assert resource["path"].endswith(f"/data/{resource['name']}.csv")
        (tmp_path / f"{resource['name']}.csv").write_bytes(
            client.get(f"/data/{resource['name']}.csv").content
        )
    local = datapackage(base="")
    requests = next(r for r in local["resources"] if r["name"] == "requests")
    assert {"fields": "topic_id", "reference": {"resource": "outcomes", "fields": "id"}} in (
        requests["schema"]["foreignKeys"]
    )
    (tmp_path / "datapackage.json").write_text(json.dumps(local))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == len(DATASETS)


def test_datapackage_validation_catches_a_broken_join(client, coded, officer, responder, tmp_path):
    """The validation is not vacuous: a request naming a topic not in outcomes fails."""
    build_topic(coded, officer, responder)
    for slug in DATASETS:
        (tmp_path / f"{slug}.csv").write_bytes(client.get(f"/data/{slug}.csv").content)
    path = tmp_path / "requests.csv"
    rows = list(csv.reader(io.StringIO(path.read_text())))
    rows[1][rows[0].index("topic_id")] = "999999"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue())
    (tmp_path / "datapackage.json").write_text(json.dumps(datapackage(base="")))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def _rows(client, url):
    html = client.get(url).content.decode()
    body = html.split('id="record"', 1)[1].split("Published topics about", 1)[0]
    return body


def test_body_record_lists_each_request_and_recommendation(client, coded, officer, responder):
    late = build_topic(
        coded,
        officer,
        responder,
        title="Late one",
        question="Why so slow?",
        issued_on=dt.date(2025, 1, 6),
        received_at=timezone.make_aware(dt.datetime(2025, 3, 3, 12)),
    )
    build_topic(coded, officer, responder, question="On time question")
    build_topic(coded, officer, responder, question="Kept back", publish=False)
    cache.clear()
    body = _rows(client, "/health-bodies/northby-trust/")
    assert "Why so slow?" in body and "On time question" in body and "Kept back" not in body
    assert re.search(r"\d+ working days late", body)
    late_only = _rows(client, "/health-bodies/northby-trust/?late=on")
    assert "Why so slow?" in late_only and "On time question" not in late_only
    by_year = _rows(client, "/health-bodies/northby-trust/?year=2025")
    assert "Why so slow?" in by_year and "On time question" not in by_year
    states = _rows(client, "/health-bodies/northby-trust/?state=responded")
    assert "Keep the unit open" in states and "Why so slow?" not in states
    bad = client.get("/health-bodies/northby-trust/?year=banana")
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    data = json.loads(client.get("/health-bodies/northby-trust/record.json?late=on").content)
    # The late topic's request and its recommendation (issued the same day, answered late).
    assert {r["text"] for r in data["results"]} == {"Why so slow?", "Keep the unit open"}
    assert {r["topic_id"] for r in data["results"]} == {late.pk}
    row = next(r for r in data["results"] if r["kind"] == "information_request")
    assert row["topic_id"] == late.pk and row["late"] is True and row["working_days_late"] > 0
    assert row["recipient_ods_code"] == "RXN" and row["answered_on"] == "2025-03-03"
    assert client.get("/health-bodies/northby-trust/record.csv?year=x").status_code == 400
    assert client.get("/health-bodies/northby-trust/record.csv?state=nope").status_code == 400


def test_body_record_pages(client, coded, officer, responder):
    for i in range(14):  # two rows each: a request and a recommendation
        build_topic(coded, officer, responder, question=f"Question {i}")
    cache.clear()
    first = _rows(client, "/health-bodies/northby-trust/")
    assert "28 rows; showing 1 to 25" in first and "rows=2" in first
    second = _rows(client, "/health-bodies/northby-trust/?rows=2")
    assert "showing 26 to 28" in second


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD"
    return json.loads(found.group(1))


def test_body_page_has_organisation_json_ld(client, coded):
    data = _json_ld(client.get("/health-bodies/northby-trust/").content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] in ("MedicalOrganization", "GovernmentOrganization")
    assert {"@type": "PropertyValue", "propertyID": "NHS ODS", "value": "RXN"} in data["identifier"]


def test_meeting_page_has_event_json_ld(client, coded, officer):
    date = timezone.localdate() + dt.timedelta(days=30)
    meeting = meetings.meeting_create(
        by=officer,
        body=coded.network,
        title="Board </script><b>meeting",
        date=date,
        start_time=dt.time(18, 0),
        place="Town Hall, Northby",
        confirm=True,
    )
    meetings.agenda_item_add(meeting=meeting, by=officer, title="Waiting times")
    assert "ld+json" not in client.get(f"/meetings/{meeting.pk}/").content.decode()
    meetings.meeting_publish_agenda(
        meeting=meeting,
        by=officer,
        now=timezone.make_aware(dt.datetime.combine(date - dt.timedelta(days=14), dt.time(9))),
    )
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    data = _json_ld(html)
    assert data["@type"] == "Event" and data["name"] == "Board </script><b>meeting"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["startDate"].startswith(date.isoformat() + "T18:00:00")
    assert data["location"]["name"] == "Town Hall, Northby"
    assert data["organizer"]["name"] == "Northby LINk"
    assert data["organizer"]["identifier"][0]["value"] == "E08000021"
    meetings.meeting_cancel(meeting=meeting, by=officer, reason="Snow")
    cancelled = _json_ld(client.get(f"/meetings/{meeting.pk}/").content.decode())
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"


def test_every_api_reference_to_a_body_has_its_codes(client, coded, officer, responder):
    build_topic(coded, officer, responder)
    body = client.get("/api/v1/public/recommendations/").json()
    results = body["results"] if isinstance(body, dict) else body
    assert results and {"ods_code", "gss_code"} <= set(results[0]["recipient"])
    assert services is not None


def _topic_with_document(area, officer, responder, i):
    topic = build_topic(area, officer, responder, question=f"Counted {i}")
    req = topic.requests.get()
    extra = services.provider_response_record(
        subject=req,
        by=responder,
        channel="api",
        text=f"Letter {i}",
        kind="further_information",
        attachments=[SimpleUploadedFile(f"letter{i}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
    )
    services.attachment_publish(
        attachment=extra.attachments.get(),
        by=officer,
        redacted_copy=SimpleUploadedFile(f"copy{i}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        redaction_note=f"Names taken out {i}",
    )


def _queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    "url",
    [
        "/health-bodies/northby-trust/",
        "/health-bodies/northby-trust/?late=on&year=2025",
        "/health-bodies/northby-trust/record.csv",
        "/health-bodies/northby-trust/record.json",
    ],
)
def test_body_record_query_count_is_constant(client, coded, officer, responder, url):
    _topic_with_document(coded, officer, responder, 0)
    few, response = _queries(client, url)
    if url.endswith("/"):
        assert "copy0.pdf" in response.content.decode() or "late=on" in url
    for i in range(1, 6):
        _topic_with_document(coded, officer, responder, i)
    many, response = _queries(client, url)
    if url.endswith("/") and "late" not in url:
        html = response.content.decode()
        assert "copy5.pdf" in html and "Names taken out 5" in html and "letter5.pdf" not in html
    assert many == few, f"{url}: {few} queries with one topic, {many} with six"
    assert many <= 40


def _programme(area, officer, topics, meeting=None):
    year = meetings.municipal_year_of(timezone.localdate())
    programme = meetings.programme_set(
        partnership=area.partnership, by=officer, year=year, topic_capacity=1
    )
    for n, topic in enumerate(topics):
        meetings.programme_schedule(
            programme=programme,
            by=officer,
            topic=topic,
            meeting=meeting if n == 0 else None,
            reason="PRIVATE-REASON residents asked" if n else "",
        )
    return programme


def _meeting_this_year(area, officer):
    today = timezone.localdate()
    _first, last = meetings.municipal_year_bounds(meetings.municipal_year_of(today))
    meeting = meetings.meeting_create(
        by=officer,
        partnership=area.partnership,
        title="Joint scrutiny meeting",
        date=min(today + dt.timedelta(days=14), last),
        start_time=dt.time(18, 0),
        place="Town Hall",
        confirm=True,
    )
    meetings.agenda_item_add(meeting=meeting, by=officer, title="Waiting times")
    return meeting


def test_work_programmes_dataset_names_only_published_topics(client, coded, officer, responder):
    shown = build_topic(coded, officer, responder, title="Stroke services")
    hidden = build_topic(coded, officer, responder, title="HIDDEN-TOPIC", publish=False)
    meeting = _meeting_this_year(coded, officer)
    programme = _programme(coded, officer, [shown, hidden], meeting)
    rows = json.loads(client.get("/data/work-programmes.json").content)["results"]
    assert [(r["topic_id"], r["topic_title"]) for r in rows] == [(shown.pk, "Stroke services")]
    row = rows[0]
    assert (row["year"], row["topic_capacity"], row["reserved"]) == (programme.year, 1, 0)
    assert row["target_meeting"] is None  # its agenda is not published yet
    meetings.meeting_publish_agenda(meeting=meeting, by=officer)
    cache.clear()
    text = client.get("/data/work-programmes.csv").content.decode()
    assert "Joint scrutiny meeting" in text and meeting.date.isoformat() in text
    assert "HIDDEN-TOPIC" not in text and "PRIVATE-REASON" not in text
