"""Relevant decisions of an involvement network, and their publication clock.

A LINk must, within a reasonable time after making a "relevant decision", publish a written
statement of the decision and its reasons (SI 2008/528 reg 2(1)(d); the kinds are reg 2(2)).
Local Healthwatch arrangements carry the same duty (SI 2012/3094, Part 6). The decisions to
request information, to refer a report or recommendation and to refer a matter to the
committee are recorded by the services that carry them out; the others an officer records.
The "reasonable time" is a deadline rule (`relevant-decision-publication`), so an area can
set its own, and the sweep reminds the network's officers when a statement is late.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models.access import transition_permission, visible_rows
from scrutiny.casework.models.organisations import Organisation
from scrutiny.casework.models.topics import Topic
from scrutiny.casework.roles import Perm
from workflows.cache import DECISIONS, CacheScope
from workflows.models import ClockedModel
from workflows.services import condition

DECISION_PUBLICATION_RULE = "relevant-decision-publication"


class DecisionKind(models.TextChoices):
    """The relevant decisions of SI 2008/528 reg 2(2), (a) to (h)."""

    HOW_ACTIVITIES = "how_activities", "How the network carries out its activities"
    WHICH_SERVICES = "which_services", "Which care services the network looks at"
    SPENDING = "spending", "Spending on the network's activities"
    REQUEST_INFORMATION = "request_information", "To request information from a provider"
    REFER_REPORT = "refer_report", "To refer a report or recommendation to a provider"
    ENTER_AND_VIEW = "enter_and_view", "Which premises to enter and view, and when"
    REFER_TO_OSC = "refer_to_osc", "To refer a matter to the overview and scrutiny committee"
    REPORT_TO_OTHER = "report_to_other", "To report a matter to another person"


# The paragraph of reg 2(2) each kind comes from (shown with the statement).
REGULATION_PARAGRAPH = {
    DecisionKind.HOW_ACTIVITIES: "2(2)(a)",
    DecisionKind.WHICH_SERVICES: "2(2)(b)",
    DecisionKind.SPENDING: "2(2)(c)",
    DecisionKind.REQUEST_INFORMATION: "2(2)(d)",
    DecisionKind.REFER_REPORT: "2(2)(e)",
    DecisionKind.ENTER_AND_VIEW: "2(2)(f)",
    DecisionKind.REFER_TO_OSC: "2(2)(g)",
    DecisionKind.REPORT_TO_OTHER: "2(2)(h)",
}

# Kinds the services record themselves; an officer records only the others.
RECORDED_BY_SERVICES = frozenset(
    {DecisionKind.REQUEST_INFORMATION, DecisionKind.REFER_REPORT, DecisionKind.REFER_TO_OSC}
)


class DecisionState(models.TextChoices):
    RECORDED = "recorded", "Awaiting its statement"
    PUBLISHED = "published", "Published"
    SET_ASIDE = "set_aside", "Set aside (recorded in error)"


@condition("Write the statement of the decision and its reasons before publishing it.")
def _has_reasons(decision) -> bool:
    return bool(decision.statement.strip()) and bool(decision.reasons.strip())


class RelevantDecisionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=DecisionState.PUBLISHED)

    def visible_to(self, user, perm: Perm | None = None):
        """The decisions `user` may see (the network's staff), as the policy answers."""
        return visible_rows(user, self, perm)


class RelevantDecision(FSMModelMixin, ClockedModel):
    """One relevant decision of an involvement network, with its statement and reasons."""

    CLOCK_OPEN_STATES = (DecisionState.RECORDED,)

    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=32, choices=DecisionKind.choices)
    decided_on = models.DateField()
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    # The record that carried the decision out (a request, a recommendation, a referral).
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    statement = models.TextField(help_text="The decision, in words a resident understands.")
    reasons = models.TextField(blank=True)
    state = FSMField(
        default=DecisionState.RECORDED,
        choices=DecisionState.choices,
        protected=True,
        db_index=True,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    set_aside_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RelevantDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind"],
                condition=models.Q(subject_id__isnull=False),
                name="decision_one_per_subject_and_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published") | models.Q(published_at__isnull=False),
                name="decision_published_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.decided_on:%d %b %Y})"

    def public_cache_scope(self):
        """The public decisions pages (workflows.cache); a statement names no other page."""
        return CacheScope.of(lists=[DECISIONS])

    def get_absolute_url(self):
        return reverse("scrutiny:decision", args=[self.pk])

    def get_public_url(self):
        return reverse("public:decision", args=[self.pk])

    @property
    def regulation(self) -> str:
        return f"SI 2008/528 reg {REGULATION_PARAGRAPH[self.kind]}"

    @property
    def published_on(self) -> dt.date | None:
        return timezone.localdate(self.published_at) if self.published_at else None

    @property
    def published_late(self) -> bool:
        """Was the statement published after its due date?"""
        on = self.published_on
        return on is not None and self.due_on is not None and on > self.due_on

    @transition(
        field=state,
        source=DecisionState.RECORDED,
        target=DecisionState.PUBLISHED,
        permission=transition_permission(Perm.TOPIC_MANAGE),
        conditions=[_has_reasons],
    )
    def publish(self, *, by, at: dt.datetime | None = None):
        self.published_at = at or timezone.now()

    @transition(
        field=state,
        source=DecisionState.RECORDED,
        target=DecisionState.SET_ASIDE,
        permission=transition_permission(Perm.TOPIC_MANAGE),
    )
    def set_aside(self, *, by, reason: str):
        self.set_aside_reason = reason
