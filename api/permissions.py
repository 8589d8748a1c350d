"""Scopes: a key may read, respond, or both. Session users (the browsable API) have both."""

from rest_framework import permissions

from api.models import ApiKey


class HasScope(permissions.BasePermission):
    """GET/HEAD/OPTIONS need the `read` scope; anything else needs `respond`."""

    message = "This API key does not have the scope for that."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if not isinstance(request.auth, ApiKey):
            return True
        needed = (
            ApiKey.Scope.READ
            if request.method in permissions.SAFE_METHODS
            else ApiKey.Scope.RESPOND
        )
        if request.auth.has_scope(needed):
            return True
        self.message = f"This API key does not have the '{needed}' scope."
        return False
