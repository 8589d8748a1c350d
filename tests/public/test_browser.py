"""Every public page type in headless Chromium passes axe with no violation, and a resident
walks from the home page to an outcome and a health body's record by clicking links."""

import datetime as dt
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from protocols import services as joint_services
from protocols.annual import report_period
from scrutiny.casework import services
from scrutiny.casework.models import RelevantDecision, TopicSuggestion
from tests.browser_support import assert_accessible, chromium_page, expect, sign_in
from tests.factories import consultation_minuted, consultation_recorded, visit_build
from tests.public.builders import build_topic
from workflows.models import Notification

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _data(area, officer, responder):
    concluded = build_topic(
        area,
        officer,
        responder,
        title="Stroke unit move",
        issued_on=timezone.localdate() - dt.timedelta(days=70),  # answered late
    )
    build_topic(area, officer, responder, target="response_due", title="Hearing tests")
    declined = build_topic(area, officer, responder, target="declined", title="Car parking")
    visit_build(area, officer, state="responded")
    return concluded, declined


def _documents(concluded, officer, responder):
    """Two letters from the trust on the concluded topic's request: one published as a
    redacted copy with its note (shown on the outcome and record pages), one not yet."""
    pdf = b"%PDF-1.4\n%%EOF\n"
    extra = services.provider_response_record(
        subject=concluded.requests.get(),
        by=responder,
        channel="api",
        text="The letters, as promised.",
        kind="further_information",
        attachments=[
            SimpleUploadedFile(name, pdf, "application/pdf") for name in ("a.pdf", "b.pdf")
        ],
    )
    first, second = extra.attachments.order_by("pk")
    published = services.attachment_publish(
        attachment=first,
        by=officer,
        redacted_copy=SimpleUploadedFile("Letter (redacted).pdf", pdf, "application/pdf"),
        redaction_note="A nurse's name is taken out.",
    )
    return second, published


def _financial_year(day):
    return day.year if day.month >= 4 else day.year - 1


def _annual_report(area, officer, year):
    """The network's report for `year` with its foreword written (a draft)."""
    starts_on, ends_on = report_period(area.network, year)
    report = services.annual_report_start(
        body=area.network, year=year, starts_on=starts_on, ends_on=ends_on, by=officer
    )
    section = report.sections.order_by("position").first()
    services.annual_report_section_save(
        report=report, by=officer, section=section, heading="Foreword", text="A year of work."
    )
    return report


