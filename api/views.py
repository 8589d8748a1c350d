"""The API's viewsets: thin over api.selectors and the scrutiny services."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, pagination, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from api import selectors
from api.authentication import ApiKeyAuthentication
from api.errors import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPES,
    problem_exception_handler,
    problem_type_uri,
)
from api.filters import (
    InformationRequestFilter,
    PublicMeetingFilter,
    PublicRecommendationFilter,
    RecommendationFilter,
    ResponseFilter,
)
from api.idempotency import HEADER as IDEMPOTENCY_HEADER
from api.idempotency import run_idempotent
from api.parsers import LimitedJSONParser, LimitedMultiPartParser
from api.permissions import HasScope
from api.schema import ProblemAutoSchema
from api.serializers import (
    MAX_ID,
    ImplementationUpdateInput,
    ImplementationUpdateSerializer,
    InformationRequestSerializer,
    PublicMeetingSerializer,
    PublicRecommendationSerializer,
    PublicTopicSerializer,
    RecommendationResponseInput,
    RecommendationResponseMultipartInput,
    RecommendationSerializer,
    RequestResponseInput,
    RequestResponseMultipartInput,
    ResponseSerializer,
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookInput,
    WebhookSerializer,
)
from api.throttling import ApiThrottle
from api.webhooks import webhook_register
from scrutiny.casework.models import Channel, Organisation, ProviderResponse
from scrutiny.casework.services import (
    provider_response_record,
    recommendation_update_implementation,
)


class ApiPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


def _pk_or_404(value) -> int:
    text = str(value)
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise NotFound()
    return int(text)


class ApiViewMixin:
    """What every API view shares: auth, scopes, throttle, problem+json errors, ETags."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasScope]
    throttle_classes = [ApiThrottle]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    parser_classes = [LimitedJSONParser]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    schema = ProblemAutoSchema()
    public = False

    def get_exception_handler(self):
        return problem_exception_handler

    def get_object(self):
        pk = _pk_or_404(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            raise NotFound()
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(request, "accepted_renderer", None)
        if (
            getattr(response, "content_type", None) == PROBLEM_CONTENT_TYPE
            and renderer is not None
            and renderer.format != "json"
        ):
            response.content_type = None  # the browsable API renders errors as HTML
        if not self.public:
            patch_vary_headers(response, ["Authorization", "Cookie"])
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if self.public:
                patch_cache_control(response, public=True, max_age=60)
            else:
                patch_cache_control(response, private=True, no_cache=True)
            response.render()
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
            response["ETag"] = etag
            wanted = request.META.get("HTTP_IF_NONE_MATCH")
            # If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
            offered = {t.removeprefix("W/") for t in parse_etags(wanted or "")}
            if wanted and (wanted.strip() == "*" or etag in offered):
                not_modified = HttpResponseNotModified()
                for header in ("ETag", "Cache-Control", "Vary"):
                    if header in response:
                        not_modified[header] = response[header]
                return not_modified
        return response


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique string per logical request (a UUID). Retrying with the same key and body "
        "replays the first answer and records nothing new; the same key with another body is 422."
    ),
)

