"""Referrals from an involvement network to a scrutiny committee, with their acknowledgement
clock and the keeping-informed updates."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models.access import transition_permission
from scrutiny.casework.models.organisations import Organisation
from scrutiny.casework.models.topics import Topic
from scrutiny.casework.roles import Perm
from workflows.models import AppendOnlyModel, ClockedModel

# --- Referrals ----------------------------------------------------------------------------


class ReferralState(models.TextChoices):
    AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement", "Awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


# The regulation's acknowledgement clock (workflows/defaults.py), and the prefix of the rules
# the joint-working layer keeps for each agreed protocol version's own period.
DEFAULT_ACKNOWLEDGEMENT_RULE = "referral-acknowledgement"
PROTOCOL_ACKNOWLEDGEMENT_RULE_PREFIX = "referral-acknowledgement-protocol-"


class Referral(FSMModelMixin, ClockedModel):
    """A matter the involvement network refers to the scrutiny committee (SI 2008/528)."""

    CLOCK_OPEN_STATES = (ReferralState.AWAITING_ACKNOWLEDGEMENT,)

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="referral")
    from_body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals")
    referred_on = models.DateField()
    state = FSMField(
        default=ReferralState.AWAITING_ACKNOWLEDGEMENT,
        choices=ReferralState.choices,
        protected=True,
    )
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledgement = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]

    def public_cache_scope(self):
        """Its topic's public pages (workflows.cache)."""
        return self.topic.public_cache_scope()

    def __str__(self):
        return f"Referral: {self.topic}"

    @property
    def acknowledgement_basis(self) -> str:
        """Which period the acknowledgement clock counts, and why (from its rule)."""
        rule = self.due_rule
        if rule is None:
            return "No acknowledgement clock."
        if rule.slug.startswith(PROTOCOL_ACKNOWLEDGEMENT_RULE_PREFIX):
            return f"The agreed protocol's acknowledgement period: {rule.source}."
        return (
            "No agreed protocol sets an acknowledgement period, so the regulation's applies: "
            f"{rule.source}."
        )

    @transition(
        field=state,
        source=ReferralState.AWAITING_ACKNOWLEDGEMENT,
        target=ReferralState.ACKNOWLEDGED,
        permission=transition_permission(Perm.REFERRAL_ACKNOWLEDGE),
    )
    def acknowledge(self, *, by, text: str, on: dt.date | None = None):
        self.acknowledgement = text
        self.acknowledged_on = on or timezone.localdate()


class ReferralUpdate(AppendOnlyModel):
    """'Keeping the LINk informed of action taken' after the acknowledgement."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="updates")
    text = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"Update on {self.referral_id} at {self.at:%Y-%m-%d}"
