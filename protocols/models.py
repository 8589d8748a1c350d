"""Joint working: protocols and their versions, meetings, agendas, papers, minutes, calendar tokens.

Transition methods are pure (conditions on the decorator, derived fields set, nothing saved);
`workflows.services.transition_apply` applies them, called from `protocols.services`.
Every change a calendar subscriber could see raises the record's `sequence` (RFC 5545 SEQUENCE);
the services do that, never `save()`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from protocols.permissions import manage_permission
from scrutiny.casework.models import Organisation, Partnership, Topic
from workflows.models import ClockedModel
from workflows.services import condition

# --- Protocols ------------------------------------------------------------------------------

SECTIONS = (
    ("purpose", "Purpose"),
    ("referral_procedure", "Referral procedure and acknowledgement period"),
    ("information_sharing", "Information sharing and confidentiality"),
    ("attendance", "Attendance and co-option"),
    ("work_programme", "Work-programme alignment"),
    ("joint_meetings", "Joint meetings"),
    ("disagreement", "Handling disagreement"),
)
SECTION_KEYS = tuple(key for key, _ in SECTIONS)


class Protocol(models.Model):
    """The joint working protocol of one partnership; its text lives in versions."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="protocols")
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partnership__name", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("protocols:protocol-detail", args=[self.pk])


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    UNDER_REVIEW = "under_review", "Under review"
    SUPERSEDED = "superseded", "Superseded"


V = VersionState
PUBLIC_VERSION_STATES = (V.AGREED, V.UNDER_REVIEW, V.SUPERSEDED)


@condition("Every party to the partnership must sign off this version first.")
def _every_party_signed(version):
    parties = version.protocol.partnership.party_ids()
    signed = {s.organisation_id for s in version.sign_offs.all()}
    return bool(parties) and parties <= signed


class ProtocolVersion(FSMModelMixin, models.Model):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    state = FSMField(default=V.DRAFT, choices=V.choices, protected=True, db_index=True)

    purpose = models.TextField(blank=True)
    referral_procedure = models.TextField(blank=True)
    acknowledgement_days = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text="Working days the committee takes to acknowledge a referral.",
    )
    information_sharing = models.TextField(blank=True)
    attendance = models.TextField(blank=True)
    work_programme = models.TextField(blank=True)
    joint_meetings = models.TextField(blank=True)
    disagreement = models.TextField(blank=True)

    review_on = models.DateField(null=True, blank=True, help_text="When the partners review it.")
    agreed_on = models.DateField(null=True, blank=True)
    review_started_on = models.DateField(null=True, blank=True)
    superseded_on = models.DateField(null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["protocol_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="one_version_number"),
            models.UniqueConstraint(
                fields=["protocol"],
                condition=Q(state__in=["agreed", "under_review"]),
                name="one_protocol_version_in_force",
            ),
            models.UniqueConstraint(
                fields=["protocol"], condition=Q(state="draft"), name="one_protocol_draft"
            ),
        ]

    def __str__(self):
        return f"{self.protocol} — version {self.number}"

    def get_absolute_url(self):
        return reverse("protocols:version-detail", args=[self.protocol_id, self.number])

    @property
    def is_public(self):
        return self.state in PUBLIC_VERSION_STATES

    def sections(self):
        """[(key, label, text)] in the protocol's order."""
        return [(key, label, getattr(self, key)) for key, label in SECTIONS]

    @transition(
        field=state,
        source=V.DRAFT,
        target=V.AGREED,
        conditions=[_every_party_signed],
        permission=manage_permission,
    )
    def agree(self, *, by, on: dt.date | None = None):
        self.agreed_on = on or timezone.localdate()

    @transition(field=state, source=V.AGREED, target=V.UNDER_REVIEW, permission=manage_permission)
    def start_review(self, *, by, on: dt.date | None = None):
        self.review_started_on = on or timezone.localdate()

    @transition(
        field=state,
        source=[V.AGREED, V.UNDER_REVIEW],
        target=V.SUPERSEDED,
        permission=manage_permission,
    )
    def supersede(self, *, by, on: dt.date | None = None):
        self.superseded_on = on or timezone.localdate()


class ProtocolSignOff(models.Model):
    """One party's officer signing off one version."""

    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="sign_offs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signatory_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation"], name="one_sign_off_per_party"
            )
        ]

    def __str__(self):
        return f"{self.organisation} signed {self.version}"


# --- Meetings -------------------------------------------------------------------------------


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"


M = MeetingState


@condition("A meeting can be marked as held on or after its date.")
def _date_reached(meeting):
    return meeting.date <= timezone.localdate()


class MeetingQuerySet(models.QuerySet):
    def published(self):
        """Meetings whose agenda is public (cancelled ones stay, marked cancelled)."""
        return self.filter(agenda_published_at__isnull=False)

    def involving(self, body_ids):
        """Meetings of these bodies, and joint meetings of partnerships they are party to."""
        body_ids = list(body_ids)
        return self.filter(
            Q(body__in=body_ids)
            | Q(partnership__involvement_network__in=body_ids)
            | Q(partnership__scrutiny_committees__in=body_ids)
        ).distinct()


