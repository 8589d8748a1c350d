"""Public meetings: published agendas only; exempt items never appear."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from protocols import services as meeting_services
from scrutiny.casework.models import Topic
from tests.api.conftest import build_casework

pytestmark = pytest.mark.django_db


def _meeting(area, officer, title, days_ahead=60, publish=True, topic=None):
    meeting = meeting_services.meeting_create(
        by=officer,
        title=title,
        date=timezone.localdate() + dt.timedelta(days=days_ahead),
        start_time=dt.time(18, 30),
        partnership=area.partnership,
        place="Town Hall",
        confirm=True,
    )
    item = meeting_services.agenda_item_add(
        meeting=meeting, by=officer, title="Stroke services review", topic=topic
    )
    meeting_services.paper_add(
        item=item, by=officer, file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 report")
    )
    meeting_services.agenda_item_add(
        meeting=meeting,
        by=officer,
        title="Staff disciplinary matter",
        exempt=True,
        exempt_paragraph=1,
        public_interest_reason="Information about an individual.",
    )
    if publish:
        meeting_services.meeting_publish_agenda(meeting=meeting, by=officer)
    return meeting


def test_only_published_agendas_and_never_exempt_items(anon_api, area, officer):
    work = build_casework(area, officer)
    shown = _meeting(area, officer, "Joint committee", topic=work.topic)
    hidden = _meeting(area, officer, "Draft agenda", days_ahead=90, publish=False)
    body = anon_api.get("/api/v1/public/meetings/").json()
    assert [m["id"] for m in body["results"]] == [shown.pk]
    [meeting] = body["results"]
    assert [i["title"] for i in meeting["items"]] == ["Stroke services review"]
    [paper] = meeting["items"][0]["papers"]
    assert paper["name"] == "report.pdf"
    assert paper["url"].startswith("/")
    assert b"disciplinary" not in anon_api.get("/api/v1/public/meetings/").content
    # The topic is not yet published, so the item does not link it.
    assert meeting["items"][0]["topic"] is None
    Topic.objects.filter(pk=work.topic.pk).update(published_at=timezone.now())
    item = anon_api.get(f"/api/v1/public/meetings/{shown.pk}/").json()["items"][0]
    assert item["topic"] == {"id": work.topic.pk, "title": work.topic.title}
    assert anon_api.get(f"/api/v1/public/meetings/{hidden.pk}/").status_code == 404


def test_meeting_filters(anon_api, area, officer):
    soon = _meeting(area, officer, "Soon", days_ahead=30)
    later = _meeting(area, officer, "Later", days_ahead=120)
    cut = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    assert [
        m["id"] for m in anon_api.get(f"/api/v1/public/meetings/?date_to={cut}").json()["results"]
    ] == [soon.pk]
    assert [
        m["id"] for m in anon_api.get(f"/api/v1/public/meetings/?date_from={cut}").json()["results"]
    ] == [later.pk]
    mine = anon_api.get(f"/api/v1/public/meetings/?body={area.committee.pk}").json()["results"]
    assert {m["id"] for m in mine} == {soon.pk, later.pk}
    assert (
        anon_api.get(f"/api/v1/public/meetings/?body={area.other_trust.pk}").json()["results"] == []
    )


def test_public_meetings_take_a_fixed_number_of_queries(
    anon_api, area, officer, django_assert_max_num_queries
):
    _meeting(area, officer, "One", days_ahead=30)
    with django_assert_max_num_queries(8):
        assert anon_api.get("/api/v1/public/meetings/").status_code == 200
    for n in range(4):
        _meeting(area, officer, f"More {n}", days_ahead=40 + n)
    with django_assert_max_num_queries(8):
        assert anon_api.get("/api/v1/public/meetings/").json()["count"] == 5
