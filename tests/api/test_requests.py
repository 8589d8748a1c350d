"""Information requests and responses to them through the API."""

import datetime as dt
import json

import pytest
import time_machine

from scrutiny.casework.models import ProviderResponse, RequestState
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(path):
    return f"/api/v1/{path}"


def test_lists_only_issued_requests_addressed_to_my_body(api, casework):
    resp = api.get(url("information-requests/"))
    assert resp.status_code == 200
    ids = [r["id"] for r in resp.json()["results"]]
    assert ids == [casework.req.pk]


def test_detail_carries_question_due_date_and_its_explanation(api, casework):
    body = api.get(url(f"information-requests/{casework.req.pk}/")).json()
    assert body["question"] == "How many stroke beds?"
    assert body["due_on"] == "2027-01-20"
    assert body["due_explanation"] == (
        "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 20 Jan 2027"
    )
    assert body["state"] == "issued"
    assert body["recipient"]["slug"] == "northby-trust"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("state=issued", True),
        ("state=answered", False),
        ("due_before=2027-01-20", True),
        ("due_before=2027-01-19", False),
        ("due_after=2027-01-20", True),
        ("due_after=2027-01-21", False),
    ],
)
def test_filters(api, casework, query, expected):
    resp = api.get(url(f"information-requests/?{query}"))
    assert resp.status_code == 200
    assert bool(resp.json()["results"]) is expected


def test_filter_by_topic(api, casework, area, officer):
    from tests.api.conftest import build_casework

    second = build_casework(area, officer, title="Maternity", on=dt.date(2027, 1, 4))
    resp = api.get(url(f"information-requests/?topic={second.topic.pk}"))
    assert [r["id"] for r in resp.json()["results"]] == [second.req.pk]
    resp = api.get(url("information-requests/"))
    assert [r["id"] for r in resp.json()["results"]] == [casework.req.pk, second.req.pk]


@pytest.mark.parametrize(
    "query", ["state=draft", "state=nonsense", "due_before=yesterday", "topic=abc", "topic=0"]
)
def test_bad_filters_are_a_400_problem(api, casework, query):
    resp = api.get(url(f"information-requests/?{query}"))
    assert resp.status_code == 400
    assert resp["Content-Type"] == "application/problem+json"
    assert resp.json()["errors"]


def test_answer_on_time(api, casework):
    with time_machine.travel(dt.datetime(2027, 1, 20, 12, tzinfo=dt.UTC), tick=False):
        resp = api.post(
            url(f"information-requests/{casework.req.pk}/responses/"),
            {"outcome": "answered", "text": "40 beds"},
            format="json",
        )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["on_time"] is True
    assert body["working_days_late"] == 0
    assert body["channel"] == "api"
    casework.req.refresh_from_db()
    assert casework.req.state == RequestState.ANSWERED


def test_a_late_response_carries_working_days_late(api, casework):
    # Due Wed 20 Jan 2027; answered Mon 25 Jan: Thu, Fri, Mon = 3 working days late.
    with time_machine.travel(dt.datetime(2027, 1, 25, 12, tzinfo=dt.UTC), tick=False):
        resp = api.post(
            url(f"information-requests/{casework.req.pk}/responses/"),
            {"outcome": "partially_answered", "text": "Some of it"},
            format="json",
        )
    assert resp.status_code == 201
    assert resp.json()["on_time"] is False
    assert resp.json()["working_days_late"] == 3
    assert resp.json()["lateness"] == "3 working days late"
    log = api.get(url("responses/")).json()["results"]
    assert log[0]["working_days_late"] == 3


def test_refusal_needs_a_ground(api, casework):
    path = url(f"information-requests/{casework.req.pk}/responses/")
    resp = api.post(path, {"outcome": "refused", "text": "No"}, format="json")
    assert resp.status_code == 400
    assert "refusal_ground" in resp.json()["errors"]
    resp = api.post(
        path,
        {"outcome": "refused", "text": "No", "refusal_ground": "confidential_personal"},
        format="json",
    )
    assert resp.status_code == 201
    assert resp.json()["refusal_ground"] == "confidential_personal"


