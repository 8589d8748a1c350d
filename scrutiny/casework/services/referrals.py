"""Referrals from an involvement network: making one (who may, to which committee, on which
clock), acknowledgement and keeping-informed updates."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from scrutiny.casework.models import (
    Organisation,
    Partnership,
    Referral,
    ReferralState,
    ReferralUpdate,
    Topic,
)
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.common import _required, rule_for
from scrutiny.casework.services.decisions import decision_record_for
from workflows.audit import EventType, log_event
from workflows.errors import Forbidden, InvalidInput
from workflows.models import DeadlineRule
from workflows.services import transition_apply

# --- Referrals ------------------------------------------------------------------------------


def referral_committee(*, partnership: Partnership, committee: Organisation | None):
    """The committee of `partnership` that receives a referral: the one chosen, or the only
    one. Raises InvalidInput (on the `committee` field) for anything else."""
    committees = list(partnership.scrutiny_committees.all())
    if committee is None:
        if len(committees) == 1:
            return committees[0]
        raise InvalidInput(
            "Choose the committee that receives the referral.",
            field_errors={"committee": ["Choose the committee that receives the referral."]},
        )
    if committee.pk not in {c.pk for c in committees}:
        raise InvalidInput(
            "A referral goes to a committee of the partnership.",
            field_errors={"committee": ["Choose one of the partnership's committees."]},
        )
    return committee


def referral_check_referrer(*, by, partnership: Partnership) -> None:
    """Only the involvement network's side refers (SI 2008/528 regs 17-18): a member or officer
    of the partnership's network, not the committee's own staff."""
    if not can(by, Perm.TOPIC_RAISE, partnership.involvement_network):
        raise Forbidden(
            f"A referral is made by {partnership.involvement_network}: only its members and "
            "officers may make one."
        )


def referral_make(
    *,
    topic: Topic,
    by,
    committee: Organisation,
    referred_on: dt.date | None = None,
    rule: DeadlineRule | None = None,
) -> Referral:
    """Record the referral of `topic` (already checked: see `referral_committee` and
    `referral_check_referrer`) and start its acknowledgement clock.

    `rule` is the agreed protocol's acknowledgement period when the partnership has one in
    force (the joint-working layer finds it: `protocols.services.referrals`); without it the
    regulation's default (`referral-acknowledgement`, 20 working days) applies. Call inside the
    topic's transaction."""
    network = topic.partnership.involvement_network
    referral = Referral(
        topic=topic,
        from_body=network,
        to_body=committee,
        referred_on=referred_on or timezone.localdate(),
    )
    referral.start_clock(rule or rule_for("referral", network), referral.referred_on)
    referral.save()
    log_event(
        referral,
        EventType.REFERRAL_MADE,
        by=by,
        note=f"to {committee}; {referral.acknowledgement_basis}",
        data={"to_body": committee.pk, "rule": referral.due_rule.slug},
        source_state="",
    )
    decision_record_for(referral, body=network, by=by, on=referral.referred_on)
    return referral


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