REQUEST_RESPONSE_EXAMPLES = [
    OpenApiExample(
        "Answered",
        value={"outcome": "answered", "text": "We have 40 stroke beds across both sites."},
        request_only=True,
    ),
    OpenApiExample(
        "Refused",
        value={
            "outcome": "refused",
            "refusal_ground": "confidential_personal",
            "text": "The figures would identify individual patients.",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Correction",
        value={
            "outcome": "answered",
            "text": "Correction: 42 stroke beds, not 40.",
            "supersedes": 17,
        },
        request_only=True,
    ),
]

RECOMMENDATION_RESPONSE_EXAMPLES = [
    OpenApiExample(
        "Accepted with an action plan",
        value={
            "outcome": "accepted",
            "text": "We accept the recommendation and will publish waiting times by ward.",
            "action_plan": [
                {
                    "action": "Publish monthly ward waiting times on our website",
                    "owner": "Chief Operating Officer",
                    "target_date": "2027-03-31",
                }
            ],
        },
        request_only=True,
    ),
    OpenApiExample(
        "Rejected",
        value={"outcome": "rejected", "text": "The data is not collected by ward."},
        request_only=True,
    ),
]

RESPONSE_CREATED_EXAMPLE = OpenApiExample(
    "Recorded, two working days late",
    value={
        "id": 17,
        "subject_type": "information_request",
        "information_request": 5,
        "recommendation": None,
        "organisation": 3,
        "channel": "api",
        "received_at": "2027-01-22T10:15:00Z",
        "outcome": "answered",
        "refusal_ground": "",
        "text": "We have 40 stroke beds across both sites.",
        "supersedes": None,
        "superseded_by": None,
        "due_on": "2027-01-20",
        "on_time": False,
        "working_days_late": 2,
        "lateness": "2 working days late",
        "attachments": [],
        "action_plan": [],
    },
    response_only=True,
    status_codes=["201"],
)


def _supersedes(subject, number):
    if number is None:
        return None
    found = subject.responses.filter(pk=number).first()
    if found is None:
        raise ValidationError(
            {"supersedes": ["No earlier response of yours to this subject has that id."]}
        )
    return found


def _record_response(request, subject, json_input, multipart_input):
    is_multipart = (request.content_type or "").startswith("multipart/")
    serializer = (multipart_input if is_multipart else json_input)(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    response = provider_response_record(
        subject=subject,
        by=request.user,
        channel=Channel.API,
        text=data["text"],
        outcome=data["outcome"],
        refusal_ground=data.get("refusal_ground", ""),
        attachments=data.get("attachments", []),
        action_plan=[dict(item) for item in data.get("action_plan", [])],
        supersedes=_supersedes(subject, data.get("supersedes")),
    )
    response = (
        ProviderResponse.objects.select_related("superseded_by")
        .prefetch_related("attachments", "action_plan")
        .get(pk=response.pk)
    )
    return Response(ResponseSerializer(response).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="Information requests addressed to your body",
        description="Ordered by due date. Drafts are never shown.",
        tags=["information requests"],
    ),
    retrieve=extend_schema(
        summary="One information request, with its due date explained",
        tags=["information requests"],
    ),
)
class InformationRequestViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InformationRequestSerializer
    filterset_class = InformationRequestFilter

    def get_queryset(self):
        return selectors.requests_for(self.request)

    @extend_schema(
        summary="Respond to an information request",
        description=(
            "Answer, partially answer or refuse (with a ground). Send JSON, or "
            "multipart/form-data to attach files. A correction names the response it "
            "`supersedes`. The response records how many working days late it is."
        ),
        tags=["information requests"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request={
            "application/json": RequestResponseInput,
            "multipart/form-data": RequestResponseMultipartInput,
        },
        responses={201: ResponseSerializer},
        examples=[*REQUEST_RESPONSE_EXAMPLES, RESPONSE_CREATED_EXAMPLE],
        filters=False,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="responses",
        parser_classes=[LimitedJSONParser, LimitedMultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def respond(self, request, pk=None):
        subject = self.get_object()
        return run_idempotent(
            request,
            lambda: _record_response(
                request, subject, RequestResponseInput, RequestResponseMultipartInput
            ),
        )


@extend_schema_view(
    list=extend_schema(
        summary="Recommendations addressed to your body",
        description="Ordered by due date. Drafts are never shown.",
        tags=["recommendations"],
    ),
    retrieve=extend_schema(summary="One recommendation", tags=["recommendations"]),
)
class RecommendationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilter

    def get_queryset(self):
        return selectors.recommendations_for(self.request)

    @extend_schema(
        summary="Respond to a recommendation",
        description=(
            "Accepted, partially accepted, rejected or noted, with reasons and an action plan. "
            "In multipart/form-data, send `action_plan` as a JSON-encoded list."
        ),
        tags=["recommendations"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request={
            "application/json": RecommendationResponseInput,
            "multipart/form-data": RecommendationResponseMultipartInput,
        },
        responses={201: ResponseSerializer},
        examples=RECOMMENDATION_RESPONSE_EXAMPLES,
        filters=False,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="responses",
        parser_classes=[LimitedJSONParser, LimitedMultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def respond(self, request, pk=None):
        subject = self.get_object()
        return run_idempotent(
            request,
            lambda: _record_response(
                request, subject, RecommendationResponseInput, RecommendationResponseMultipartInput
            ),
        )

    @extend_schema(
        summary="Report how implementation is going",
        description=(
            "For an accepted or partially accepted recommendation: not_started, on_track, "
            "slipped (with a revised date), achieved or not_achieved."
        ),
        tags=["recommendations"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ImplementationUpdateInput,
        responses={201: ImplementationUpdateSerializer},
        examples=[
            OpenApiExample(
                "Slipped",
                value={
                    "status": "slipped",
                    "revised_date": "2027-06-30",
                    "note": "Recruitment took longer.",
                },
                request_only=True,
            )
        ],
        filters=False,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="implementation-updates",
        filter_backends=[],
        pagination_class=None,
    )
    def implementation_updates(self, request, pk=None):
        recommendation = self.get_object()

        def record():
            serializer = ImplementationUpdateInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            update = recommendation_update_implementation(
                recommendation=recommendation,
                by=request.user,
                status=data["status"],
                revised_date=data.get("revised_date"),
                note=data.get("note", ""),
                channel=Channel.API,
            )
            return Response(ImplementationUpdateSerializer(update).data, status=201)

        return run_idempotent(request, record)


@extend_schema_view(
    list=extend_schema(
        summary="Your body's accountability log",
        description="Every response your body gave, oldest first. Entries are immutable.",
        tags=["responses"],
    ),
    retrieve=extend_schema(summary="One response", tags=["responses"]),
)
class ResponseViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter

    def get_queryset(self):
        return selectors.responses_for(self.request)


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


@csrf_exempt
def not_found(request):
    """Anything under /api/v1/ that matches no route: a problem+json 404, not an HTML page."""
    detail = "There is no API endpoint at this address."
    if not request.path.endswith("/"):
        detail += f" Did you mean {request.path}/ ?"
    body = {
        "type": problem_type_uri("not-found"),
        "title": PROBLEM_TYPES["not-found"][0],
        "status": 404,
        "detail": detail,
        "instance": request.path,
    }
    return HttpResponse(json.dumps(body), status=404, content_type=PROBLEM_CONTENT_TYPE)
