"""Annual reports (docs/annual-reports.md): the figures against hand-built casework (on time and
late across Christmas), staff and public counts, the draft → published lifecycle, the pages,
the PDF (read back with pypdf) and the open data, isolation between areas, constant queries."""

import csv
import datetime as dt
import io
import json
from types import SimpleNamespace

import pypdf
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from protocols.annual import meeting_figures, report_period
from scrutiny.casework import publication, services
from scrutiny.casework.annual_figures import annual_figures
from scrutiny.casework.models import AnnualReport, AnnualReportState
from scrutiny.web.annual import report_context, report_pdf_bytes
from tests.factories import OrganisationFactory
from tests.scrutiny.casework_setup import SCORES
from workflows.audit import EventType
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db
D = dt.date
YEAR = 2025  # the financial year 1 April 2025 to 31 March 2026
AFTER = D(2026, 6, 1)  # the day the report is read


def _at(day, hour=11):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _topic(area, officer, title, *, publish):
    topic = services.topic_raise(
        by=officer,
        title=title,
        summary="What residents told us",
        body=area.network,
        lead_body=area.network,
    )
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    if publish:
        topic = publication.topic_publish(topic=topic, by=officer)
    return services.topic_request_information(topic=topic, by=officer)


def _ask(topic, officer, recipients):
    requests = [
        services.information_request_draft(
            topic=topic, by=officer, recipient=r, question=f"Question to {r.name}?"
        )
        for r in recipients
    ]
    services.topic_issue_requests(topic=topic, by=officer)
    for r in requests:
        r.refresh_from_db()
    return requests


def _answer(request, officer, day):
    return services.provider_response_record(
        subject=request,
        by=officer,
        channel="letter",
        text="Our answer.",
        outcome="answered",
        received_at=_at(day),
    )


def build_year(area, officer, *, secret_title="Secret maternity review"):
    """Casework of the network in 2025/26: a published topic with three requests issued on
    26 November 2025 (due Wednesday 24 December): the trust answers one on the day and one on
    Monday 29 December (late by one working day: Christmas and Boxing Day are bank holidays,
    then the weekend); the other trust never answers. An unpublished topic with one request,
    answered late. A topic of 2024/25, outside the year."""
    with time_machine.travel(_at(D(2024, 10, 1)), tick=False):
        _topic(area, officer, "Last year's topic", publish=True)
    with time_machine.travel(_at(D(2025, 11, 26)), tick=False):
        public = _topic(area, officer, "Hospital discharge", publish=True)
        on_time, late, unanswered = _ask(
            public, officer, [area.trust, area.trust, area.other_trust]
        )
        secret = _topic(area, officer, secret_title, publish=False)
        (hidden,) = _ask(secret, officer, [area.trust])
    with time_machine.travel(_at(D(2026, 1, 15)), tick=False):
        _answer(on_time, officer, D(2025, 12, 24))
        _answer(late, officer, D(2025, 12, 29))
        _answer(hidden, officer, D(2026, 1, 14))
    return SimpleNamespace(
        public=public,
        secret=secret,
        on_time=on_time,
        late=late,
        unanswered=unanswered,
        hidden=hidden,
    )


def _report(area, officer, body=None, year=YEAR):
    body = body or area.network
    starts_on, ends_on = report_period(body, year)
    return services.annual_report_start(
        body=body, year=year, starts_on=starts_on, ends_on=ends_on, by=officer
    )


def _published(report, officer, text="We listened to 400 residents this year."):
    section = report.sections.order_by("position").first()
    services.annual_report_section_save(
        report=report, by=officer, section=section, heading=section.heading, text=text
    )
    return services.annual_report_publish(report=report, by=officer)


# --- the figures ---------------------------------------------------------------------------


