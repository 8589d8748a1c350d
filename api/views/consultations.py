"""A health body's service-change consultations: its own, and submitting a new one."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from api import selectors
from api.idempotency import run_idempotent
from api.serializers.consultations import ConsultationInput, ConsultationSerializer
from api.views.common import IDEMPOTENCY_PARAMETER, ApiViewMixin
from scrutiny.casework.models import ConsultationChannel, Organisation
from scrutiny.casework.services import consultation_record
from workflows.errors import InvalidInput


@extend_schema_view(
    list=extend_schema(summary="Your body's consultations", tags=["consultations"]),
    retrieve=extend_schema(summary="One of your body's consultations", tags=["consultations"]),
)
class ConsultationViewSet(ApiViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ConsultationSerializer

    def get_queryset(self):
        return selectors.consultations_for(self.request)

    @extend_schema(
        summary="Submit a consultation",
        description=(
            "Consult a scrutiny committee on a proposal for a substantial development or "
            "variation (SI 2013/218 reg 23): what changes, for whom, the date by which you "
            "propose to decide and the date by which you ask for comments (never before the "
            "proposal is received; the decision never before comments are due)."
        ),
        tags=["consultations"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ConsultationInput,
        responses={201: ConsultationSerializer},
    )
    def create(self, request, *args, **kwargs):
        return run_idempotent(request, lambda: _submit(request))


def _submit(request):
    serializer = ConsultationInput(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    if data["body"] not in selectors.acting_body_ids(request):
        raise InvalidInput(
            "Submit consultations for your own body.", field_errors={"body": ["Not your body."]}
        )
    committee = Organisation.objects.filter(
        pk=data["committee"], kind=Organisation.Kind.SCRUTINY_COMMITTEE
    ).first()
    if committee is None:
        raise InvalidInput(
            "Choose a scrutiny committee.", field_errors={"committee": ["No such committee."]}
        )
    consultation = consultation_record(
        by=request.user,
        body=Organisation.objects.get(pk=data["body"]),
        committee=committee,
        title=data["title"],
        what_changes=data["what_changes"],
        who_is_affected=data["who_is_affected"],
        received_on=data.get("received_on") or timezone.localdate(),
        proposed_decision_on=data["proposed_decision_on"],
        comments_due_on=data["comments_due_on"],
        channel=ConsultationChannel.API,
        documents=[(d["title"], d["url"]) for d in data.get("documents", [])],
    )
    consultation = selectors.consultations_for(request).get(pk=consultation.pk)
    return Response(ConsultationSerializer(consultation).data, status=201)
