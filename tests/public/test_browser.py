"""Every public page type in headless Chromium passes axe with no violation, and a resident
walks from the home page to an outcome and a health body's record by clicking links."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.models import RelevantDecision, TopicSuggestion
from tests.browser_support import assert_accessible, chromium_page, sign_in
from tests.factories import consultation_minuted, consultation_recorded, visit_build
from tests.public.builders import build_topic

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


def test_public_pages_pass_axe(live_server, area, officer, osc_officer, responder, settings):
    settings.CF_SUGGESTION_RATE_LIMIT = 2  # every POST counts, the invalid one too
    concluded, declined = _data(area, officer, responder)
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
    base = live_server.url
    visited = []
    with chromium_page() as page:
        # The walk: home → an outcome → a health body's record, by links only.
        page.goto(f"{base}/")
        assert_accessible(page, visited)
        page.get_by_role("link", name="Stroke unit move").click()
        assert page.get_by_role("heading", level=1, name="Stroke unit move").is_visible()
        assert_accessible(page, visited)
        page.get_by_role("link", name="Northby Hospitals NHS Trust").first.click()
        assert page.get_by_role("heading", level=1, name="Northby Hospitals NHS Trust").is_visible()
        assert page.locator("svg[role=img]").is_visible()
        assert_accessible(page, visited)

        for path in (
            "/outcomes/",
            "/outcomes/?q=stroke&state=concluded",
            "/outcomes/?state=raised&year=1800",  # errors shown
            f"/outcomes/{declined.pk}/",
            "/health-bodies/",
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
        ):
            page.goto(base + path)
            assert_accessible(page, visited)

        page.goto(f"{base}/enter-and-view/")
        page.get_by_role("link", name="Ward 7, Northby Hospitals NHS Trust").click()
        assert page.get_by_role("heading", level=1, name="Ward 7").is_visible()
        assert_accessible(page, visited)

        page.goto(f"{base}/suggest/")
        assert_accessible(page, visited)
        page.get_by_role("button", name="Send suggestion").click()
        assert page.locator(".govuk-error-summary").is_visible()
        assert_accessible(page, visited)
        page.get_by_label("What should be looked at?").fill("Hearing tests")
        page.get_by_label("Why should it be looked at?").fill("Waits of a year")
        page.get_by_label("Northby").check()
        page.get_by_label("Your e-mail address (optional)").fill("ada@example.org")
        page.get_by_role("button", name="Send suggestion").click()
        assert page.get_by_role("heading", name="Suggestion sent").is_visible()
        assert_accessible(page, visited)
        page.goto(f"{base}/suggest/")
        page.get_by_label("What should be looked at?").fill("Again")
        page.get_by_label("Why should it be looked at?").fill("Again")
        page.get_by_role("button", name="Send suggestion").click()  # over the limit: 429 page
        assert page.get_by_role("heading", name="Too many suggestions").is_visible()
        assert_accessible(page, visited)

        # The officers' pages of the public site.
        sign_in(page, base, officer.username, next_url="/suggestions/")
        assert_accessible(page, visited)
        page.get_by_role("link", name="Hearing tests").click()
        assert_accessible(page, visited)
        page.get_by_role("button", name="Reject the suggestion").click()  # no reason: error
        assert page.locator(".govuk-error-summary").is_visible()
        assert_accessible(page, visited)
        for path in (
            f"/topics/{concluded.pk}/unpublish/",
            f"/topics/{concluded.pk}/publish/",
            "/network-decisions/",
            f"/network-decisions/{due.pk}/",
            f"/network-decisions/{due.pk}/set-aside/",
            f"/network-decisions/{published.pk}/",
            "/search/?q=stroke",  # the staff search of the officer's areas
        ):
            page.goto(base + path)
            assert_accessible(page, visited)
        page.goto(f"{base}/network-decisions/new/")
        page.get_by_role("button", name="Record the decision").click()  # empty: errors
        assert page.locator(".govuk-error-summary").is_visible()
        assert_accessible(page, visited)
    assert len(visited) == 34  # with the Enter and View list and a report, and search
    assert TopicSuggestion.objects.visible_to(officer).count() == 1
