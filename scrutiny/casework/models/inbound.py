"""E-mail that arrives for the service: replies from health bodies to the notices of asks.

Every message kept is one `InboundEmail` (with its attachments): matched to its request or
recommendation by the reference in its subject or address (`CF-R12`, `CF-M3`), or left in the
officers' queue when nothing matches. A reply is not an answer until an officer accepts it and
says what it is (answered, refused…): then it becomes a `ProviderResponse` on the channel
e-mail, with the time the message really arrived. Bounces and automatic replies are kept,
marked as such, and never filed as answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class InboundState(models.TextChoices):
    TO_REVIEW = "to_review", "To review"  # matched to an item; an officer confirms
    UNMATCHED = "unmatched", "Matches no request"  # in the officers' queue
    FILED = "filed", "Filed as a response"
    REJECTED = "rejected", "Not an answer"
    AUTOMATIC = "automatic", "Bounce or automatic reply"


class InboundEmail(models.Model):
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    from_address = models.EmailField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    state = models.CharField(
        max_length=20, choices=InboundState, default=InboundState.UNMATCHED, db_index=True
    )
    automatic_reason = models.CharField(max_length=120, blank=True)
    information_request = models.ForeignKey(
        "scrutiny.InformationRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    recommendation = models.ForeignKey(
        "scrutiny.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    known_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The recipient body's responder whose address sent it, if any.",
    )
    response = models.OneToOneField(
        "scrutiny.ProviderResponse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_email",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True)
    # Filed without an officer: from an active responder of the addressed body, the sender
    # checked (`sender_check` says how: docs/decisions/0017-inbound-trust.md).
    filed_automatically = models.BooleanField(default=False)
    sender_check = models.CharField(max_length=200, blank=True)
    # A bounce: the notice it reports as not delivered.
    bounce_of = models.ForeignKey(
        "workflows.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="inbound_email_one_subject",
                condition=models.Q(information_request__isnull=True)
                | models.Q(recommendation__isnull=True),
            ),
        ]

    def __str__(self):
        return f"E-mail from {self.from_address}: {self.subject[:60]}"

    @property
    def subject_item(self):
        return self.information_request or self.recommendation


class InboundAttachment(models.Model):
    email = models.ForeignKey(InboundEmail, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="inbound/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.original_name
