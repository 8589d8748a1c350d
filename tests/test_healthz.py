"""Liveness and readiness (scrutiny/web/health.py): status for everyone, detail for staff only."""

from unittest import mock

from django.db import OperationalError

from workflows.models import JobRun


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_503_without_the_drivers_error_when_the_database_does_not(client, db):
    error = OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed')
    with mock.patch("scrutiny.web.health.connection.cursor", side_effect=error):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"5432" not in response.content and b"db.internal" not in response.content


def test_readyz_tells_anonymous_callers_only_the_status(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_fails_when_the_cache_does_not_answer(client, db):
    with mock.patch("scrutiny.web.health.cache.set", side_effect=ConnectionError("refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready"}


def test_readyz_shows_staff_every_check(client, officer):
    JobRun.objects.create(name="sweep_deadlines", last_outcome="12 marks")
    client.force_login(officer)
    body = client.get("/readyz").json()
    assert body["checks"] == {"database": True, "cache": True, "tasks": True}
    assert body["sweep"]["outcome"] == "12 marks"
    assert body["sweep"]["ok"] is False  # it never finished
    assert body["worker_heartbeat"]["outcome"] == "never ran"
    assert set(body["outbox"]) == {"pending", "oldest_age_seconds"}
    assert body["queue"]["ready"] == 0
