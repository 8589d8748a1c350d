"""Referrals from an involvement network: acknowledgement and keeping-informed updates."""

from __future__ import annotations

from scrutiny.casework.models import (
    Referral,
    ReferralState,
    ReferralUpdate,
)
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.common import _required
from workflows.errors import Forbidden, InvalidInput
from workflows.services import transition_apply

# --- Referrals ------------------------------------------------------------------------------


def referral_acknowledge(*, referral: Referral, by, text: str, on=None):
    text = _required(text, "text", "the acknowledgement")
    return transition_apply(
        instance=referral, name="acknowledge", by=by, note=text, text=text, on=on
    )


def referral_accepts_updates(referral: Referral) -> bool:
    """Is `referral` acknowledged, so that updates on action taken can follow?"""
    return referral.state == ReferralState.ACKNOWLEDGED


def referral_add_update(*, referral: Referral, by, text: str) -> ReferralUpdate:
    """Keep the involvement network informed of action taken on its referral."""
    text = _required(text, "text", "the update")
    if not can(by, Perm.REFERRAL_ACKNOWLEDGE, referral):
        raise Forbidden("Only the scrutiny committee's officers update a referral.")
    if not referral_accepts_updates(Referral.objects.get(pk=referral.pk)):
        raise InvalidInput("Acknowledge the referral before adding updates.")
    return ReferralUpdate.objects.create(referral=referral, text=text, by=by)
