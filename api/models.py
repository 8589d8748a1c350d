"""The machine interface's own records: API keys, idempotency records, webhooks and deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from scrutiny.casework.models import Organisation
from workflows.models import AuditEvent


class ApiKey(models.Model):
    """A key a health body gives one named person. Only a sha256 of the key is stored."""

    class Scope(models.TextChoices):
        READ = "read", "Read what is addressed to the body"
        RESPOND = "respond", "Submit responses and implementation updates"

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="api_keys",
        limit_choices_to={"kind": Organisation.Kind.HEALTH_BODY},
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        help_text="The named person the key is for; the API acts as them.",
    )
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. 'Datix bridge'.")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
        help_text="The key this one rotated.",
    )

    class Meta:
        ordering = ["organisation__name", "-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.prefix}… {self.name} ({self.organisation})"

    @property
    def is_active(self):
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyRecord(models.Model):
    """The first successful answer to a POST carrying an Idempotency-Key, for replay."""

    owner = models.CharField(max_length=40, help_text="'key:<id>' or 'user:<id>'.")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="one_idempotency_key_per_owner")
        ]

    def __str__(self):
        return f"{self.owner} {self.key}"


class Webhook(models.Model):
    """A URL a health body wants told when a request or recommendation is issued to it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(
        max_length=100, help_text="Shared secret for the HMAC-SHA256 signature (shown once)."
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "-created_at", "-id"]

    def __str__(self):
        return f"{self.url} ({self.organisation})"


class WebhookDispatch(models.Model):
    """An audit event the dispatcher has fanned out into deliveries (none, if no webhook was
    listening). Its presence is what makes the fan-out happen once per event; the audit event
    itself is append-only and is never marked."""

    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"event {self.event_id} dispatched at {self.at:%Y-%m-%d %H:%M}"


class WebhookDelivery(models.Model):
    """One event queued for one webhook, with its attempts.

    `audit_event` is the event it tells of (none for a `ping`); one delivery per (event,
    webhook), so a dispatcher run twice queues nothing twice. `event_id` is the stable id sent in
    the payload and the X-Critical-Friend-Delivery header, the same on every retry.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"
        CANCELLED = "cancelled", "Cancelled (webhook switched off)"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    audit_event = models.ForeignKey(
        AuditEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event_id = models.UUIDField(default=uuid.uuid4, unique=True)
    event_type = models.CharField(max_length=60)
    body = models.TextField(help_text="The exact JSON bytes signed and sent.")
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["audit_event", "webhook"], name="one_webhook_delivery_per_event_and_webhook"
            )
        ]

    def __str__(self):
        return f"{self.event_type} → {self.webhook.url} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back, or what went wrong."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["number", "id"]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery_id}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
