"""Webhooks: register, fan out what is issued to a body, deliver with retries.

The outbox is the audit log: issuing a request or recommendation writes its audit event in the
transaction of the change (`workflows.audit`). `dispatch_events` fans each new event out into one
WebhookDelivery row per webhook of the recipient, holding the exact JSON bytes; delivery POSTs
them with

    X-Critical-Friend-Event: information_request.issued
    X-Critical-Friend-Delivery: <event uuid>
    X-Critical-Friend-Timestamp: <unix seconds>
    X-Critical-Friend-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">

A 2xx answer delivers it; anything else (or no answer) schedules a retry with exponential
backoff (1, 2, 4 … minutes), up to MAX_ATTEMPTS, then the delivery is marked failed.
`python manage.py deliver_webhooks` fans out new events and sends what is due
(docs/decisions/0010-audit-events-and-outbox.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from api.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookDispatch
from api.serializers import InformationRequestSerializer, RecommendationSerializer
from scrutiny.casework import policy
from scrutiny.casework.models import InformationRequest, Organisation, Recommendation
from scrutiny.casework.roles import Perm
from workflows.audit import EventType
from workflows.errors import Forbidden, InvalidInput, NotFound
from workflows.models import AuditEvent

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Critical-Friend-Signature"
TIMESTAMP_HEADER = "X-Critical-Friend-Timestamp"
EVENT_HEADER = "X-Critical-Friend-Event"
DELIVERY_HEADER = "X-Critical-Friend-Delivery"

MAX_ATTEMPTS = getattr(settings, "CF_WEBHOOK_MAX_ATTEMPTS", 8)
BACKOFF_BASE_SECONDS = getattr(settings, "CF_WEBHOOK_BACKOFF_SECONDS", 60)
TIMEOUT_SECONDS = getattr(settings, "CF_WEBHOOK_TIMEOUT_SECONDS", 10)
LEASE_SECONDS = 5 * 60

# The audit events a body's webhooks hear of: event type -> (webhook event name, issued model).
WEBHOOK_EVENTS = {
    EventType.INFORMATION_REQUEST_ISSUED: ("information_request.issued", InformationRequest),
    EventType.RECOMMENDATION_ISSUED: ("recommendation.issued", Recommendation),
}


# --- Managing webhooks ---------------------------------------------------------------------------


class AddressNotAllowed(ValueError):
    """A webhook address that resolves to a loopback, private, link-local or reserved address."""


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "CF_WEBHOOK_ALLOW_LOOPBACK", False))


def _public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # [::ffff:127.0.0.1] is 127.0.0.1
    if ip.is_loopback and _loopback_allowed():
        return True
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> set[str]:
    """The addresses `host` resolves to now."""
    return {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}


def check_destination(url: str) -> None:
    """Refuse an address that resolves (now) to anything but public addresses: a webhook must
    never reach this machine or the network it sits in. Checked when a webhook is registered and
    again before every delivery, so a name that later resolves elsewhere (DNS rebinding) is
    caught. Loopback is allowed only with CF_WEBHOOK_ALLOW_LOOPBACK (DEBUG and tests)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise AddressNotAllowed("the host name does not resolve") from exc
    if not addresses or not all(_public_address(a) for a in addresses):
        raise AddressNotAllowed("the address is not a public one")


def error_category(exc: BaseException) -> str:
    """A short, stable description of why a delivery failed: never the raw exception text,
    which would tell a caller what answers where on the network."""
    if isinstance(exc, AddressNotAllowed):
        return "address not allowed"
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        exc = reason
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "TLS error"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, socket.gaierror):
        return "host not found"
    return "connection failed"


