""" "My work": what is overdue, due soon and awaiting action for the signed-in person."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from scrutiny.casework import notices, selectors
from scrutiny.web import presenters
from scrutiny.web.staff.forms import (
    DashboardFilterForm,
)
from scrutiny.web.staff.views.common import _page, _query_string, staff_required
from workflows.clocks import calendar_for

# --- dashboard -------------------------------------------------------------------------------


@staff_required
def dashboard(request):
    user = request.user
    today = timezone.localdate()
    cal = calendar_for()
    soon_until = cal.add_working_days(today, selectors.SOON_WORKING_DAYS)
    bodies, partnerships, health_bodies = selectors.filter_choices(user)
    form = DashboardFilterForm(
        request.GET or None,
        bodies=bodies,
        partnerships=partnerships,
        health_bodies=health_bodies,
        categories=list(selectors.CATEGORY_LABELS.items()),
    )
    filters, show, sort = selectors.DashboardFilters(), "", "due"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.DashboardFilters(
            body=data["body"].pk if data["body"] else None,
            partnership=data["partnership"].pk if data["partnership"] else None,
            state=data["state"],
            health_body=data["health_body"].pk if data["health_body"] else None,
        )
        show, sort = data["show"], data["sort"] or "due"
    dashboard = selectors.Dashboard(user, today=today, soon_until=soon_until, filters=filters)
    counts = dashboard.counts()
    total = counts[show] if show else sum(counts.values())
    page = _page(request, dashboard.items(show=show, sort=sort, total=total))
    # The loop of each ask on the page (sent, delivered, first viewed, answered): one query.
    asks = [i.obj for i in page.object_list if i.kind in ("request", "recommendation")]
    sent = notices.notices_by_item(asks)
    for i in page.object_list:
        i.loop = presenters.ask_loop(i.obj, sent.get(notices.item_key(i.obj), []))
    # Each count links to its group, keeping the other filters and the sort.
    params = request.GET.copy()
    params.pop("page", None)
    links = {}
    for key in counts:
        params["show"] = key
        links[key] = params.urlencode()
    return render(
        request,
        "scrutiny/dashboard.html",
        {
            "form": form,
            "counts": [(k, selectors.CATEGORY_LABELS[k], counts[k], links[k]) for k in counts],
            "page_obj": page,
            "query_string": _query_string(request),
            "today": today,
            "cf_calendar": cal,
            "show": show,
            "total": total,
        },
    )
