"""Conventions: idempotency, problem+json for bad input, immutability, ETags, throttling,
pagination, recommendations and implementation updates."""

import datetime as dt
import json

import pytest
from django.test import override_settings

from api.models import IdempotencyRecord
from scrutiny.casework.models import ActionPlanItem, ImplementationUpdate, ProviderResponse
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def counts():
    return (
        ProviderResponse.objects.count(),
        AuditEvent.objects.count(),
        ActionPlanItem.objects.count(),
        ImplementationUpdate.objects.count(),
    )


# --- Idempotency ---------------------------------------------------------------------------------


def test_same_key_same_body_replays_and_logs_nothing_new(api, casework):
    path = f"/api/v1/information-requests/{casework.req.pk}/responses/"
    body = {"outcome": "answered", "text": "40 beds"}
    first = api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201
    after_first = counts()
    again = api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert counts() == after_first


def test_same_key_with_keys_in_another_order_is_the_same_body(api, casework):
    path = f"/api/v1/information-requests/{casework.req.pk}/responses/"
    api.post(
        path,
        '{"outcome": "answered", "text": "40"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    again = api.post(
        path,
        '{"text": "40", "outcome": "answered"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert again.status_code == 201
    assert ProviderResponse.objects.count() == 1


def test_same_key_different_body_is_422(api, casework):
    path = f"/api/v1/information-requests/{casework.req.pk}/responses/"
    api.post(path, {"outcome": "answered", "text": "40"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    before = counts()
    resp = api.post(
        path, {"outcome": "answered", "text": "41"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert resp.status_code == 422
    assert resp["Content-Type"] == "application/problem+json"
    assert resp.json()["type"].endswith("/idempotency-key-reused/")
    assert counts() == before


def test_same_key_on_another_subject_is_422(api, casework):
    body = {"outcome": "noted", "text": "Noted"}
    api.post(
        f"/api/v1/recommendations/{casework.rec.pk}/responses/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    resp = api.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        {"outcome": "answered", "text": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert resp.status_code == 422


def test_keys_are_per_api_key_not_shared_between_bodies(api, other_api, casework):
    api.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        {"outcome": "answered", "text": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    resp = other_api.post(
        f"/api/v1/information-requests/{casework.other_req.pk}/responses/",
        {"outcome": "answered", "text": "y"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert resp.status_code == 201
    assert IdempotencyRecord.objects.count() == 2


def test_a_failed_request_records_no_key_and_may_be_retried_fixed(api, casework):
    path = f"/api/v1/information-requests/{casework.req.pk}/responses/"
    bad = api.post(path, {"outcome": "answered"}, format="json", HTTP_IDEMPOTENCY_KEY="retry")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = api.post(
        path, {"outcome": "answered", "text": "ok"}, format="json", HTTP_IDEMPOTENCY_KEY="retry"
    )
    assert good.status_code == 201


def test_idempotent_multipart_with_the_same_file(api, casework):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = f"/api/v1/information-requests/{casework.req.pk}/responses/"

    def post(content):
        return api.post(
            path,
            {
                "outcome": "answered",
                "text": "Attached",
                "attachments": [SimpleUploadedFile("a.txt", content)],
            },
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="files",
        )

    assert post(b"hello").status_code == 201
    assert post(b"hello").status_code == 201
    assert ProviderResponse.objects.count() == 1
    assert post(b"changed").status_code == 422


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_a_bad_idempotency_key_is_400(api, casework, key):
    resp = api.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        {"outcome": "answered", "text": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert resp.status_code == 400
    assert "Idempotency-Key" in resp.json()["errors"]


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, content_type, status, field",
    [
        ('{"outcome": "answered", "text": ', "application/json", 400, None),
        ("not json", "application/json", 400, None),
        ('{"outcome": "answered", "text": NaN}', "application/json", 400, None),
        ('{"outcome": "answered", "text": ["a"]}', "application/json", 400, "text"),
        ('{"outcome": 5, "text": "x"}', "application/json", 400, "outcome"),
        (
            '{"outcome": "answered", "text": "x", "state": "answered"}',
            "application/json",
            400,
            "state",
        ),
        (
            '{"outcome": "answered", "text": "x", "channel": "letter"}',
            "application/json",
            400,
            "channel",
        ),
        (
            '{"outcome": "answered", "text": "x", "supersedes": "abc"}',
            "application/json",
            400,
            "supersedes",
        ),
        (
            '{"outcome": "answered", "text": "x", "supersedes": 99999999999999999999}',
            "application/json",
            400,
            "supersedes",
        ),
        ('{"outcome": "answered", "text": "   "}', "application/json", 400, "text"),
        ("outcome=answered&text=x", "application/x-www-form-urlencoded", 415, None),
        ("outcome: answered", "text/plain", 415, None),
        (b'{"outcome": "answered", "text": "\xff"}', "application/json", 400, None),
    ],
)
def test_bad_input_is_a_4xx_problem_and_nothing_is_logged(
    api, casework, raw, content_type, status, field
):
    before = counts()
    resp = api.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        raw,
        content_type=content_type,
    )
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"] == "application/problem+json"
    problem = resp.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"] and problem["type"].startswith("http")
    if field:
        assert field in problem["errors"]
    assert counts() == before


def test_unknown_fields_in_an_action_plan_item_are_refused(api, casework):
    resp = api.post(
        f"/api/v1/recommendations/{casework.rec.pk}/responses/",
        {
            "outcome": "accepted",
            "text": "Yes",
            "action_plan": [{"action": "A", "owner": "B", "target_date": "2027-01-01", "cost": 5}],
        },
        format="json",
    )
    assert resp.status_code == 400
    assert "action_plan[0].cost" in resp.json()["errors"]


def test_an_oversized_json_body_is_413(api, casework):
    before = counts()
    resp = api.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        json.dumps({"outcome": "answered", "text": "x" * (1024 * 1024 + 10)}),
        content_type="application/json",
    )
    assert resp.status_code == 413
    assert resp["Content-Type"] == "application/problem+json"
    assert counts() == before


def test_an_oversized_multipart_body_is_413(api, casework, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from api import parsers

    monkeypatch.setattr(parsers, "MAX_MULTIPART_BYTES", 2048)
    resp = api.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        {
            "outcome": "answered",
            "text": "x",
            "attachments": [SimpleUploadedFile("a.txt", b"a" * 4096)],
        },
        format="multipart",
    )
    assert resp.status_code == 413
    assert ProviderResponse.objects.count() == 0


def test_an_oversized_attachment_is_400(api, casework, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    import scrutiny.casework.uploads

    monkeypatch.setattr(scrutiny.casework.uploads, "MAX_UPLOAD_BYTES", 100)
    resp = api.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        {
            "outcome": "answered",
            "text": "x",
            "attachments": [SimpleUploadedFile("a.txt", b"a" * 200)],
        },
        format="multipart",
    )
    assert resp.status_code == 400
    assert "attachments" in resp.json()["errors"]
    assert ProviderResponse.objects.count() == 0


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["responses/{response}/", "information-requests/{req}/", "recommendations/{rec}/"]
)
def test_responses_and_subjects_are_immutable_through_the_api(
    api, casework, responder, method, path
):
    from scrutiny.casework.services import provider_response_record

    response = provider_response_record(
        subject=casework.req, by=responder, channel="api", text="40", outcome="answered"
    )
    url = "/api/v1/" + path.format(response=response.pk, req=casework.req.pk, rec=casework.rec.pk)
    resp = getattr(api, method)(url, {"text": "changed"}, format="json")
    assert resp.status_code == 405
    assert resp["Content-Type"] == "application/problem+json"
    response.refresh_from_db()
    assert response.text == "40"


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/information-requests/1.5/"])
def test_unknown_api_paths_are_problem_404s(api, path):
    resp = api.get(path)
    assert resp.status_code == 404
    assert resp["Content-Type"] == "application/problem+json"


def test_huge_ids_are_404_not_500(api, casework):
    assert api.get("/api/v1/information-requests/99999999999999999999999/").status_code == 404
    assert api.get("/api/v1/information-requests/?topic=99999999999999999999999").status_code == 400


# --- Recommendations ------------------------------------------------------------------------------


def test_respond_to_a_recommendation_with_an_action_plan_then_report_progress(api, casework):
    resp = api.post(
        f"/api/v1/recommendations/{casework.rec.pk}/responses/",
        {
            "outcome": "partially_accepted",
            "text": "We will keep the unit open on weekdays.",
            "action_plan": [
                {"action": "Weekday rota", "owner": "Medical director", "target_date": "2027-04-01"}
            ],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["action_plan"] == [
        {"action": "Weekday rota", "owner": "Medical director", "target_date": "2027-04-01"}
    ]
    slipped = api.post(
        f"/api/v1/recommendations/{casework.rec.pk}/implementation-updates/",
        {"status": "slipped"},
        format="json",
    )
    assert slipped.status_code == 400
    assert "revised_date" in slipped.json()["errors"]
    update = api.post(
        f"/api/v1/recommendations/{casework.rec.pk}/implementation-updates/",
        {"status": "slipped", "revised_date": "2027-06-30", "note": "Recruitment"},
        format="json",
    )
    assert update.status_code == 201
    assert update.json()["channel"] == "api"
    detail = api.get(f"/api/v1/recommendations/{casework.rec.pk}/").json()
    assert detail["state"] == "responded"
    assert detail["outcome"] == "partially_accepted"
    assert detail["implementation_status"] == "slipped"
    assert detail["implementation_revised_date"] == "2027-06-30"
    assert len(detail["implementation_updates"]) == 1


def test_multipart_action_plan_travels_as_json(api, casework):
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = api.post(
        f"/api/v1/recommendations/{casework.rec.pk}/responses/",
        {
            "outcome": "accepted",
            "text": "Yes",
            "action_plan": json.dumps([{"action": "A", "owner": "B", "target_date": "2027-01-31"}]),
            "attachments": [SimpleUploadedFile("plan.txt", b"The plan")],
        },
        format="multipart",
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["action_plan"][0]["owner"] == "B"
    bad = api.post(
        f"/api/v1/recommendations/{casework.rec.pk}/responses/",
        {"outcome": "accepted", "text": "Yes", "action_plan": "[{"},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "action_plan" in bad.json()["errors"]


def test_implementation_updates_need_an_accepted_recommendation(api, casework):
    resp = api.post(
        f"/api/v1/recommendations/{casework.rec.pk}/implementation-updates/",
        {"status": "on_track"},
        format="json",
    )
    assert resp.status_code == 400
    assert ImplementationUpdate.objects.count() == 0


# --- ETags, pagination, throttling ---------------------------------------------------------


def test_etag_and_if_none_match(api, casework, responder):
    from scrutiny.casework.services import provider_response_record

    first = api.get("/api/v1/information-requests/")
    etag = first["ETag"]
    assert etag.startswith('"')
    unchanged = api.get("/api/v1/information-requests/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == etag
    assert unchanged.content == b""
    provider_response_record(
        subject=casework.req, by=responder, channel="api", text="40", outcome="answered"
    )
    changed = api.get("/api/v1/information-requests/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_pagination(api, area, officer):
    from tests.api.conftest import build_casework

    for i in range(3):
        build_casework(area, officer, title=f"Topic {i}", on=dt.date(2027, 1, 4 + i))
    page = api.get("/api/v1/information-requests/?page_size=2").json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    last = api.get("/api/v1/information-requests/?page_size=2&page=2").json()
    assert len(last["results"]) == 1
    assert api.get("/api/v1/information-requests/?page=9").status_code == 404


def test_throttled_per_key_with_retry_after(api, other_api, casework, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/min", "api_user": "3/min", "api_public": "3/min"},
    }
    for _ in range(3):
        assert api.get("/api/v1/information-requests/").status_code == 200
    resp = api.get("/api/v1/information-requests/")
    assert resp.status_code == 429
    assert resp["Content-Type"] == "application/problem+json"
    assert 0 < int(resp["Retry-After"]) <= 60
    # Another body's key has its own allowance.
    assert other_api.get("/api/v1/information-requests/").status_code == 200


@pytest.mark.parametrize("listing", ["information-requests", "recommendations", "responses"])
def test_lists_take_a_fixed_number_of_queries(
    api, area, officer, responder, listing, django_assert_max_num_queries
):
    from scrutiny.casework.services import provider_response_record
    from tests.api.conftest import build_casework

    def grow(n, start):
        for i in range(n):
            work = build_casework(area, officer, title=f"T{start + i}")
            provider_response_record(
                subject=work.req, by=responder, channel="api", text="x", outcome="answered"
            )
            provider_response_record(
                subject=work.rec,
                by=responder,
                channel="api",
                text="x",
                outcome="accepted",
                action_plan=[{"action": "a", "owner": "o", "target_date": "2027-01-01"}],
            )

    grow(1, 0)
    with django_assert_max_num_queries(14):
        assert api.get(f"/api/v1/{listing}/").status_code == 200
    grow(4, 1)
    with django_assert_max_num_queries(14):
        body = api.get(f"/api/v1/{listing}/").json()
    assert body["count"] >= 5


@override_settings(DEBUG=False)
def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    doc = schema.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/information-requests/{id}/responses/" in doc["paths"]
    assert doc["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/api/docs/assets/swagger-ui-bundle.js" in docs.content
    asset = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert client.get("/api/docs/assets/LICENSE").status_code == 404


def test_a_weak_etag_matches_too(api, casework):
    etag = api.get("/api/v1/information-requests/")["ETag"]
    assert (
        api.get("/api/v1/information-requests/", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    )
    assert api.get("/api/v1/information-requests/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_old_idempotency_keys_are_purged(api, casework, capsys):
    from django.core.management import call_command

    api.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        {"outcome": "answered", "text": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="old",
    )
    call_command("purge_idempotency_keys")
    assert IdempotencyRecord.objects.count() == 1
    call_command("purge_idempotency_keys", days=0)
    assert IdempotencyRecord.objects.count() == 0
    assert "1 idempotency record(s) deleted." in capsys.readouterr().out
