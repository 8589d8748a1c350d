"""What a scrutiny body addresses to a health body: information requests and recommendations.

Both are an `AddressedItem`: drafted on a topic by one of its bodies (the asking body), issued
to a health body (the recipient) with a statutory clock, answered, or withdrawn with a reason.
What differs is the text (a question; a recommendation with its rationale) and the answers
(answered, partially answered or refused; a response with an outcome and implementation).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from scrutiny.casework.models.access import transition_permission, visible_rows
from scrutiny.casework.models.organisations import Organisation
from scrutiny.casework.roles import Perm
from workflows.models import ClockedModel
from workflows.services import condition

# --- The shared base ----------------------------------------------------------------------

DRAFT, ISSUED, WITHDRAWN = "draft", "issued", "withdrawn"  # the same in both lifecycles
AGREED = "agreed"  # recommendations only: agreed by the committee, not yet issued


class AddressedItemQuerySet(models.QuerySet):
    def issued(self):
        """Ever issued (`issued_on` set): what the recipient was sent. A draft withdrawn before
        it was issued never was, whatever its state says."""
        return self.filter(issued_on__isnull=False)

    def drafts(self):
        return self.filter(state=DRAFT)

    def agreed(self):
        """Recommendations agreed (at a meeting or by the chair's action), not yet issued."""
        return self.filter(state=AGREED)

    def visible_to(self, user, perm: Perm | None = None):
        """What `user` (or an API key) may see (`view_item`) or do `perm` to, by the policy."""
        return visible_rows(user, self, perm)


@condition("Address the request to a health body first.")
def _recipient_is_health_body(obj):
    return bool(obj.recipient_id) and obj.recipient.is_health_body


@condition("Write the question or text first.")
def _has_text(obj):
    return bool(obj.body_text.strip())


def _issue_transition(source=DRAFT):
    @transition(
        field="state",
        source=source,
        target=ISSUED,
        conditions=[_recipient_is_health_body, _has_text],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def issue(self, *, by, rule, on: dt.date | None = None, calendar=None):
        self.issued_on = on or timezone.localdate()
        self.start_clock(rule, self.issued_on, calendar=calendar)

    return issue


def _withdraw_transition(source=(DRAFT, ISSUED)):
    @transition(
        field="state",
        source=list(source),
        target=WITHDRAWN,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def withdraw(self, *, by, reason: str):
        self.withdrawal_reason = reason

    return withdraw


class AddressedItem(FSMModelMixin, ClockedModel):
    """What both items share. A subclass declares its `topic`, asking body and `recipient`
    (their related names differ), its `state` (its own lifecycle), and:

    - `LABEL`: what it is called in a sentence (`Request`, `Recommendation`);
    - `ASKING_FIELD`: the name of its asking-body field (`requested_by`, `made_by`);
    - `TEXT_FIELD`: the name of its text field (`question`, `text`);
    - `ANCHOR`: its fragment on the topic page (`request`, `recommendation`);
    - `issue` and `withdraw` transitions, made by `_issue_transition()` and
      `_withdraw_transition()` so that each model has its own transition methods.
    """

    LABEL = ""
    ASKING_FIELD = ""
    TEXT_FIELD = ""
    ANCHOR = ""
    CLOCK_OPEN_STATES = (ISSUED,)

    issued_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    # When a responder of the recipient body first opened the item in its inbox (set once by
    # `inbox.item_first_viewed`, with its audit event); blank until then.
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Every row, drafts included: services and the policy only. Pages read through
    # `.visible_to(user)`, the public site through `.issued()` (scrutiny.casework.publication).
    all_objects = AddressedItemQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.LABEL} to {self.recipient}: {self.body_text[:60]}"

    def get_absolute_url(self):
        return reverse("scrutiny:topic-detail", args=[self.topic_id]) + f"#{self.ANCHOR}-{self.pk}"

    def public_cache_scope(self):
        """Its topic's public pages (workflows.cache); its recipient's page among them."""
        return self.topic.public_cache_scope()

    @property
    def asking_body(self) -> Organisation:
        return getattr(self, self.ASKING_FIELD)

    @property
    def body_text(self) -> str:
        return getattr(self, self.TEXT_FIELD) or ""

    @property
    def was_issued(self) -> bool:
        return self.issued_on is not None


# --- Information requests -----------------------------------------------------------------


class RequestState(models.TextChoices):
    DRAFT = DRAFT, "Draft"
    ISSUED = ISSUED, "Issued"
    ANSWERED = "answered", "Answered"
    PARTIALLY_ANSWERED = "partially_answered", "Partially answered"
    REFUSED = "refused", "Refused"
    WITHDRAWN = WITHDRAWN, "Withdrawn"


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


class InformationRequest(AddressedItem):
    LABEL = "Request"
    ASKING_FIELD = "requested_by"
    TEXT_FIELD = "question"
    ANCHOR = "request"

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
    refusal_ground = models.CharField(max_length=30, choices=RefusalGround, blank=True)

    issue = _issue_transition()
    withdraw = _withdraw_transition()

    @transition(
        field=state,
        source=[R.ISSUED, *REQUEST_RESPONDED_STATES],
        target=R.ANSWERED,
        permission=transition_permission(Perm.RESPOND),
    )
    def mark_answered(self, *, by, on: dt.date):
        self.responded_on, self.refusal_ground = on, ""

    @transition(
        field=state,
        source=[R.ISSUED, *REQUEST_RESPONDED_STATES],
        target=R.PARTIALLY_ANSWERED,
        permission=transition_permission(Perm.RESPOND),
    )
    def mark_partially_answered(self, *, by, on: dt.date):
        self.responded_on, self.refusal_ground = on, ""

    @transition(
        field=state,
        source=[R.ISSUED, *REQUEST_RESPONDED_STATES],
        target=R.REFUSED,
        permission=transition_permission(Perm.RESPOND),
    )
    def mark_refused(self, *, by, on: dt.date, ground: str):
        self.responded_on, self.refusal_ground = on, ground


# --- Recommendations ----------------------------------------------------------------------


class RecommendationState(models.TextChoices):
    DRAFT = DRAFT, "Draft"
    AGREED = AGREED, "Agreed"
    ISSUED = ISSUED, "Issued"
    RESPONDED = "responded", "Responded"
    WITHDRAWN = WITHDRAWN, "Withdrawn"


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
IMPLEMENTATION_MONITORED_OUTCOMES = (
    RecommendationOutcome.ACCEPTED,
    RecommendationOutcome.PARTIALLY_ACCEPTED,
)


class AgreementBasis(models.TextChoices):
    """How the committee agreed a recommendation before it was issued."""

    MEETING = "meeting", "Minuted decision of a meeting"
    CHAIR = "chair", "Chair's action"


@condition("Implementation is monitored once a recommendation is accepted.")
def _implementation_monitored(rec):
    return rec.state == RS.RESPONDED and rec.outcome in IMPLEMENTATION_MONITORED_OUTCOMES


class Recommendation(AddressedItem):
    LABEL = "Recommendation"
    ASKING_FIELD = "made_by"
    TEXT_FIELD = "text"
    ANCHOR = "recommendation"

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
    visit = models.ForeignKey(
        "scrutiny.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text="The Enter and View visit whose report makes this recommendation.",
    )
    state = FSMField(default=RS.DRAFT, choices=RS.choices, protected=True, db_index=True)
    outcome = models.CharField(max_length=30, choices=RecommendationOutcome, blank=True)
    # The second lifecycle: implementation monitoring of an accepted recommendation. Blank
    # until `respond` accepts it (that transition sets 'not started', so the field is not
    # protected); then moved by `update_implementation`.
    implementation_status = FSMField(
        max_length=30, choices=ImplementationStatus.choices, blank=True, default=""
    )
    implementation_revised_date = models.DateField(null=True, blank=True)
    # Agreement before issue (docs/decisions/0016-agreeing-recommendations.md): set by
    # `agree_at_meeting` (the minuted agenda item) or `agree_by_chair` (the chair's reason).
    agreement_basis = models.CharField(max_length=10, choices=AgreementBasis, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_at_item = models.ForeignKey(
        "protocols.AgendaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations_agreed",
        help_text="The minuted agenda item at which the committee agreed it.",
    )
    agreement_note = models.TextField(blank=True, help_text="The chair's recorded reason.")

    class Meta(AddressedItem.Meta):
        constraints = [
            # An agreed recommendation says how: the minuted item, or the chair's reason.
            models.CheckConstraint(
                name="agreed_recommendation_says_how",
                condition=~models.Q(state=AGREED)
                | models.Q(agreement_basis="meeting", agreed_at_item__isnull=False)
                | (models.Q(agreement_basis="chair") & ~models.Q(agreement_note="")),
            )
        ]

    issue = _issue_transition(source=RS.AGREED)
    withdraw = _withdraw_transition(source=(RS.DRAFT, RS.AGREED, RS.ISSUED))

    @transition(
        field=state,
        source=RS.DRAFT,
        target=RS.AGREED,
        conditions=[_recipient_is_health_body, _has_text],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def agree_at_meeting(self, *, by, agenda_item, on: dt.date):
        """The officer records the committee's minuted decision (an agenda item of the topic)."""
        self.agreement_basis = AgreementBasis.MEETING
        self.agreed_at_item = agenda_item
        self.agreed_on, self.agreed_by, self.agreement_note = on, by, ""

    @transition(
        field=state,
        source=RS.DRAFT,
        target=RS.AGREED,
        conditions=[_recipient_is_health_body, _has_text],
        permission=transition_permission(Perm.RECOMMENDATION_AGREE),
        custom={"forbidden": "Only the chair of the body making it agrees it by chair's action."},
    )
    def agree_by_chair(self, *, by, reason: str, on: dt.date):
        """The chair of the body making the recommendation records their own action."""
        self.agreement_basis = AgreementBasis.CHAIR
        self.agreed_at_item = None
        self.agreed_on, self.agreed_by, self.agreement_note = on, by, reason

    @transition(
        field=state,
        source=[RS.ISSUED, RS.RESPONDED],
        target=RS.RESPONDED,
        permission=transition_permission(Perm.RESPOND),
    )
    def respond(self, *, by, outcome: str, on: dt.date):
        self.outcome = outcome
        self.responded_on = on
        if outcome in IMPLEMENTATION_MONITORED_OUTCOMES:
            self.implementation_status = (
                self.implementation_status or ImplementationStatus.NOT_STARTED
            )
        else:
            self.implementation_status = ""

    @transition(
        field=implementation_status,
        source=list(ImplementationStatus.values),
        target=RETURN_VALUE(*ImplementationStatus.values),
        conditions=[_implementation_monitored],
        permission=transition_permission(Perm.RESPOND),
    )
    def update_implementation(self, *, by, status: str, revised_date: dt.date | None = None):
        self.implementation_revised_date = revised_date
        return status
