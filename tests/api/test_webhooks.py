"""Webhooks: fanned out from the audit events of what is issued to a body (the outbox written in
the change's transaction), signed, retried with backoff, logged; managed in the web pages by the
body's responders."""

import datetime as dt
import http.server
import json
import socket
import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from api import webhooks
from api.models import Webhook, WebhookDelivery
from tests.api.conftest import build_casework

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server on 127.0.0.1 that records what it is sent and answers `statuses`."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/hooks/critical-friend"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hook(area, responder, receiver):
    hook, secret = webhooks.webhook_register(
        organisation=area.trust, url=receiver.url, by=responder, description="Datix"
    )
    return hook


def test_issuing_queues_one_event_per_subject_when_dispatched(area, officer, hook):
    work = build_casework(area, officer)
    webhooks.dispatch_events()
    deliveries = {d.event_type: d for d in WebhookDelivery.objects.filter(webhook=hook)}
    assert set(deliveries) == {"information_request.issued", "recommendation.issued"}
    event = json.loads(deliveries["information_request.issued"].body)
    assert event["type"] == "information_request.issued"
    assert event["data"]["id"] == work.req.pk
    assert event["data"]["due_on"] == "2027-01-20"
    assert event["id"] == str(deliveries["information_request.issued"].event_id)
    rec_event = json.loads(deliveries["recommendation.issued"].body)
    assert rec_event["data"]["id"] == work.rec.pk
    # Nothing about the other trust's request reaches this body's webhook.
    assert all(
        json.loads(d.body)["data"]["recipient"]["id"] == area.trust.pk
        for d in WebhookDelivery.objects.all()
    )


def test_the_change_writes_its_events_and_the_dispatcher_queues_them(area, officer, hook):
    build_casework(area, officer)
    # The issuing transaction wrote the events (the outbox), not the deliveries.
    assert not WebhookDelivery.objects.exists()
    events = webhooks.events_to_dispatch()
    assert {e.event_type for e in events} == set(webhooks.WEBHOOK_EVENTS)
    assert events.count() == 4  # a request and a recommendation to each of two trusts
    webhooks.dispatch_events()
    assert not webhooks.events_to_dispatch().exists()
    assert WebhookDelivery.objects.filter(webhook=hook).count() == 2


