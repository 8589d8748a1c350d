"""Enter and View visits to the acting health body's premises (read-only). The provider answers
the report's recommendations through the recommendations' respond path."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from api import selectors
from api.serializers.visits import VisitSerializer
from api.views.common import ApiViewMixin


@extend_schema_view(
    list=extend_schema(
        summary="Enter and View visits to your body's premises",
        description=(
            "From the factual-accuracy check of the draft report on, newest first. Answer the "
            "report's recommendations at /api/v1/recommendations/{id}/responses/."
        ),
        tags=["visits"],
    ),
    retrieve=extend_schema(summary="One Enter and View visit", tags=["visits"]),
)
class VisitViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = VisitSerializer

    def get_queryset(self):
        return selectors.visits_for(self.request)
