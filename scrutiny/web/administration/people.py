"""The people of the bodies an area administrator administers (issue 16)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from scrutiny.casework.models import Membership
from scrutiny.casework.policy import administered_bodies
from scrutiny.web.administration.views import admin_required
from scrutiny.web.staff.views.common import _page


@admin_required
@require_GET
def people(request):
    memberships = (
        Membership.objects.filter(organisation_id__in=administered_bodies(request.user))
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__first_name", "role", "pk")
    )
    return render(request, "administration/people.html", {"page_obj": _page(request, memberships)})
