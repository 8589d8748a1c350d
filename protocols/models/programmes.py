"""The joint work programme of a partnership for one municipal year: how much it can carry
(topics and meeting slots), what it holds back for issues that arise during the year, and the
topics scheduled to their target meetings (docs/decisions/0027-work-programme.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from protocols.models.meetings import Meeting
from scrutiny.casework.models import Partnership, Topic


class WorkProgramme(models.Model):
    """A partnership's programme for municipal year `year` (2026 is 2026/27).

    `topic_capacity` is how many topics the year can carry in all; `reserved` of them are held
    back for issues that arise during the year (urgent items, consultations on substantial
    variations), so planning stops at `topic_capacity - reserved`. `slots_per_meeting`, when
    set, is how many programme topics one meeting can take. Scheduling beyond either needs a
    recorded reason (`ProgrammeEntry.over_capacity_reason`)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="work_programmes"
    )
    year = models.PositiveSmallIntegerField(
        help_text="The municipal year, by the calendar year it starts in (2026 is 2026/27)."
    )
    topic_capacity = models.PositiveSmallIntegerField(
        help_text="How many topics the programme can carry in the year, reserve included."
    )
    reserved = models.PositiveSmallIntegerField(
        default=0, help_text="Of those, how many are held back for issues that arise."
    )
    slots_per_meeting = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many programme topics one meeting can take."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year"], name="one_work_programme_a_year"
            ),
            models.CheckConstraint(
                name="reserve_within_capacity",
                condition=Q(reserved__lte=models.F("topic_capacity")),
            ),
        ]

    def __str__(self):
        return f"{self.partnership} work programme {self.year_label}"

    def get_absolute_url(self):
        return reverse("scrutiny:programme", args=[self.partnership.slug]) + f"?year={self.year}"

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def planned_capacity(self) -> int:
        """The topics that may be planned now: the capacity less the reserve."""
        return self.topic_capacity - self.reserved


class ProgrammeEntry(models.Model):
    """A topic on a year's programme, aimed at a target meeting (or not yet)."""

    programme = models.ForeignKey(WorkProgramme, on_delete=models.CASCADE, related_name="entries")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="programme_entries")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_entries",
        help_text="The meeting the topic is aimed at.",
    )
    over_capacity_reason = models.TextField(
        blank=True, help_text="Why the topic was added beyond the programme's capacity."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "programme entries"
        ordering = ["programme_id", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "topic"], name="topic_once_a_programme"),
        ]

    def __str__(self):
        return f"{self.topic} on {self.programme}"
