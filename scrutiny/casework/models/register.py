"""The health-body register: what scrutiny bodies keep about each health body besides its cases
— its plans and priorities (documents, dates, a short summary kept by officers) and its board
meeting dates (often imported from the calendar feed the body publishes). The body's own
identifiers (type, NHS ODS code) are on `Organisation`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from scrutiny.casework.models.access import visible_rows
from scrutiny.casework.models.organisations import Organisation
from scrutiny.casework.roles import Perm


class RegisterQuerySet(models.QuerySet):
    def visible_to(self, user, perm: Perm | None = None):
        return visible_rows(user, self, perm)


class HealthBodyPlan(models.Model):
    """A plan, strategy or statement of priorities a health body has published."""

    class Kind(models.TextChoices):
        PLAN = "plan", "Plan"
        PRIORITIES = "priorities", "Priorities"
        STRATEGY = "strategy", "Strategy"
        OTHER = "other", "Other document"

    body = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="plans",
        limit_choices_to={"kind": Organisation.Kind.HEALTH_BODY},
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.PLAN)
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="A short summary, kept by officers.")
    url = models.URLField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title", "id"]
        constraints = [
            models.CheckConstraint(
                name="plan_period_in_order",
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
            )
        ]

    def __str__(self):
        return self.title


class BoardMeeting(models.Model):
    """A meeting of a health body's board (the body's own, not one of our meetings)."""

    class Source(models.TextChoices):
        OFFICER = "officer", "Recorded by an officer"
        FEED = "feed", "Imported from the body's calendar feed"

    body = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="board_meetings",
        limit_choices_to={"kind": Organisation.Kind.HEALTH_BODY},
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source, default=Source.OFFICER)
    # The feed's UID: what makes a second import of the same feed update, not duplicate.
    uid = models.CharField(max_length=500, blank=True)
    cancelled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "uid"], condition=~Q(uid=""), name="one_board_meeting_per_uid"
            )
        ]

    def __str__(self):
        return f"{self.body}: {self.title} ({self.starts_at:%d %b %Y})"
