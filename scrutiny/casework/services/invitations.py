"""Inviting people at health bodies, accepting an invitation, and removing a responder."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from scrutiny.casework import policy
from scrutiny.casework.models import Invitation, Membership, Organisation
from scrutiny.casework.services.organisations import membership_add, membership_remove
from workflows.audit import EventType, log_event
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import NotificationKind
from workflows.notifications import absolute_url, notification_write
from workflows.recipients import Mailbox


def _valid_days() -> int:
    return int(getattr(settings, "CF_INVITATION_DAYS", 7))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_send(*, organisation: Organisation, email: str, name: str = "", by) -> Invitation:
    """Invite `email` to be a responder of the health body `organisation`, by e-mail with a
    one-time link that expires after CF_INVITATION_DAYS (7) days."""
    if not policy.can_invite_to(by, organisation):
        raise Forbidden(f"You may not invite people to {organisation}.")
    email = (email or "").strip().lower()
    name = (name or "").strip()
    if "@" not in email or len(email) > 254:
        raise InvalidInput(
            "Enter the person's e-mail address.",
            field_errors={"email": ["Enter an e-mail address, like name@example.org."]},
        )
    if policy.responder_memberships(organisation).filter(user__email__iexact=email).exists():
        raise InvalidInput(
            f"{email} can already answer for {organisation}.",
            field_errors={"email": [f"{email} can already answer for {organisation}."]},
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            name=name,
            token_hash=_hash(token),
            invited_by=by,
            created_at=now,
            expires_at=now + dt.timedelta(days=_valid_days()),
        )
        log_event(invitation, EventType.INVITATION_SENT, by=by, note=email, source_state="")
        link = absolute_url(reverse("bodies:invitation", args=[token]))
        notification_write(
            event_key=f"invitation:{invitation.pk}",
            kind=NotificationKind.INVITATION,
            recipient=Mailbox(email, name),
            subject=f"You are invited to answer for {organisation} on Critical Friend",
            template="invitation",
            context={
                "invitation": invitation,
                "link": link,
                "inviter": by,
                "days": _valid_days(),
            },
            obj=invitation,
            link=link,
            reply_to=getattr(by, "email", "") or "",
        )
    return invitation


def invitation_lookup(token: str) -> tuple[Invitation | None, str]:
    """The invitation a link names, and why it cannot be used ("" when it can): for the page
    that answers a used, withdrawn or expired link with a clear message."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_hash(token or ""))
        .first()
    )
    if invitation is None:
        return None, "This invitation link is not valid: check you copied all of it."
    try:
        _usable(invitation)
    except Conflict as exc:
        return invitation, exc.message
    return invitation, ""


def _usable(invitation: Invitation) -> None:
    state = invitation.state
    if state == "accepted":
        raise Conflict("This invitation has already been used. Sign in instead.")
    if state == "revoked":
        raise Conflict("This invitation was withdrawn. Ask for a new one.")
    if state == "expired":
        raise Conflict(
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%-d %B %Y}. "
            "Ask whoever invited you for a new one."
        )


def invitation_accept(*, token: str, username: str, password: str, full_name: str = ""):
    """Accept an invitation: a new account with this password, a responder of the body only."""
    User = get_user_model()
    username = (username or "").strip()
    errors = {}
    if not username:
        errors["username"] = ["Choose a username."]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["That username is taken: choose another."]
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=_hash(token)).first()
        if invitation is None:
            raise InvalidInput("This invitation link is not valid: check you copied all of it.")
        _usable(invitation)
        user = User(username=username, email=invitation.email)
        first, _, last = (full_name or invitation.name).strip().partition(" ")
        user.first_name, user.last_name = first[:150], last[:150]
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        if errors:
            raise InvalidInput("Check your details.", field_errors=errors)
        user.set_password(password)
        user.save()
        membership_add(user=user, organisation=invitation.organisation, role=policy.INVITED_ROLE)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log_event(invitation, EventType.INVITATION_ACCEPTED, by=user, note=username)
    return user


def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    if not (
        policy.can_manage_people_of(by, invitation.organisation)
        or invitation.invited_by_id == getattr(by, "pk", None)
    ):
        raise Forbidden("You may not withdraw this invitation.")
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not updated:
            raise Conflict("This invitation was already used or withdrawn.")
        invitation.refresh_from_db()
        log_event(invitation, EventType.INVITATION_REVOKED, by=by)
    return invitation


def responder_remove(*, membership: Membership, by) -> None:
    """A body's responder takes a colleague's access away (not their own: ask a colleague)."""
    body = membership.organisation
    if not policy.can_manage_people_of(by, body):
        raise Forbidden(f"You may not change who answers for {body}.")
    if not policy.is_responder_membership(membership):
        raise InvalidInput("Only responders are removed here.")
    if membership.user_id == by.pk:
        raise InvalidInput("You cannot remove yourself: ask a colleague or an administrator.")
    with transaction.atomic():
        username = membership.user.get_username()
        membership_remove(membership=membership)
        log_event(body, EventType.RESPONDER_REMOVED, by=by, note=username)
