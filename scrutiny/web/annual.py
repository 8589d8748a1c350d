"""An annual report as the pages show it: the casework figures (`scrutiny.casework.annual_figures`)
and the meetings (`protocols.annual`) composed here, above both domains, with the body's
narrative; and the report's downloads: a tagged PDF drawn by WeasyPrint and the figures as CSV
and JSON open data. The staff pages pass `public=False` (all the body's work in the period); the
public pages `public=True` (items of published topics only). docs/annual-reports.md.
"""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from protocols.annual import meeting_figures
from scrutiny.casework.annual_figures import annual_figures

FIELDS = ["section", "measure", "value"]


def report_context(report, *, public: bool) -> dict:
    """What every view of the report shows: its sections, figures and meetings."""
    figures = annual_figures(report.body, report.starts_on, report.ends_on, public=public)
    meetings = meeting_figures(report.body, report.starts_on, report.ends_on, public=public)
    return {
        "report": report,
        "sections": list(report.sections.order_by("position", "id")),
        "figures": figures,
        "meetings": meetings,
        "public": public,
    }


def _rows(context) -> list[tuple[str, str, int]]:
    return context["figures"].rows() + context["meetings"].rows()


def _filename(report, ext: str) -> str:
    return f"{slugify(report.body.name)}-annual-report-{report.year}.{ext}"


def _download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def figures_csv(report, context) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    writer.writerows(_rows(context))
    return _download(out.getvalue(), "text/csv; charset=utf-8", _filename(report, "csv"))


def figures_json(report, context) -> HttpResponse:
    data = {
        "report": report.title,
        "body": report.body.name,
        "year": report.year_label,
        "period": {
            "starts_on": report.starts_on.isoformat(),
            "ends_on": report.ends_on.isoformat(),
        },
        "as_at": context["figures"].as_at.isoformat(),
        "counts": "published topics only" if context["public"] else "all the body's work",
        "figures": [dict(zip(FIELDS, row, strict=True)) for row in _rows(context)],
    }
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return _download(body, "application/json; charset=utf-8", _filename(report, "json"))


def report_pdf_bytes(report, context) -> bytes:
    """The report drawn by WeasyPrint as a tagged PDF (PDF/UA-1: headings, tables and reading
    order in the structure tree, the document's language and title in its metadata)."""
    import weasyprint  # imported here: only the download needs it, and it is slow to load

    html = render_to_string(
        "annual/report_pdf.html", {**context, "generated": timezone.localdate()}
    )
    document = weasyprint.HTML(string=html, base_url=None)
    return document.write_pdf(pdf_variant="pdf/ua-1")


def report_pdf(report, context) -> HttpResponse:
    return _download(report_pdf_bytes(report, context), "application/pdf", _filename(report, "pdf"))
