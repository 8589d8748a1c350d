"""Ten clients at once, over real PostgreSQL connections: ten corrections of one answer, and ten
first answers to one request. One wins; the rest get 409 problem+json, never a 500."""

import threading

import pytest
from django.db import connections

from scrutiny.casework import services
from scrutiny.casework.models import ProviderResponse
from tests.api.conftest import build_casework, client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 10


def _race(raw_key, path, bodies):
    barrier = threading.Barrier(len(bodies))
    answers = []
    lock = threading.Lock()

    def post(body):
        try:
            barrier.wait(timeout=20)
            resp = client_for(raw_key).post(path, body, format="json")
            with lock:
                answers.append((resp.status_code, resp["Content-Type"], resp.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


def test_ten_concurrent_corrections_one_wins_the_rest_are_409(area, officer, responder, trust_key):
    work = build_casework(area, officer)
    first = services.provider_response_record(
        subject=work.req, by=responder, channel="api", text="40 beds", outcome="answered"
    )
    path = f"/api/v1/information-requests/{work.req.pk}/responses/"
    bodies = [
        {
            "outcome": "answered",
            "text": f"Correction {i}",
            "supersedes": first.pk,
            "correction_reason": f"Recount {i}",
        }
        for i in range(CLIENTS)
    ]
    answers = _race(trust_key.raw, path, bodies)

    statuses = sorted(a[0] for a in answers)
    assert statuses == [201] + [409] * (CLIENTS - 1), answers
    for status, content_type, body in answers:
        if status == 409:
            assert content_type == "application/problem+json"
            assert "already been superseded" in body["detail"]
    assert ProviderResponse.objects.filter(information_request=work.req).count() == 2
    assert (
        ProviderResponse.objects.current_answers().filter(information_request=work.req).count() == 1
    )


def test_ten_concurrent_first_answers_one_wins_the_rest_are_409(area, officer, trust_key):
    work = build_casework(area, officer)
    path = f"/api/v1/recommendations/{work.rec.pk}/responses/"
    bodies = [{"outcome": "accepted", "text": f"Answer {i}"} for i in range(CLIENTS)]
    answers = _race(trust_key.raw, path, bodies)

    assert sorted(a[0] for a in answers) == [201] + [409] * (CLIENTS - 1), answers
    for status, content_type, body in answers:
        if status == 409:
            assert content_type == "application/problem+json"
            assert "correct the answer" in body["detail"]
    assert ProviderResponse.objects.filter(recommendation=work.rec).count() == 1
