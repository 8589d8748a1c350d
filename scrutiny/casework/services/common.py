"""Helpers every casework service shares: which deadline rule a clock uses, and required text."""

from __future__ import annotations

from django.conf import settings

from scrutiny.casework.models import (
    Organisation,
)
from workflows.errors import InvalidInput
from workflows.models import DeadlineRule

# Which deadline rule a clock uses, by what is clocked and the kind of body that asks.
RULE_FOR_CLOCK = {
    ("information_request", Organisation.Kind.INVOLVEMENT_NETWORK): "link-information-request",
    ("information_request", Organisation.Kind.SCRUTINY_COMMITTEE): "link-information-request",
    ("recommendation", Organisation.Kind.INVOLVEMENT_NETWORK): "link-recommendation-response",
    ("recommendation", Organisation.Kind.SCRUTINY_COMMITTEE): "osc-recommendation-response",
    ("referral", Organisation.Kind.INVOLVEMENT_NETWORK): "referral-acknowledgement",
    ("relevant_decision", Organisation.Kind.INVOLVEMENT_NETWORK): "relevant-decision-publication",
}


def rule_for(what: str, asking_body: Organisation) -> DeadlineRule:
    rules = getattr(settings, "CF_DEADLINE_RULES", RULE_FOR_CLOCK)
    slug = rules.get((what, asking_body.kind))
    if slug is None:
        raise InvalidInput(
            f"No deadline rule for a {what} from a {asking_body.get_kind_display()}."
        )
    try:
        return DeadlineRule.objects.get(slug=slug)
    except DeadlineRule.DoesNotExist as exc:
        raise InvalidInput(
            f"The deadline rule '{slug}' is missing; an administrator must add it."
        ) from exc


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Enter {label}.", field_errors={field: [f"Enter {label}."]})
    return value
