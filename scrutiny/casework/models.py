"""The casework: organisations, partnerships, memberships, topics, information requests,
recommendations, referrals and the providers' responses.

Transition methods are pure: they check their conditions (declared on the decorator), set derived
fields and save nothing. `workflows.services.transition_apply` applies them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.permissions import Perm, transition_permission
from workflows.models import AppendOnlyModel, ClockedModel
from workflows.services import condition

DEFAULT_KIND_LABELS = {
    "involvement_network": "LINk",
    "scrutiny_committee": "OSC",
    "health_body": "Health body",
}


class Organisation(models.Model):
    class Kind(models.TextChoices):
        INVOLVEMENT_NETWORK = "involvement_network", "Involvement network"
        SCRUTINY_COMMITTEE = "scrutiny_committee", "Scrutiny committee"
        HEALTH_BODY = "health_body", "Health body"

    class HealthBodyKind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        FOUNDATION_TRUST = "foundation_trust", "NHS foundation trust"
        COMMISSIONER = "commissioner", "Commissioner (PCT / ICB)"
        GP_PRACTICE = "gp_practice", "GP practice"
        INDEPENDENT_PROVIDER = "independent_provider", "Independent provider of NHS services"
        COUNCIL_SOCIAL_CARE = "council_social_care", "Council social care"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=Kind)
    health_body_kind = models.CharField(max_length=30, choices=HealthBodyKind, blank=True)
    label = models.CharField(
        max_length=60,
        blank=True,
        help_text="What this kind of body is called here: 'LINk', 'Local Healthwatch', 'HOSC'.",
    )
    area = models.CharField(max_length=120, blank=True, help_text="Council area served.")
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="health_body_kind_only_for_health_bodies",
                condition=(Q(kind="health_body") & ~Q(health_body_kind=""))
                | (~Q(kind="health_body") & Q(health_body_kind="")),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def kind_label(self):
        if self.label:
            return self.label
        labels = getattr(settings, "CF_KIND_LABELS", DEFAULT_KIND_LABELS)
        return labels.get(self.kind, self.get_kind_display())

    @property
    def is_health_body(self):
        return self.kind == self.Kind.HEALTH_BODY


class PrioritisationFramework(models.Model):
    """Published criteria for scoring candidate topics (default: TOPIC, 0–2 each, threshold 6)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    criteria = models.JSONField(
        help_text='A list of {"key": "timely", "label": "Timely", "question": "…"}.'
    )
    scale_max = models.PositiveSmallIntegerField(default=2)
    threshold = models.PositiveSmallIntegerField(default=6)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.criteria, list) or not self.criteria:
            raise ValidationError({"criteria": "List at least one criterion."})
        keys = [c.get("key") for c in self.criteria if isinstance(c, dict)]
        if len(keys) != len(self.criteria) or not all(keys) or len(set(keys)) != len(keys):
            raise ValidationError({"criteria": "Each criterion needs a unique key and a label."})

    @property
    def max_total(self):
        return self.scale_max * len(self.criteria)

    def validate_scores(self, scores: dict) -> dict[str, int]:
        """Scores for every criterion, each a whole number from 0 to scale_max."""
        errors, clean = {}, {}
        for criterion in self.criteria:
            key = criterion["key"]
            value = scores.get(key)
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[key] = f"Score '{criterion['label']}' from 0 to {self.scale_max}."
                continue
            if not 0 <= value <= self.scale_max:
                errors[key] = f"Score '{criterion['label']}' from 0 to {self.scale_max}."
            clean[key] = value
        unknown = set(scores) - {c["key"] for c in self.criteria}
        if unknown:
            errors["__all__"] = f"Unknown criteria: {', '.join(sorted(unknown))}."
        if errors:
            raise ValidationError(errors)
        return clean


