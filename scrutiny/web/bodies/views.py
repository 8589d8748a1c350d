"""The inbox of a health body's responder: what their body is asked, grouped, with due dates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from scrutiny.casework import inbox as inboxes

PAGE_SIZE = 25


@login_required
@require_GET
def inbox(request):
    bodies = list(inboxes.responder_bodies(request.user))
    if not bodies:
        raise PermissionDenied("This page is for the responders of a health body.")
    body = bodies[0]
    wanted = request.GET.get("body", "")
    if wanted:
        body = next((b for b in bodies if str(b.pk) == wanted or b.slug == wanted), None)
        if body is None:
            raise PermissionDenied("You do not answer for that body.")
    box = inboxes.inbox_for(
        request.user, body, today=timezone.localdate(), show=request.GET.get("show", "")
    )
    page = Paginator(box.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["show"] = box.show
    links = {}
    for key in inboxes.GROUPS:
        params = request.GET.copy()
        params.pop("page", None)
        params["show"] = key
        links[key] = params.urlencode()
    return render(
        request,
        "bodies/inbox.html",
        {
            "box": box,
            "bodies": bodies,
            "groups": [(k, label, count, links[k]) for k, label, count in box.groups],
            "page_obj": page,
            "query_string": query.urlencode(),
            "today": timezone.localdate(),
        },
    )