def test_requests_on_time_and_late_across_christmas(area, officer):
    work = build_year(area, officer)
    assert work.on_time.due_on == D(2025, 12, 24)  # 20 working days after 26 November
    start, end = report_period(area.network, YEAR)
    assert (start, end) == (D(2025, 4, 1), D(2026, 3, 31))
    with time_machine.travel(_at(AFTER), tick=False):
        staff = annual_figures(area.network, start, end, public=False)
    lines = {line.pk: line for line in staff.requests}
    assert set(lines) == {work.on_time.pk, work.late.pk, work.unanswered.pk, work.hidden.pk}
    assert (lines[work.on_time.pk].on_time, lines[work.on_time.pk].working_days_late) == (True, 0)
    assert (lines[work.late.pk].on_time, lines[work.late.pk].working_days_late) == (False, 1)
    assert lines[work.late.pk].promptness == "Answered 1 working day late"
    # Never answered: overdue at the year's end, 31 March 2026, by the working days after
    # 24 December (29-31 Dec: 3; January less New Year's Day: 21; February: 20; March: 22).
    assert lines[work.unanswered.pk].on_time is None
    assert lines[work.unanswered.pk].working_days_late == 66
    # The unpublished topic's request, 14 January against 24 December: 12 working days late
    # (29-31 December, 2 January, 5-9 and 12-14 January).
    assert lines[work.hidden.pk].working_days_late == 12
    by_body = {p.name: p for p in staff.promptness}
    trust = by_body["Northby Hospitals NHS Trust"]
    assert (trust.asked, trust.on_time, trust.late, trust.late_days, trust.most_late) == (
        3,
        1,
        2,
        13,
        12,
    )
    other = by_body["Southby Care NHS Trust"]
    assert (other.asked, other.unanswered, other.overdue) == (1, 1, 1)
    assert [t.title for t in staff.topics_taken_up] == [
        "Hospital discharge",
        "Secret maternity review",
    ]


def test_public_figures_count_only_published_topics(area, officer):
    work = build_year(area, officer)
    start, end = report_period(area.network, YEAR)
    with time_machine.travel(_at(AFTER), tick=False):
        public = annual_figures(area.network, start, end, public=True)
    assert {line.pk for line in public.requests} == {
        work.on_time.pk,
        work.late.pk,
        work.unanswered.pk,
    }
    assert [t.title for t in public.topics_taken_up] == ["Hospital discharge"]
    trust = {p.name: p for p in public.promptness}["Northby Hospitals NHS Trust"]
    assert (trust.asked, trust.late, trust.late_days) == (2, 1, 1)
    assert ("information requests", "issued", 3) in public.rows()


def test_an_unanswered_request_not_yet_due_is_not_late(area, officer):
    work = build_year(area, officer)
    start, end = report_period(area.network, YEAR)
    # Read on 10 December 2025, the year under way: not due until 24 December.
    figures = annual_figures(area.network, start, end, public=False, today=D(2025, 12, 10))
    line = {line.pk: line for line in figures.requests}[work.unanswered.pk]
    assert (line.on_time, line.working_days_late) == (None, 0)
    assert line.promptness == "Not answered yet: not due"


def test_the_committees_year_is_the_municipal_year(area):
    start, end = report_period(area.committee, 2025)
    assert start.month == 5 and start.year == 2025
    assert end == report_period(area.committee, 2026)[0] - dt.timedelta(days=1)


def test_meetings_held_and_attendance(area, osc_officer):
    from protocols import services as protocol_services
    from protocols.models import Attendance

    start, end = report_period(area.committee, 2025)
    day = start + dt.timedelta(days=60)
    with time_machine.travel(_at(day - dt.timedelta(days=20)), tick=False):
        meeting = protocol_services.meeting_create(
            by=osc_officer,
            body=area.committee,
            title="Health scrutiny",
            date=day,
            start_time=dt.time(18),
            place="Town Hall",
            confirm=True,
        )
    with time_machine.travel(_at(day + dt.timedelta(days=1)), tick=False):
        meeting = protocol_services.meeting_mark_held(meeting=meeting, by=osc_officer)
    Attendance.objects.create(meeting=meeting, name="Cllr Able", status="present")
    Attendance.objects.create(meeting=meeting, name="Cllr Baker", status="apologies")
    figures = meeting_figures(area.committee, start, end, public=False)
    assert figures.held == 1
    assert [(p.name, p.attended, p.apologies) for p in figures.people] == [
        ("Cllr Able", 1, 0),
        ("Cllr Baker", 0, 1),
    ]
    assert figures.attendance_rate == 50
    # The public count waits for the agenda and the minutes to be published.
    assert meeting_figures(area.committee, start, end, public=True).held == 0


