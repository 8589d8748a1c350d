"""What the navigation needs to know about the signed-in person, asked once per page."""

from scrutiny.casework.policy import body_ids, can
from scrutiny.casework.roles import Perm


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "nav_is_staff_role": can(user, Perm.STAFF_PAGES),
        "nav_is_responder": bool(body_ids(user, Perm.HEALTH_BODY_ACT)),
        "nav_is_area_admin": bool(body_ids(user, Perm.AREA_ADMINISTER)),
    }
