"""Serializers: output shapes, and strict input shapes (unknown fields are refused).

State fields are read-only everywhere: a response moves a request or recommendation through the
services, never by writing `state`.
"""

from __future__ import annotations

import json

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.models import Webhook, WebhookAttempt, WebhookDelivery
from scrutiny.casework.models import (
    ActionPlanItem,
    ImplementationStatus,
    ImplementationUpdate,
    InformationRequest,
    Organisation,
    ProviderResponse,
    Recommendation,
    RecommendationOutcome,
    RefusalGround,
    RequestState,
    ResponseAttachment,
    Topic,
)
from scrutiny.casework.publication import PUBLISHABLE_STATES

MAX_ID = 2**63 - 1
MAX_TEXT = 100_000
MAX_ATTACHMENTS = 10
MAX_ACTIONS = 50


def blank_choice(choices, **kwargs):
    """A read-only choice field that may be blank (the schema then allows "")."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True, **kwargs)


# --- Output -----------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "title"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = ResponseAttachment
        fields = ["id", "name", "content_type", "size", "sha256"]
        read_only_fields = fields


class ActionPlanItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionPlanItem
        fields = ["action", "owner", "target_date"]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer):
    """One entry of the accountability log."""

    subject_type = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField()
    refusal_ground = blank_choice(RefusalGround.choices)
    lateness = serializers.CharField(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    action_plan = ActionPlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = ProviderResponse
        ref_name = "ProviderResponse"
        fields = [
            "id",
            "subject_type",
            "information_request",
            "recommendation",
            "organisation",
            "channel",
            "received_at",
            "outcome",
            "refusal_ground",
            "text",
            "supersedes",
            "superseded_by",
            "due_on",
            "on_time",
            "working_days_late",
            "lateness",
            "attachments",
            "action_plan",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["information_request", "recommendation"]))
    def get_subject_type(self, obj) -> str:
        return "information_request" if obj.information_request_id else "recommendation"

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, obj) -> int | None:
        try:
            return obj.superseded_by.pk
        except ObjectDoesNotExist:
            return None


class ImplementationUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImplementationUpdate
        fields = ["id", "status", "revised_date", "note", "channel", "at"]
        read_only_fields = fields


class InformationRequestSerializer(serializers.ModelSerializer):
    topic = TopicRefSerializer(read_only=True)
    requested_by = OrganisationRefSerializer(read_only=True)
    recipient = OrganisationRefSerializer(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    refusal_ground = blank_choice(RefusalGround.choices)
    responses = ResponseSerializer(many=True, read_only=True)

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "topic",
            "requested_by",
            "recipient",
            "question",
            "state",
            "issued_on",
            "due_on",
            "due_explanation",
            "is_overdue",
            "responded_on",
            "refusal_ground",
            "responses",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()


class RecommendationSerializer(serializers.ModelSerializer):
    topic = TopicRefSerializer(read_only=True)
    made_by = OrganisationRefSerializer(read_only=True)
    recipient = OrganisationRefSerializer(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    outcome = blank_choice(RecommendationOutcome.choices)
    implementation_status = blank_choice(ImplementationStatus.choices)
    responses = ResponseSerializer(many=True, read_only=True)
    implementation_updates = ImplementationUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "topic",
            "made_by",
            "recipient",
            "text",
            "rationale",
            "state",
            "issued_on",
            "due_on",
            "due_explanation",
            "is_overdue",
            "responded_on",
            "outcome",
            "implementation_status",
            "implementation_revised_date",
            "responses",
            "implementation_updates",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()


# --- Public output ------------------------------------------------------------------------------


class PublicResponseSerializer(ResponseSerializer):
    class Meta(ResponseSerializer.Meta):
        ref_name = "PublicProviderResponse"


class PublicRequestSerializer(serializers.ModelSerializer):
    requested_by = OrganisationRefSerializer(read_only=True)
    recipient = OrganisationRefSerializer(read_only=True)
    refusal_ground = blank_choice(RefusalGround.choices)
    responses = PublicResponseSerializer(many=True, read_only=True)

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "requested_by",
            "recipient",
            "question",
            "state",
            "issued_on",
            "due_on",
            "due_explanation",
            "responded_on",
            "refusal_ground",
            "responses",
        ]
        read_only_fields = fields


class PublicRecommendationSerializer(serializers.ModelSerializer):
    topic = TopicRefSerializer(read_only=True)
    made_by = OrganisationRefSerializer(read_only=True)
    recipient = OrganisationRefSerializer(read_only=True)
    outcome = blank_choice(RecommendationOutcome.choices)
    implementation_status = blank_choice(ImplementationStatus.choices)
    responses = PublicResponseSerializer(many=True, read_only=True)
    implementation_updates = ImplementationUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "topic",
            "made_by",
            "recipient",
            "text",
            "rationale",
            "state",
            "issued_on",
            "due_on",
            "due_explanation",
            "responded_on",
            "outcome",
            "implementation_status",
            "implementation_revised_date",
            "responses",
            "implementation_updates",
        ]
        read_only_fields = fields


class PublicTopicRecommendationSerializer(PublicRecommendationSerializer):
    class Meta(PublicRecommendationSerializer.Meta):
        fields = [f for f in PublicRecommendationSerializer.Meta.fields if f != "topic"]
        read_only_fields = fields


class PublicTopicSerializer(serializers.ModelSerializer):
    partnership = serializers.CharField(
        source="partnership.name", read_only=True, default=None, allow_null=True
    )
    body = OrganisationRefSerializer(read_only=True, allow_null=True)
    lead_body = OrganisationRefSerializer(read_only=True)
    health_bodies = OrganisationRefSerializer(many=True, read_only=True)
    requests = PublicRequestSerializer(many=True, read_only=True, source="public_requests")
    recommendations = PublicTopicRecommendationSerializer(
        many=True, read_only=True, source="public_recommendations"
    )

    class Meta:
        model = Topic
        fields = [
            "id",
            "title",
            "summary",
            "state",
            "partnership",
            "body",
            "lead_body",
            "health_bodies",
            "decision_reason",
            "outcome_summary",
            "concluded_on",
            "published_at",
            "requests",
            "recommendations",
        ]
        read_only_fields = fields


class PublicPaperSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)


class PublicAgendaItemSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    presenter = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    topic = serializers.SerializerMethodField()
    late = serializers.BooleanField(read_only=True)
    decision = serializers.CharField(read_only=True)
    resolution = serializers.CharField(read_only=True)
    papers = PublicPaperSerializer(many=True, read_only=True)

    @extend_schema_field(TopicRefSerializer(allow_null=True))
    def get_topic(self, item):
        """The linked topic, only once it is published."""
        topic = item.topic
        if topic is None or topic.published_at is None or topic.state not in PUBLISHABLE_STATES:
            return None
        return {"id": topic.pk, "title": topic.title}


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[0-2][0-9]:[0-5][0-9]$",
        "description": "Local time in the UK, HH:MM (no offset).",
        "example": "18:30",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time. JSON Schema's "time" format needs an offset, which a meeting's
    local start time has not, so the schema states the pattern instead."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class PublicMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = OrganisationRefSerializer(read_only=True, allow_null=True)
    partnership = serializers.CharField(
        source="partnership.name", read_only=True, default=None, allow_null=True
    )
    date = serializers.DateField(read_only=True)
    start_time = LocalTimeField(read_only=True)
    end_time = LocalTimeField(read_only=True, allow_null=True)
    place = serializers.CharField(read_only=True)
    online_url = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    cancellation_reason = serializers.CharField(read_only=True)
    agenda_published_at = serializers.DateTimeField(read_only=True)
    items = PublicAgendaItemSerializer(many=True, read_only=True, source="public_items")


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


# --- Input ---------------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently ignoring them."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class ActionPlanItemInput(StrictSerializer):
    action = serializers.CharField(max_length=5000)
    owner = serializers.CharField(max_length=200)
    target_date = serializers.DateField()


class _ResponseInputBase(StrictSerializer):
    text = serializers.CharField(max_length=MAX_TEXT, help_text="The response itself.")
    supersedes = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="To correct an earlier response of your body to the same subject: its id.",
    )


class RequestResponseInput(_ResponseInputBase):
    outcome = serializers.ChoiceField(
        choices=[
            RequestState.ANSWERED,
            RequestState.PARTIALLY_ANSWERED,
            RequestState.REFUSED,
        ]
    )
    refusal_ground = serializers.ChoiceField(
        choices=RefusalGround.choices,
        required=False,
        allow_blank=True,
        help_text="Required when the outcome is 'refused'; not allowed otherwise.",
    )

    def validate(self, attrs):
        ground = attrs.get("refusal_ground", "")
        if attrs.get("outcome") == RequestState.REFUSED and not ground:
            raise serializers.ValidationError({"refusal_ground": ["Give the ground for refusing."]})
        if attrs.get("outcome") != RequestState.REFUSED and ground:
            raise serializers.ValidationError(
                {"refusal_ground": ["A refusal ground goes only with the outcome 'refused'."]}
            )
        return attrs


class AttachmentsMixin(serializers.Serializer):
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False, max_length=255),
        required=False,
        max_length=MAX_ATTACHMENTS,
        help_text="PDF, Word, OpenDocument, Excel, PNG, JPEG, GIF, WebP or plain text; 10 MB each.",
    )


class RequestResponseMultipartInput(AttachmentsMixin, RequestResponseInput):
    pass


class RecommendationResponseInput(_ResponseInputBase):
    outcome = serializers.ChoiceField(choices=RecommendationOutcome.choices)
    action_plan = ActionPlanItemInput(
        many=True,
        required=False,
        max_length=MAX_ACTIONS,
        help_text="What the body will do: each action with its owner and target date.",
    )


class ActionPlanJSONField(serializers.CharField):
    """In multipart, the action plan travels as a JSON-encoded list."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            items = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise serializers.ValidationError("Send the action plan as a JSON list.") from exc
        inner = ActionPlanItemInput(data=items, many=True, max_length=MAX_ACTIONS)
        if not inner.is_valid():
            raise serializers.ValidationError(inner.errors)
        return inner.validated_data


class RecommendationResponseMultipartInput(AttachmentsMixin, _ResponseInputBase):
    outcome = serializers.ChoiceField(choices=RecommendationOutcome.choices)
    action_plan = ActionPlanJSONField(
        required=False,
        max_length=200_000,
        help_text='JSON list: [{"action": "…", "owner": "…", "target_date": "YYYY-MM-DD"}].',
    )


class ImplementationUpdateInput(StrictSerializer):
    status = serializers.ChoiceField(choices=ImplementationStatus.choices)
    revised_date = serializers.DateField(
        required=False, allow_null=True, help_text="Required when the status is 'slipped'."
    )
    note = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


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
