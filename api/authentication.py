"""`Authorization: Bearer <key>` authentication."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.keys import key_from_raw
from api.models import ApiKey
from scrutiny.casework import policy
from scrutiny.casework.roles import Perm

# Write last_used_at at most this often per key, so reads do not each cost a write.
LAST_USED_GRANULARITY_SECONDS = 60


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the key's named person; `request.auth` is the ApiKey."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the key as 'Authorization: Bearer <key>', with no spaces in the key."
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("That API key is not valid.") from exc
        key = key_from_raw(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("That API key is not valid or has been revoked.")
        user = key.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("The person this key is for is not active.")
        if key.organisation_id not in policy.body_ids(user, Perm.HEALTH_BODY_ACT):
            raise exceptions.AuthenticationFailed(
                "The person this key is for is no longer a responder for its body."
            )
        now = timezone.now()
        stale = key.last_used_at is None or (
            (now - key.last_used_at).total_seconds() > LAST_USED_GRANULARITY_SECONDS
        )
        if stale:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return user, key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A health body's API key: `Authorization: Bearer cfk_…`.",
        }
