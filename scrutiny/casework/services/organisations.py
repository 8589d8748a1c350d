"""Memberships and partnerships, with the grants that follow from them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from scrutiny.casework import grants, policy
from scrutiny.casework.models import (
    Membership,
    Organisation,
)
from workflows.errors import InvalidInput

# --- Memberships ----------------------------------------------------------------------------


def membership_add(*, user, organisation: Organisation, role: str) -> Membership:
    """Give `user` a role in `organisation`, and the object permissions that follow from it."""
    membership = Membership(user=user, organisation=organisation, role=role)
    try:
        membership.full_clean()
    except ValidationError as exc:
        raise InvalidInput("Check the membership.", field_errors=exc.message_dict) from exc
    membership.save()
    policy.forget_topic_perms(user)
    return membership


def membership_save(*, membership: Membership) -> Membership:
    """Save a new or edited membership (the admin's form). Roles are read from memberships
    on every request: no index to rebuild, only this request's cached answers to drop."""
    membership.save()
    policy.forget_topic_perms(membership.user)
    return membership


def membership_remove(*, membership: Membership) -> None:
    """Take a role away, and the object permissions with it."""
    user = membership.user
    membership.delete()
    policy.forget_topic_perms(user)


def partnership_set_committees(*, partnership, committees) -> None:
    """Set the partnership's scrutiny committees; every topic it shares is regranted."""
    committees = list(committees)
    if any(c.kind != Organisation.Kind.SCRUTINY_COMMITTEE for c in committees):
        raise InvalidInput(
            "Only scrutiny committees join a partnership as committees.",
            field_errors={"scrutiny_committees": ["Choose scrutiny committees."]},
        )
    if not committees:
        raise InvalidInput(
            "A partnership needs at least one scrutiny committee.",
            field_errors={"scrutiny_committees": ["Choose at least one."]},
        )
    with transaction.atomic():
        partnership.scrutiny_committees.set(committees)
        grants.partnership_regrant(partnership)


def partnership_saved(*, partnership) -> None:
    """After the admin saved a partnership (its network or committees may have changed)."""
    grants.partnership_regrant(partnership)
