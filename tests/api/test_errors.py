"""Every unhandled error is problem+json: 409 for an IntegrityError, 503 with Retry-After when
the database is unavailable, 500 without internals for anything else. Never an HTML page."""

import pytest
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)

from api.views import items as api_views
from api.views import public as public_views
from scrutiny.casework import services
from scrutiny.casework.models import ProviderResponse
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

SECRET = "secret-internal-detail-table-x"


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (IntegrityError(f"UNIQUE constraint failed: {SECRET}"), 409, "conflicts-with-stored-data"),
        (OperationalError(f"could not connect to server at {SECRET}"), 503, "unavailable"),
        (InterfaceError(f"connection already closed {SECRET}"), 503, "unavailable"),
        (DatabaseError(f"database is down {SECRET}"), 503, "unavailable"),
        (DataError(f"value too long for type character varying(200) {SECRET}"), 400, None),
        (ProgrammingError(f"relation {SECRET} does not exist"), 500, "error"),
        (RuntimeError(f"bug in {SECRET}"), 500, "error"),
        (KeyError(SECRET), 500, "error"),
    ],
)
def test_an_unhandled_error_on_a_write_is_a_problem_and_records_nothing(
    api, casework, monkeypatch, error, status, slug
):
    def record_then_fail(**kwargs):
        services.provider_response_record(**kwargs)  # writes, then the error rolls it back
        raise error

    monkeypatch.setattr(api_views, "provider_response_record", record_then_fail)
    before = (ProviderResponse.objects.count(), AuditEvent.objects.count())
    path = f"/api/v1/information-requests/{casework.req.pk}/responses/"
    resp = api.post(path, {"outcome": "answered", "text": "40 beds"}, format="json")

    assert resp.status_code == status
    assert resp["Content-Type"] == "application/problem+json"
    problem = resp.json()
    assert problem["status"] == status
    assert problem["type"].endswith(f"/api/problems/{slug or 'invalid-input'}/")
    assert problem["title"] and problem["detail"]
    assert problem["instance"] == path
    assert SECRET not in resp.content.decode()
    assert "Traceback" not in resp.content.decode()
    assert (ProviderResponse.objects.count(), AuditEvent.objects.count()) == before
    casework.req.refresh_from_db()
    assert casework.req.state == "issued"
    if status == 503:
        assert int(resp["Retry-After"]) > 0
    else:
        assert "Retry-After" not in resp


def test_a_database_outage_on_a_read_is_503_with_retry_after(api, casework, monkeypatch):
    def down(request):
        raise OperationalError(f"server closed the connection unexpectedly {SECRET}")

    monkeypatch.setattr(api_views.selectors, "requests_for", down)
    resp = api.get("/api/v1/information-requests/")
    assert resp.status_code == 503
    assert resp["Content-Type"] == "application/problem+json"
    assert resp["Retry-After"].isdigit()
    assert SECRET not in resp.content.decode()


def test_an_unhandled_error_on_the_public_api_is_a_problem(anon_api, monkeypatch):
    def broken(self):
        raise ValueError(SECRET)

    monkeypatch.setattr(public_views.PublicTopicViewSet, "get_queryset", broken)
    resp = anon_api.get("/api/v1/public/topics/")
    assert resp.status_code == 500
    assert resp["Content-Type"] == "application/problem+json"
    assert resp.json()["type"].endswith("/api/problems/error/")
    assert SECRET not in resp.content.decode()


@pytest.mark.parametrize("slug", ["conflicts-with-stored-data", "unavailable", "error"])
def test_the_new_problem_types_are_documented(client, slug):
    page = client.get(f"/api/problems/{slug}/")
    assert page.status_code == 200
