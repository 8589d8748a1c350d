"""Demo annual reports: Northby's involvement network has published its report for the last
financial year, with its narrative written; Northby's committee has started its report for the
last municipal year and written only its foreword (a draft). Idempotent: a body that already
has a report for the year is left alone.
"""

from __future__ import annotations

from django.utils import timezone

from protocols.annual import last_full_year, report_period
from scrutiny.casework import services
from scrutiny.casework.models import AnnualReport, Membership, Organisation

NETWORK_NARRATIVE = {
    "Foreword": (
        "This year more residents than ever told us about their health and care services: at "
        "listening events in every ward, through our website and at the hospital's front door.\n\n"
        "Thank you to our volunteers, who gave over 900 hours, and to the providers who answered "
        "our questions."
    ),
    "Our year": (
        "We chose our work programme from what residents raised most often: getting an NHS "
        "dentist and leaving hospital safely. The figures below show what we asked, how promptly "
        "each health body answered, and what we recommended."
    ),
    "What changed because of our work": (
        "The trust now starts planning a patient's discharge on the day they are admitted, as "
        "we recommended after our Enter and View visit."
    ),
    "Looking ahead": (
        "Next year we will look at mental health support for young people, which residents "
        "named in our annual survey."
    ),
}

COMMITTEE_FOREWORD = (
    "The committee met throughout the year to scrutinise local health services, and considered "
    "the proposal to move the stroke unit. This draft will be completed before it goes to "
    "council."
)


def _officer(body: Organisation):
    membership = (
        Membership.objects.filter(organisation=body, role=Membership.Role.SUPPORT_OFFICER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _start(body: Organisation, officer, today):
    year = last_full_year(body, today)
    if AnnualReport.objects.filter(body=body, year=year).exists():
        return None
    starts_on, ends_on = report_period(body, year)
    return services.annual_report_start(
        body=body, year=year, starts_on=starts_on, ends_on=ends_on, by=officer
    )


def _write(report, officer, texts: dict[str, str]) -> None:
    for section in report.sections.order_by("position"):
        if texts.get(section.heading):
            services.annual_report_section_save(
                report=report,
                by=officer,
                section=section,
                heading=section.heading,
                text=texts[section.heading],
            )


def seed_area(partnership, today) -> list[str]:
    lines = []
    network = partnership.involvement_network
    officer = _officer(network)
    if officer is not None:
        report = _start(network, officer, today)
        if report is not None:
            _write(report, officer, NETWORK_NARRATIVE)
            services.annual_report_publish(report=report, by=officer)
            lines.append(f"  {report.title}: published")
    for committee in partnership.scrutiny_committees.order_by("pk")[:1]:
        officer = _officer(committee)
        if officer is None:
            continue
        report = _start(committee, officer, today)
        if report is not None:
            _write(report, officer, {"Foreword": COMMITTEE_FOREWORD})
            lines.append(f"  {report.title}: draft")
    return lines


def seed_demo(result: dict) -> list[str]:
    """Called by `seed_demo` with what `scrutiny.demo.casework.seed()` returns: Northby only."""
    today = timezone.localdate()
    lines = []
    for area in result["areas"][:1]:
        lines += seed_area(area.partnership, today)
    return ["", "Annual reports:", *lines] if lines else []
