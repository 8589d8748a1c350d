"""The administration home page and the guard every administration page uses."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from scrutiny.casework.models import Organisation
from scrutiny.casework.policy import administered_bodies, administered_partnerships, can
from scrutiny.casework.roles import Perm
from scrutiny.web.administration.sections import SECTIONS


def admin_required(view):
    """Signed in (else the login page) and an area administrator somewhere (else 403). Each
    page still asks the policy about the body or partnership it changes."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can(request.user, Perm.AREA_ADMINISTER):
            raise PermissionDenied("This page is for an area's administrators.")
        return view(request, *args, **kwargs)

    return wrapped


@admin_required
@require_GET
def home(request):
    bodies = Organisation.objects.filter(pk__in=administered_bodies(request.user)).order_by("name")
    partnerships = administered_partnerships(request.user).order_by("name")
    sections = [
        {"title": s.title, "href": reverse(f"administration:{s.url_name}"), "text": s.description}
        for s in SECTIONS
    ]
    return render(
        request,
        "administration/home.html",
        {"bodies": bodies, "partnerships": partnerships, "sections": sections},
    )
