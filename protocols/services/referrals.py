"""Referrals under a joint working protocol: the acknowledgement period the partners agreed.

The casework layer makes referrals (`scrutiny.casework.services.referral_make`) but cannot see
protocols, so the pages that make one ask here for the clock and pass it down. Each agreed
version gets its own deadline rule (`referral-acknowledgement-protocol-<version id>`), made the
first time a referral needs it: a version's period never changes once agreed, so a referral's
clock keeps the period it started with when the partners agree a new version, and the sweep's
recompute (holidays, an administrator's edit to that rule) works as for every other clock.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from protocols.models import ProtocolVersion, VersionState
from scrutiny.casework.models import Partnership
from scrutiny.casework.models.referrals import (
    DEFAULT_ACKNOWLEDGEMENT_RULE,
    PROTOCOL_ACKNOWLEDGEMENT_RULE_PREFIX,
)
from workflows.models import DeadlineRule

IN_FORCE = (VersionState.AGREED, VersionState.UNDER_REVIEW)


def protocol_in_force(partnership: Partnership) -> ProtocolVersion | None:
    """The partnership's protocol version in force (agreed, or agreed and under review); the
    most recently agreed if the partnership has several protocols."""
    return (
        ProtocolVersion.objects.filter(protocol__partnership=partnership, state__in=IN_FORCE)
        .select_related("protocol")
        .order_by("-agreed_on", "-pk")
        .first()
    )


def referral_acknowledgement_rule(partnership: Partnership) -> DeadlineRule | None:
    """The deadline rule for a referral made now within `partnership`: its agreed protocol's
    acknowledgement period, or None (the casework then uses the regulation's 20 working days)."""
    version = protocol_in_force(partnership)
    if version is None:
        return None
    slug = f"{PROTOCOL_ACKNOWLEDGEMENT_RULE_PREFIX}{version.pk}"
    rule = DeadlineRule.objects.filter(slug=slug).first()
    if rule is not None:
        return rule
    base = DeadlineRule.objects.filter(slug=DEFAULT_ACKNOWLEDGEMENT_RULE).first()
    agreed = f", agreed {version.agreed_on:%-d %B %Y}" if version.agreed_on else ""
    values = {
        "name": f"OSC acknowledges a referral: {version.protocol}, version {version.number}",
        "kind": DeadlineRule.Kind.PERIOD,
        "period": version.acknowledgement_days,
        "unit": DeadlineRule.Unit.WORKING_DAYS,
        # The regulation's counting ("beginning with" the referral date) unless changed.
        "start_day_counts": base.start_day_counts if base else True,
        "region": base.region if base else "",
        "source": (
            f"{version.acknowledgement_days} working days, joint working protocol "
            f"'{version.protocol}' version {version.number}{agreed}"
        )[:300],
    }
    try:
        with transaction.atomic():
            return DeadlineRule.objects.create(slug=slug, **values)
    except IntegrityError:  # made by a concurrent referral a moment ago
        return DeadlineRule.objects.get(slug=slug)
