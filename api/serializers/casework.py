"""Requests, recommendations and the accountability log: output and the response inputs."""

from __future__ import annotations

import json

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import (
    MAX_ACTIONS,
    MAX_ATTACHMENTS,
    MAX_ID,
    MAX_TEXT,
    OrganisationRefSerializer,
    StrictSerializer,
    TopicRefSerializer,
    blank_choice,
)
from scrutiny.casework.models import (
    ActionPlanItem,
    ImplementationStatus,
    ImplementationUpdate,
    InformationRequest,
    ProviderResponse,
    Recommendation,
    RecommendationOutcome,
    RefusalGround,
    RequestState,
    ResponseAttachment,
    ResponseKind,
)


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
            "kind",
            "supersedes",
            "correction_reason",
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
        help_text="To correct the current answer: its id (with a `correction_reason`).",
    )
    correction_reason = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        help_text="Why the answer is corrected; required with `supersedes`, shown on both.",
    )
    kind = serializers.ChoiceField(
        choices=ResponseKind.choices,
        required=False,
        default=ResponseKind.ANSWER,
        help_text="`answer` (the default) or `further_information`: an addition beside the "
        "current answer that supersedes nothing and has no outcome of its own.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        further = attrs.get("kind") == ResponseKind.FURTHER_INFORMATION
        if not further and not attrs.get("outcome"):
            raise serializers.ValidationError({"outcome": ["This field is required."]})
        if further and attrs.get("outcome"):
            raise serializers.ValidationError(
                {"outcome": ["Further information has no outcome: correct the answer instead."]}
            )
        if attrs.get("supersedes") and not (attrs.get("correction_reason") or "").strip():
            raise serializers.ValidationError(
                {"correction_reason": ["Give the reason for the correction."]}
            )
        return attrs


class RequestResponseInput(_ResponseInputBase):
    outcome = serializers.ChoiceField(
        choices=[
            RequestState.ANSWERED,
            RequestState.PARTIALLY_ANSWERED,
            RequestState.REFUSED,
        ],
        required=False,
        help_text="Required for an answer; not given with further information.",
    )
    refusal_ground = serializers.ChoiceField(
        choices=RefusalGround.choices,
        required=False,
        allow_blank=True,
        help_text="Required when the outcome is 'refused'; not allowed otherwise.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
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
    outcome = serializers.ChoiceField(
        choices=RecommendationOutcome.choices,
        required=False,
        help_text="Required for an answer; not given with further information.",
    )
    action_plan = ActionPlanItemInput(
        many=True,
        required=False,
        max_length=MAX_ACTIONS,
        help_text="What the body will do: each action with its owner and target date.",
    )


ACTION_PLAN_JSON_FORMAT = "action-plan-json"


@extend_schema_field(
    {"type": "string", "format": ACTION_PLAN_JSON_FORMAT, "minLength": 2, "maxLength": 200_000}
)
class ActionPlanJSONField(serializers.CharField):
    """In multipart, the action plan travels as a JSON-encoded list; the schema names it with
    its own string format ("action-plan-json"), as no JSON Schema keyword can say it."""

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
    outcome = serializers.ChoiceField(
        choices=RecommendationOutcome.choices,
        required=False,
        help_text="Required for an answer; not given with further information.",
    )
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
