"""The API's permission class: it asks the policy.

A key may read (`read` scope), submit (`respond` scope: responses, implementation updates,
webhooks), or both; a session user (the browsable API) holds both. What an actor may see is the
policy's `visible` (the viewsets' querysets), so anything else is 404, never 403.
"""

from rest_framework import permissions

from scrutiny.casework import policy
from scrutiny.casework.roles import Perm

SCOPE_OF = {Perm.API_READ: "read", Perm.API_RESPOND: "respond"}


class HasScope(permissions.BasePermission):
    """GET/HEAD/OPTIONS need the `read` scope; anything else needs `respond`."""

    message = "This API key does not have the scope for that."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        needed = Perm.API_READ if request.method in permissions.SAFE_METHODS else Perm.API_RESPOND
        if policy.can(policy.actor_of(request), needed):
            return True
        self.message = f"This API key does not have the '{SCOPE_OF[needed]}' scope."
        return False
