"""Residents' topic suggestions, with the suggester's contact details kept apart."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models.access import transition_permission, visible_rows
from scrutiny.casework.models.organisations import Organisation, Partnership
from scrutiny.casework.models.topics import Topic
from scrutiny.casework.roles import Perm

# --- Resident suggestions (the public site) -----------------------------------------------


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    ACCEPTED = "accepted", "Accepted as a topic"
    REJECTED = "rejected", "Rejected"


SG = SuggestionStatus
FORBIDDEN = "Only an officer of the partnership's bodies moderates this suggestion."


class TopicSuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Suggestions `user` may moderate (officers of the partnership's bodies), by the
        policy."""
        return visible_rows(user, self)


class TopicSuggestion(FSMModelMixin, models.Model):
    """A resident's suggestion of a topic, waiting in the moderation queue.

    Never shown on a public page, feed, download or API. The suggester's name and e-mail are
    kept apart, in `SuggesterContact`, and deleted after the retention period. Moderation is
    its lifecycle: pending, then accepted (a topic is raised from it) or rejected.
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
    status = FSMField(
        max_length=20, choices=SG.choices, default=SG.PENDING, protected=True, db_index=True
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

    objects = TopicSuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return self.title

    @transition(
        field=status,
        source=SG.PENDING,
        target=SG.ACCEPTED,
        permission=transition_permission(Perm.SUGGESTION_MODERATE),
        custom={"forbidden": FORBIDDEN},
    )
    def accept(self, *, by, topic: Topic, at=None):
        self.topic = topic
        self.moderated_by = by
        self.moderated_at = at or timezone.now()

    @transition(
        field=status,
        source=SG.PENDING,
        target=SG.REJECTED,
        permission=transition_permission(Perm.SUGGESTION_MODERATE),
        custom={"forbidden": FORBIDDEN},
    )
    def reject(self, *, by, reason: str, at=None):
        self.rejection_reason = reason
        self.moderated_by = by
        self.moderated_at = at or timezone.now()


class SuggesterContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contact details of the suggestions `user` may moderate, by the policy."""
        return visible_rows(user, self)


class SuggesterContact(models.Model):
    """The suggester's personal details: seen by moderating officers only, deleted on time."""

    suggestion = models.OneToOneField(
        TopicSuggestion, on_delete=models.CASCADE, related_name="contact"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    # No `objects`: personal details are read through `.visible_to(user)`; the submit and
    # retention services use `all_objects`.
    all_objects = SuggesterContactQuerySet.as_manager()

    class Meta:
        ordering = ["suggestion_id"]

    def __str__(self):
        return f"Contact for suggestion {self.suggestion_id}"