def test_public_pages_pass_axe(live_server, area, officer, osc_officer, responder, settings):
    settings.CF_SUGGESTION_RATE_LIMIT = 2  # every POST counts, the invalid one too
    concluded, declined = _data(area, officer, responder)
    unpublished_doc, published_doc = _documents(concluded, officer, responder)
    due, published = RelevantDecision.objects.order_by("pk")[:2]
    services.decision_edit(
        decision=published, by=officer, statement="To ask about beds.", reasons="Long waits."
    )
    services.decision_publish(decision=published, by=officer)
    consultation = consultation_minuted(
        by=osc_officer,
        consultation=consultation_recorded(
            by=osc_officer, body=area.trust, committee=area.committee
        ),
    )
    this_year = _financial_year(timezone.localdate())
    report = _annual_report(area, officer, this_year)
    report = services.annual_report_publish(report=report, by=officer)
    draft = _annual_report(area, officer, this_year - 1)
    # This year's work programme, one topic on it (issue 15.4).
    programme = joint_services.programme_set(
        partnership=area.partnership,
        by=officer,
        year=joint_services.municipal_year_of(timezone.localdate()),
        topic_capacity=2,
    )
    joint_services.programme_schedule(programme=programme, by=officer, topic=concluded)
    base = live_server.url
    visited = []
    with chromium_page() as page:
        # The walk: home → an outcome → a health body's record, by links only.
        page.goto(f"{base}/")
        assert_accessible(page, visited)
        page.get_by_role("link", name="Stroke unit move").click()
        expect(page.get_by_role("heading", level=1, name="Stroke unit move")).to_be_visible()
        assert_accessible(page, visited)
        page.get_by_role("link", name="Northby Hospitals NHS Trust").first.click()
        expect(
            page.get_by_role("heading", level=1, name="Northby Hospitals NHS Trust")
        ).to_be_visible()
        expect(page.locator("svg[role=img]")).to_be_visible()
        assert_accessible(page, visited)

        for path in (
            "/outcomes/",
            "/outcomes/?q=stroke&state=concluded",
            "/outcomes/?state=raised&year=1800",  # errors shown
            f"/outcomes/{declined.pk}/",
            "/health-bodies/",
            f"/health-bodies/{area.trust.slug}/?late=on",
            f"/health-bodies/{area.trust.slug}/?year=banana",  # errors shown
            "/service-changes/",
            f"/service-changes/{consultation.pk}/",
            "/data/",
            "/accessibility/",
            "/decisions/",
            "/decisions/?kind=nonsense",  # errors shown
            f"/decisions/{published.pk}/",
            "/enter-and-view/",
            "/search/?q=stroke",  # results, facets and snippets
            "/search/?q=stroke&year=soon",  # errors shown
            "/annual-reports/",
            f"/annual-reports/{report.pk}/",
            "/work-programme/",
            f"/work-programme/{area.partnership.slug}/",
            "/who-is-who/",
            f"/who-is-who/{area.committee.slug}/",
            f"/who-is-who/{area.network.slug}/",
        ):
            page.goto(base + path)
            assert_accessible(page, visited)

        page.goto(f"{base}/enter-and-view/")
        page.get_by_role("link", name="Ward 7, Northby Hospitals NHS Trust").click()
        expect(page.get_by_role("heading", level=1, name="Ward 7")).to_be_visible()
        assert_accessible(page, visited)

        page.goto(f"{base}/suggest/")
        assert_accessible(page, visited)
        page.get_by_role("button", name="Send suggestion").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page, visited)
        page.get_by_label("What should be looked at?").fill("Hearing tests")
        page.get_by_label("Why should it be looked at?").fill("Waits of a year")
        page.get_by_label("Northby").check()
        page.get_by_label("Your e-mail address (optional)").fill("ada@example.org")
        page.get_by_role("button", name="Send suggestion").click()
        expect(page.get_by_role("heading", name="Suggestion sent")).to_be_visible()
        assert_accessible(page, visited)
        page.goto(f"{base}/suggest/")
        page.get_by_label("What should be looked at?").fill("Again")
        page.get_by_label("Why should it be looked at?").fill("Again")
        page.get_by_role("button", name="Send suggestion").click()  # over the limit: 429 page
        expect(page.get_by_role("heading", name="Too many suggestions")).to_be_visible()
        assert_accessible(page, visited)

        # Following (docs/decisions/0030-following.md): the pages to follow a committee and an
        # area, the form on its own page (an error, then a success), confirm and unsubscribe.
        for path in (
            f"/follow/area/{area.partnership.slug}/",
            f"/follow/body/{area.committee.slug}/",
        ):
            page.goto(base + path)
            assert_accessible(page, visited)
        page.goto(f"{base}/follow/?target=health_body&ref={area.trust.slug}")
        assert_accessible(page, visited)
        page.get_by_label("Your e-mail address").fill("not an address")
        page.get_by_role("button", name="Follow by e-mail").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page, visited)
        page.get_by_label("Your e-mail address").fill("follower@example.org")
        page.get_by_label("One e-mail a week").check()
        page.get_by_role("button", name="Follow by e-mail").click()
        expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
        assert_accessible(page, visited)
        text = Notification.objects.get(kind="follow_confirm").body_text
        confirm = re.search(r"/follow/confirm/[^/\s]+/", text).group(0)
        page.goto(base + confirm)
        assert_accessible(page, visited)
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("heading", name=re.compile("You are following"))).to_be_visible()
        assert_accessible(page, visited)
        page.get_by_role("link", name="Stop them now").click()
        assert_accessible(page, visited)
        page.get_by_role("button", name="Stop the e-mails").click()
        expect(page.get_by_role("heading", name="E-mail updates stopped")).to_be_visible()
        assert_accessible(page, visited)

        # The officers' pages of the public site.
        sign_in(page, base, officer.username, next_url="/suggestions/")
        assert_accessible(page, visited)
        page.get_by_role("link", name="Hearing tests").click()
        assert_accessible(page, visited)
        page.get_by_role("button", name="Reject the suggestion").click()  # no reason: error
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page, visited)
        for path in (
            f"/topics/{concluded.pk}/unpublish/",
            f"/topics/{concluded.pk}/publish/",
            "/network-decisions/",
            f"/network-decisions/{due.pk}/",
            f"/network-decisions/{due.pk}/set-aside/",
            f"/network-decisions/{published.pk}/",
            "/search/?q=stroke",  # the staff search of the officer's areas
            f"/programme/{area.partnership.slug}/",
            "/reporting/annual/",
            "/reporting/annual/new/",
            f"/reporting/annual/{report.pk}/",
            f"/reporting/annual/{draft.pk}/",  # the draft: its section is edited next
        ):
            page.goto(base + path)
            assert_accessible(page, visited)
        page.get_by_role("link", name="Edit “Our year”").click()
        assert_accessible(page, visited)
        page.get_by_label("Heading").fill("")
        page.get_by_role("button", name="Save the section").click()  # no heading: errors
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page, visited)
        page.goto(f"{base}/network-decisions/new/")
        page.get_by_role("button", name="Record the decision").click()  # empty: errors
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page, visited)
        # Publishing a response's documents (docs/decisions/0032-open-data-and-evidence.md).
        page.goto(f"{base}/attachments/{unpublished_doc.pk}/publish/")
        assert_accessible(page, visited)
        page.goto(f"{base}/attachments/published/{published_doc.pk}/withdraw/")
        assert_accessible(page, visited)
        page.get_by_role("button", name="Withdraw the document").click()  # no reason: error
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page, visited)
    # with the annual reports (public and staff), following, work programmes and who is who,
    # the record's filters and publishing documents (ADR 0032), and search (ADR 0033)
    assert len(visited) == 62
    assert TopicSuggestion.objects.visible_to(officer).count() == 1
