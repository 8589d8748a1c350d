"""Scrutiny topics and their lifecycle, and each partner body's position on a joint topic."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models.access import transition_permission
from scrutiny.casework.models.items import RecommendationState, RequestState
from scrutiny.casework.models.organisations import (
    Organisation,
    Partnership,
    PrioritisationFramework,
)
from scrutiny.casework.roles import Perm
from workflows.cache import CacheScope, topic_scope
from workflows.services import condition

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

# Publication (docs/decisions/0008-publication.md). Being scrutinised now: on the work programme
# and not yet closed.
ONGOING_STATES = (S.PRIORITISED, S.INFORMATION_REQUESTED, S.RESPONSE_DUE, S.RECOMMENDATION_MADE)
# Closed with a public outcome or reason.
OUTCOME_STATES = (S.CONCLUDED, S.DECLINED, S.WITHDRAWN)
PUBLISHABLE_STATES = ONGOING_STATES + OUTCOME_STATES


class PublicationState(models.TextChoices):
    """A topic's second lifecycle: whether its bodies have published it to residents."""

    UNPUBLISHED = "unpublished", "Not published"
    PUBLISHED = "published", "Published"


P = PublicationState


@condition("Draft at least one information request, each to a health body, before issuing.")
def _has_issuable_requests(topic):
    drafts = [r for r in topic.requests.all() if r.state == RequestState.DRAFT]
    return bool(drafts) and all(r.recipient_id and r.recipient.is_health_body for r in drafts)


@condition(
    "Agree at least one recommendation first: record the meeting's minuted decision, or the "
    "chair's action."
)
def _has_recommendations(topic):
    agreed = [r for r in topic.recommendations.all() if r.state == RecommendationState.AGREED]
    return bool(agreed) and all(r.recipient_id and r.recipient.is_health_body for r in agreed)


@condition(
    "This topic cannot be published yet: prioritise, decline or withdraw it first (a raised "
    "topic has not been decided on)."
)
def _publishable(topic):
    return topic.state in PUBLISHABLE_STATES


_MAY_PUBLISH = transition_permission(Perm.TOPIC_MANAGE)


class Topic(FSMModelMixin, models.Model):
    class Source(models.TextChoices):
        OFFICER = "officer", "Support officer"
        MEMBER = "member", "Committee member"
        RESIDENT_SUGGESTION = "resident_suggestion", "Resident suggestion"
        REFERRAL = "referral", "Referral from the involvement network"
        CONSULTATION = "consultation", "A health body's service-change consultation"

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
    below_threshold_reason = models.TextField(
        blank=True,
        help_text="Why it was prioritised though its scores are below the framework's threshold.",
    )
    prioritised_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(
        blank=True, help_text="Why it was declined or withdrawn (publishable)."
    )
    close_without_response_reason = models.TextField(blank=True)
    outcome_summary = models.TextField(blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    # Set and cleared by `publish` / `unpublish`; the public selectors read it (a published
    # topic back in 'raised' keeps it, and reappears once publishable again).
    publication = FSMField(default=P.UNPUBLISHED, choices=P.choices, protected=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The staff topic list's order, newest first, paged with LIMIT (read backwards).
        indexes = [models.Index(fields=["created_at", "id"], name="topic_created_order")]
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

    def public_cache_scope(self) -> CacheScope:
        """The public pages a change to this topic can show on (workflows.cache): its own
        page, the pages of the health bodies it concerns or asks, and the lists."""
        slugs = Organisation.objects.filter(
            Q(pk__in=self.health_bodies.values("pk"))
            | Q(requests_received__topic=self)
            | Q(recommendations_received__topic=self)
        ).values_list("slug", flat=True)
        return topic_scope(self.pk, set(slugs))

    @property
    def is_joint(self):
        return self.partnership_id is not None

    def applicable_framework(self) -> PrioritisationFramework:
        """The one answer to "which prioritisation framework applies to this topic".

        Scores already given are read against the framework they were given under; a topic
        still to be scored (raised, or reopened) is scored against its partnership's framework,
        or the default TOPIC framework when it is a single body's topic.
        """
        if self.framework_id is not None and self.state != TopicState.RAISED:
            return self.framework
        if self.partnership_id is not None:
            return self.partnership.framework
        return PrioritisationFramework.default()

    # Transitions: pure; conditions on the decorator; permission answered by the policy.

    @transition(
        field=state,
        source=S.RAISED,
        target=S.PRIORITISED,
        permission=transition_permission(Perm.TOPIC_PRIORITISE),
    )
    def prioritise(
        self, *, by, framework, scores, on: dt.date | None = None, below_threshold_reason=""
    ):
        self.framework = framework
        self.scores = scores
        self.score_total = sum(scores.values())
        self.below_threshold_reason = below_threshold_reason
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
        # What becomes of each item still open is the service's rule (`topic_conclude` asks
        # for a disposition of each), so the conclude page can be reached to ask it.
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

    # Publication: the second lifecycle field, moved by the same service.

    @transition(
        field=publication,
        source=P.UNPUBLISHED,
        target=P.PUBLISHED,
        conditions=[_publishable],
        permission=_MAY_PUBLISH,
        custom={"forbidden": "Only a support officer of the topic's bodies may publish it."},
    )
    def publish(self, *, by, at: dt.datetime | None = None):
        self.published_at = at or timezone.now()

    @transition(
        field=publication,
        source=P.PUBLISHED,
        target=P.UNPUBLISHED,
        permission=_MAY_PUBLISH,
        custom={"forbidden": "Only a support officer of the topic's bodies may withdraw it."},
    )
    def unpublish(self, *, by, reason: str):
        self.published_at = None


class TopicPositionQuerySet(models.QuerySet):
    def agreed(self):
        """Positions the body has agreed (at a meeting or by its chair): the only ones published."""
        return self.filter(agreed_at__isnull=False)


class TopicPosition(models.Model):
    """One partner body's own position on a joint topic ("agree at times to differ").

    Recorded as a proposal; it is the body's position once agreed, at a meeting (a minuted
    decision, `minute_item_id`) or by the body's chair (a chair's action). Recording new words
    makes it a proposal again. "Agreed" means `agreed_at` set (`services.topic_position_agree`).
    """

    class Agreement(models.TextChoices):
        MEETING = "meeting", "Agreed at a meeting"
        CHAIR = "chair", "Agreed by the chair's action"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="positions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    position = models.TextField()
    recommendation = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_how = models.CharField(max_length=10, choices=Agreement.choices, blank=True)
    agreement_note = models.TextField(blank=True)
    # The agenda item (protocols.AgendaItem) whose minuted decision agreed it: an id, because
    # the casework layer does not know the joint-working models.
    minute_item_id = models.PositiveBigIntegerField(null=True, blank=True)

    objects = TopicPositionQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "organisation"], name="one_position_per_body"),
            models.CheckConstraint(
                name="agreed_position_says_how",
                condition=models.Q(agreed_at__isnull=True, agreed_how="")
                | (models.Q(agreed_at__isnull=False) & ~models.Q(agreed_how="")),
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.topic}"

    @property
    def is_agreed(self) -> bool:
        return self.agreed_at is not None
