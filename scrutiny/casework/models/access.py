"""How models ask the policy without importing it: through Django's authentication backends.

The policy (`scrutiny.casework.policy`) reads the models, so the models cannot import it. They
ask the way Django's own permission checks do: `user.has_perm(perm, obj)` runs every backend in
`settings.AUTHENTICATION_BACKENDS`, and the policy's `PolicyBackend` is one of them. Querysets
ask the same backend for the rows a user may see (`visible_rows`). Only `roles` is imported.
"""

from __future__ import annotations

from django.contrib import auth
from django.core.exceptions import ImproperlyConfigured

from scrutiny.casework.roles import Perm


def transition_permission(perm: Perm):
    """The `permission=` callable of an FSM transition: may `user` do `perm` to the instance?"""

    def check(instance, user) -> bool:
        return user is not None and user.has_perm(perm, instance)

    check.perm = perm
    return check


def visible_rows(user, queryset, perm: Perm | None = None):
    """The rows of `queryset` that `user` (or an API key) may see, as the policy answers."""
    for backend in auth.get_backends():
        visible = getattr(backend, "visible", None)
        if visible is not None:
            return visible(user, queryset, perm)
    raise ImproperlyConfigured(
        "No authentication backend answers which rows a user may see: add "
        "'scrutiny.casework.policy.PolicyBackend' to AUTHENTICATION_BACKENDS."
    )