def test_an_event_rolled_back_with_its_change_is_never_delivered(area, officer, hook, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        build_casework(area, officer)
        raise RuntimeError("the change fails after issuing")
    assert webhooks.dispatch_events() == []
    assert webhooks.deliver_due() == []
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def test_a_crash_after_commit_loses_nothing(
    area, officer, hook, receiver, django_capture_on_commit_callbacks
):
    """The process dies right after the commit: no after-commit callback ever runs. The next
    worker run still delivers each event, once."""
    with django_capture_on_commit_callbacks(execute=False):
        work = build_casework(area, officer)
    attempts = webhooks.deliver_due()
    assert sorted(a.status_code for a in attempts) == [200, 200]
    sent = sorted(
        (json.loads(body)["type"], json.loads(body)["data"]["id"]) for _, body in receiver.received
    )
    assert sent == [
        ("information_request.issued", work.req.pk),
        ("recommendation.issued", work.rec.pk),
    ]


def test_a_crash_part_way_through_a_fan_out_is_redone_once(
    area, officer, responder, hook, receiver, monkeypatch
):
    second, _ = webhooks.webhook_register(organisation=area.trust, url=receiver.url, by=responder)
    build_casework(area, officer)
    real_body = webhooks.event_body
    calls = []

    def dies_on_the_second_delivery(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("the worker is killed")
        return real_body(*args, **kwargs)

    monkeypatch.setattr(webhooks, "event_body", dies_on_the_second_delivery)
    with pytest.raises(KeyboardInterrupt):
        webhooks.dispatch_events()
    # The first event's fan-out was rolled back whole: no delivery, no dispatch mark.
    assert not WebhookDelivery.objects.exists()
    assert webhooks.events_to_dispatch().count() == 4
    monkeypatch.setattr(webhooks, "event_body", real_body)
    webhooks.deliver_due()
    # Two events to the trust, each to both of its webhooks: four deliveries, each sent once.
    assert WebhookDelivery.objects.count() == 4
    assert len(receiver.received) == 4
    ids = [headers["X-Critical-Friend-Delivery"] for headers, _ in receiver.received]
    assert len(set(ids)) == 4


def test_running_the_dispatcher_twice_delivers_once(area, officer, hook, receiver):
    build_casework(area, officer)
    first = webhooks.dispatch_events()
    assert len(first) == 2
    assert webhooks.dispatch_events() == []
    webhooks.deliver_due()
    webhooks.deliver_due()
    call_command("deliver_webhooks")
    assert len(receiver.received) == 2
    assert WebhookDelivery.objects.count() == 2


def test_a_webhook_registered_later_does_not_hear_of_earlier_events(
    area, officer, responder, receiver
):
    build_casework(area, officer)
    webhooks.webhook_register(organisation=area.trust, url=receiver.url, by=responder)
    assert webhooks.deliver_due() == []
    assert not webhooks.events_to_dispatch().exists()


def test_a_delivery_is_unique_per_event_and_webhook(area, officer, hook):
    build_casework(area, officer)
    [delivery, *_] = webhooks.dispatch_events()
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(
            webhook=hook,
            audit_event=delivery.audit_event,
            event_type=delivery.event_type,
            body=delivery.body,
        )


def test_delivery_is_signed_over_timestamp_and_body(area, officer, hook, receiver):
    build_casework(area, officer)
    attempts = webhooks.deliver_due()
    assert [a.status_code for a in attempts] == [200, 200]
    headers, body = receiver.received[0]
    assert headers["Content-Type"] == "application/json"
    timestamp = headers["X-Critical-Friend-Timestamp"]
    signature = headers["X-Critical-Friend-Signature"]
    assert signature.startswith("sha256=")
    assert webhooks.verify(hook.secret, timestamp, body, signature)
    assert not webhooks.verify("wrong-secret", timestamp, body, signature)
    assert not webhooks.verify(hook.secret, timestamp, body + b" ", signature)
    assert not webhooks.verify(hook.secret, str(int(timestamp) - 3600), body, signature)
    delivery = WebhookDelivery.objects.get(event_id=headers["X-Critical-Friend-Delivery"])
    assert body == delivery.body.encode()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempt_log.get().status_code == 200


def test_failures_retry_with_exponential_backoff_then_succeed(area, officer, responder):
    flaky = Receiver(statuses=[500, 503, 200])
    try:
        webhooks.webhook_register(organisation=area.trust, url=flaky.url, by=responder)
        work = build_casework(area, officer)
        webhooks.dispatch_events()
        delivery = WebhookDelivery.objects.get(event_type="information_request.issued")
        WebhookDelivery.objects.exclude(pk=delivery.pk).delete()
        t0 = timezone.now()

        [first] = webhooks.deliver_due(now=t0)
        delivery.refresh_from_db()
        assert first.status_code == 500
        assert delivery.status == "pending"
        assert delivery.next_attempt_at == t0 + dt.timedelta(seconds=60)
        assert webhooks.deliver_due(now=t0 + dt.timedelta(seconds=59)) == []

        [second] = webhooks.deliver_due(now=t0 + dt.timedelta(seconds=60))
        delivery.refresh_from_db()
        assert second.status_code == 503
        assert delivery.next_attempt_at == t0 + dt.timedelta(seconds=60 + 120)

        [third] = webhooks.deliver_due(now=t0 + dt.timedelta(seconds=180))
        delivery.refresh_from_db()
        assert third.status_code == 200
        assert delivery.status == "delivered"
        assert delivery.attempts == 3
        assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
        # Each attempt carried the same event, signed afresh.
        bodies = {body for _, body in flaky.received}
        assert len(bodies) == 1
        assert json.loads(bodies.pop())["data"]["id"] == work.req.pk
    finally:
        flaky.close()


def test_no_answer_is_retried_and_gives_up_after_max_attempts(
    area, officer, responder, monkeypatch
):
    monkeypatch.setattr(webhooks, "MAX_ATTEMPTS", 3)
    webhooks.webhook_register(
        organisation=area.trust, url=f"http://127.0.0.1:{_free_port()}/", by=responder
    )
    build_casework(area, officer)
    now = timezone.now()
    for _ in range(3):
        webhooks.deliver_due(now=now)
        now += dt.timedelta(hours=1)
    for delivery in WebhookDelivery.objects.all():
        assert delivery.status == "failed"
        assert delivery.attempts == 3
        assert delivery.next_attempt_at is None
        assert delivery.last_error == "connection refused"
    assert webhooks.deliver_due(now=now + dt.timedelta(days=1)) == []


def test_switching_a_webhook_off_cancels_pending_deliveries(area, officer, responder, hook):
    build_casework(area, officer)
    webhooks.dispatch_events()
    webhooks.webhook_set_active(webhook=hook, by=responder, active=False)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"cancelled"}
    assert webhooks.deliver_due() == []


def test_deliver_webhooks_command(area, officer, hook, receiver, capsys):
    build_casework(area, officer)
    call_command("deliver_webhooks")
    out = capsys.readouterr().out
    assert "2 attempt(s) made." in out
    assert len(receiver.received) == 2


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://trust.example.org/hooks", True),
        ("http://127.0.0.1:9000/hooks", True),  # local http only while DEBUG or testing
        ("http://trust.example.org/hooks", False),
        ("ftp://trust.example.org/hooks", False),
        ("not a url", False),
    ],
)
def test_webhook_addresses(area, responder, url, ok):
    from workflows.errors import InvalidInput

    if ok:
        webhooks.webhook_register(organisation=area.trust, url=url, by=responder)
    else:
        with pytest.raises(InvalidInput):
            webhooks.webhook_register(organisation=area.trust, url=url, by=responder)


