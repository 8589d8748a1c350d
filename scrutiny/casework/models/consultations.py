"""Service-change consultations (SI 2013/218 reg 23) and requests to the Secretary of State:
call-in (NHS Act 2006 Sch 10A, from 31 January 2024) or, for saved cases, the referral under
reg 23(9) as it stood before that date.

A consultation owns a topic of the committee consulted (docs/decisions/0023-consultations.md):
the committee's questions are that topic's information requests and its recommendations are the
topic's recommendations, with their own clocks, inbox, API and public answers. The consultation
itself holds what the body proposes, its two dates, the committee's view whether the proposal is
a substantial variation (decided at a minuted meeting), its comments, and the body's decision.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models.access import transition_permission, visible_rows
from scrutiny.casework.models.organisations import Organisation
from scrutiny.casework.models.topics import Topic
from scrutiny.casework.roles import Perm
from workflows.models import ClockedModel
from workflows.services import condition

# The day Schedule 10A's call-in power and SI 2024/16 came into force: a report to the
# Secretary of State under reg 23(9) made before it is saved (SI 2024/16 reg 3); none after.
CALL_IN_COMMENCEMENT = dt.date(2024, 1, 31)

# Deadline rules (workflows/defaults.py).
COMMENTS_AGENDA_RULE = "consultation-comments-agenda"
CALL_IN_DECISION_RULE = "call-in-decision"


class ConsultationState(models.TextChoices):
    RECEIVED = "received", "Received"
    SUBSTANTIAL = "substantial", "Substantial: committee considering"
    NOT_SUBSTANTIAL = "not_substantial", "Not a substantial variation"
    COMMENTS_SENT = "comments_sent", "Comments sent"
    DECIDED = "decided", "Body has decided"
    WITHDRAWN = "withdrawn", "Withdrawn by the body"


CS = ConsultationState
CONSULTATION_FINAL_STATES = (CS.DECIDED, CS.WITHDRAWN)
CONSULTATION_OPEN_STATES = tuple(s for s in CS.values if s not in CONSULTATION_FINAL_STATES)


class ConsultationChannel(models.TextChoices):
    OFFICER = "officer", "Recorded by a support officer"
    WEB = "web", "Submitted on the health body's pages"
    API = "api", "Submitted through the API"


class ConsultationQuerySet(models.QuerySet):
    def visible_to(self, user, perm: Perm | None = None):
        return visible_rows(user, self, perm)

    def public(self):
        """What residents see: consultations the committee has considered at a minuted meeting
        (its view on whether the proposal is substantial is recorded). A proposal only received
        is not yet on the public record."""
        return self.filter(assessed_on__isnull=False)


@condition("Record the minuted agenda item at which the committee decided.")
def _has_minute(obj):
    return obj.minute_item_id is not None


class Consultation(FSMModelMixin, ClockedModel):
    """A health body's proposal for a substantial development or variation, and the committee's
    scrutiny of it. The clock: the latest day to publish the agenda of a meeting held on the
    comments-due date (the committee agrees its comments at a meeting)."""

    CLOCK_OPEN_STATES = (CS.RECEIVED, CS.SUBSTANTIAL)

    topic = models.OneToOneField(Topic, on_delete=models.PROTECT, related_name="consultation")
    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="consultations",
        limit_choices_to={"kind": Organisation.Kind.HEALTH_BODY},
        help_text="The health body proposing the change (the 'responsible person').",
    )
    committee = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="consultations_received",
        limit_choices_to={"kind": Organisation.Kind.SCRUTINY_COMMITTEE},
    )
    title = models.CharField(max_length=200)
    what_changes = models.TextField()
    who_is_affected = models.TextField()
    received_on = models.DateField()
    proposed_decision_on = models.DateField(
        help_text="The date by which the body proposes to decide (reg 23)."
    )
    comments_due_on = models.DateField(
        help_text="The date by which the body asks for the committee's comments (reg 23)."
    )
    channel = models.CharField(max_length=10, choices=ConsultationChannel)
    state = FSMField(default=CS.RECEIVED, choices=CS.choices, protected=True, db_index=True)

    substantial = models.BooleanField(null=True, blank=True)
    assessment_reason = models.TextField(blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    # The agenda item (protocols.AgendaItem) whose minuted decision is the committee's view: an
    # id, because the casework does not know the joint-working models.
    minute_item_id = models.PositiveBigIntegerField(null=True, blank=True)
    comments = models.TextField(blank=True)
    comments_sent_on = models.DateField(null=True, blank=True)
    decision = models.TextField(blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    all_objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="consultation_comments_due_after_receipt",
                condition=Q(comments_due_on__gte=models.F("received_on")),
            ),
            models.CheckConstraint(
                name="consultation_view_needs_a_minute",
                condition=Q(assessed_on__isnull=True)
                | Q(minute_item_id__isnull=False, substantial__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.body}: {self.title}"

    def get_absolute_url(self):
        return reverse("scrutiny:consultation-detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.assessed_on is not None

    @transition(
        field=state,
        source=CS.RECEIVED,
        target=CS.SUBSTANTIAL,
        conditions=[_has_minute],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def find_substantial(self, *, by, reason: str, on: dt.date):
        self.substantial, self.assessment_reason, self.assessed_on = True, reason, on

    @transition(
        field=state,
        source=CS.RECEIVED,
        target=CS.NOT_SUBSTANTIAL,
        conditions=[_has_minute],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def find_not_substantial(self, *, by, reason: str, on: dt.date):
        self.substantial, self.assessment_reason, self.assessed_on = False, reason, on

    @transition(
        field=state,
        source=CS.SUBSTANTIAL,
        target=CS.COMMENTS_SENT,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def send_comments(self, *, by, comments: str, on: dt.date):
        self.comments, self.comments_sent_on = comments, on

    @transition(
        field=state,
        source=[CS.SUBSTANTIAL, CS.NOT_SUBSTANTIAL, CS.COMMENTS_SENT],
        target=CS.DECIDED,
        permission=transition_permission(Perm.RESPOND),
    )
    def record_decision(self, *, by, decision: str, reasons: str, on: dt.date):
        self.decision, self.decision_reasons, self.decided_on = decision, reasons, on

    @transition(
        field=state,
        source=list(CONSULTATION_OPEN_STATES),
        target=CS.WITHDRAWN,
        permission=transition_permission(Perm.RESPOND),
    )
    def withdraw(self, *, by, reason: str):
        self.withdrawal_reason = reason


class ConsultationDocument(models.Model):
    """A document of the consultation: the body's consultation document, options appraisal,
    equality impact assessment… held where the body publishes it (a link)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    published_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self):
        return self.title