def test_figures_and_pages_take_a_constant_number_of_queries(client, area, officer):
    def count():
        report = AnnualReport.objects.select_related("body").get(body=area.network, year=YEAR)
        counts = []
        for public in (False, True):
            with (
                time_machine.travel(_at(AFTER), tick=False),
                CaptureQueriesContext(connection) as q,
            ):
                report_context(report, public=public)
            counts.append(len(q))
        with time_machine.travel(_at(AFTER), tick=True):
            client.force_login(officer)
            for url in (report.get_absolute_url(), None, report.get_public_url()):
                if url is None:
                    client.logout()  # the public page as a visitor sees it
                    continue
                with CaptureQueriesContext(connection) as q:
                    assert client.get(url).status_code == 200
                counts.append(len(q))
        return counts

    build_year(area, officer)
    _published(_report(area, officer), officer)
    small = count()
    # Three times the casework, and a third health body asked.
    build_year(area, officer, secret_title="Second secret")
    build_year(area, officer, secret_title="Third secret")
    with time_machine.travel(_at(D(2025, 11, 27)), tick=False):
        icb = OrganisationFactory(name="Northby ICB", slug="northby-icb")
        _ask(_topic(area, officer, "Commissioning", publish=True), officer, [icb])
    assert count() == small
    assert small[0] <= 16 and small[1] <= 16  # the figures: about a dozen queries each


# --- the lifecycle -------------------------------------------------------------------------


