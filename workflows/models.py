"""The engine's records: deadline rules, holiday overrides, audit events, due-date changes.

Clocked models (requests, recommendations, referrals, meetings…) inherit `ClockedModel`; audit
events and due-date changes are append-only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from workflows.calendar import REGION_LABELS


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(
            f"{self.model.__name__} records are append-only; they cannot be updated."
        )

    def delete(self):
        raise AppendOnlyError(
            f"{self.model.__name__} records are append-only; they cannot be deleted."
        )


class AppendOnlyModel(models.Model):
    """A record that is written once. Corrections are new records, never edits.

    The model and its queryset refuse update and delete; on PostgreSQL a trigger refuses them in
    the database too (and on SQLite for UPDATE) — see `workflows.db.append_only_sql`.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(
                f"{type(self).__name__} records are append-only; they cannot be updated."
            )
        # A new object given an existing id must not turn into an UPDATE of that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            f"{type(self).__name__} records are append-only; they cannot be deleted."
        )


class DeadlineRule(models.Model):
    """A statutory clock, stored as data so a deployment can change it."""

    class Kind(models.TextChoices):
        PERIOD = "period", "A period from a start date"
        CLEAR_DAYS_BEFORE = "clear_days_before", "Clear working days before an event"

    class Unit(models.TextChoices):
        CALENDAR_DAYS = "calendar_days", "calendar days"
        WORKING_DAYS = "working_days", "working days"
        MONTHS = "months", "months"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.PERIOD)
    period = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    unit = models.CharField(max_length=20, choices=Unit, default=Unit.WORKING_DAYS)
    start_day_counts = models.BooleanField(
        default=False,
        help_text="'Beginning with' the start date (it is day 1) rather than 'from' or 'after' it.",
    )
    region = models.CharField(
        max_length=30,
        choices=list(REGION_LABELS.items()),
        blank=True,
        help_text="Bank holidays of this region; blank means the deployment's setting.",
    )
    source = models.CharField(max_length=300, blank=True, help_text="The law or protocol.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                name="deadline_rule_clear_days_in_working_days",
                condition=~models.Q(kind="clear_days_before") | models.Q(unit="working_days"),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.slug})"

    @property
    def effective_region(self):
        return self.region or settings.CF_HOLIDAY_REGION

    TERM_FIELDS = ("kind", "period", "unit", "start_day_counts", "region")

    def terms_on(self, start, versions=None):
        """The terms (this rule, or one of its versions) for a clock that started on `start`.

        The version in force on `start` is the one with the latest effective date on or before
        it (a correction, recorded later with the same effective date, wins over what it
        corrects). A rule without versions has only its own terms. `versions` may be given
        (any order) to save the query; otherwise they are read (or the prefetch is used).
        """
        if versions is None:
            versions = self.versions.all() if self.pk is not None else ()
        return terms_in_force(self, versions, start)


def _version_key(version):
    """Order of precedence: effective date, then recording order (unsaved ones last)."""
    recorded = version.pk if version.pk is not None else float("inf")
    return (version.effective_from or dt.date.min, recorded)


def terms_in_force(rule, versions, start):
    """The version of `rule` in force for a clock started on `start` (see `terms_on`)."""
    best = None
    for version in versions:
        if version.effective_from is not None and version.effective_from > start:
            continue
        # `>=`: of two unsaved versions with the same date, the later in the list wins.
        if best is None or _version_key(version) >= _version_key(best):
            best = version
    return best if best is not None else rule


def latest_version(versions):
    """The most recently effective version (ties: the last recorded), or None."""
    ordered = sorted(versions, key=_version_key)  # stable: the later of equals stays last
    return ordered[-1] if ordered else None


