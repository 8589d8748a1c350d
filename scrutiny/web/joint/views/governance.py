"""Meeting governance pages: a committee's membership by municipal year, a meeting's attendance
and declarations of interest, and its minutes (a document with a lifecycle, public once
published)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from protocols import pdf, selectors, services
from protocols.models import CommitteeRules, Minutes, MinutesState
from scrutiny.casework.models import Organisation
from scrutiny.casework.policy import can, owner_ids, visible
from scrutiny.casework.roles import Perm
from scrutiny.web.errors import button_view, form_view, page_subject
from scrutiny.web.joint import forms, presenters
from scrutiny.web.joint.views.common import _managed_meeting

# --- Membership by municipal year --------------------------------------------------------------


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 1990 <= int(raw) <= 2200:
        return int(raw)
    return services.municipal_year_of(timezone.localdate())


def _body_of_staff(request, slug) -> Organisation:
    bodies = visible(request.user, Organisation.objects.all(), Perm.MEETING_IN_FULL)
    return page_subject(request, get_object_or_404(bodies, slug=slug))


@login_required
@require_http_methods(["GET", "POST"])
def body_seats(request, slug):
    """Who sits on a body in a municipal year (its staff), and adding a seat (its officers)."""
    body = _body_of_staff(request, slug)
    year = _year(request)
    seats = list(selectors.seats_of([body.pk], year))
    manage = can(request.user, Perm.MEETING_MANAGE, body)
    if request.method == "POST" and not manage:
        raise Http404("You do not keep this body's membership.")
    form = forms.SeatForm(request.POST or None, seats=selectors.seats_of([body.pk], year))
    first, last = services.municipal_year_bounds(year)
    rules = CommitteeRules.objects.filter(body=body).first()

    def add(d):
        services.seat_add(
            body=body,
            by=request.user,
            year=year,
            name=d["name"],
            role=d["role"],
            user=d["username"],
            voting=d["voting"],
            represents=d["represents"],
            substitute_for=d["substitute_for"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
        )
        messages.success(request, "Seat recorded.")
        return redirect(f"{reverse('protocols:body-seats', args=[body.slug])}?year={year}")

    return form_view(
        request,
        form,
        on_valid=add,
        template="protocols/body_seats.html",
        context={
            "body": body,
            "year": year,
            "year_label": services.year_label(year),
            "first": first,
            "last": last,
            "seats": seats,
            "manage": manage,
            "previous_year": year - 1,
            "next_year": year + 1,
            "co_optees_see_exempt": bool(rules and rules.co_optees_see_exempt),
            "rules_form": forms.CommitteeRulesForm(
                initial={"co_optees_see_exempt": bool(rules and rules.co_optees_see_exempt)}
            ),
        },
    )


@login_required
@require_POST
def body_rules(request, slug):
    body = _body_of_staff(request, slug)
    form = forms.CommitteeRulesForm(request.POST)
    form.is_valid()  # a checkbox: always valid

    def done(_):
        messages.success(request, "The committee's rules are saved.")
        return redirect("protocols:body-seats", slug=body.slug)

    return button_view(
        request,
        lambda: services.committee_rules_set(
            body=body,
            by=request.user,
            co_optees_see_exempt=form.cleaned_data.get("co_optees_see_exempt", False),
        ),
        on_done=done,
        back=reverse("protocols:body-seats", args=[body.slug]),
    )


# --- Attendance and declarations ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request, pk):
    meeting = _managed_meeting(request, pk)
    year = services.municipal_year_of(meeting.date)
    seats = selectors.seats_of(owner_ids(meeting), year)
    form = forms.AttendanceForm(request.POST or None, seats=seats)

    def record(d):
        services.attendance_record(
            meeting=meeting,
            by=request.user,
            name=d["name"],
            seat=d["seat"],
            status=d["status"],
            substitute_for=d["substitute_for"],
        )
        messages.success(request, "Attendance recorded.")
        return redirect("protocols:meeting-attendance", pk=meeting.pk)

    return form_view(
        request,
        form,
        on_valid=record,
        template="protocols/meeting_attendance.html",
        context={"meeting": meeting, "attendance": list(selectors.attendance_at(meeting))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_declarations(request, pk):
    meeting = _managed_meeting(request, pk)
    attendees = selectors.attendance_at(meeting).filter(status__in=["present", "substitute"])
    form = forms.DeclarationForm(
        request.POST or None, items=meeting.items.order_by("position"), attendees=attendees
    )

    def declare(d):
        services.interest_declare(
            item=d["item"],
            by=request.user,
            attendee=d["attendee"],
            kind=d["kind"],
            interest=d["interest"],
            withdrew=d["withdrew"],
        )
        messages.success(request, "Declaration recorded.")
        return redirect("protocols:meeting-declarations", pk=meeting.pk)

    items = list(selectors.minutes_items_for(request.user, meeting))
    return form_view(
        request,
        form,
        on_valid=declare,
        template="protocols/meeting_declarations.html",
        context={"meeting": meeting, "items": items},
    )


# --- Minutes -------------------------------------------------------------------------------------


def _minutes_for(request, pk):
    """The minutes this person may read, as a document (public once published; the staff of
    the meeting's bodies see them in every state, exempt items included)."""
    minutes = get_object_or_404(selectors.minutes_visible_to(request.user), meeting_id=pk)
    meeting = minutes.meeting
    in_full = can(request.user, Perm.MEETING_IN_FULL, meeting)
    items = list(selectors.minutes_items_for(request.user, meeting))
    hidden = 0 if in_full else meeting.items.filter(exempt=True).count()
    page = presenters.minutes_page(
        minutes,
        items,
        list(selectors.attendance_at(meeting)),
        public=not in_full,
        hidden_exempt=hidden,
    )
    return minutes, meeting, page, in_full


@require_GET
def minutes_detail(request, pk):
    """The minutes as a document: public once published; the staff of the meeting's bodies see
    them in every state, exempt items included."""
    minutes, meeting, page, _ = _minutes_for(request, pk)
    return render(
        request,
        "protocols/minutes_detail.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "page": page,
            "actions": presenters.minutes_actions(request.user, meeting, minutes),
            "pdf_url": reverse("protocols:minutes-pdf", args=[meeting.pk])
            if minutes.state in MINUTES_PDF_STATES
            else "",
        },
    )