def test_only_the_bodys_responders_may_register(area, other_responder, officer):
    from workflows.errors import Forbidden

    for user in (other_responder, officer):
        with pytest.raises(Forbidden):
            webhooks.webhook_register(
                organisation=area.trust, url="https://x.example.org/", by=user
            )


# --- The web pages ----------------------------------------------------------------------------


def test_a_responder_registers_a_webhook_and_sees_the_secret_once(client, area, responder):
    client.force_login(responder)
    page = client.get("/api/webhooks/new/")
    assert page.status_code == 200
    resp = client.post(
        "/api/webhooks/new/",
        {"organisation": area.trust.pk, "url": "https://trust.example.org/cf", "description": ""},
    )
    assert resp.status_code == 200
    hook = Webhook.objects.get()
    assert hook.secret.encode() in resp.content
    assert resp["Cache-Control"].startswith("max-age=0")
    listing = client.get("/api/webhooks/")
    assert b"https://trust.example.org/cf" in listing.content
    assert hook.secret.encode() not in listing.content
    detail = client.get(f"/api/webhooks/{hook.pk}/")
    assert detail.status_code == 200
    assert hook.secret.encode() not in detail.content


def test_the_form_keeps_what_was_typed_on_error(client, area, responder):
    client.force_login(responder)
    resp = client.post(
        "/api/webhooks/new/",
        {"organisation": area.trust.pk, "url": "http://trust.example.org/cf"},
    )
    assert resp.status_code == 200
    assert b"There is a problem" in resp.content
    assert b"http://trust.example.org/cf" in resp.content
    assert not Webhook.objects.exists()


def test_delivery_log_page_shows_attempts(client, area, officer, responder, hook, receiver):
    build_casework(area, officer)
    webhooks.deliver_due()
    client.force_login(responder)
    page = client.get(f"/api/webhooks/{hook.pk}/")
    assert b"information_request.issued" in page.content
    assert b"HTTP 200" in page.content


@pytest.mark.parametrize("who", ["other_responder", "officer"])
def test_other_people_cannot_see_a_bodys_webhooks(request, client, hook, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/api/webhooks/{hook.pk}/").status_code == 404
    assert client.post(f"/api/webhooks/{hook.pk}/toggle/").status_code == 404
    hook.refresh_from_db()
    assert hook.active


def test_a_responder_switches_their_webhook_off(client, hook, responder):
    client.force_login(responder)
    resp = client.post(f"/api/webhooks/{hook.pk}/toggle/")
    assert resp.status_code == 302
    hook.refresh_from_db()
    assert not hook.active


# --- The webhooks API ----------------------------------------------------------------------------


def test_register_a_webhook_through_the_api_and_read_its_deliveries(api, area, officer, receiver):
    resp = api.post(
        "/api/v1/webhooks/", {"url": receiver.url, "description": "Datix"}, format="json"
    )
    assert resp.status_code == 201, resp.json()
    created = resp.json()
    assert created["organisation"]["id"] == area.trust.pk
    hook = Webhook.objects.get(pk=created["id"])
    assert created["secret"] == hook.secret
    listed = api.get("/api/v1/webhooks/").json()["results"]
    assert [h["id"] for h in listed] == [hook.pk]
    assert "secret" not in listed[0]
    build_casework(area, officer)
    webhooks.deliver_due()
    log = api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").json()
    assert log["count"] == 2
    assert {d["status"] for d in log["results"]} == {"delivered"}
    assert log["results"][0]["attempt_log"][0]["status_code"] == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "http://trust.example.org/"}, "url"),
        ({"url": "https://trust.example.org/", "secret": "mine"}, "secret"),
        ({}, "url"),
    ],
)
def test_bad_webhook_registrations(api, body, field):
    resp = api.post("/api/v1/webhooks/", body, format="json")
    assert resp.status_code == 400
    assert field in resp.json()["errors"]
    assert not Webhook.objects.exists()


