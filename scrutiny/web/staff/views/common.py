"""What every staff page shares: the staff-only decorator, the case-file loader, paging."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404

from scrutiny.casework.models import (
    Topic,
)
from scrutiny.casework.policy import can, topics_visible_to
from scrutiny.casework.roles import Perm
from scrutiny.web.errors import page_subject

PAGE_SIZE = 25


# --- helpers ---------------------------------------------------------------------------------


def staff_required(view):
    """Signed in (else the login page) and an officer, member or chair somewhere (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can(request.user, Perm.STAFF_PAGES):
            raise PermissionDenied("This page is for support officers and committee members.")
        return view(request, *args, **kwargs)

    return wrapped


def _case_topic(request, pk) -> Topic:
    """A topic whose case file the user may see (404 otherwise, whether or not it exists)."""
    topic = get_object_or_404(topics_visible_to(request.user).select_related("lead_body"), pk=pk)
    if not can(request.user, Perm.TOPIC_CASE_FILE, topic):
        raise Http404("No such topic.")
    return page_subject(request, topic)


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
