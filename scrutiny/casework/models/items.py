"""What a scrutiny body addresses to a health body: information requests and recommendations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models.organisations import Organisation
from scrutiny.casework.permissions import Perm, transition_permission
from workflows.models import ClockedModel
from workflows.services import condition


class AddressedItemQuerySet(models.QuerySet):
    def issued(self):
        """Ever issued (`issued_on` set): what the recipient was sent. A draft withdrawn before
        it was issued never was, whatever its state says."""
        return self.filter(issued_on__isnull=False)


# --- Information requests -----------------------------------------------------------------


class RequestState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    ANSWERED = "answered", "Answered"
    PARTIALLY_ANSWERED = "partially_answered", "Partially answered"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


R = RequestState
REQUEST_RESPONDED_STATES = (R.ANSWERED, R.PARTIALLY_ANSWERED, R.REFUSED)


class RefusalGround(models.TextChoices):
    CONFIDENTIAL_PERSONAL = (
        "confidential_personal",
        "Confidential information about a living person",
    )
    PROHIBITED_BY_LAW = "prohibited_by_law", "Disclosure prohibited by law"
    NOT_HELD = "not_held", "Information not held"
    COMMERCIAL = "commercial", "Commercially confidential"
    OTHER = "other", "Other (explained in the response)"


@condition("Address the request to a health body first.")
def _recipient_is_health_body(obj):
    return bool(obj.recipient_id) and obj.recipient.is_health_body


@condition("Write the question or text first.")
def _has_text(obj):
    return bool((getattr(obj, "question", None) or getattr(obj, "text", "")).strip())


class InformationRequest(FSMModelMixin, ClockedModel):
    CLOCK_OPEN_STATES = (R.ISSUED,)

    topic = models.ForeignKey("scrutiny.Topic", on_delete=models.PROTECT, related_name="requests")
    requested_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="requests_made"
    )
    recipient = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="requests_received",
        limit_choices_to={"kind": Organisation.Kind.HEALTH_BODY},
    )
    question = models.TextField()
    state = FSMField(default=R.DRAFT, choices=R.choices, protected=True, db_index=True)
    issued_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    refusal_ground = models.CharField(max_length=30, choices=RefusalGround, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AddressedItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"Request to {self.recipient}: {self.question[:60]}"

    def get_absolute_url(self):
        return reverse("scrutiny:topic-detail", args=[self.topic_id]) + f"#request-{self.pk}"

    @transition(
        field=state,
        source=R.DRAFT,
        target=R.ISSUED,
        conditions=[_recipient_is_health_body, _has_text],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def issue(self, *, by, rule, on: dt.date | None = None, calendar=None):
        self.issued_on = on or timezone.localdate()
        self.start_clock(rule, self.issued_on, calendar=calendar)

    @transition(
        field=state,
        source=[R.ISSUED, *REQUEST_RESPONDED_STATES],
        target=R.ANSWERED,
        permission=transition_permission(Perm.RESPOND),
    )
    def mark_answered(self, *, by, on: dt.date):
        self.responded_on = on
        self.refusal_ground = ""

    @transition(
        field=state,
        source=[R.ISSUED, *REQUEST_RESPONDED_STATES],
        target=R.PARTIALLY_ANSWERED,
        permission=transition_permission(Perm.RESPOND),
    )
    def mark_partially_answered(self, *, by, on: dt.date):
        self.responded_on = on
        self.refusal_ground = ""

    @transition(
        field=state,
        source=[R.ISSUED, *REQUEST_RESPONDED_STATES],
        target=R.REFUSED,
        permission=transition_permission(Perm.RESPOND),
    )
    def mark_refused(self, *, by, on: dt.date, ground: str):
        self.responded_on = on
        self.refusal_ground = ground

    @transition(
        field=state,
        source=[R.DRAFT, R.ISSUED],
        target=R.WITHDRAWN,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def withdraw(self, *, by, reason: str):
        self.withdrawal_reason = reason


# --- Recommendations ----------------------------------------------------------------------


class RecommendationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    RESPONDED = "responded", "Responded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RecommendationOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    PARTIALLY_ACCEPTED = "partially_accepted", "Partially accepted"
    REJECTED = "rejected", "Rejected"
    NOTED = "noted", "Noted"


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    SLIPPED = "slipped", "Slipped"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


RS = RecommendationState


class Recommendation(FSMModelMixin, ClockedModel):
    CLOCK_OPEN_STATES = (RS.ISSUED,)

    topic = models.ForeignKey(
        "scrutiny.Topic", on_delete=models.PROTECT, related_name="recommendations"
    )
    made_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="recommendations_made"
    )
    recipient = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="recommendations_received",
        limit_choices_to={"kind": Organisation.Kind.HEALTH_BODY},
    )
    text = models.TextField()
    rationale = models.TextField(blank=True)
    state = FSMField(default=RS.DRAFT, choices=RS.choices, protected=True, db_index=True)
    issued_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=RecommendationOutcome, blank=True)
    implementation_status = models.CharField(
        max_length=30, choices=ImplementationStatus, blank=True
    )
    implementation_revised_date = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AddressedItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"Recommendation to {self.recipient}: {self.text[:60]}"

    def get_absolute_url(self):
        return reverse("scrutiny:topic-detail", args=[self.topic_id]) + f"#recommendation-{self.pk}"

    @transition(
        field=state,
        source=RS.DRAFT,
        target=RS.ISSUED,
        conditions=[_recipient_is_health_body, _has_text],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def issue(self, *, by, rule, on: dt.date | None = None, calendar=None):
        self.issued_on = on or timezone.localdate()
        self.start_clock(rule, self.issued_on, calendar=calendar)

    @transition(
        field=state,
        source=[RS.ISSUED, RS.RESPONDED],
        target=RS.RESPONDED,
        permission=transition_permission(Perm.RESPOND),
    )
    def respond(self, *, by, outcome: str, on: dt.date):
        self.outcome = outcome
        self.responded_on = on
        if outcome in (RecommendationOutcome.ACCEPTED, RecommendationOutcome.PARTIALLY_ACCEPTED):
            self.implementation_status = (
                self.implementation_status or ImplementationStatus.NOT_STARTED
            )
        else:
            self.implementation_status = ""

    @transition(
        field=state,
        source=[RS.DRAFT, RS.ISSUED],
        target=RS.WITHDRAWN,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def withdraw(self, *, by, reason: str):
        self.withdrawal_reason = reason