class Partnership(models.Model):
    """An involvement network and one or more scrutiny committees working jointly."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    involvement_network = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="network_partnerships",
        limit_choices_to={"kind": Organisation.Kind.INVOLVEMENT_NETWORK},
    )
    scrutiny_committees = models.ManyToManyField(
        Organisation,
        related_name="committee_partnerships",
        limit_choices_to={"kind": Organisation.Kind.SCRUTINY_COMMITTEE},
    )
    framework = models.ForeignKey(
        PrioritisationFramework, on_delete=models.PROTECT, related_name="partnerships"
    )
    programme_capacity = models.PositiveSmallIntegerField(
        default=8, help_text="How many topics the joint work programme can carry in a year."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def party_ids(self) -> set[int]:
        return {self.involvement_network_id, *(o.pk for o in self.scrutiny_committees.all())}


class Membership(models.Model):
    class Role(models.TextChoices):
        SUPPORT_OFFICER = "support_officer", "Support officer"
        COMMITTEE_MEMBER = "committee_member", "Committee member"
        CHAIR = "chair", "Chair"
        RESPONDER = "responder", "Health body responder"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"

    def clean(self):
        org = self.organisation if self.organisation_id else None
        if org is None:
            return
        if self.role == self.Role.RESPONDER and not org.is_health_body:
            raise ValidationError({"role": "Responders belong to health bodies."})
        if self.role != self.Role.RESPONDER and org.is_health_body:
            raise ValidationError({"role": "A health body's people are responders."})


# --- Topics -------------------------------------------------------------------------------


class TopicState(models.TextChoices):
    RAISED = "raised", "Raised"
    PRIORITISED = "prioritised", "Prioritised"
    DECLINED = "declined", "Declined"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    RESPONSE_DUE = "response_due", "Response due"
    RECOMMENDATION_MADE = "recommendation_made", "Recommendation made"
    CONCLUDED = "concluded", "Concluded"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = TopicState
TOPIC_FINAL_STATES = (S.CONCLUDED, S.WITHDRAWN, S.DECLINED)
TOPIC_OPEN_STATES = tuple(s for s in S.values if s not in TOPIC_FINAL_STATES)


@condition("Draft at least one information request, each to a health body, before issuing.")
def _has_issuable_requests(topic):
    drafts = [r for r in topic.requests.all() if r.state == RequestState.DRAFT]
    return bool(drafts) and all(r.recipient_id and r.recipient.is_health_body for r in drafts)


@condition("Draft at least one recommendation, each to a health body, first.")
def _has_recommendations(topic):
    live = [
        r
        for r in topic.recommendations.all()
        if r.state in (RecommendationState.DRAFT, RecommendationState.ISSUED)
    ]
    return bool(live) and all(r.recipient_id and r.recipient.is_health_body for r in live)


@condition(
    "A recommendation still awaits its response: wait for it, or record a decision to close "
    "without it."
)
def _no_response_awaited(topic):
    if topic.close_without_response_reason.strip():
        return True
    return not topic.recommendations.filter(state=RecommendationState.ISSUED).exists()


class Topic(FSMModelMixin, models.Model):
    class Source(models.TextChoices):
        OFFICER = "officer", "Support officer"
        MEMBER = "member", "Committee member"
        RESIDENT_SUGGESTION = "resident_suggestion", "Resident suggestion"
        REFERRAL = "referral", "Referral from the involvement network"

    title = models.CharField(max_length=200)
    summary = models.TextField()
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="topics"
    )
    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_topics",
        help_text="The one body whose topic this is, when it is not joint.",
    )
    lead_body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_topics")
    source = models.CharField(max_length=30, choices=Source, default=Source.OFFICER)
    health_bodies = models.ManyToManyField(
        Organisation, blank=True, related_name="topics_about", help_text="Health bodies concerned."
    )
    state = FSMField(default=S.RAISED, choices=S.choices, protected=True, db_index=True)

    framework = models.ForeignKey(
        PrioritisationFramework, on_delete=models.PROTECT, null=True, blank=True
    )
    scores = models.JSONField(default=dict, blank=True)
    score_total = models.PositiveSmallIntegerField(null=True, blank=True)
    prioritised_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(
        blank=True, help_text="Why it was declined or withdrawn (publishable)."
    )
    close_without_response_reason = models.TextField(blank=True)
    outcome_summary = models.TextField(blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="topic_is_joint_or_single_body",
                condition=(Q(partnership__isnull=False) & Q(body__isnull=True))
                | (Q(partnership__isnull=True) & Q(body__isnull=False)),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scrutiny:topic-detail", args=[self.pk])

    @property
    def is_joint(self):
        return self.partnership_id is not None

    # Transitions: pure; conditions on the decorator; permission from scrutiny.casework.permissions.

    @transition(
        field=state,
        source=S.RAISED,
        target=S.PRIORITISED,
        permission=transition_permission(Perm.TOPIC_PRIORITISE),
    )
    def prioritise(self, *, by, framework, scores, on: dt.date | None = None):
        self.framework = framework
        self.scores = scores
        self.score_total = sum(scores.values())
        self.prioritised_on = on or timezone.localdate()

    @transition(
        field=state,
        source=[S.RAISED, S.PRIORITISED],
        target=S.DECLINED,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def decline(self, *, by, reason: str):
        self.decision_reason = reason

    @transition(
        field=state,
        source=S.DECLINED,
        target=S.RAISED,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def reopen(self, *, by):
        self.decision_reason = ""

    @transition(
        field=state,
        source=S.PRIORITISED,
        target=S.INFORMATION_REQUESTED,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def request_information(self, *, by):
        pass

    @transition(
        field=state,
        source=S.INFORMATION_REQUESTED,
        target=S.RESPONSE_DUE,
        conditions=[_has_issuable_requests],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def issue_requests(self, *, by):
        pass

    @transition(
        field=state,
        source=[S.PRIORITISED, S.RESPONSE_DUE],
        target=S.RECOMMENDATION_MADE,
        conditions=[_has_recommendations],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def make_recommendations(self, *, by):
        pass

    @transition(
        field=state,
        source=S.RECOMMENDATION_MADE,
        target=S.INFORMATION_REQUESTED,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def request_more(self, *, by):
        pass

    @transition(
        field=state,
        source=S.RECOMMENDATION_MADE,
        target=S.CONCLUDED,
        conditions=[_no_response_awaited],
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def conclude(self, *, by, outcome_summary: str, on: dt.date | None = None):
        self.outcome_summary = outcome_summary
        self.concluded_on = on or timezone.localdate()

    @transition(
        field=state,
        source=list(TOPIC_OPEN_STATES),
        target=S.WITHDRAWN,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def withdraw(self, *, by, reason: str):
        self.decision_reason = reason


class TopicPosition(models.Model):
    """One partner body's own position on a joint topic ("agree at times to differ")."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="positions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    position = models.TextField()
    recommendation = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "organisation"], name="one_position_per_body")
        ]

    def __str__(self):
        return f"{self.organisation}: {self.topic}"