class Meeting(FSMModelMixin, ClockedModel):
    """A meeting of one body, or a joint meeting of a partnership.

    The clock is the agenda-publication one: `due_on` is the latest day to publish the agenda.
    """

    CLOCK_OPEN_STATES = (M.SCHEDULED,)
    RULE = "agenda-publication"
    DEFAULT_LENGTH = dt.timedelta(hours=2)

    title = models.CharField(max_length=200)
    body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    date = models.DateField(db_index=True)
    start_time = models.TimeField()
    end_time = models.TimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(blank=True)
    state = FSMField(default=M.SCHEDULED, choices=M.choices, protected=True, db_index=True)
    cancellation_reason = models.TextField(blank=True)
    agenda_published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    urgency_reason = models.TextField(
        blank=True, help_text="The chair's reason of urgency for a late agenda (s100B(4)(b))."
    )
    urgency_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    import_key = models.CharField(
        max_length=500,
        null=True,
        blank=True,
        unique=True,
        help_text="UID (and recurrence) of the calendar event this meeting was imported from.",
    )
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                name="meeting_of_one_body_or_joint",
                condition=(Q(partnership__isnull=False) & Q(body__isnull=True))
                | (Q(partnership__isnull=True) & Q(body__isnull=False)),
            ),
            models.CheckConstraint(
                name="meeting_has_place_or_link",
                condition=~Q(place="", online_url=""),
            ),
        ]

    def __str__(self):
        return f"{self.title}, {self.date:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("protocols:meeting-detail", args=[self.pk])

    @classmethod
    def open_clocks(cls):
        return super().open_clocks().filter(agenda_published_at__isnull=True)

    @property
    def is_joint(self):
        return self.partnership_id is not None

    @property
    def organiser(self):
        return self.partnership if self.is_joint else self.body

    @property
    def agenda_published(self):
        return self.agenda_published_at is not None

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.date, self.start_time), timezone.get_default_timezone()
        )

    def ends_at(self) -> dt.datetime:
        if self.end_time and self.end_time > self.start_time:
            return timezone.make_aware(
                dt.datetime.combine(self.date, self.end_time), timezone.get_default_timezone()
            )
        return self.starts_at() + self.DEFAULT_LENGTH

    def published_late(self) -> bool:
        return bool(
            self.agenda_published_at
            and self.due_on
            and timezone.localdate(self.agenda_published_at) > self.due_on
        )

    @transition(field=state, source=M.SCHEDULED, target=M.CANCELLED, permission=manage_permission)
    def cancel(self, *, by, reason: str):
        self.cancellation_reason = reason
        self.sequence += 1

    @transition(
        field=state,
        source=M.SCHEDULED,
        target=M.HELD,
        conditions=[_date_reached],
        permission=manage_permission,
    )
    def mark_held(self, *, by):
        self.sequence += 1


class ExemptParagraph(models.IntegerChoices):
    """LGA 1972 Schedule 12A Part 1 (England)."""

    INDIVIDUAL = 1, "1 — information relating to any individual"
    IDENTITY = 2, "2 — information likely to reveal the identity of an individual"
    FINANCIAL = 3, "3 — financial or business affairs of any particular person"
    LABOUR_RELATIONS = 4, "4 — consultations or negotiations on labour relations"
    LEGAL_PRIVILEGE = 5, "5 — information subject to legal professional privilege"
    NOTICES = 6, "6 — a notice, order or direction the authority proposes to give or make"
    CRIME = 7, "7 — prevention, investigation or prosecution of crime"


class Resolution(models.TextChoices):
    """What a minuted decision does to the item's topic (through the casework services)."""

    NONE = "", "No change to the topic"
    PRIORITISE = "prioritise", "Resolved to prioritise the topic"
    REQUEST_INFORMATION = "request_information", "Resolved to request information"
    MAKE_RECOMMENDATIONS = "make_recommendations", "Resolved to make recommendations"
    CONCLUDE = "conclude", "Resolved to conclude the topic"


class AgendaItemQuerySet(models.QuerySet):
    def public(self):
        return self.filter(exempt=False)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    presenter = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    exempt = models.BooleanField(default=False)
    exempt_paragraph = models.PositiveSmallIntegerField(
        choices=ExemptParagraph.choices, null=True, blank=True
    )
    public_interest_reason = models.TextField(blank=True)
    late = models.BooleanField(default=False, help_text="Added after the agenda was published.")
    late_reason = models.TextField(blank=True, help_text="The chair's reason of urgency.")
    decision = models.TextField(blank=True)
    resolution = models.CharField(max_length=30, choices=Resolution.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="exempt_item_has_paragraph_and_reason",
                condition=Q(exempt=False, exempt_paragraph__isnull=True)
                | (
                    Q(exempt=True, exempt_paragraph__gte=1, exempt_paragraph__lte=7)
                    & ~Q(public_interest_reason="")
                ),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Paper(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="papers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item_id", "uploaded_at", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("protocols:paper-download", args=[self.pk])


# --- Personal calendar tokens ---------------------------------------------------------------


class CalendarToken(models.Model):
    """A secret, revocable feed address. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The token's first characters, to tell it.")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_calendar_token_per_user",
            )
        ]

    def __str__(self):
        return f"Calendar token {self.hint}… for {self.user}"
