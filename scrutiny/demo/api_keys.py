"""Demo API keys: one per demo responder, printed by `seed_demo` as `api-key <username> <key>`.

Called by `seed_demo` after the casework is seeded. Each run revokes the previous demo
key of each responder and issues a fresh one, so the keys printed always work.
"""

from __future__ import annotations

from django.utils import timezone

from api.keys import issue_key
from api.models import ApiKey
from scrutiny.casework.models import Membership

DEMO_KEY_NAME = "Demo key (seed_demo)"


def seed_api_keys(result) -> list[str]:
    lines = []
    users = result.get("users", {}) if isinstance(result, dict) else {}
    for username, user in sorted(users.items()):
        memberships = Membership.objects.filter(
            user=user, role=Membership.Role.RESPONDER
        ).select_related("organisation")
        for membership in memberships:
            ApiKey.objects.filter(
                user=user,
                organisation=membership.organisation,
                name=DEMO_KEY_NAME,
                revoked_at__isnull=True,
            ).update(revoked_at=timezone.now())
            _, raw = issue_key(
                user,
                membership.organisation,
                DEMO_KEY_NAME,
                [ApiKey.Scope.READ, ApiKey.Scope.RESPOND],
            )
            lines.append(f"api-key {username} {raw}")
    return lines
