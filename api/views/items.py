"""Information requests and recommendations addressed to a health body, and its responses."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import selectors
from api.filters import (
    InformationRequestFilter,
    RecommendationFilter,
    ResponseFilter,
)
from api.idempotency import run_idempotent
from api.parsers import LimitedJSONParser, LimitedMultiPartParser
from api.serializers import (
    ImplementationUpdateInput,
    ImplementationUpdateSerializer,
    InformationRequestSerializer,
    RecommendationResponseInput,
    RecommendationResponseMultipartInput,
    RecommendationSerializer,
    RequestResponseInput,
    RequestResponseMultipartInput,
    ResponseSerializer,
)
from api.views.common import IDEMPOTENCY_PARAMETER, ApiViewMixin
from scrutiny.casework.models import Channel, ProviderResponse, ResponseKind
from scrutiny.casework.services import (
    provider_response_record,
    recommendation_update_implementation,
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
            "text": "42 stroke beds across both sites.",
            "supersedes": 17,
            "correction_reason": "We miscounted the beds at the second site.",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Further information",
        value={
            "kind": "further_information",
            "text": "Six of the beds are for hyperacute stroke care.",
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
        "kind": "answer",
        "supersedes": None,
        "correction_reason": "",
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
        outcome=data.get("outcome", ""),
        refusal_ground=data.get("refusal_ground", ""),
        attachments=data.get("attachments", []),
        action_plan=[dict(item) for item in data.get("action_plan", [])],
        supersedes=_supersedes(subject, data.get("supersedes")),
        correction_reason=data.get("correction_reason", ""),
        kind=data.get("kind", ResponseKind.ANSWER),
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
            "multipart/form-data to attach files. The request has one current answer: a "
            "correction names the answer it `supersedes` and gives a `correction_reason`; "
            "`kind: further_information` adds to the answer without replacing it. A second "
            "answer without `supersedes`, or a correction of an answer already superseded, is "
            "409. The received date is never before the request was issued. The response "
            "records how many working days late it is."
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
            "In multipart/form-data, send `action_plan` as a JSON-encoded list. One current "
            "answer, as for information requests: correct it with `supersedes` and a "
            "`correction_reason`, or add `kind: further_information`; anything else is 409."
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
