"""The append-only accountability log: providers' responses, their attachments, action plans
and implementation updates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from scrutiny.casework.models.access import visible_rows
from scrutiny.casework.models.items import (
    ImplementationStatus,
    InformationRequest,
    Recommendation,
    RefusalGround,
)
from scrutiny.casework.models.organisations import Organisation
from workflows.models import AppendOnlyModel, AppendOnlyQuerySet

# --- The accountability log ---------------------------------------------------------------


class Channel(models.TextChoices):
    API = "api", "API"
    WEB = "web", "Web form"
    LETTER = "letter", "Letter"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "At a meeting"


class ResponseKind(models.TextChoices):
    """What an entry is (docs/decisions/0015-one-current-answer.md). Each request or
    recommendation has one chain of answers (a correction supersedes the one before); further
    information is added beside the current answer and supersedes nothing."""

    ANSWER = "answer", "Answer"
    FURTHER_INFORMATION = "further_information", "Further information"


class ProviderResponseQuerySet(AppendOnlyQuerySet):
    def current(self):
        """Responses no correction has superseded."""
        return self.filter(superseded_by__isnull=True)

    def answers(self):
        return self.filter(kind=ResponseKind.ANSWER)

    def current_answers(self):
        """The current answer of each subject: an answer no correction has superseded."""
        return self.answers().current()

    def visible_to(self, user):
        """Responses to what `user` (or an API key) may see, by the policy."""
        return visible_rows(user, self)


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
    kind = models.CharField(max_length=30, choices=ResponseKind, default=ResponseKind.ANSWER)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    correction_reason = models.TextField(
        blank=True, help_text="Why this answer corrects the one it supersedes (shown on both)."
    )
    due_on = models.DateField(null=True, blank=True)
    on_time = models.BooleanField()
    working_days_late = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProviderResponseQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="response_to_exactly_one_thing",
                condition=(Q(information_request__isnull=False) & Q(recommendation__isnull=True))
                | (Q(information_request__isnull=True) & Q(recommendation__isnull=False)),
            ),
            # One chain of answers per subject: one first answer (superseding nothing) and, the
            # OneToOne `supersedes` being unique, each answer corrected at most once; so exactly
            # one current answer. The service checks the same under a lock and says what to do.
            models.UniqueConstraint(
                fields=["information_request"],
                condition=Q(kind="answer", supersedes__isnull=True)
                & Q(information_request__isnull=False),
                name="one_first_answer_per_request",
            ),
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(kind="answer", supersedes__isnull=True)
                & Q(recommendation__isnull=False),
                name="one_first_answer_per_recommendation",
            ),
            models.CheckConstraint(
                name="correction_has_reason",
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
            ),
            models.CheckConstraint(
                name="further_information_supersedes_nothing",
                condition=Q(kind="answer") | Q(supersedes__isnull=True),
            ),
            models.CheckConstraint(
                name="response_kind_valid",
                condition=Q(kind__in=["answer", "further_information"]),
            ),
            # Received no later than recorded (the service allows for a few minutes of clock
            # skew and records the time it was told). Received on or after the issue date is
            # a trigger on PostgreSQL (the issue date is on another table) and the service.
            models.CheckConstraint(
                name="response_not_received_after_recorded",
                condition=Q(received_at__lte=models.F("created_at")),
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.outcome} ({self.received_at:%d %b %Y})"

    @property
    def subject(self):
        return self.information_request or self.recommendation

    @property
    def is_further_information(self) -> bool:
        return self.kind == ResponseKind.FURTHER_INFORMATION

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


class AttachmentPublicationQuerySet(models.QuerySet):
    def live(self):
        """Publications not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class AttachmentPublication(models.Model):
    """An officer's choice to publish an attachment of a response (docs/decisions/
    0032-open-data-and-evidence.md). The attachment stays append-only and private: this record
    says it is published, by whom and when, and carries the redacted copy residents get instead
    when the officer redacted it, with a note of what was taken out. Withdrawing sets
    `withdrawn_at`; publishing again makes a new record, so the history stays."""

    attachment = models.ForeignKey(
        ResponseAttachment, on_delete=models.PROTECT, related_name="publications"
    )
    redacted_file = models.FileField(upload_to="published/%Y/%m/", blank=True)
    redacted_name = models.CharField(max_length=255, blank=True)
    redacted_content_type = models.CharField(max_length=120, blank=True)
    redacted_size = models.PositiveIntegerField(null=True, blank=True)
    redacted_sha256 = models.CharField(max_length=64, blank=True)
    redaction_note = models.TextField(
        blank=True, help_text="What was redacted and why; shown to residents with the document."
    )
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    objects = AttachmentPublicationQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attachment"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_publication_per_attachment",
            ),
            models.CheckConstraint(
                name="redacted_copy_has_note",
                condition=Q(redacted_file="") | ~Q(redaction_note=""),
            ),
            models.CheckConstraint(
                name="withdrawal_has_reason",
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
            ),
        ]

    def __str__(self):
        return self.public_name

    @property
    def redacted(self) -> bool:
        return bool(self.redacted_file)

    @property
    def public_name(self) -> str:
        return self.redacted_name if self.redacted else self.attachment.original_name

    @property
    def public_size(self) -> int:
        return self.redacted_size if self.redacted else self.attachment.size

    @property
    def public_content_type(self) -> str:
        return self.redacted_content_type if self.redacted else self.attachment.content_type

    def open_public(self):
        """The file residents download: the redacted copy, or the attachment itself."""
        return (self.redacted_file if self.redacted else self.attachment.file).open("rb")


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
    action = models.ForeignKey(
        ActionPlanItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        help_text="The action of the plan this update is about; blank for the whole plan.",
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


class ImplementationEvidence(models.Model):
    """A document attached to an implementation update (same checks as every upload). Kept
    from residents until an officer publishes it (`published_at`)."""

    update = models.ForeignKey(
        ImplementationUpdate, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(upload_to="implementation/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name