def test_a_body_cannot_register_for_or_read_another_bodys_webhooks(api, other_api, area, hook):
    resp = other_api.post(
        "/api/v1/webhooks/",
        {"url": "https://x.example.org/", "organisation": area.trust.pk},
        format="json",
    )
    assert resp.status_code == 400
    assert "organisation" in resp.json()["errors"]
    assert other_api.get(f"/api/v1/webhooks/{hook.pk}/").status_code == 404
    assert other_api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").status_code == 404
    assert other_api.get("/api/v1/webhooks/").json()["results"] == []
    assert api.get(f"/api/v1/webhooks/{hook.pk}/").status_code == 200


def test_webhook_lists_take_a_fixed_number_of_queries(
    api,
    client,
    area,
    officer,
    responder,
    receiver,
    django_assert_max_num_queries,
):
    def grow(n):
        for _ in range(n):
            hook, _ = webhooks.webhook_register(
                organisation=area.trust, url=receiver.url, by=responder
            )
            build_casework(area, officer)
            webhooks.deliver_due()
        return hook

    hook = grow(1)
    client.force_login(responder)
    for url in ("/api/v1/webhooks/", f"/api/v1/webhooks/{hook.pk}/deliveries/"):
        with django_assert_max_num_queries(8):
            assert api.get(url).status_code == 200
    for url in ("/api/webhooks/", f"/api/webhooks/{hook.pk}/"):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
    hook = grow(4)
    for url in ("/api/v1/webhooks/", f"/api/v1/webhooks/{hook.pk}/deliveries/"):
        with django_assert_max_num_queries(8):
            assert api.get(url).json()["count"] >= 2
    for url in ("/api/webhooks/", f"/api/webhooks/{hook.pk}/"):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_a_test_event_reaches_the_receiver_signed(
    client, hook, responder, other_responder, receiver
):
    client.force_login(other_responder)
    assert client.post(f"/api/webhooks/{hook.pk}/ping/").status_code == 404
    client.force_login(responder)
    assert client.post(f"/api/webhooks/{hook.pk}/ping/").status_code == 302
    [attempt] = webhooks.deliver_due()
    assert attempt.status_code == 200
    headers, body = receiver.received[0]
    assert headers["X-Critical-Friend-Event"] == "ping"
    assert json.loads(body)["data"] == {"webhook": hook.pk, "organisation": hook.organisation_id}
    assert webhooks.verify(
        hook.secret,
        headers["X-Critical-Friend-Timestamp"],
        body,
        headers["X-Critical-Friend-Signature"],
    )
    webhooks.webhook_set_active(webhook=hook, by=responder, active=False)
    client.post(f"/api/webhooks/{hook.pk}/ping/")
    assert not WebhookDelivery.objects.filter(status="pending").exists()


# --- hostile addresses (a port scanner for anyone with a key, before) ----------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:22/",
        "https://localhost/hooks",
        "https://10.0.0.5/hooks",
        "https://192.168.1.1/",
        "https://172.16.0.9/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::1]/",
        "https://0.0.0.0/",
        "https://no-such-host.invalid/",
    ],
)
def test_a_webhook_must_point_at_a_public_address(area, responder, settings, url):
    from workflows.errors import InvalidInput

    settings.CF_WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(InvalidInput) as raised:
        webhooks.webhook_register(organisation=area.trust, url=url, by=responder)
    assert "public address" in raised.value.message
    assert not Webhook.objects.exists()


def test_a_name_that_later_resolves_inside_is_refused_at_delivery(
    area, officer, responder, settings, monkeypatch
):
    """DNS rebinding: registered while public, then pointing at this machine."""
    hook, _ = webhooks.webhook_register(
        organisation=area.trust, url="https://hooks.example.org/cf", by=responder
    )
    build_casework(area, officer)
    settings.CF_WEBHOOK_ALLOW_LOOPBACK = False
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: {"127.0.0.1"})
    posted = []
    attempts = webhooks.deliver_due(post=lambda *a: posted.append(a) or 200)
    assert posted == []  # never sent
    assert attempts and {(a.error, a.status_code) for a in attempts} == {
        ("address not allowed", None)
    }


def test_a_delivery_error_is_a_short_category_not_the_raw_exception(area, officer, responder):
    webhooks.webhook_register(
        organisation=area.trust, url=f"http://127.0.0.1:{_free_port()}/", by=responder
    )
    build_casework(area, officer)
    attempts = webhooks.deliver_due()
    assert attempts and {a.error for a in attempts} == {"connection refused"}
    assert all("Errno" not in a.delivery.last_error for a in attempts)
