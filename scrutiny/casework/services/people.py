"""The people of a body, managed by its area administrators (issue 16): invite a person or link
an existing account, change a role, remove a role. Each asks the policy about the body and
writes an audit event on it in the same transaction."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from scrutiny.casework import policy
from scrutiny.casework.models import Membership, Organisation
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.organisations import membership_add
from scrutiny.casework.services.organisations import membership_remove as _delete
from workflows.audit import EventType, log_event
from workflows.errors import Forbidden, InvalidInput

ADMINISTERED_ROLES = policy.ADMINISTERED_ROLES


def _check(by, organisation: Organisation) -> None:
    if not policy.can(by, Perm.AREA_ADMINISTER, organisation):
        raise Forbidden(f"You do not administer {organisation.name}.")


def _check_role(role: str) -> str:
    if role not in ADMINISTERED_ROLES:
        raise InvalidInput("Choose a role.", field_errors={"role": ["Choose a role."]})
    return role


def _label(role: str) -> str:
    return Membership.Role(role).label


def _data(user, role, old_role=""):
    return {"person": user.pk, "username": user.get_username(), "role": role, "old_role": old_role}


def _invite_mail(user) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.SITE_URL.rstrip('/')}/accounts/reset/{uid}/{token}/"
    send_mail(
        "You have been invited to Critical Friend",
        f"An administrator has given you an account. Set your password here:\n\n{link}\n",
        None,
        [user.email],
    )


def person_invite(*, by, email, first_name, last_name, organisation, role) -> Membership:
    """Give the person with `email` a role in `organisation`: link their account if there is
    one (e-mail compared case-insensitively), else create it and e-mail a set-password link."""
    _check(by, organisation)
    _check_role(role)
    email = (email or "").strip()
    if not email:
        raise InvalidInput(
            "Enter an e-mail address.", field_errors={"email": ["Enter an e-mail address."]}
        )
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        created = user is None
        if created:
            username = email.lower()
            if User.objects.filter(username__iexact=username).exists():
                raise InvalidInput("That e-mail address is already someone's user name.")
            user = User(
                username=username,
                email=email,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
            )
            user.set_unusable_password()
            user.save()
        if policy.holds_role(user, organisation.pk, role):
            msg = f"{email} already has that role in {organisation.name}."
            raise InvalidInput(msg, field_errors={"role": [msg]})
        membership = membership_add(user=user, organisation=organisation, role=role)
        log_event(
            organisation,
            EventType.PERSON_INVITED if created else EventType.PERSON_LINKED,
            by=by,
            note=f"{user.get_username()}: {membership.get_role_display()}",
            data=_data(user, role),
        )
        if created:
            transaction.on_commit(lambda: _invite_mail(user))
    return membership


def _refuse_last_officer(membership: Membership) -> None:
    if policy.is_last_officer(membership):
        raise InvalidInput(
            f"{membership.organisation.name} would have no support officer left: add another first."
        )


def membership_change_role(*, by, membership: Membership, role: str) -> Membership:
    """Change a person's role in a body the actor administers."""
    _check(by, membership.organisation)
    _check_role(role)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        old = membership.role
        if old == role:
            return membership
        _refuse_last_officer(membership)
        if policy.holds_role(membership.user, membership.organisation_id, role):
            raise InvalidInput("That person already has that role there.")
        membership.role = role
        membership.save(update_fields=["role"])
        policy.forget_topic_perms(membership.user)
        log_event(
            membership.organisation,
            EventType.ROLE_CHANGED,
            by=by,
            note=f"{membership.user.get_username()}: {_label(old)} to {_label(role)}",
            data=_data(membership.user, role, old),
        )
    return membership


def membership_remove(*, by, membership: Membership) -> None:
    """Take a role away in a body the actor administers."""
    _check(by, membership.organisation)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _refuse_last_officer(membership)
        user, organisation, role = membership.user, membership.organisation, membership.role
        _delete(membership=membership)
        log_event(
            organisation,
            EventType.ROLE_REMOVED,
            by=by,
            note=f"{user.get_username()}: {_label(role)}",
            data=_data(user, "", role),
        )