def test_draft_then_published_with_audit_events(area, officer):
    report = _report(area, officer)
    assert report.state == AnnualReportState.DRAFT
    assert report.title == "Northby LINk: annual report 2025/26"
    assert report.sections.count() == 4
    with pytest.raises(InvalidInput, match="at least one section"):
        services.annual_report_publish(report=report, by=officer)
    report = _published(report, officer)
    assert report.state == AnnualReportState.PUBLISHED and report.published_at
    types = list(
        AuditEvent.objects.filter(object_id=report.pk, content_type__model="annualreport")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert types == [
        EventType.ANNUAL_REPORT_STARTED,
        EventType.ANNUAL_REPORT_EDITED,
        EventType.ANNUAL_REPORT_PUBLISHED,
    ]
    section = report.sections.first()
    with pytest.raises(Conflict):
        services.annual_report_section_save(
            report=report, by=officer, section=section, heading="New", text="Changed"
        )
    with pytest.raises(Conflict):
        services.annual_report_publish(report=report, by=officer)


def test_one_report_a_year_and_only_the_bodys_officers(area, officer, other_officer, member):
    _report(area, officer)
    with pytest.raises(Conflict):
        _report(area, officer)
    with pytest.raises(Forbidden):
        _report(area, other_officer)
    with pytest.raises(Forbidden):
        _report(area, member, body=area.committee)
    with pytest.raises(InvalidInput):
        services.annual_report_start(
            body=area.trust,
            year=YEAR,
            starts_on=D(2025, 4, 1),
            ends_on=D(2026, 3, 31),
            by=officer,
        )
    with pytest.raises(InvalidInput):
        services.annual_report_start(
            body=area.network,
            year=YEAR,
            starts_on=D(2025, 4, 1),
            ends_on=D(2025, 6, 30),
            by=officer,
        )
    future = timezone.localdate().year + 1
    with pytest.raises(InvalidInput, match="not started"):
        services.annual_report_start(
            body=area.network,
            year=future,
            starts_on=D(future, 4, 1),
            ends_on=D(future + 1, 3, 31),
            by=officer,
        )


# --- the pages -----------------------------------------------------------------------------


def test_staff_pages_start_write_and_publish(client, area, officer):
    client.force_login(officer)
    assert client.get("/reporting/annual/").status_code == 200
    page = client.get("/reporting/annual/new/")
    assert page.status_code == 200
    bad = client.post("/reporting/annual/new/", {"body": area.network.pk, "year": "1990"})
    assert bad.status_code == 400 and "Choose a year listed" in bad.content.decode()
    done = client.post("/reporting/annual/new/", {"body": area.network.pk, "year": YEAR})
    report = AnnualReport.objects.get(body=area.network, year=YEAR)
    assert done.status_code == 302 and done["Location"] == report.get_absolute_url()
    section = report.sections.order_by("position").first()
    url = f"/reporting/annual/{report.pk}/sections/{section.pk}/"
    assert client.get(url).status_code == 200
    empty = client.post(url, {"heading": "", "text": "Kept text"})
    assert empty.status_code == 400 and "Kept text" in empty.content.decode()
    client.post(url, {"heading": "Foreword", "text": "A year of listening."})
    added = client.post(
        f"/reporting/annual/{report.pk}/sections/new/", {"heading": "Thanks", "text": "To all."}
    )
    assert added.status_code == 302
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "A year of listening." in detail and "including topics that are not published" in detail
    assert client.post(f"/reporting/annual/{report.pk}/publish/").status_code == 302
    report.refresh_from_db()
    assert report.state == AnnualReportState.PUBLISHED
    # Once published, the narrative is fixed: the edit page leads back to the report.
    assert client.get(url).status_code == 302


def test_public_pages_show_only_published_reports_and_topics(client, area, officer):
    work = build_year(area, officer)
    draft = _report(area, officer)
    assert client.get("/annual-reports/").status_code == 200
    for suffix in ("", "report.pdf", "figures.csv", "figures.json"):
        assert client.get(f"/annual-reports/{draft.pk}/{suffix}").status_code == 404
    report = _published(draft, officer)
    with time_machine.travel(_at(AFTER), tick=True):
        listing = client.get("/annual-reports/").content.decode()
        page = client.get(f"/annual-reports/{report.pk}/").content.decode()
        data = json.loads(client.get(f"/annual-reports/{report.pk}/figures.json").content)
        rows = list(
            csv.reader(
                io.StringIO(client.get(f"/annual-reports/{report.pk}/figures.csv").content.decode())
            )
        )
    assert report.title in listing
    assert "We listened to 400 residents" in page
    assert "Hospital discharge" in page
    assert work.secret.title not in page
    assert "1 working day late" in page
    figures = {(f["section"], f["measure"]): f["value"] for f in data["figures"]}
    assert figures[("information requests", "issued")] == 3
    assert figures[("topics", "taken up")] == 1
    assert data["counts"] == "published topics only"
    assert rows[0] == ["section", "measure", "value"]
    assert ["information requests", "answered late", "1"] in rows
    assert work.secret.title not in json.dumps(data)


def test_the_pdf_is_tagged_and_has_the_headings(area, officer):
    build_year(area, officer)
    report = _published(_report(area, officer), officer)
    with time_machine.travel(_at(AFTER), tick=True):
        pdf = report_pdf_bytes(report, report_context(report, public=True))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for heading in (
        "Annual report 2025/26",
        "Foreword",
        "The year in figures",
        "Topics taken up and concluded",
        "Information requests and how promptly health bodies answered",
        "Recommendations, responses and implementation",
        "Enter and View visits",
        "Meetings and attendance",
    ):
        assert heading in text
    assert "Hospital discharge" in text  # a published topic is named; the other is not
    assert "Secret maternity review" not in text
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"


def test_staff_downloads_count_all_the_work(client, area, officer):
    work = build_year(area, officer)
    report = _report(area, officer)
    client.force_login(officer)
    with time_machine.travel(_at(AFTER), tick=True):
        data = json.loads(client.get(f"/reporting/annual/{report.pk}/figures.json").content)
        pdf = client.get(f"/reporting/annual/{report.pk}/report.pdf")
    figures = {(f["section"], f["measure"]): f["value"] for f in data["figures"]}
    assert figures[("information requests", "issued")] == 4
    assert pdf["Content-Type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())  # cells wrap lines
    assert work.secret.title in text


ROLES = ["officer", "osc_officer", "member", "chair", "responder", "other_officer", "anonymous"]
# role: (the network's report, the committee's report); None: the body's own (200).
REPORT_ACCESS = {
    "officer": (200, 404),
    "osc_officer": (404, 200),
    "member": (404, 200),
    "chair": (404, 200),
    "responder": (403, 403),
    "other_officer": (404, 404),
    "anonymous": (302, 302),
}


@pytest.mark.parametrize("role", ROLES)
def test_isolation_across_bodies_and_areas(client, request, area, officer, osc_officer, role):
    reports = (_report(area, officer), _report(area, osc_officer, body=area.committee))
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for report, expected in zip(reports, REPORT_ACCESS[role], strict=True):
        base = f"/reporting/annual/{report.pk}/"
        section = report.sections.first()
        for url in (
            base,
            f"{base}report.pdf",
            f"{base}figures.csv",
            f"{base}figures.json",
            f"{base}sections/{section.pk}/",
            f"{base}sections/new/",
        ):
            status = client.get(url).status_code
            if expected == 200 and role in ("member", "chair") and "sections" in url:
                assert status == 403, url  # members read the report; officers write it
            else:
                assert status == expected, url
        listing = client.get("/reporting/annual/")
        if listing.status_code == 200:
            assert (report.title in listing.content.decode()) is (expected == 200)
    # Publishing is the body's officers' only; nobody else learns the report exists.
    network_report = reports[0]
    network_report.sections.update(text="Written.")
    status = client.post(f"/reporting/annual/{network_report.pk}/publish/").status_code
    assert status == {"officer": 302, "responder": 403, "anonymous": 302}.get(role, 404)
    network_report.refresh_from_db()
    assert (network_report.state == AnnualReportState.PUBLISHED) is (role == "officer")
