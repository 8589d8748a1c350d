"""A health body's webhooks: register, list, change, delete, ping."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import selectors
from api.idempotency import run_idempotent
from api.serializers import (
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookInput,
    WebhookSerializer,
)
from api.views.common import IDEMPOTENCY_PARAMETER, ApiViewMixin
from api.webhooks import webhook_register
from scrutiny.casework.models import Organisation


@extend_schema_view(
    list=extend_schema(summary="Your body's webhooks", tags=["webhooks"]),
    retrieve=extend_schema(summary="One webhook", tags=["webhooks"]),
)
class WebhookViewSet(ApiViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Register addresses to be told when a request or recommendation is issued to your body.
    Switching one off, and the full delivery log, are also on the web page /api/webhooks/."""

    serializer_class = WebhookSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.webhooks_for(self.request)

    @extend_schema(
        summary="Register a webhook",
        description=(
            "Returns the signing secret once. Events are signed with HMAC-SHA256 over "
            "`<X-Critical-Friend-Timestamp>.<raw body>`; see the guide."
        ),
        tags=["webhooks"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=WebhookInput,
        responses={201: WebhookCreatedSerializer},
        examples=[
            OpenApiExample(
                "Register",
                value={"url": "https://integration.trust.nhs.uk/critical-friend/events"},
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        def register():
            serializer = WebhookInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            bodies = selectors.acting_body_ids(request)
            wanted = data.get("organisation")
            if wanted is None and len(bodies) == 1:
                wanted = next(iter(bodies))
            if wanted is None or wanted not in bodies:
                raise ValidationError({"organisation": ["Give the id of a body you respond for."]})
            hook, secret = webhook_register(
                organisation=Organisation.objects.get(pk=wanted),
                url=data["url"],
                description=data.get("description", ""),
                by=request.user,
            )
            body = WebhookCreatedSerializer(hook).data
            body["secret"] = secret
            return Response(body, status=201)

        return run_idempotent(request, register)

    @extend_schema(
        summary="The webhook's delivery log",
        description="Every event queued for this webhook, newest first, with each attempt.",
        tags=["webhooks"],
        responses={200: WebhookDeliverySerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="deliveries", filter_backends=[])
    def deliveries(self, request, pk=None):
        hook = self.get_object()
        qs = hook.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
