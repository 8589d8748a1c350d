"""Annual reports (docs/annual-reports.md): starting a body's report for a year, writing its
narrative section by section while it is a draft, and publishing it. The figures are not stored:
`scrutiny.casework.annual_figures` and `protocols.annual` compute them from the period's work
whenever the report is read.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from scrutiny.casework.models import (
    DEFAULT_SECTIONS,
    AnnualReport,
    AnnualReportSection,
    AnnualReportState,
    Organisation,
)
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.common import _required
from workflows.audit import EventType, log_event
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.services import transition_apply

REPORTING_KINDS = (Organisation.Kind.INVOLVEMENT_NETWORK, Organisation.Kind.SCRUTINY_COMMITTEE)
NARRATIVE_MISSING = "Write at least one section of the report before publishing it."


def financial_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The financial year `year` (2025 is 1 April 2025 to 31 March 2026): a network's
    reporting year (2007 Act s227)."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def annual_report_title(body: Organisation, year: int) -> str:
    return f"{body.name}: annual report {year}/{(year + 1) % 100:02d}"


def annual_report_start(
    *, body: Organisation, year: int, starts_on: dt.date, ends_on: dt.date, by
) -> AnnualReport:
    """Start `body`'s draft report for `year`, with the default sections to write. The period
    is the caller's (`protocols.annual.report_period`: the financial year for a network, the
    municipal year for a committee); it must start in `year` and last about a year."""
    if body.kind not in REPORTING_KINDS:
        raise InvalidInput(
            "Annual reports are an involvement network's or a scrutiny committee's.",
            field_errors={"body": ["Choose a network or a committee."]},
        )
    if not can(by, Perm.TOPIC_MANAGE, body):
        raise Forbidden(f"Only {body}'s officers start its annual report.")
    if starts_on.year != year or not (355 <= (ends_on - starts_on).days <= 370):
        raise InvalidInput(
            "A report covers one year, starting in the year chosen.",
            field_errors={"year": ["Choose the year the report covers."]},
        )
    if starts_on > timezone.localdate():
        raise InvalidInput(
            "That year has not started yet.",
            field_errors={"year": ["Choose a year that has started."]},
        )
    if AnnualReport.objects.filter(body=body, year=year).exists():
        raise Conflict(f"{body} already has a report for {year}/{(year + 1) % 100:02d}.")
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(
                body=body,
                year=year,
                starts_on=starts_on,
                ends_on=ends_on,
                title=annual_report_title(body, year),
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
            AnnualReportSection.objects.bulk_create(
                AnnualReportSection(report=report, position=i, heading=heading)
                for i, heading in enumerate(DEFAULT_SECTIONS, start=1)
            )
            log_event(
                report,
                EventType.ANNUAL_REPORT_STARTED,
                by=by,
                note=report.title,
                data={"year": year},
                source_state="",
            )
    except IntegrityError as exc:  # two officers starting the same report at once
        raise Conflict(f"{body} already has a report for this year.") from exc
    return report


def _locked_draft(report: AnnualReport) -> AnnualReport:
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.state != AnnualReportState.DRAFT:
        raise Conflict(
            "This report is published: its narrative can no longer change.",
            current_state=locked.state,
        )
    return locked


def annual_report_section_save(
    *, report: AnnualReport, by, heading: str, text: str, section: AnnualReportSection | None = None
) -> AnnualReportSection:
    """Write one section of a draft report (or, without `section`, add one at the end)."""
    if not can(by, Perm.TOPIC_MANAGE, report):
        raise Forbidden("Only the body's officers write its annual report.")
    heading = _required(heading, "heading", "the section's heading")
    if len(heading) > 200:
        raise InvalidInput(
            "A heading is at most 200 characters.",
            field_errors={"heading": ["Shorten the heading to 200 characters or fewer."]},
        )
    text = (text or "").strip()
    with transaction.atomic():
        report = _locked_draft(report)
        if section is None:
            last = report.sections.order_by("-position").values_list("position", flat=True)
            section = AnnualReportSection.objects.create(
                report=report, position=(last.first() or 0) + 1, heading=heading, text=text
            )
        else:
            section = report.sections.get(pk=section.pk)
            if (section.heading, section.text) == (heading, text):
                return section
            section.heading, section.text = heading, text
            section.save(update_fields=["heading", "text", "updated_at"])
        report.save(update_fields=["updated_at"])
        log_event(report, EventType.ANNUAL_REPORT_EDITED, by=by, note=heading)
    return section


def annual_report_publish(*, report: AnnualReport, by) -> AnnualReport:
    """Publish the report: its page, PDF and figures become public (the figures of published
    topics only). A report with no section written cannot go out."""
    if not can(by, Perm.TOPIC_MANAGE, report):
        raise Forbidden("Only the body's officers publish its annual report.")
    current = AnnualReport.objects.only("state").get(pk=report.pk)
    if current.state == AnnualReportState.DRAFT and not any(
        t.strip() for t in current.sections.values_list("text", flat=True)
    ):
        raise InvalidInput(NARRATIVE_MISSING, field_errors={"text": [NARRATIVE_MISSING]})
    return transition_apply(instance=report, name="publish", by=by)
