"""django-filter filtersets for the API's lists. Ids are checked as whole numbers in range."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from protocols.models import Meeting
from scrutiny.casework.models import (
    InformationRequest,
    ProviderResponse,
    Recommendation,
    RecommendationOutcome,
    RecommendationState,
    RequestState,
)
from workflows.ids import MAX_ID, MIN_ID


@extend_schema_field({"type": "integer", "minimum": MIN_ID, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id in a query (`?topic=`): a whole number in range, else 400 (workflows.ids)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class InformationRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[c for c in RequestState.choices if c[0] != RequestState.DRAFT]
    )
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label="Due on or before (YYYY-MM-DD)"
    )
    due_after = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label="Due on or after (YYYY-MM-DD)"
    )
    topic = IdFilter(field_name="topic_id", label="Topic id")

    class Meta:
        model = InformationRequest
        fields = ["state", "due_before", "due_after", "topic"]


class RecommendationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[c for c in RecommendationState.choices if c[0] != RecommendationState.DRAFT]
    )
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    topic = IdFilter(field_name="topic_id", label="Topic id")

    class Meta:
        model = Recommendation
        fields = ["state", "due_before", "due_after", "topic"]


class ResponseFilter(django_filters.FilterSet):
    subject_type = django_filters.ChoiceFilter(
        choices=[
            ("information_request", "Information request"),
            ("recommendation", "Recommendation"),
        ],
        method="filter_subject_type",
    )
    outcome = django_filters.ChoiceFilter(
        choices=[
            (RequestState.ANSWERED, "Answered"),
            (RequestState.PARTIALLY_ANSWERED, "Partially answered"),
            (RequestState.REFUSED, "Refused"),
            *RecommendationOutcome.choices,
        ]
    )
    received_after = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label="Received on or after"
    )
    received_before = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label="Received on or before"
    )
    on_time = django_filters.BooleanFilter()

    class Meta:
        model = ProviderResponse
        fields = ["subject_type", "outcome", "received_after", "received_before", "on_time"]

    def filter_subject_type(self, queryset, name, value):
        if value == "information_request":
            return queryset.filter(information_request__isnull=False)
        return queryset.filter(recommendation__isnull=False)


class PublicRecommendationFilter(django_filters.FilterSet):
    topic = IdFilter(field_name="topic_id", label="Topic id")
    recipient = IdFilter(field_name="recipient_id", label="Health body id")
    outcome = django_filters.ChoiceFilter(choices=RecommendationOutcome.choices)

    class Meta:
        model = Recommendation
        fields = ["topic", "recipient", "outcome"]


class PublicMeetingFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    body = IdFilter(method="filter_body", label="Organisation id (its own and joint meetings)")

    def filter_body(self, queryset, name, value):
        return queryset.filter(pk__in=Meeting.objects.involving([value]).values("pk"))
