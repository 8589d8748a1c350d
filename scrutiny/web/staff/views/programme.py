"""The joint work programme and the members' page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from scrutiny.casework import selectors
from scrutiny.web import meetings
from scrutiny.web.staff.views.common import _page, _query_string, staff_required

# --- work programme and members --------------------------------------------------------------


@staff_required
def programme(request, slug):
    partnership = get_object_or_404(selectors.partnerships_visible_to(request.user), slug=slug)
    data = selectors.work_programme(request.user, partnership)
    targets = meetings.target_meetings([row.topic.pk for row in data.topics])
    for row in data.topics:
        row.target = targets.get(row.topic.pk)
    return render(request, "scrutiny/programme.html", {"programme": data})


@staff_required
def members(request):
    topics, drafts = selectors.member_overview(request.user)
    sections = [meetings.member_agendas(request.user)]
    return render(
        request,
        "scrutiny/members.html",
        {
            "page_obj": _page(request, topics),
            "query_string": _query_string(request),
            "drafts": drafts,
            "sections": [s for s in sections if s],
            "partnerships": selectors.partnerships_visible_to(request.user),
        },
    )
