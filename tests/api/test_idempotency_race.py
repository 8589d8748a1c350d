"""Two POSTs with the same Idempotency-Key at once, over two real PostgreSQL connections:
one response is recorded, both clients get it."""

import threading
import time

import pytest
from django.db import connections

from api.views import items as views
from scrutiny.casework.models import ProviderResponse
from tests.api.conftest import build_casework, client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_retries_with_one_key_record_one_response(area, officer, trust_key, monkeypatch):
    work = build_casework(area, officer)
    real = views.provider_response_record

    def slow(**kwargs):
        # Both requests have looked for the key and found nothing before either records.
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(views, "provider_response_record", slow)
    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            barrier.wait(timeout=10)
            resp = client_for(trust_key.raw).post(
                f"/api/v1/information-requests/{work.req.pk}/responses/",
                {"outcome": "answered", "text": "40 beds"},
                format="json",
                HTTP_IDEMPOTENCY_KEY="same-retry",
            )
            answers.append((resp.status_code, resp.json(), resp.get("Idempotent-Replayed")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert [a[0] for a in answers] == [201, 201], answers
    assert answers[0][1] == answers[1][1]
    assert sorted(str(a[2]) for a in answers) == ["None", "true"]
    assert ProviderResponse.objects.filter(information_request=work.req).count() == 1
