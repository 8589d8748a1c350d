"""Enter and View: the involvement network's authorised representatives, its visits to premises
where care is provided, and the safeguarding concerns a visit finds (kept private).

A visit belongs to a topic (docs/decisions/0022-enter-and-view.md), so the recommendations of
its report are `Recommendation` rows on that topic, addressed to the provider, and share their
lifecycle, clocks, responses and public pages.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models.access import transition_permission, visible_rows
from scrutiny.casework.models.organisations import Organisation
from scrutiny.casework.models.sites import Site
from scrutiny.casework.models.topics import Topic
from scrutiny.casework.roles import Perm
from workflows.models import ClockedModel
from workflows.services import condition

# --- Authorised representatives --------------------------------------------------------------


class AuthorisedRepresentative(models.Model):
    """A person the involvement network authorised to enter and view premises, from a date
    (and until it revoked the authorisation)."""

    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="authorised_representatives",
        limit_choices_to={"kind": Organisation.Kind.INVOLVEMENT_NETWORK},
        help_text="The involvement network that authorised the person.",
    )
    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Their sign-in, if they have one (many representatives are volunteers).",
    )
    authorised_on = models.DateField()
    revoked_on = models.DateField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["body__name", "name", "id"]
        constraints = [
            models.CheckConstraint(
                name="representative_revoked_after_authorised",
                condition=models.Q(revoked_on__isnull=True)
                | models.Q(revoked_on__gte=models.F("authorised_on")),
            )
        ]

    def __str__(self):
        return self.name

    def authorised_on_day(self, day: dt.date) -> bool:
        """Was the authorisation in force on `day` (from `authorised_on`, until revoked)?"""
        if day < self.authorised_on:
            return False
        return self.revoked_on is None or day < self.revoked_on


# --- Visits ----------------------------------------------------------------------------------


class VisitState(models.TextChoices):
    PLANNED = "planned", "Planned"
    ANNOUNCED = "announced", "Announced"
    UNANNOUNCED = "unannounced", "Unannounced (reason recorded)"
    POSTPONED = "postponed", "Postponed"
    CARRIED_OUT = "carried_out", "Carried out"
    REPORT_DRAFTED = "report_drafted", "Draft report"
    ACCURACY_CHECK = "accuracy_check", "Factual-accuracy check by the provider"
    PUBLISHED = "published", "Report published: provider's response due"
    RESPONDED = "responded", "Provider responded"
    CANCELLED = "cancelled", "Cancelled"


V = VisitState
# Visits not yet carried out: they can be postponed or cancelled.
VISIT_BEFORE = (V.PLANNED, V.ANNOUNCED, V.UNANNOUNCED)
# From the factual-accuracy check on, the provider sees the visit and its report.
PROVIDER_SEES = (V.ACCURACY_CHECK, V.PUBLISHED, V.RESPONDED)
# A published report: residents see it.
VISIT_PUBLIC_STATES = (V.PUBLISHED, V.RESPONDED)

# The deadline rules of the two clocks (workflows/defaults.py).
ACCURACY_RULE = "enter-and-view-accuracy-check"
RESPONSE_RULE = "enter-and-view-response"

_MANAGE = transition_permission(Perm.VISIT_MANAGE)


@condition("Record why the visit is unannounced.")
def _has_unannounced_reason(visit):
    return bool((visit.unannounced_reason or "").strip())


@condition("Name at least one authorised representative as the visit team.")
def _has_team(visit):
    return visit.pk is not None and visit.team.exists()


@condition("Write the draft report first.")
def _has_report(visit):
    return bool((visit.report or "").strip())


@condition(
    "The provider's factual-accuracy check is still open: publish once its comments arrive "
    "or the period has ended."
)
def _accuracy_check_done(visit):
    if visit.accuracy_comments_on is not None:
        return True
    return visit.due_on is not None and visit.due_on < timezone.localdate()


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user, perm: Perm | None = None):
        return visible_rows(user, self, perm)

    def published(self):
        return self.filter(state__in=VISIT_PUBLIC_STATES)


class Visit(FSMModelMixin, ClockedModel):
    """An Enter and View visit by the involvement network's authorised representatives to a
    health body's premises, its report, the provider's factual-accuracy check and response.

    One clock at a time: the factual-accuracy check while the provider checks the draft report,
    then the provider's response to the published report."""

    CLOCK_OPEN_STATES = (V.ACCURACY_CHECK, V.PUBLISHED)

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="visits")
    network = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="visits_made",
        limit_choices_to={"kind": Organisation.Kind.INVOLVEMENT_NETWORK},
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="visits")
    planned_for = models.DateField()
    purpose = models.TextField(help_text="Why the network decided to enter and view.")
    team = models.ManyToManyField(AuthorisedRepresentative, blank=True, related_name="visits")
    state = FSMField(default=V.PLANNED, choices=V.choices, protected=True, db_index=True)
    announced_on = models.DateField(null=True, blank=True)
    unannounced_reason = models.TextField(blank=True)
    postponement_reason = models.TextField(blank=True)
    cancellation_reason = models.TextField(blank=True)
    carried_out_on = models.DateField(null=True, blank=True)
    findings = models.TextField(blank=True)
    report = models.TextField(blank=True)
    sent_for_check_on = models.DateField(null=True, blank=True)
    accuracy_comments = models.TextField(blank=True)
    accuracy_comments_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Every row: services and the policy only. Pages read through `.visible_to(user)`, the
    # public site through `scrutiny.casework.publication.visits_published()`.
    all_objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_for", "-id"]
        constraints = [
            models.CheckConstraint(
                name="unannounced_visit_says_why",
                condition=~models.Q(state="unannounced") | ~models.Q(unannounced_reason=""),
            )
        ]

    def __str__(self):
        return f"Enter and View: {self.site.name} ({self.planned_for:%d %b %Y})"

    def get_absolute_url(self):
        return reverse("scrutiny:visit-detail", args=[self.pk])

    @property
    def provider_id(self):
        return self.site.body_id

    @property
    def provider(self) -> Organisation:
        return self.site.body

    @transition(field=state, source=V.PLANNED, target=V.ANNOUNCED, permission=_MANAGE)
    def announce(self, *, by, on: dt.date):
        self.announced_on = on

    @transition(
        field=state,
        source=V.PLANNED,
        target=V.UNANNOUNCED,
        conditions=[_has_unannounced_reason],
        permission=_MANAGE,
    )
    def go_unannounced(self, *, by):
        pass

    @transition(field=state, source=list(VISIT_BEFORE), target=V.POSTPONED, permission=_MANAGE)
    def postpone(self, *, by, reason: str):
        self.postponement_reason = reason

    @transition(field=state, source=V.POSTPONED, target=V.PLANNED, permission=_MANAGE)
    def reschedule(self, *, by, planned_for: dt.date):
        self.planned_for = planned_for
        self.announced_on = None

    @transition(
        field=state,
        source=[*VISIT_BEFORE, V.POSTPONED],
        target=V.CANCELLED,
        permission=_MANAGE,
    )
    def cancel(self, *, by, reason: str):
        self.cancellation_reason = reason

    @transition(
        field=state,
        source=[V.ANNOUNCED, V.UNANNOUNCED],
        target=V.CARRIED_OUT,
        conditions=[_has_team],
        permission=_MANAGE,
    )
    def carry_out(self, *, by, on: dt.date, findings: str = ""):
        self.carried_out_on = on
        self.findings = findings

    @transition(
        field=state,
        source=V.CARRIED_OUT,
        target=V.REPORT_DRAFTED,
        conditions=[_has_report],
        permission=_MANAGE,
    )
    def draft_report(self, *, by):
        pass

    @transition(
        field=state,
        source=V.REPORT_DRAFTED,
        target=V.ACCURACY_CHECK,
        conditions=[_has_report],
        permission=_MANAGE,
    )
    def send_for_accuracy_check(self, *, by, rule, on: dt.date, calendar=None):
        self.sent_for_check_on = on
        self.start_clock(rule, on, calendar=calendar)

    @transition(
        field=state,
        source=V.ACCURACY_CHECK,
        target=V.PUBLISHED,
        conditions=[_accuracy_check_done, _has_report],
        permission=_MANAGE,
    )
    def publish(self, *, by, rule, on: dt.date, calendar=None):
        self.published_on = on
        self.start_clock(rule, on, calendar=calendar)

    @transition(
        field=state,
        source=V.PUBLISHED,
        target=V.RESPONDED,
        permission=transition_permission(Perm.RESPOND),
    )
    def record_response(self, *, by, text: str, on: dt.date):
        self.response = text
        self.responded_on = on


# --- Safeguarding concerns -------------------------------------------------------------------


class SafeguardingConcern(models.Model):
    """A safeguarding concern found on a visit: who raised it, when, and to whom it was referred.

    Private: never on a public page, feed, open data or the API's public resources; seen only by
    the network's staff who hold `view_safeguarding` (the policy)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="safeguarding_concerns")
    raised_by = models.CharField(max_length=200, help_text="Who on the visit raised it.")
    found_on = models.DateField()
    description = models.TextField()
    referred_to = models.CharField(
        max_length=200, help_text="Whom it was referred to (e.g. the council's safeguarding team)."
    )
    referred_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["found_on", "id"]

    def __str__(self):
        return f"Safeguarding concern on visit {self.visit_id} ({self.found_on:%d %b %Y})"
