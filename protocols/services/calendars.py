"""Personal calendar tokens (only their hash is stored)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from protocols.models import (
    CalendarToken,
)
from workflows.errors import Forbidden

# --- Personal calendar tokens ---------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_token_create(*, user) -> tuple[CalendarToken, str]:
    """A new secret feed token (the old one, if any, stops working). Returns the raw token,
    which is shown once and never stored."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden("Sign in to have a personal calendar.")
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token = CalendarToken.objects.create(user=user, token_hash=_hash(raw), hint=raw[:6])
    return token, raw


def calendar_token_revoke(*, user) -> int:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_token_user(raw: str):
    """The live token's user, or None (revoked, rotated or unknown tokens)."""
    if not raw or len(raw) > 100:
        return None
    token = (
        CalendarToken.objects.filter(token_hash=_hash(raw), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(hours=1):
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