def _check_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as exc:
        raise InvalidInput(
            "Enter the full address, starting https://",
            field_errors={"url": ["Enter a full https:// address."]},
        ) from exc
    parts = urlsplit(url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme != "https" and not (local and _loopback_allowed()):
        raise InvalidInput(
            "Webhook addresses must use https.",
            field_errors={"url": ["Use an https:// address."]},
        )
    if len(url) > 500:
        raise InvalidInput(
            "Keep the address to 500 characters.", field_errors={"url": ["Too long."]}
        )
    try:
        check_destination(url)
    except AddressNotAllowed as exc:
        message = f"Use a public address: {exc}."
        raise InvalidInput(message, field_errors={"url": [message]}) from exc
    return url


def webhook_register(
    *, organisation: Organisation, url: str, by, description: str = ""
) -> tuple[Webhook, str]:
    """Register `url` for `organisation`. Returns (webhook, secret): show the secret once."""
    url = _check_url(url)
    if not policy.can(by, Perm.WEBHOOK_MANAGE, organisation):
        raise Forbidden("You may only add webhooks for your own body.")
    secret = secrets.token_hex(32)
    hook = Webhook.objects.create(
        organisation=organisation,
        url=url,
        description=(description or "").strip()[:200],
        secret=secret,
        created_by=by,
    )
    return hook, secret


def webhook_set_active(*, webhook: Webhook, by, active: bool) -> Webhook:
    if not policy.can(by, Perm.WEBHOOK_MANAGE, webhook):
        raise NotFound("No such webhook.")
    with transaction.atomic():
        Webhook.objects.filter(pk=webhook.pk).update(active=active)
        if not active:
            WebhookDelivery.objects.filter(
                webhook=webhook, status=WebhookDelivery.Status.PENDING
            ).update(status=WebhookDelivery.Status.CANCELLED, next_attempt_at=None)
    webhook.active = active
    return webhook


# --- Events -----------------------------------------------------------------------------------


def event_body(event_type: str, event_id: uuid.UUID, data: dict, *, created_at=None) -> str:
    return json.dumps(
        {
            "id": str(event_id),
            "type": event_type,
            "created_at": (created_at or timezone.now()).isoformat(),
            "data": data,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
        sort_keys=True,
    )


def _subject_data(model, pk) -> tuple[object, dict] | None:
    """The issued item and the JSON the API's detail endpoint gives for it (None if gone)."""
    if model is InformationRequest:
        obj = (
            InformationRequest.all_objects.select_related("topic", "requested_by", "recipient")
            .filter(pk=pk)
            .first()
        )
        return (obj, dict(InformationRequestSerializer(obj).data)) if obj else None
    obj = (
        Recommendation.all_objects.select_related("topic", "made_by", "recipient")
        .filter(pk=pk)
        .first()
    )
    return (obj, dict(RecommendationSerializer(obj).data)) if obj else None


def _fan_out(event: AuditEvent) -> list[WebhookDelivery]:
    """Mark `event` dispatched and queue one delivery per webhook of the item's recipient that
    was active and registered when the event happened."""
    WebhookDispatch.objects.create(event=event)
    webhook_type, model = WEBHOOK_EVENTS[event.event_type]
    found = _subject_data(model, event.object_id)
    if found is None:
        return []
    subject, data = found
    hooks = Webhook.objects.filter(
        organisation_id=subject.recipient_id, active=True, created_at__lte=event.at
    )
    deliveries = []
    for hook in hooks:
        event_id = uuid.uuid4()
        deliveries.append(
            WebhookDelivery.objects.create(
                webhook=hook,
                audit_event=event,
                event_id=event_id,
                event_type=webhook_type,
                body=event_body(webhook_type, event_id, data, created_at=event.at),
                next_attempt_at=event.at,  # due since the event happened
            )
        )
    return deliveries


def events_to_dispatch():
    """Audit events a webhook may hear of that the dispatcher has not fanned out yet."""
    return (
        AuditEvent.objects.filter(event_type__in=list(WEBHOOK_EVENTS))
        .exclude(Exists(WebhookDispatch.objects.filter(event_id=OuterRef("pk"))))
        .order_by("id")
    )


def dispatch_events(*, limit: int = 500) -> list[WebhookDelivery]:
    """Fan committed audit events out into webhook deliveries, oldest first.

    The audit event is the outbox record: it is written in the transaction of the change, so an
    event exists exactly when its change committed. Each event is fanned out in a transaction of
    its own that also writes its `WebhookDispatch` mark: a crash before that commit leaves the
    event for the next run, and two runs (or two dispatchers at once) cannot queue it twice.
    """
    deliveries = []
    for event in list(events_to_dispatch()[:limit]):
        try:
            with transaction.atomic():
                deliveries += _fan_out(event)
        except IntegrityError:  # another dispatcher fanned it out first
            continue
        except Exception:  # one bad event must not hold up the others; it is tried again
            log.exception("could not dispatch audit event %s", event.pk)
    return deliveries


def webhook_ping(*, webhook: Webhook, by) -> WebhookDelivery:
    """Queue a `ping` event, so a body can check its receiver and signature code."""
    if not policy.can(by, Perm.WEBHOOK_MANAGE, webhook):
        raise NotFound("No such webhook.")
    if not webhook.active:
        raise InvalidInput("Switch the webhook on first.")
    event_id = uuid.uuid4()
    data = {"webhook": webhook.pk, "organisation": webhook.organisation_id}
    return WebhookDelivery.objects.create(
        webhook=webhook,
        event_id=event_id,
        event_type="ping",
        body=event_body("ping", event_id, data),
        next_attempt_at=timezone.now(),
    )


# --- Signing and delivery -----------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance=300) -> bool:
    """What a receiver does: recompute the signature and check the timestamp is recent."""
    try:
        age = abs(time.time() - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST and return the status code; raise OSError on no answer."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(req, timeout=timeout) as resp:
            resp.read(1024)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the `attempts`-th failure: base × 2^(attempts-1)."""
    return dt.timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def deliver(delivery: WebhookDelivery, *, now=None, post=http_post) -> WebhookAttempt:
    """Make one attempt; record it; schedule the next or finish."""
    now = now or timezone.now()
    hook = delivery.webhook
    body = delivery.body.encode("utf-8")
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CriticalFriend-Webhooks/1",
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: str(delivery.event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(hook.secret, timestamp, body),
    }
    started = time.monotonic()
    code, error = None, ""
    try:
        check_destination(hook.url)  # again now: the name may resolve elsewhere since
        code = post(hook.url, body, headers, TIMEOUT_SECONDS)
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except (OSError, ValueError) as exc:
        error = error_category(exc)
    duration = int((time.monotonic() - started) * 1000)
    delivery.attempts += 1
    attempt = WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=now,
        status_code=code,
        error=error,
        duration_ms=duration,
    )
    delivery.last_attempt_at = now
    delivery.last_status_code = code
    delivery.last_error = error
    if attempt.succeeded:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return attempt


def deliver_due(*, now=None, limit: int = 100, post=http_post) -> list[WebhookAttempt]:
    """Fan out new events, then attempt every pending delivery whose time has come (oldest
    first)."""
    dispatch_events()
    now = now or timezone.now()
    attempts = []
    due_ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due_ids:
        # Claim the delivery with a short lease, then POST outside any transaction (no lock
        # is held while a slow receiver answers).
        claimed = WebhookDelivery.objects.filter(
            pk=pk, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS))
        if not claimed:
            continue
        delivery = WebhookDelivery.objects.select_related("webhook").get(pk=pk)
        if not delivery.webhook.active:
            delivery.status = WebhookDelivery.Status.CANCELLED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            continue
        attempts.append(deliver(delivery, now=now, post=post))
    return attempts
