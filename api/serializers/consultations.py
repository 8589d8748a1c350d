"""Service-change consultations: what a health body's API shows of its own consultations, and
what it sends to submit one (docs/consultations.md)."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import MAX_ID, MAX_TEXT, OrganisationRefSerializer, StrictSerializer
from scrutiny.casework.models import CallInRequest, Consultation, ConsultationDocument


class ConsultationDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsultationDocument
        fields = ["id", "title", "url", "published_on"]
        read_only_fields = fields


class CallInRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallInRequest
        fields = [
            "id",
            "route",
            "requested_by_name",
            "requested_on",
            "ground",
            "grounds",
            "state",
            "answered_on",
            "due_on",
            "due_explanation",
            "outcome",
            "outcome_text",
            "outcome_on",
        ]
        read_only_fields = fields


class ConsultationSerializer(serializers.ModelSerializer):
    body = OrganisationRefSerializer(read_only=True)
    committee = OrganisationRefSerializer(read_only=True)
    documents = ConsultationDocumentSerializer(many=True, read_only=True)
    call_in_requests = CallInRequestSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "topic",
            "body",
            "committee",
            "title",
            "what_changes",
            "who_is_affected",
            "received_on",
            "proposed_decision_on",
            "comments_due_on",
            "state",
            "substantial",
            "assessment_reason",
            "assessed_on",
            "comments",
            "comments_sent_on",
            "decision",
            "decision_reasons",
            "decided_on",
            "documents",
            "call_in_requests",
        ]
        read_only_fields = fields


class DocumentInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500)


class ConsultationInput(StrictSerializer):
    """A health body submits a proposal on which it consults a scrutiny committee."""

    body = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Your body's id.")
    committee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The scrutiny committee consulted."
    )
    title = serializers.CharField(max_length=180)
    what_changes = serializers.CharField(max_length=MAX_TEXT)
    who_is_affected = serializers.CharField(max_length=MAX_TEXT)
    received_on = serializers.DateField(required=False, help_text="Default: today.")
    proposed_decision_on = serializers.DateField()
    comments_due_on = serializers.DateField()
    documents = DocumentInput(many=True, required=False, max_length=20)
