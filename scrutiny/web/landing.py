"""Where a person lands after signing in: their own work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from scrutiny.casework.policy import body_ids, can
from scrutiny.casework.roles import Perm


@login_required
@require_GET
def signed_in(request):
    """Officers and members to "My work"; a health body's responders to their body's inbox;
    anyone else to the public home page."""
    user = request.user
    if can(user, Perm.STAFF_PAGES):
        return redirect("scrutiny:dashboard")
    if body_ids(user, Perm.HEALTH_BODY_ACT):
        return redirect("bodies:inbox")
    if body_ids(user, Perm.AREA_ADMINISTER):
        return redirect("administration:home")
    return redirect("/")
