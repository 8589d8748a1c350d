"""The public read API: published topics, recommendations and meetings."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from api import selectors
from api.filters import (
    PublicMeetingFilter,
    PublicRecommendationFilter,
)
from api.serializers import (
    PublicMeetingSerializer,
    PublicRecommendationSerializer,
    PublicTopicSerializer,
)
from api.views.common import ApiViewMixin

# --- Public ---------------------------------------------------------------------------------------


class PublicViewMixin(ApiViewMixin):
    authentication_classes = []
    permission_classes = [AllowAny]
    public = True


@extend_schema_view(
    list=extend_schema(
        summary="Published topics and their outcomes",
        description=(
            "What was asked, of whom, when it was due, what came back and when; what was "
            "recommended and the response. No key needed."
        ),
        tags=["public"],
        auth=[],
    ),
    retrieve=extend_schema(summary="One published topic", tags=["public"], auth=[]),
)
class PublicTopicViewSet(PublicViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PublicTopicSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.public_topics_for_api()


@extend_schema_view(
    list=extend_schema(
        summary="Recommendations of published topics, with the health bodies' responses",
        tags=["public"],
        auth=[],
    ),
    retrieve=extend_schema(summary="One published recommendation", tags=["public"], auth=[]),
)
class PublicRecommendationViewSet(PublicViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PublicRecommendationSerializer
    filterset_class = PublicRecommendationFilter

    def get_queryset(self):
        return selectors.public_recommendations_for_api()


@extend_schema_view(
    list=extend_schema(
        summary="Meetings with a published agenda",
        description=(
            "Each meeting's public agenda: exempt items (LGA 1972 Schedule 12A) are never "
            "included. A topic is linked only once it is published."
        ),
        tags=["public"],
        auth=[],
    ),
    retrieve=extend_schema(summary="One meeting and its public agenda", tags=["public"], auth=[]),
)
class PublicMeetingViewSet(PublicViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PublicMeetingSerializer
    filterset_class = PublicMeetingFilter

    def get_queryset(self):
        return selectors.public_meetings_for_api()
