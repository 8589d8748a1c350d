import datetime as dt
import re

from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.health_body_record import Record, health_body_record, record_chart_svg
from tests.public.builders import build_topic


def test_record_counts_public_items_and_first_answers(area, officer, responder):
    today = timezone.localdate()
    # On time: issued today, answered today (request and recommendation).
    build_topic(area, officer, responder)
    # Late: issued 70 days ago, answered now.
    late = build_topic(area, officer, responder, issued_on=today - dt.timedelta(days=70))
    # Overdue without an answer.
    waiting = build_topic(area, officer, responder, target="information_requested")
    services.topic_issue_requests(topic=waiting, by=officer, on=today - dt.timedelta(days=70))
    # Not published: does not count.
    build_topic(area, officer, responder, publish=False)

    record = health_body_record(area.trust)
    late_days = late.requests.get().responses.get().working_days_late
    assert record.requests_received == 3
    assert record.recommendations_received == 2
    assert record.answered_on_time == 2
    assert record.answered_late == 2
    assert record.overdue_unanswered == 1
    assert record.on_time_share == round(100 * 2 / 5)
    assert record.median_days_late >= 1
    assert min(record.late_histogram) == min(
        late_days, late.recommendations.get().responses.get().working_days_late
    )
    assert record.outcomes["accepted"] == 2
    assert health_body_record(area.other_trust).requests_received == 0


def test_a_late_correction_does_not_make_an_on_time_answer_late(area, officer, responder):
    topic = build_topic(area, officer, responder, target="response_due")
    req = topic.requests.get()
    services.provider_response_record(
        subject=req,
        by=responder,
        channel="api",
        text="Corrected",
        outcome="answered",
        supersedes=req.responses.get(),
        correction_reason="Corrected",
    )
    record = health_body_record(area.trust)
    assert (record.answered_on_time, record.answered_late) == (1, 0)


def test_chart_is_an_accessible_svg_with_every_figure():
    record = Record(requests_received=4, recommendations_received=2, answered_on_time=3)
    svg = str(record_chart_svg(record, chart_id="c"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">' in svg and '<desc id="c-desc">' in svg
    for label, value in record.rows():
        assert f"{label}: {value}" in svg
    widths = [int(w) for w in re.findall(r'width="(\d+)" height', svg)]
    assert max(widths) == widths[0]  # the largest figure has the longest bar
    assert widths[3] == 0 or widths[3] < widths[0]


def test_empty_record_reads_sensibly():
    record = Record()
    assert record.on_time_share is None and record.on_time_share_text == "Nothing due yet"
    assert record.median_days_late_text == "None late"
    assert "<svg" in str(record_chart_svg(record))


def test_health_body_page_has_chart_and_table(client, area, officer, responder):
    topic = build_topic(area, officer, responder, title="Stroke services")
    page = client.get(f"/health-bodies/{area.trust.slug}/").content.decode()
    assert 'role="img"' in page and "govuk-table" in page
    assert "Information requests received" in page
    assert "Stroke services" in page and f"/outcomes/{topic.pk}/" in page
    listing = client.get("/health-bodies/").content.decode()
    assert f"/health-bodies/{area.trust.slug}/" in listing


def test_only_health_bodies_have_record_pages(client, area):
    assert client.get(f"/health-bodies/{area.network.slug}/").status_code == 404
    assert client.get("/health-bodies/no-such-body/").status_code == 404