def test_a_correction_supersedes_and_the_first_stays_in_the_log(api, casework):
    path = url(f"information-requests/{casework.req.pk}/responses/")
    first = api.post(path, {"outcome": "answered", "text": "40 beds"}, format="json").json()
    second = api.post(
        path,
        {
            "outcome": "answered",
            "text": "42 beds",
            "supersedes": first["id"],
            "correction_reason": "Two beds were missed.",
        },
        format="json",
    )
    assert second.status_code == 201
    assert second.json()["supersedes"] == first["id"]
    assert second.json()["correction_reason"] == "Two beds were missed."
    log = api.get(url("responses/")).json()["results"]
    assert [r["id"] for r in log] == [first["id"], second.json()["id"]]
    assert log[0]["superseded_by"] == second.json()["id"]
    again = api.post(
        path,
        {"outcome": "answered", "text": "43", "supersedes": first["id"], "correction_reason": "x"},
        format="json",
    )
    # The first answer is no longer current: correcting it again is a conflict.
    assert again.status_code == 409
    assert "already been superseded" in again.json()["detail"]


def test_supersedes_must_be_a_response_to_the_same_request(api, casework):
    rec_resp = api.post(
        url(f"recommendations/{casework.rec.pk}/responses/"),
        {"outcome": "noted", "text": "Noted"},
        format="json",
    ).json()
    resp = api.post(
        url(f"information-requests/{casework.req.pk}/responses/"),
        {
            "outcome": "answered",
            "text": "x",
            "supersedes": rec_resp["id"],
            "correction_reason": "Wrong one",
        },
        format="json",
    )
    assert resp.status_code == 400
    assert "supersedes" in resp.json()["errors"]


def test_multipart_with_a_pdf_attachment(api, casework):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("beds.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    resp = api.post(
        url(f"information-requests/{casework.req.pk}/responses/"),
        {"outcome": "answered", "text": "See the attached", "attachments": [pdf]},
        format="multipart",
    )
    assert resp.status_code == 201, resp.json()
    [att] = resp.json()["attachments"]
    assert att["name"] == "beds.pdf"
    assert att["content_type"] == "application/pdf"


@pytest.mark.parametrize(
    "name, content, field",
    [
        ("beds.exe", b"MZ\x90\x00", "attachments"),
        ("beds.pdf", b"not a pdf at all", "attachments"),
    ],
)
def test_wrong_attachments_are_refused_and_nothing_is_logged(api, casework, name, content, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = (ProviderResponse.objects.count(), AuditEvent.objects.count())
    resp = api.post(
        url(f"information-requests/{casework.req.pk}/responses/"),
        {"outcome": "answered", "text": "x", "attachments": [SimpleUploadedFile(name, content)]},
        format="multipart",
    )
    assert resp.status_code == 400
    assert resp["Content-Type"] == "application/problem+json"
    assert field in resp.json()["errors"]
    assert (ProviderResponse.objects.count(), AuditEvent.objects.count()) == before
    casework.req.refresh_from_db()
    assert casework.req.state == RequestState.ISSUED


def test_responding_to_a_withdrawn_request_is_a_409(api, casework, officer):
    from scrutiny.casework.services import information_request_withdraw

    information_request_withdraw(request=casework.req, by=officer, reason="No longer needed")
    resp = api.post(
        url(f"information-requests/{casework.req.pk}/responses/"),
        {"outcome": "answered", "text": "x"},
        format="json",
    )
    assert resp.status_code == 409
    assert resp.json()["current_state"] == "withdrawn"


def test_json_body_must_be_an_object(api, casework):
    resp = api.post(
        url(f"information-requests/{casework.req.pk}/responses/"),
        json.dumps(["answered"]),
        content_type="application/json",
    )
    assert resp.status_code == 400
