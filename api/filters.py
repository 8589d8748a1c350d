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


class StrictFilterForm(forms.Form):
    """A query parameter that is given must hold a value the schema allows: `?topic=` (empty) or
    `?on_time=maybe` is a 400 naming it, not a list that quietly ignores the parameter."""

    BOOLEAN_WORDS = ("true", "false")

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if name not in self.data:
                continue
            value = self.data.get(name)
            if value == "":
                self.add_error(name, "Send a value, or leave this parameter out.")
            elif isinstance(field, forms.NullBooleanField) and value not in self.BOOLEAN_WORDS:
                self.add_error(name, "Send true or false.")
        return cleaned


class StrictFilterSet(django_filters.FilterSet):
    class Meta:
        form = StrictFilterForm


@extend_schema_field({"type": "integer", "minimum": MIN_ID, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id in a query (`?topic=`): a whole number in range, else 400 (workflows.ids)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class InformationRequestFilter(StrictFilterSet):
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
        form = StrictFilterForm
        model = InformationRequest
        fields = ["state", "due_before", "due_after", "topic"]


class RecommendationFilter(StrictFilterSet):
    state = django_filters.ChoiceFilter(
        # Drafts and agreed-but-unissued recommendations are never sent, so never listed.
        choices=[
            c
            for c in RecommendationState.choices
            if c[0] not in (RecommendationState.DRAFT, RecommendationState.AGREED)
        ]
    )
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    topic = IdFilter(field_name="topic_id", label="Topic id")

    class Meta:
        form = StrictFilterForm
        model = Recommendation
        fields = ["state", "due_before", "due_after", "topic"]


class ResponseFilter(StrictFilterSet):
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
        form = StrictFilterForm
        model = ProviderResponse
        fields = ["subject_type", "outcome", "received_after", "received_before", "on_time"]

    def filter_subject_type(self, queryset, name, value):
        if value == "information_request":
            return queryset.filter(information_request__isnull=False)
        return queryset.filter(recommendation__isnull=False)


class PublicRecommendationFilter(StrictFilterSet):
    topic = IdFilter(field_name="topic_id", label="Topic id")
    recipient = IdFilter(field_name="recipient_id", label="Health body id")
    outcome = django_filters.ChoiceFilter(choices=RecommendationOutcome.choices)

    class Meta:
        form = StrictFilterForm
        model = Recommendation
        fields = ["topic", "recipient", "outcome"]


class PublicMeetingFilter(StrictFilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    body = IdFilter(method="filter_body", label="Organisation id (its own and joint meetings)")

    def filter_body(self, queryset, name, value):
        return queryset.filter(pk__in=Meeting.objects.involving([value]).values("pk"))
