"""Joint working protocols: versions (draft, agreed, under review, superseded) signed off by
each party."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models import Organisation, Partnership
from scrutiny.casework.models.access import transition_permission
from scrutiny.casework.roles import Perm
from workflows.services import condition

# Support officers of the object's bodies move it on (scrutiny.casework.policy).
manage_permission = transition_permission(Perm.PROTOCOL_MANAGE)

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


class ProtocolQuerySet(models.QuerySet):
    def with_public_version(self):
        """Protocols with a version anyone may read."""
        return self.filter(versions__state__in=PUBLIC_VERSION_STATES).distinct()


class Protocol(models.Model):
    """The joint working protocol of one partnership; its text lives in versions."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="protocols")
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProtocolQuerySet.as_manager()

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


class ProtocolVersionQuerySet(models.QuerySet):
    def public(self):
        """Versions anyone may read: every version that was agreed."""
        return self.filter(state__in=PUBLIC_VERSION_STATES)


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

    objects = ProtocolVersionQuerySet.as_manager()

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

    # A change a calendar or feed subscriber could see raises `sequence` (the agreed and
    # superseded dates, the state): inside each transition, as a meeting's moves do.

    @transition(
        field=state,
        source=V.DRAFT,
        target=V.DRAFT,
        permission=manage_permission,
        custom={"forbidden": "You may sign off only for a body whose support officer you are."},
    )
    def sign_off(self, *, by):
        """One party has signed this draft (the service records its `ProtocolSignOff`); the
        version stays a draft until `agree`."""

    @transition(
        field=state,
        source=V.DRAFT,
        target=V.AGREED,
        conditions=[_every_party_signed],
        permission=manage_permission,
    )
    def agree(self, *, by, on: dt.date | None = None):
        self.agreed_on = on or timezone.localdate()
        self.sequence += 1

    @transition(
        field=state,
        source=V.AGREED,
        target=V.UNDER_REVIEW,
        permission=manage_permission,
    )
    def start_review(self, *, by, on: dt.date | None = None):
        self.review_started_on = on or timezone.localdate()
        self.sequence += 1

    @transition(
        field=state,
        source=[V.AGREED, V.UNDER_REVIEW],
        target=V.SUPERSEDED,
        permission=manage_permission,
    )
    def supersede(self, *, by, on: dt.date | None = None):
        self.superseded_on = on or timezone.localdate()
        self.sequence += 1


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