# --- Referrals ----------------------------------------------------------------------------


class ReferralState(models.TextChoices):
    AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement", "Awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class Referral(FSMModelMixin, ClockedModel):
    """A matter the involvement network refers to the scrutiny committee (SI 2008/528)."""

    CLOCK_OPEN_STATES = (ReferralState.AWAITING_ACKNOWLEDGEMENT,)
    RULE = "referral-acknowledgement"

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="referral")
    from_body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals")
    referred_on = models.DateField()
    state = FSMField(
        default=ReferralState.AWAITING_ACKNOWLEDGEMENT,
        choices=ReferralState.choices,
        protected=True,
    )
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledgement = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"Referral: {self.topic}"

    @transition(
        field=state,
        source=ReferralState.AWAITING_ACKNOWLEDGEMENT,
        target=ReferralState.ACKNOWLEDGED,
        permission=transition_permission(Perm.REFERRAL_ACKNOWLEDGE),
    )
    def acknowledge(self, *, by, text: str, on: dt.date | None = None):
        self.acknowledgement = text
        self.acknowledged_on = on or timezone.localdate()


class ReferralUpdate(AppendOnlyModel):
    """'Keeping the LINk informed of action taken' after the acknowledgement."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="updates")
    text = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"Update on {self.referral_id} at {self.at:%Y-%m-%d}"


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

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="requests")
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

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="recommendations")
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


# --- The accountability log ---------------------------------------------------------------


class Channel(models.TextChoices):
    API = "api", "API"
    WEB = "web", "Web form"
    LETTER = "letter", "Letter"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "At a meeting"


class ProviderResponse(AppendOnlyModel):
    """One entry in the append-only accountability log. A correction supersedes; never an edit."""

    information_request = models.ForeignKey(
        InformationRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="responses_given"
    )
    channel = models.CharField(max_length=20, choices=Channel)
    received_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The officer who recorded a response that arrived by letter, e-mail or meeting.",
    )
    text = models.TextField()
    outcome = models.CharField(max_length=30)
    refusal_ground = models.CharField(max_length=30, choices=RefusalGround, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    due_on = models.DateField(null=True, blank=True)
    on_time = models.BooleanField()
    working_days_late = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="response_to_exactly_one_thing",
                condition=(Q(information_request__isnull=False) & Q(recommendation__isnull=True))
                | (Q(information_request__isnull=True) & Q(recommendation__isnull=False)),
            )
        ]

    def __str__(self):
        return f"{self.organisation}: {self.outcome} ({self.received_at:%d %b %Y})"

    @property
    def subject(self):
        return self.information_request or self.recommendation

    @property
    def lateness(self) -> str:
        if self.on_time:
            return "on time"
        if self.working_days_late == 1:
            return "1 working day late"
        return f"{self.working_days_late} working days late"


class ResponseAttachment(AppendOnlyModel):
    response = models.ForeignKey(
        ProviderResponse, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to="responses/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class ActionPlanItem(AppendOnlyModel):
    """An action a health body commits to in its response to a recommendation."""

    response = models.ForeignKey(
        ProviderResponse, on_delete=models.PROTECT, related_name="action_plan"
    )
    action = models.TextField()
    owner = models.CharField(max_length=200)
    target_date = models.DateField()

    class Meta:
        ordering = ["target_date", "id"]

    def __str__(self):
        return self.action[:60]


class ImplementationUpdate(AppendOnlyModel):
    """How implementation of an accepted recommendation is going, over time."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="implementation_updates"
    )
    status = models.CharField(max_length=30, choices=ImplementationStatus)
    revised_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    channel = models.CharField(max_length=20, choices=Channel)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_status_display()} at {self.at:%Y-%m-%d}"


# --- Resident suggestions (the public site) -----------------------------------------------


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    ACCEPTED = "accepted", "Accepted as a topic"
    REJECTED = "rejected", "Rejected"


class TopicSuggestion(models.Model):
    """A resident's suggestion of a topic, waiting in the moderation queue.

    Never shown on a public page, feed, download or API. The suggester's name and e-mail are
    kept apart, in `SuggesterContact`, and deleted after the retention period.
    """

    title = models.CharField(max_length=200)
    description = models.TextField()
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="suggestions"
    )
    health_body = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.HEALTH_BODY},
    )
    status = models.CharField(
        max_length=20, choices=SuggestionStatus, default=SuggestionStatus.PENDING, db_index=True
    )
    rejection_reason = models.TextField(blank=True)
    topic = models.OneToOneField(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestion"
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    personal_details_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return self.title


class SuggesterContact(models.Model):
    """The suggester's personal details: seen by moderating officers only, deleted on time."""

    suggestion = models.OneToOneField(
        TopicSuggestion, on_delete=models.CASCADE, related_name="contact"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["suggestion_id"]

    def __str__(self):
        return f"Contact for suggestion {self.suggestion_id}"
