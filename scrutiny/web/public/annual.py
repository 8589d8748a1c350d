"""The public annual reports: published reports of the networks and committees, each with its
narrative, its figures counted from published topics only, a PDF and open data. Not cached:
the figures follow every topic, request and meeting of the year (docs/annual-reports.md)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from scrutiny.casework.models import AnnualReport
from scrutiny.web import annual


def _published():
    return AnnualReport.objects.published().select_related("body")


@require_GET
def annual_reports(request):
    reports = _published().order_by("-year", "body__name", "id")
    return render(request, "public/annual_reports.html", {"reports": reports})


@require_GET
def annual_report(request, pk):
    report = get_object_or_404(_published(), pk=pk)
    return render(request, "public/annual_report.html", annual.report_context(report, public=True))


@require_GET
def annual_report_download(request, pk, fmt):
    report = get_object_or_404(_published(), pk=pk)
    context = annual.report_context(report, public=True)
    if fmt == "pdf":
        return annual.report_pdf(report, context)
    if fmt == "csv":
        return annual.figures_csv(report, context)
    return annual.figures_json(report, context)
