"""The public read API's output: only what is published, never a draft or an exempt item."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.casework import ImplementationUpdateSerializer, ResponseSerializer
from api.serializers.common import (
    LocalTimeField,
    OrganisationRefSerializer,
    TopicRefSerializer,
    blank_choice,
)
from scrutiny.casework.models import (
    ImplementationStatus,
    InformationRequest,
    Recommendation,
    RecommendationOutcome,
    RefusalGround,
    Topic,
)
from scrutiny.casework.publication import PUBLISHABLE_STATES

# --- Public output ------------------------------------------------------------------------------


class PublicResponseSerializer(ResponseSerializer):
    """A response as the public sees it. Its attachments are left out: a document is public
    only once an officer publishes it (ADR 0032), and the public outcome page lists those."""

    attachments = None

    class Meta(ResponseSerializer.Meta):
        ref_name = "PublicProviderResponse"
        fields = [f for f in ResponseSerializer.Meta.fields if f != "attachments"]
        read_only_fields = fields


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
