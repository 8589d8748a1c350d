"""Two dispatchers fanning out the same new events at once, over two real PostgreSQL
connections: each event is queued for each webhook exactly once."""

import threading
import time

import pytest
from django.db import connections

from api import webhooks
from api.models import WebhookDelivery, WebhookDispatch
from tests.api.conftest import build_casework

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_dispatchers_at_once_queue_each_event_once(area, officer, responder, monkeypatch):
    webhooks.webhook_register(
        organisation=area.trust, url="https://trust.example.org/cf", by=responder
    )
    build_casework(area, officer)
    real = webhooks._fan_out

    def slow(event):
        # Both dispatchers have read the same undispatched events before either commits.
        time.sleep(0.3)
        return real(event)

    monkeypatch.setattr(webhooks, "_fan_out", slow)
    barrier = threading.Barrier(2)
    queued, errors = [], []

    def dispatch():
        try:
            barrier.wait(timeout=10)
            queued.append(len(webhooks.dispatch_events()))
        except Exception as exc:  # recorded for the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert sum(queued) == 2  # the trust's request and recommendation, one webhook
    assert WebhookDelivery.objects.count() == 2
    assert WebhookDispatch.objects.count() == 4  # every issued event, to either trust