# Minutes become a PDF once approved as a correct record (never a draft or circulated copy).
MINUTES_PDF_STATES = (MinutesState.APPROVED, MinutesState.PUBLISHED)


@require_GET
def minutes_pdf(request, pk):
    """The approved minutes as one tagged PDF (WeasyPrint): what the minutes page shows this
    person, so in public without any exempt item. 404 before approval. Drawn on request (a few
    pages); the ETag is a digest of the document's HTML, so a reader who has it gets a 304
    without the PDF being drawn again."""
    minutes, meeting, page, in_full = _minutes_for(request, pk)
    if minutes.state not in MINUTES_PDF_STATES:
        raise Http404("These minutes are not approved yet.")
    site = settings.SITE_URL.rstrip("/")
    html_context = {
        "meeting": meeting,
        "organiser": str(meeting.organiser),
        "minutes": minutes,
        "page": page,
        "in_full": in_full,
        "meeting_url": site + meeting.get_absolute_url(),
    }
    source = render_to_string("protocols/pdf/minutes.html", html_context)
    etag = f'"{hashlib.sha256(source.encode()).hexdigest()}"'
    cache_control = "private, no-cache" if in_full else "public, max-age=0, must-revalidate"
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        data = pdf.render_pdf("protocols/pdf/minutes.html", html_context, base_url=site + "/")
        response = HttpResponse(data, content_type="application/pdf")
        name = f"{slugify(meeting.title)}-{meeting.date:%Y-%m-%d}-minutes.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["ETag"], response["Cache-Control"] = etag, cache_control
    return response


@login_required
@require_http_methods(["GET", "POST"])
def minutes_edit(request, pk):
    """Start the minutes of a held meeting, or change a draft's introduction."""
    meeting = _managed_meeting(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    form = forms.MinutesForm(
        request.POST or None, initial={"introduction": minutes.introduction if minutes else ""}
    )

    def save(d):
        if minutes is None:
            services.minutes_draft(meeting=meeting, by=request.user, introduction=d["introduction"])
            messages.success(request, "Minutes started.")
        else:
            services.minutes_update(
                minutes=minutes, by=request.user, introduction=d["introduction"]
            )
            messages.success(request, "Minutes saved.")
        return redirect("protocols:minutes", pk=meeting.pk)

    return form_view(
        request,
        form,
        on_valid=save,
        template="protocols/minutes_form.html",
        context={"meeting": meeting, "minutes": minutes},
    )


def _managed_minutes(request, pk) -> Minutes:
    meeting = _managed_meeting(request, pk)
    return page_subject(request, get_object_or_404(Minutes.objects, meeting=meeting))


MOVES = {
    "circulate": (services.minutes_circulate, "Minutes circulated to members."),
    "return": (services.minutes_return_to_draft, "Minutes returned to draft."),
    "publish": (services.minutes_publish, "Minutes published."),
}


@login_required
@require_POST
def minutes_move(request, pk, move):
    if move not in MOVES:
        raise Http404("No such step.")
    minutes = _managed_minutes(request, pk)
    service, said = MOVES[move]

    def done(_):
        messages.success(request, said)
        return redirect("protocols:minutes", pk=pk)

    return button_view(
        request,
        lambda: service(
            minutes=minutes, by=request.user, expected_state=request.POST.get("state") or None
        ),
        on_done=done,
        back=reverse("protocols:minutes", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def minutes_approve(request, pk):
    minutes = _managed_minutes(request, pk)
    form = forms.MinutesApproveForm(
        request.POST or None, items=services.approving_items_for(minutes)
    )

    def approve(d):
        services.minutes_approve(minutes=minutes, by=request.user, item=d["item"])
        messages.success(request, "Minutes approved as a correct record.")
        return redirect("protocols:minutes", pk=pk)

    return form_view(
        request,
        form,
        on_valid=approve,
        template="protocols/minutes_approve.html",
        context={"meeting": minutes.meeting, "minutes": minutes},
    )
