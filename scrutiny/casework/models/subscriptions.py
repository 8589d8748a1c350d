"""Residents following the public record by e-mail, with their addresses kept apart.

A `Follower` is one e-mail address (no account). Its `Subscription`s each follow one thing: a
topic, a health body, a committee or involvement network, an area (partnership) or a saved
public search. Nothing is sent to a subscription until it is confirmed (double opt-in), and
an unsubscribed one is deleted. Addresses are never shown on a public page, feed, download or
the API; only the outbox (`workflows.Notification`) holds a copy, as for every e-mail sent.
See docs/decisions/0030-following.md.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from scrutiny.casework.models.organisations import Organisation, Partnership
from scrutiny.casework.models.topics import Topic


class FollowTarget(models.TextChoices):
    TOPIC = "topic", "A topic"
    HEALTH_BODY = "health_body", "A health body"
    BODY = "body", "A committee or involvement network"
    AREA = "area", "An area"
    SEARCH = "search", "A search of published outcomes"


class FollowFrequency(models.TextChoices):
    IMMEDIATE = "immediate", "An e-mail for each change"
    WEEKLY = "weekly", "One e-mail a week"


class Follower(models.Model):
    """An e-mail address that follows something: personal details, never published.

    No `objects` manager: only the following services read it (`all_objects`)."""

    email = models.EmailField(unique=True, help_text="Stored in lower case.")
    created_at = models.DateTimeField(default=timezone.now)

    all_objects = models.Manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Follower {self.pk}"


class Subscription(models.Model):
    """One address following one thing, immediately or weekly.

    `key` names the thing ("health_body:12", "search:<digest>"): unique with the follower, so
    subscribing again to the same thing finds the same row. `confirmed_at` is empty until the
    confirmation link is followed; `digest_through` is the end of the last week whose digest was
    written (so a week's digest is written once however many schedulers run)."""

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="subscriptions")
    target = models.CharField(max_length=20, choices=FollowTarget.choices)
    key = models.CharField(max_length=100)
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    search = models.CharField(
        max_length=600, blank=True, help_text="The saved search: /outcomes/'s query string."
    )
    frequency = models.CharField(
        max_length=10, choices=FollowFrequency.choices, default=FollowFrequency.IMMEDIATE
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    confirmations_sent = models.PositiveIntegerField(default=0)
    digest_through = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["follower", "key"], name="one_subscription_per_thing")
        ]
        indexes = [models.Index(fields=["target", "frequency"], name="subscription_target")]

    def __str__(self):
        return f"Subscription {self.pk} ({self.key})"


class FollowDispatch(models.Model):
    """The mark that a public event of a topic was matched against the immediate subscriptions
    (the audit log is the outbox, docs/decisions/0010): a second dispatcher skips it."""

    event = models.OneToOneField(
        "workflows.AuditEvent", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    dispatched_at = models.DateTimeField(default=timezone.now)
    notices = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["event_id"]

    def __str__(self):
        return f"Event {self.event_id} dispatched"