class DeadlineRuleVersion(AppendOnlyModel):
    """The terms of a deadline rule from an effective date, written once.

    A change that is not a correction applies to clocks started on or after `effective_from`;
    clocks started before keep the version they started under. A correction is recorded with
    the effective date of the version it corrects, so it replaces that version for every clock
    that counted by it. The first change of a rule records the rule's earlier terms as the
    version in force since the beginning (`effective_from` empty).
    docs/decisions/0018-rule-changes.md
    """

    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(
        null=True, blank=True, help_text="Clocks started on or after this date count by it."
    )
    kind = models.CharField(max_length=20, choices=DeadlineRule.Kind)
    period = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    unit = models.CharField(max_length=20, choices=DeadlineRule.Unit)
    start_day_counts = models.BooleanField()
    region = models.CharField(max_length=30, choices=list(REGION_LABELS.items()), blank=True)
    correction = models.BooleanField(
        default=False, help_text="Corrects the version it replaces: existing clocks move."
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["rule", "effective_from", "id"]
        verbose_name = "deadline rule version"

    def __str__(self):
        since = f"from {self.effective_from:%d %b %Y}" if self.effective_from else "from the start"
        return f"{self.rule.slug} {since}: {self.period} {self.get_unit_display()}"

    slug = property(lambda self: self.rule.slug)

    @property
    def effective_region(self):
        return self.region or settings.CF_HOLIDAY_REGION


class HolidayOverride(models.Model):
    """A bank holiday added by proclamation, or a listed one that does not apply."""

    class Action(models.TextChoices):
        ADD = "add", "Add a bank holiday"
        REMOVE = "remove", "Remove a listed bank holiday"

    region = models.CharField(max_length=30, choices=list(REGION_LABELS.items()))
    date = models.DateField()
    action = models.CharField(max_length=10, choices=Action, default=Action.ADD)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["region", "date"], name="one_override_per_region_day")
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.date:%d %b %Y} {self.name}"


class ClockedModel(models.Model):
    """A record with a statutory due date that explains itself.

    Subclasses say which states keep the clock open (`CLOCK_STATE_FIELD`, `CLOCK_OPEN_STATES`);
    only open clocks are recomputed when a rule or the holiday list changes.
    """

    CLOCK_STATE_FIELD = "state"
    CLOCK_OPEN_STATES: tuple[str, ...] = ()

    due_rule = models.ForeignKey(
        DeadlineRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clock_started_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, db_index=True)
    due_explanation = models.TextField(blank=True)

    class Meta:
        abstract = True

    def start_clock(self, rule: DeadlineRule, start, *, calendar=None):
        """Set the due date from `rule` and `start` (pure: sets fields, saves nothing)."""
        from workflows.clocks import compute_due

        due = compute_due(rule, start, calendar=calendar)
        self.due_rule = rule
        self.clock_started_on = start
        self.due_on = due.date
        self.due_explanation = due.explanation
        return due

    def is_overdue(self, today=None) -> bool:
        """Past its due date while the clock is still open (derived, never stored)."""
        today = today or timezone.localdate()
        open_now = getattr(self, self.CLOCK_STATE_FIELD) in self.CLOCK_OPEN_STATES
        return open_now and self.due_on is not None and self.due_on < today

    @classmethod
    def open_clocks(cls):
        return cls._default_manager.filter(
            **{f"{cls.CLOCK_STATE_FIELD}__in": cls.CLOCK_OPEN_STATES}, due_rule__isnull=False
        )

    CLOCK_FIELDS = ("due_rule", "clock_started_on", "due_on", "due_explanation")


class AuditEvent(AppendOnlyModel):
    """One event on the record: a lifecycle move or another change (who, when, from, to, why).

    `event_type` holds a `workflows.audit.EventType` value (a plain column, so a new type needs
    no migration); `data` the structured details. Written only by `workflows.audit.log_event`,
    in the transaction of the change; the webhook dispatcher reads new rows as its outbox.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    event_type = models.CharField(max_length=60, db_index=True)
    source_state = models.CharField(max_length=40, blank=True)
    target_state = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_event_object_at")
        ]

    def __str__(self):
        return f"{self.event_type}: {self.source_state} → {self.target_state}"


class DueDateChange(AppendOnlyModel):
    """A due date that moved because a rule or the holiday list changed."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    old_due_on = models.DateField()
    new_due_on = models.DateField()
    old_explanation = models.TextField()
    new_explanation = models.TextField()
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.old_due_on} → {self.new_due_on} ({self.reason})"


# --- Deadlines in motion: the sweep's marks, the notification outbox, preferences ---------------


class SweepMark(models.Model):
    """The sweep found a clocked item overdue (or very overdue) for a given due date.

    One row per (item, level, due date): the unique constraint is what makes the sweep idempotent
    and safe to run twice at once. A due date that moves (a rule or holiday change) gets marks of
    its own; the casework rows are never edited by the sweep.
    """

    class Level(models.TextChoices):
        OVERDUE = "overdue", "Overdue"
        VERY_OVERDUE = "very_overdue", "Very overdue"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=60, help_text="The clock source that found it.")
    level = models.CharField(max_length=20, choices=Level)
    due_on = models.DateField()
    marked_on = models.DateField(help_text="The day of the sweep that marked it.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "level", "due_on"],
                name="one_sweep_mark_per_item_level_due_date",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.get_level_display()} (due {self.due_on})"


