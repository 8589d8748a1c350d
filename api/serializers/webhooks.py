"""Webhooks, their deliveries and attempts."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.models import Webhook, WebhookAttempt, WebhookDelivery
from api.serializers.common import MAX_ID, OrganisationRefSerializer, StrictSerializer

# --- Webhooks -------------------------------------------------------------------------------------


class WebhookSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Webhook
        fields = ["id", "organisation", "url", "description", "active", "created_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret. Shown once: store it now."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "event_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Register a receiver",
            value={
                "url": "https://integration.northby-hospitals.example/critical-friend/events",
                "description": "Datix bridge",
            },
            request_only=True,
        )
    ]
)
class WebhookInput(StrictSerializer):
    url = serializers.CharField(
        max_length=500, help_text="An https:// address on your systems to POST events to."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organisation = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Your body's id; needed only when you respond for more than one body.",
    )
