"""API keys: issue, revoke, rotate, check. A raw key is shown once and never stored.

A raw key reads `cfk_<prefix>_<secret>`: the prefix (10 hex characters) finds the row, the whole
key's sha256 proves it. The secret carries 256 bits from `secrets`, so a plain sha256 (no slow
hash) is enough: there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from api.models import ApiKey
from scrutiny.casework import policy
from scrutiny.casework.models import Organisation
from scrutiny.casework.roles import Perm
from workflows.errors import Forbidden, InvalidInput, NotFound

KEY_MARK = "cfk"
SCOPES = tuple(ApiKey.Scope.values)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_raw() -> tuple[str, str]:
    prefix = secrets.token_hex(5)
    return prefix, f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes or ()))
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise InvalidInput(
            "Choose at least one scope: read, respond.",
            field_errors={"scopes": ["Choose read, respond or both."]},
        )
    return [s for s in SCOPES if s in scopes]


def issue_key(user, organisation: Organisation, name: str, scopes, *, by=None):
    """Issue a key for `user`, a responder of `organisation`. Returns (ApiKey, raw key).

    `by` is who issued it (checked when given); seed data and scripts may leave it out.
    """
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Say what the key is for."]
    elif len(name) > 100:
        errors["name"] = ["Keep the name to 100 characters."]
    if not organisation.is_health_body:
        errors["organisation"] = ["Keys are for health bodies."]
    elif organisation.pk not in policy.body_ids(user, Perm.HEALTH_BODY_ACT):
        errors["user"] = [f"{user} is not a responder for {organisation}."]
    if errors:
        raise InvalidInput("Check the key's details.", field_errors=errors)
    clean = _clean_scopes(scopes)
    if by is not None and not policy.can(by, Perm.KEY_MANAGE, organisation):
        raise Forbidden("You may only manage the keys of your own body.")
    prefix, raw = _new_raw()
    key = ApiKey.objects.create(
        organisation=organisation,
        user=user,
        name=name,
        prefix=prefix,
        key_hash=hash_key(raw),
        scopes=clean,
        created_by=by,
    )
    return key, raw


def _managed_key(key: ApiKey, by) -> ApiKey:
    if not policy.can(by, Perm.KEY_MANAGE, key):
        raise NotFound("No such key.")
    return key


def revoke_key(key: ApiKey, *, by) -> ApiKey:
    key = _managed_key(key, by)
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = by
            locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def rotate_key(key: ApiKey, *, by) -> tuple[ApiKey, str]:
    """Revoke `key` and issue its replacement (same person, name and scopes)."""
    key = _managed_key(key, by)
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            raise InvalidInput("A revoked key cannot be rotated; issue a new one.")
        new, raw = issue_key(locked.user, locked.organisation, locked.name, locked.scopes, by=by)
        new.replaces = locked
        new.save(update_fields=["replaces"])
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
    return new, raw


def key_from_raw(raw: str) -> ApiKey | None:
    """The live key matching `raw`, or None. Constant-time comparison of the hashes."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_MARK or not (1 <= len(parts[1]) <= 16):
        return None
    key = (
        ApiKey.objects.select_related("user", "organisation")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw)):
        return None
    return key