class NotificationKind(models.TextChoices):
    """What a notification is about; each is a choice people can turn off."""

    REMINDER_BEFORE = "reminder_before", "Reminder before a due date"
    REMINDER_DUE = "reminder_due", "Reminder on the due date"
    REMINDER_OVERDUE = "reminder_overdue", "Overdue notice"
    ESCALATION = "escalation", "Escalation of a very overdue item"
    DIGEST = "digest", "Daily digest of what is due and overdue"
    DUE_DATE_CHANGED = "due_date_changed", "A due date moved"
    # Notices to a health body of what it is asked: the formal service of a request or a
    # recommendation, so nobody can turn them off (NotificationPreference.KINDS omits them).
    ASK_ISSUED = "ask_issued", "Notice of a request or recommendation"
    ASK_WITHDRAWN = "ask_withdrawn", "Notice that a request or recommendation was withdrawn"
    INVITATION = "invitation", "Invitation to answer for a health body"
    SUGGESTION_OUTCOME = "suggestion_outcome", "What became of a resident's suggestion"
    # Residents following the public record (docs/decisions/0030-following.md).
    FOLLOW_CONFIRM = "follow_confirm", "Confirm a subscription to public updates"
    FOLLOW_NOTICE = "follow_notice", "A change to something a resident follows"
    FOLLOW_DIGEST = "follow_digest", "A resident's weekly digest of what they follow"


# The kinds a person may turn off on their preferences page.
OPTIONAL_NOTIFICATION_KINDS = (
    NotificationKind.REMINDER_BEFORE,
    NotificationKind.REMINDER_DUE,
    NotificationKind.REMINDER_OVERDUE,
    NotificationKind.ESCALATION,
    NotificationKind.DIGEST,
    NotificationKind.DUE_DATE_CHANGED,
)


class Notification(models.Model):
    """The outbox: one e-mail to one person (or one address) about one event.

    `event_key` names the event (e.g. "information_request:12:overdue:2027-01-20"); the unique
    (event_key, recipient) pair — (event_key, to_email) for an address with no account behind
    it, such as a health body's own mailbox — is why nothing is ever sent twice. The message is
    rendered when the row is written, in the same transaction as the change that caused it; a
    task delivers it after commit and retries with backoff while the mail server fails.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up retrying)"
        CANCELLED = "cancelled", "Cancelled (overtaken before it was sent)"

    event_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=NotificationKind)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        help_text="Blank for an address with no account behind it (a body's own mailbox).",
    )
    to_email = models.EmailField()
    reply_to = models.EmailField(
        blank=True, help_text="Where a reply goes: the officer who asked, for notices of asks."
    )
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField()
    link = models.URLField(max_length=500, blank=True)
    headers = models.JSONField(
        default=dict,
        blank=True,
        help_text="Extra e-mail headers (List-Unsubscribe for residents' subscriptions).",
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"],
                condition=models.Q(recipient__isnull=False),
                name="one_notification_per_event_and_recipient",
            ),
            models.UniqueConstraint(
                fields=["event_key", "to_email"],
                condition=models.Q(recipient__isnull=True),
                name="one_notification_per_event_and_mailbox",
            ),
        ]
        # The sweep's candidates: "is this clock's reminder written yet?" (workflows/sweep.py).
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "kind"], name="notification_object_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to_email}: {self.subject}"


class NotificationPreference(models.Model):
    """Which notifications a person receives. No row means every kind is on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    reminder_before = models.BooleanField(
        "Reminders a few working days before a due date", default=True
    )
    reminder_due = models.BooleanField("Reminders on the due date", default=True)
    reminder_overdue = models.BooleanField("Notices when something is overdue", default=True)
    escalation = models.BooleanField("Escalations of very overdue items (chairs)", default=True)
    digest = models.BooleanField(
        "A daily digest of what is due and overdue (officers)", default=True
    )
    due_date_changed = models.BooleanField(
        "Notices when a due date moves (bank holiday or rule change)", default=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    KINDS = tuple(str(k) for k in OPTIONAL_NOTIFICATION_KINDS)

    class Meta:
        verbose_name = "notification preference"

    def __str__(self):
        return f"Notification preferences of {self.user}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, kind))


class JobRun(models.Model):
    """When each scheduled job (and the task worker's heartbeat) last ran, and how it ended."""

    WORKER_HEARTBEAT = "worker-heartbeat"  # written by the task worker, not the scheduler

    name = models.CharField(max_length=80, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=200, blank=True)
    last_ok = models.BooleanField(default=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SchedulerLease(models.Model):
    """The one scheduler allowed to run jobs now: whoever holds an unexpired lease. A second
    scheduler waits until the lease lapses (its holder died) and then takes over."""

    name = models.CharField(max_length=40, unique=True)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name}: {self.holder or 'free'}"
