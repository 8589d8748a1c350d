"""The demo key seeder, the problem-type pages and the browsable API."""

import pytest

from api.keys import key_from_raw
from api.models import ApiKey
from scrutiny.demo.api_keys import seed_api_keys

pytestmark = pytest.mark.django_db


def test_seed_prints_one_working_key_per_responder_and_rotates_on_rerun(
    responder, other_responder, officer
):
    users = {u.username: u for u in (responder, other_responder, officer)}
    first = seed_api_keys({"users": users})
    assert [line.split()[:2] for line in first] == [
        ["api-key", "other-responder"],
        ["api-key", "trust-responder"],
    ]
    raws = [line.split()[2] for line in first]
    assert all(key_from_raw(raw) for raw in raws)
    second = seed_api_keys({"users": users})
    assert all(key_from_raw(line.split()[2]) for line in second)
    assert not any(key_from_raw(raw) for raw in raws)
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 2


def test_problem_type_pages(client):
    page = client.get("/api/problems/invalid-input/")
    assert page.status_code == 200
    assert b"Your request has invalid input" in page.content
    assert client.get("/api/problems/no-such-thing/").status_code == 404


def test_the_browsable_api_for_a_signed_in_responder(client, responder, casework):
    client.force_login(responder)
    page = client.get("/api/v1/information-requests/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert b"How many stroke beds?" in page.content
    missing = client.get("/api/v1/information-requests/999/", HTTP_ACCEPT="text/html")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/html")


def test_session_posts_need_csrf(responder, casework):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(responder)
    resp = client.post(
        f"/api/v1/information-requests/{casework.req.pk}/responses/",
        {"outcome": "answered", "text": "x"},
        content_type="application/json",
    )
    assert resp.status_code == 403
    assert resp["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/webhooks/",
        "/api/v1/information-requests/{req}/",
        "/api/v1/information-requests/{req}/responses/",
        "/api/v1/recommendations/{rec}/",
        "/api/v1/responses/",
        "/api/v1/public/topics/",
        "/api/v1/public/meetings/",
    ],
)
def test_every_browsable_page_renders(client, responder, casework, path):
    client.force_login(responder)
    resp = client.get(
        path.format(req=casework.req.pk, rec=casework.rec.pk), HTTP_ACCEPT="text/html"
    )
    assert resp.status_code in (200, 405)
    assert resp["Content-Type"].startswith("text/html")


def test_the_schema_validates_with_no_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/information-requests/{id}/responses/" in text
    assert "examples:" in text
