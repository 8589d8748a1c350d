"""Annual reports of a network or committee: the list, starting one, the report with its
figures (all the body's work in the period), writing its sections, publishing it, and its PDF
and open-data downloads (docs/annual-reports.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from protocols.annual import last_full_year, report_period
from scrutiny.casework import services
from scrutiny.casework.models import AnnualReport, AnnualReportState, Organisation
from scrutiny.casework.policy import body_ids
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.annual_reports import REPORTING_KINDS
from scrutiny.web import annual, presenters
from scrutiny.web.errors import button_view, form_view, page_subject
from scrutiny.web.staff.annual_forms import AnnualReportSectionForm, AnnualReportStartForm
from scrutiny.web.staff.views.common import _page, staff_required
from workflows.audit import event_label
from workflows.models import AuditEvent

YEARS_OFFERED = 6  # the last full year and the five before it, and the year under way


def _bodies(user):
    """The networks and committees whose annual reports `user` starts and writes."""
    return Organisation.objects.filter(
        pk__in=body_ids(user, Perm.TOPIC_MANAGE), kind__in=REPORTING_KINDS
    ).order_by("name")


def _years(today):
    """Years to offer: the one under way and those before it (by the financial year; the
    service checks the period of the body chosen)."""
    latest = today.year if today.month >= 4 else today.year - 1
    return list(range(latest, latest - YEARS_OFFERED, -1))


@staff_required
@require_GET
def annual_report_list(request):
    reports = AnnualReport.objects.visible_to(request.user).select_related("body")
    return render(
        request,
        "scrutiny/annual_report_list.html",
        {
            "page_obj": _page(request, reports.order_by("-year", "body__name", "id")),
            "can_start": _bodies(request.user).exists(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def annual_report_start(request):
    user = request.user
    bodies = _bodies(user)
    if not bodies.exists():
        raise PermissionDenied("Only a network's or committee's officers start its annual report.")
    today = timezone.localdate()
    first = bodies.first()
    form = AnnualReportStartForm(
        request.POST or None,
        bodies=bodies,
        years=_years(today),
        initial={"body": first.pk, "year": last_full_year(first, today)},
    )

    def start(data):
        body, year = data["body"], data["year"]
        starts_on, ends_on = report_period(body, year)
        report = services.annual_report_start(
            body=body, year=year, starts_on=starts_on, ends_on=ends_on, by=user
        )
        messages.success(request, "Annual report started: write its sections, then publish it.")
        return redirect(report.get_absolute_url())

    return form_view(request, form, on_valid=start, template="scrutiny/annual_report_start.html")


def _report(request, pk) -> AnnualReport:
    report = get_object_or_404(
        AnnualReport.objects.visible_to(request.user).select_related("body", "created_by"), pk=pk
    )
    return page_subject(request, report)


def _history(report):
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(report), object_id=report.pk
    ).select_related("actor")
    return [(event, event_label(event)) for event in events.order_by("at", "id")]


@staff_required
@require_GET
def annual_report_detail(request, pk):
    report = _report(request, pk)
    context = annual.report_context(report, public=False)
    context.update(
        actions=presenters.annual_report_actions(request.user, report),
        history=_history(report),
    )
    return render(request, "scrutiny/annual_report_detail.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def annual_report_section(request, pk, section_pk=None):
    """Write one section of the narrative (without `section_pk`: add one)."""
    report = _report(request, pk)
    if not presenters.annual_report_actions(request.user, report).edit:
        if report.state != AnnualReportState.DRAFT:
            return redirect(report.get_absolute_url())
        raise PermissionDenied("Only the body's officers write its annual report.")
    section = get_object_or_404(report.sections, pk=section_pk) if section_pk else None
    initial = {"heading": section.heading, "text": section.text} if section else {}
    form = AnnualReportSectionForm(request.POST or None, initial=initial)

    def save(data):
        services.annual_report_section_save(
            report=report,
            by=request.user,
            section=section,
            heading=data["heading"],
            text=data["text"],
        )
        messages.success(request, "Section saved.")
        return redirect(report.get_absolute_url() + "#narrative")

    return form_view(
        request,
        form,
        on_valid=save,
        template="scrutiny/annual_report_section.html",
        context={"report": report, "section": section},
    )


@staff_required
@require_POST
def annual_report_publish(request, pk):
    report = _report(request, pk)

    def done(published):
        messages.success(request, "Annual report published.")
        return redirect(published.get_absolute_url())

    return button_view(
        request,
        lambda: services.annual_report_publish(report=report, by=request.user),
        on_done=done,
        back=report,
    )


@staff_required
@require_GET
def annual_report_download(request, pk, fmt):
    """The staff figures (all the body's work) as a PDF, CSV or JSON."""
    report = _report(request, pk)
    context = annual.report_context(report, public=False)
    if fmt == "pdf":
        return annual.report_pdf(report, context)
    if fmt == "csv":
        return annual.figures_csv(report, context)
    return annual.figures_json(report, context)