# --- Requests to the Secretary of State ----------------------------------------------------------


class CallInRoute(models.TextChoices):
    CALL_IN = "call_in", "Request to call in (NHS Act 2006 Sch 10A)"
    REFERRAL = "referral", "Referral to the Secretary of State (SI 2013/218 reg 23(9), saved)"


class CallInGround(models.TextChoices):
    # Call-in (DHSC guidance, "Reconfiguring NHS services - ministerial intervention powers").
    PROCESS = "process", "Concerns with the process the body followed"
    NOT_IN_INTERESTS = (
        "not_in_interests",
        "Decision not in the interests of the local health service",
    )
    # The saved referral (reg 23(9) before 31 January 2024).
    CONSULTATION_INADEQUATE = "consultation_inadequate", "Consultation not adequate"


# A ground that is about a decision needs the decision first.
GROUNDS_NEEDING_A_DECISION = (CallInGround.NOT_IN_INTERESTS,)
ROUTE_GROUNDS = {
    CallInRoute.CALL_IN: (CallInGround.PROCESS, CallInGround.NOT_IN_INTERESTS),
    CallInRoute.REFERRAL: (CallInGround.CONSULTATION_INADEQUATE, CallInGround.NOT_IN_INTERESTS),
}


class CallInState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    CALLED_IN = "called_in", "Called in: Secretary of State considering"
    NOT_CALLED_IN = "not_called_in", "Not called in"
    DECIDED = "decided", "Secretary of State has decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


CI = CallInState


class CallInOutcome(models.TextChoices):
    PROCEED = "proceed", "The proposal may proceed"
    PROCEED_MODIFIED = "proceed_modified", "The proposal may proceed in a modified form"
    NOT_PROCEED = "not_proceed", "The proposal should not proceed"
    OTHER = "other", "Other (explained)"


class CallInRequest(FSMModelMixin, ClockedModel):
    """Someone asked the Secretary of State to intervene in a consultation's proposal.

    The route follows the date: a request made on or after 31 January 2024 is a call-in
    request (anyone may make one); before it, the committee's referral under reg 23(9), which
    SI 2024/16 reg 3 saves. The clock (call-ins only): the Secretary of State may decide
    within 6 months beginning with the date of the direction (Sch 10A para 3(2)(a)).
    """

    CLOCK_OPEN_STATES = (CI.CALLED_IN,)

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="call_in_requests"
    )
    route = models.CharField(max_length=10, choices=CallInRoute)
    requested_by_name = models.CharField(
        "who asked", max_length=200, help_text="The person or body that asked."
    )
    requested_by_body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_on = models.DateField()
    ground = models.CharField(max_length=30, choices=CallInGround)
    grounds = models.TextField(help_text="The grounds as the request states them.")
    state = FSMField(default=CI.REQUESTED, choices=CI.choices, protected=True)
    answered_on = models.DateField(
        null=True, blank=True, help_text="When the Secretary of State called it in, or declined."
    )
    answer_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=CallInOutcome, blank=True)
    outcome_text = models.TextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="call_in_route_follows_the_date",
                condition=Q(route="call_in", requested_on__gte=CALL_IN_COMMENCEMENT)
                | Q(route="referral", requested_on__lt=CALL_IN_COMMENCEMENT),
            )
        ]

    def __str__(self):
        return f"{self.get_route_display()}: {self.consultation}"

    def get_absolute_url(self):
        return self.consultation.get_absolute_url() + f"#call-in-{self.pk}"

    @staticmethod
    def route_on(day: dt.date) -> str:
        """Which route a request made on `day` takes (SI 2024/16 regs 2-3)."""
        return CallInRoute.CALL_IN if day >= CALL_IN_COMMENCEMENT else CallInRoute.REFERRAL

    @transition(
        field=state,
        source=CI.REQUESTED,
        target=CI.CALLED_IN,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def call_in(self, *, by, on: dt.date, answer: str = "", rule=None, calendar=None):
        """The Secretary of State's direction (or, for a saved referral, its acceptance for
        consideration): a call-in starts the six-month clock."""
        self.answered_on, self.answer_note = on, answer
        if rule is not None:
            self.start_clock(rule, on, calendar=calendar)

    @transition(
        field=state,
        source=CI.REQUESTED,
        target=CI.NOT_CALLED_IN,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def decline(self, *, by, on: dt.date, answer: str):
        self.answered_on, self.answer_note = on, answer

    @transition(
        field=state,
        source=CI.CALLED_IN,
        target=CI.DECIDED,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def record_outcome(self, *, by, outcome: str, text: str, on: dt.date):
        self.outcome, self.outcome_text, self.outcome_on = outcome, text, on

    @transition(
        field=state,
        source=CI.REQUESTED,
        target=CI.WITHDRAWN,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def withdraw(self, *, by, reason: str):
        self.withdrawal_reason = reason
