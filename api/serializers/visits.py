"""Enter and View visits as the provider's API shows them: read-only, from the factual-accuracy
check on. Never the team or a safeguarding concern."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import OrganisationRefSerializer
from scrutiny.casework.models import Site, Visit


class SiteRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "address", "ods_site_code"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    network = OrganisationRefSerializer(read_only=True)
    provider = OrganisationRefSerializer(source="site.body", read_only=True)
    site = SiteRefSerializer(read_only=True)
    unannounced = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    recommendations = serializers.SerializerMethodField(
        help_text="Ids of the report's issued recommendations: answer each at "
        "/api/v1/recommendations/{id}/responses/."
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "network",
            "provider",
            "site",
            "state",
            "planned_for",
            "unannounced",
            "carried_out_on",
            "sent_for_check_on",
            "published_on",
            "findings",
            "report",
            "due_on",
            "due_explanation",
            "is_overdue",
            "accuracy_comments",
            "response",
            "responded_on",
            "recommendations",
        ]
        read_only_fields = fields

    def get_unannounced(self, obj) -> bool:
        return bool(obj.unannounced_reason)

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def get_recommendations(self, obj) -> list[int]:
        return [r.pk for r in obj.recommendations.all() if r.state != "draft" and r.issued_on]
