"""Organisations (involvement networks, scrutiny committees, health bodies), partnerships,
memberships and the prioritisation framework."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from scrutiny.casework import roles

DEFAULT_KIND_LABELS = {
    "involvement_network": "LINk",
    "scrutiny_committee": "OSC",
    "health_body": "Health body",
}


class Organisation(models.Model):
    class Kind(models.TextChoices):
        INVOLVEMENT_NETWORK = "involvement_network", "Involvement network"
        SCRUTINY_COMMITTEE = "scrutiny_committee", "Scrutiny committee"
        HEALTH_BODY = "health_body", "Health body"

    class HealthBodyKind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        FOUNDATION_TRUST = "foundation_trust", "NHS foundation trust"
        COMMISSIONER = "commissioner", "Commissioner (PCT / ICB)"
        GP_PRACTICE = "gp_practice", "GP practice"
        INDEPENDENT_PROVIDER = "independent_provider", "Independent provider of NHS services"
        COUNCIL_SOCIAL_CARE = "council_social_care", "Council social care"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=Kind)
    health_body_kind = models.CharField(max_length=30, choices=HealthBodyKind, blank=True)
    ods_code = models.CharField(
        "NHS ODS code",
        max_length=10,
        blank=True,
        help_text="The body's Organisation Data Service code (e.g. RXX for a trust).",
    )
    gss_code = models.CharField(
        "GSS code",
        max_length=9,
        blank=True,
        help_text="The ONS Government Statistical Service code of the council the body belongs "
        "to or serves (e.g. E08000021), for joining with national statistics.",
    )
    label = models.CharField(
        max_length=60,
        blank=True,
        help_text="What this kind of body is called here: 'LINk', 'Local Healthwatch', 'HOSC'.",
    )
    area = models.CharField(max_length=120, blank=True, help_text="Council area served.")
    email = models.EmailField(blank=True)
    requests_email = models.EmailField(
        "where requests go",
        blank=True,
        help_text=(
            "For a health body: the address that receives requests for information and "
            "recommendations, when it is not the general address above."
        ),
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="health_body_kind_only_for_health_bodies",
                condition=(Q(kind="health_body") & ~Q(health_body_kind=""))
                | (~Q(kind="health_body") & Q(health_body_kind="")),
            ),
            models.UniqueConstraint(
                fields=["ods_code"], condition=~Q(ods_code=""), name="one_body_per_ods_code"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def kind_label(self):
        if self.label:
            return self.label
        labels = getattr(settings, "CF_KIND_LABELS", DEFAULT_KIND_LABELS)
        return labels.get(self.kind, self.get_kind_display())

    @property
    def asks_address(self) -> str:
        """Where a health body is sent what it is asked: its requests address, else its own."""
        return self.requests_email or self.email

    @property
    def is_health_body(self):
        return self.kind == self.Kind.HEALTH_BODY


class PrioritisationFramework(models.Model):
    """Published criteria for scoring candidate topics (default: TOPIC, 0–2 each, threshold 6)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    criteria = models.JSONField(
        help_text='A list of {"key": "timely", "label": "Timely", "question": "…"}.'
    )
    scale_max = models.PositiveSmallIntegerField(default=2)
    threshold = models.PositiveSmallIntegerField(default=6)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.criteria, list) or not self.criteria:
            raise ValidationError({"criteria": "List at least one criterion."})
        keys = [c.get("key") for c in self.criteria if isinstance(c, dict)]
        if len(keys) != len(self.criteria) or not all(keys) or len(set(keys)) != len(keys):
            raise ValidationError({"criteria": "Each criterion needs a unique key and a label."})

    DEFAULT_SLUG = "topic"

    @classmethod
    def default(cls) -> PrioritisationFramework:
        """The framework for a single body's topics: TOPIC (created by migrate)."""
        return cls.objects.get(slug=cls.DEFAULT_SLUG)

    @property
    def max_total(self):
        return self.scale_max * len(self.criteria)

    def validate_scores(self, scores: dict) -> dict[str, int]:
        """Scores for every criterion, each a whole number from 0 to scale_max."""
        errors, clean = {}, {}
        for criterion in self.criteria:
            key = criterion["key"]
            value = scores.get(key)
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[key] = f"Score '{criterion['label']}' from 0 to {self.scale_max}."
                continue
            if not 0 <= value <= self.scale_max:
                errors[key] = f"Score '{criterion['label']}' from 0 to {self.scale_max}."
            clean[key] = value
        unknown = set(scores) - {c["key"] for c in self.criteria}
        if unknown:
            errors["__all__"] = f"Unknown criteria: {', '.join(sorted(unknown))}."
        if errors:
            raise ValidationError(errors)
        return clean


class Partnership(models.Model):
    """An involvement network and one or more scrutiny committees working jointly."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    involvement_network = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="network_partnerships",
        limit_choices_to={"kind": Organisation.Kind.INVOLVEMENT_NETWORK},
    )
    scrutiny_committees = models.ManyToManyField(
        Organisation,
        related_name="committee_partnerships",
        limit_choices_to={"kind": Organisation.Kind.SCRUTINY_COMMITTEE},
    )
    framework = models.ForeignKey(
        PrioritisationFramework, on_delete=models.PROTECT, related_name="partnerships"
    )
    programme_capacity = models.PositiveSmallIntegerField(
        default=8, help_text="How many topics the joint work programme can carry in a year."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def party_ids(self) -> set[int]:
        return {self.involvement_network_id, *(o.pk for o in self.scrutiny_committees.all())}


class Membership(models.Model):
    class Role(models.TextChoices):
        SUPPORT_OFFICER = roles.OFFICER, "Support officer"
        COMMITTEE_MEMBER = roles.MEMBER, "Committee member"
        CHAIR = roles.CHAIR, "Chair"
        RESPONDER = roles.RESPONDER, "Health body responder"
        AREA_ADMIN = roles.AREA_ADMIN, "Area administrator"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"

    def clean(self):
        org = self.organisation if self.organisation_id else None
        if org is None:
            return
        if self.role == self.Role.RESPONDER and not org.is_health_body:
            raise ValidationError({"role": "Responders belong to health bodies."})
        if self.role != self.Role.RESPONDER and org.is_health_body:
            raise ValidationError({"role": "A health body's people are responders."})
