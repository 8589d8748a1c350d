"""What the navigation needs to know about the signed-in person, asked once per page."""

from scrutiny.casework.permissions import RESPONDER, STAFF_ROLES, roles_by_body


def navigation(request):
    user = getattr(request, "user", None)
    roles = set().union(*roles_by_body(user).values()) if user is not None else set()
    return {
        "nav_is_staff_role": bool(roles & STAFF_ROLES) or getattr(user, "is_superuser", False),
        "nav_is_responder": RESPONDER in roles,
    }
