"""Meetings: the public and members' pages, agenda packs, and the officers' pages that keep
meetings, agenda items, papers and decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from protocols import feeds, imports, selectors, services
from protocols.models import (
    Resolution,
)
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from scrutiny.web.errors import button_view, form_view
from scrutiny.web.joint import forms, presenters
from scrutiny.web.joint.views.common import (
    _managed_item,
    _managed_meeting,
    _meeting_topics,
    _organisers,
)
from scrutiny.web.joint.views.governance import MINUTES_PDF_STATES
from scrutiny.web.joint.views.packs import pack_links
from scrutiny.web.structured_data import meeting_json_ld

# --- Meetings: public and members' pages ----------------------------------------------------


@require_GET
def meeting_list(request):
    today = timezone.localdate()
    visible = selectors.meetings_visible_to(request.user)
    upcoming = list(selectors.upcoming(visible, today)[:100])
    page = Paginator(selectors.past(visible, today), 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "protocols/meeting_list.html",
        {
            "upcoming": [presenters.meeting_row(m) for m in upcoming],
            "past": [presenters.meeting_row(m) for m in page.object_list],
            "page_obj": page,
            "query_string": params.urlencode(),
            "can_schedule": len(_organisers(request.user)) > 1
            if request.user.is_authenticated
            else False,
            "feed_url": reverse("protocols:calendar-public"),
            "webcal_url": feeds.webcal(reverse("protocols:calendar-public")),
        },
    )


@require_GET
def meeting_detail(request, pk):
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    items = list(selectors.agenda_items_for(request.user, meeting))
    member = can(request.user, Perm.MEETING_IN_FULL, meeting)
    actions = presenters.meeting_actions(request.user, meeting)
    topics = presenters.agenda_topic_links(request.user, items)
    if meeting.is_joint:
        feed_path = reverse("protocols:calendar-partnership", args=[meeting.partnership.slug])
    else:
        feed_path = reverse("protocols:calendar-body", args=[meeting.body.slug])
    minutes_url, minutes_pdf_url = _minutes_urls(request.user, meeting)
    return render(
        request,
        "protocols/meeting_detail.html",
        {
            "meeting": meeting,
            "m": presenters.meeting_row(meeting),
            "items": [
                presenters.item_row(it, minuting=actions.minute, topics=topics) for it in items
            ],
            "is_member": member,
            "actions": actions,
            "has_hidden_items": not member
            and meeting.agenda_published
            and meeting.items.filter(exempt=True).exists(),
            "feed_url": feed_path,
            "webcal_url": feeds.webcal(feed_path),
            "Resolution": Resolution,
            "can_open_pack": can(request.user, Perm.MEETING_PACK, meeting),
            "minutes_url": minutes_url,
            "minutes_pdf_url": minutes_pdf_url,
            "pack_links": pack_links(request.user, meeting),
            "json_ld": meeting_json_ld(meeting) if meeting.agenda_published else "",
        },
    )


def _minutes_urls(user, meeting) -> tuple[str | None, str | None]:
    """The minutes' page, when there are minutes this person may read, and their PDF once
    approved as a correct record (one query)."""
    state = selectors.minutes_visible_to(user).filter(meeting=meeting).values_list("state")
    state = state.first()
    if state is None:
        return None, None
    page = reverse("protocols:minutes", args=[meeting.pk])
    if state[0] in MINUTES_PDF_STATES:
        return page, reverse("protocols:minutes-pdf", args=[meeting.pk])
    return page, None


@require_GET
def paper_download(request, pk):
    paper = get_object_or_404(selectors.papers_visible_to(request.user), pk=pk)
    try:
        handle = paper.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=paper.original_name, content_type=paper.content_type
    )


@login_required
@require_GET
def my_meetings(request):
    today = timezone.localdate()
    mine = selectors.meetings_for_member(request.user)
    return render(
        request,
        "protocols/my_meetings.html",
        {
            "upcoming": [presenters.meeting_row(m) for m in selectors.upcoming(mine, today)[:50]],
            "recent": [presenters.meeting_row(m) for m in selectors.past(mine, today)[:10]],
        },
    )


@login_required
@require_GET
def meeting_pack(request, pk):
    """The agenda pack for members: every item in order with its papers; printable."""
    meeting = get_object_or_404(selectors.meetings_for_member(request.user), pk=pk)
    items = list(selectors.agenda_items_for(request.user, meeting))
    topics = presenters.agenda_topic_links(request.user, items)
    return render(
        request,
        "protocols/meeting_pack.html",
        {
            "meeting": meeting,
            "m": presenters.meeting_row(meeting),
            "items": [presenters.item_row(it, topics=topics) for it in items],
            "printed_at": timezone.localtime(),
            "pack_links": pack_links(request.user, meeting),
        },
    )


# --- Meetings: officers ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    organisers = _organisers(request.user)
    if len(organisers) <= 1:
        raise Http404("You do not manage any body's meetings.")
    form = forms.MeetingForm(request.POST or None, organisers=organisers)

    def schedule(d):
        body, partnership = forms.resolve_organiser(d["organiser"])
        meeting = services.meeting_create(
            by=request.user,
            body=body,
            partnership=partnership,
            title=d["title"],
            date=d["date"],
            start_time=d["start_time"],
            end_time=d["end_time"],
            place=d["place"],
            online_url=d["online_url"],
            confirm=d["confirm"],
        )
        messages.success(request, "Meeting scheduled.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=schedule,
        template="protocols/meeting_form.html",
        context={"title": "Schedule a meeting"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _managed_meeting(request, pk)
    initial = {f: getattr(meeting, f) for f in services.MEETING_FIELDS}
    form = forms.MeetingForm(request.POST or None, initial=initial, editing=True)

    def save(d):
        d = dict(d)
        confirm = d.pop("confirm")
        services.meeting_update(meeting=meeting, by=request.user, confirm=confirm, **d)
        messages.success(request, "Meeting updated.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=save,
        template="protocols/meeting_form.html",
        context={"meeting": meeting, "title": "Change the meeting"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_import(request):
    organisers = _organisers(request.user)
    if len(organisers) <= 1:
        raise Http404("You do not manage any body's meetings.")
    form = forms.ImportForm(request.POST or None, request.FILES or None, organisers=organisers)

    def import_file(data):
        body, partnership = forms.resolve_organiser(data["organiser"])
        result = imports.meetings_import_ics(
            by=request.user, uploaded=data["file"], body=body, partnership=partnership
        )
        return render(request, "protocols/meeting_import.html", {"form": form, "result": result})

    return form_view(request, form, on_valid=import_file, template="protocols/meeting_import.html")


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.AgendaItemForm(
        request.POST or None, topics=_meeting_topics(meeting), late=meeting.agenda_published
    )

    def add(data):
        services.agenda_item_add(meeting=meeting, by=request.user, **data)
        messages.success(request, "Item added to the agenda.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=add,
        template="protocols/item_form.html",
        context={"meeting": meeting, "title": "Add an agenda item"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk, item_pk):
    meeting, item = _managed_item(request, pk, item_pk)
    initial = {
        k: getattr(item, k)
        for k in (
            "title",
            "presenter",
            "summary",
            "exempt",
            "topic",
            "exempt_paragraph",
            "public_interest_reason",
        )
    }
    form = forms.AgendaItemForm(
        request.POST or None, initial=initial, topics=_meeting_topics(meeting), late=False
    )

    def save(data):
        services.agenda_item_update(item=item, by=request.user, **data)
        messages.success(request, "Agenda item updated.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=save,
        template="protocols/item_form.html",
        context={"meeting": meeting, "item": item, "title": "Change the agenda item"},
    )


@login_required
@require_POST
def item_move(request, pk, item_pk):
    meeting, item = _managed_item(request, pk, item_pk)
    services.agenda_item_move(item=item, by=request.user, up=request.POST.get("direction") == "up")
    return redirect(meeting)


@login_required
@require_http_methods(["GET", "POST"])
def paper_add(request, pk, item_pk):
    meeting, item = _managed_item(request, pk, item_pk)
    form = forms.PaperForm(request.POST or None, request.FILES or None)

    def add(data):
        services.paper_add(item=item, by=request.user, file=data["file"], title=data["title"])
        messages.success(request, "Paper added.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=add,
        template="protocols/paper_form.html",
        context={"meeting": meeting, "item": item},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_publish(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.PublishForm(request.POST if request.method == "POST" else None)

    def publish(data):
        services.meeting_publish_agenda(meeting=meeting, by=request.user)
        messages.success(request, "Agenda published.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=publish,
        template="protocols/meeting_publish.html",
        context={
            "meeting": meeting,
            "m": presenters.meeting_row(meeting),
            "urgency": presenters.urgency_status(meeting),
        },
    )


@login_required
@require_POST
def meeting_urgency_request(request, pk):
    """The officer asks the chair(s) for their reason of urgency (a late agenda)."""
    meeting = _managed_meeting(request, pk)

    def done(_):
        messages.success(request, "The chair has been asked for their reason of urgency.")
        return redirect("protocols:meeting-publish", pk=meeting.pk)

    return button_view(
        request,
        lambda: services.meeting_request_urgency_reason(meeting=meeting, by=request.user),
        on_done=done,
        back=reverse("protocols:meeting-publish", args=[meeting.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_urgency(request, pk):
    """The chair's action page: the chair gives the reason of urgency for a late agenda."""
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    if not can(request.user, Perm.CHAIR_BODY, meeting):
        raise PermissionDenied("Only the chair of the meeting's body gives the reason of urgency.")
    form = forms.UrgencyReasonForm(request.POST or None)

    def give(data):
        services.meeting_give_urgency_reason(
            meeting=meeting, by=request.user, reason=data["reason"]
        )
        messages.success(request, "Your reason of urgency is recorded; the officer can publish.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=give,
        template="protocols/meeting_urgency.html",
        context={
            "meeting": meeting,
            "m": presenters.meeting_row(meeting),
            "urgency": presenters.urgency_status(meeting),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.CancelForm(request.POST or None)

    def cancel(data):
        services.meeting_cancel(meeting=meeting, by=request.user, reason=data["reason"])
        messages.success(request, "Meeting cancelled.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=cancel,
        template="protocols/meeting_cancel.html",
        context={"meeting": meeting},
    )


@login_required
@require_POST
def meeting_held(request, pk):
    meeting = _managed_meeting(request, pk)

    def held(_):
        messages.success(request, "Meeting marked as held: record the minutes item by item.")
        return redirect(meeting)

    return button_view(
        request,
        lambda: services.meeting_mark_held(meeting=meeting, by=request.user),
        on_done=held,
        back=meeting,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_decision(request, pk, item_pk):
    meeting, item = _managed_item(request, pk, item_pk)
    framework = item.topic.applicable_framework() if item.topic is not None else None
    form = forms.DecisionForm(
        request.POST or None, criteria=framework.criteria if framework else ()
    )

    def minute(d):
        services.item_record_decision(
            item=item,
            by=request.user,
            decision=d["decision"],
            resolution=d["resolution"],
            scores=form.scores(),
            outcome_summary=d["outcome_summary"],
            close_without_response_reason=d["close_without_response_reason"],
        )
        messages.success(request, "Decision minuted.")
        return redirect(meeting)

    return form_view(
        request,
        form,
        on_valid=minute,
        template="protocols/item_decision.html",
        context={"meeting": meeting, "item": item},
    )
