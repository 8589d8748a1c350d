"""Meeting governance pages in headless Chromium pass axe: the public meeting page (with its PDF
pack and minutes links), the pack being prepared, the public minutes, and the officer's minutes,
attendance (with its error summary), declarations and membership pages."""

import os

import pytest
from django.urls import reverse

from tests.browser_support import assert_accessible, chromium_page, expect, sign_in
from tests.protocols.builders import build_minutes

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_governance_pages_pass_axe(live_server, area, osc_officer):
    built = build_minutes(area, osc_officer, target="published")
    meeting = built.october
    base = live_server.url
    visited = []
    with chromium_page() as page:
        # The public meeting page offers the agenda pack (being prepared: no worker here) and
        # the approved minutes as a PDF (docs/decisions/0031-agenda-packs.md).
        page.goto(base + meeting.get_absolute_url())
        expect(page.get_by_text("The PDF of the agenda pack is being prepared")).to_be_visible()
        pdf = reverse("protocols:minutes-pdf", args=[meeting.pk])
        expect(page.locator(f'a[href="{pdf}"]')).to_be_visible()
        assert_accessible(page, visited)
        page.goto(base + reverse("protocols:meeting-pack-pdf", args=[meeting.pk]))
        expect(
            page.get_by_role("heading", level=1, name="The pack is being prepared")
        ).to_be_visible()
        assert_accessible(page, visited)
        page.goto(base + meeting.get_absolute_url())
        page.get_by_role("link", name="Minutes", exact=True).click()
        expect(page.get_by_role("heading", level=1, name="Minutes")).to_be_visible()
        assert "EXEMPT-TITLE" not in page.content()
        assert_accessible(page, visited)

        sign_in(page, base, osc_officer.username, next_url=meeting.get_absolute_url())
        for name in ("minutes", "meeting-attendance", "meeting-declarations"):
            page.goto(base + reverse(f"protocols:{name}", args=[meeting.pk]))
            assert_accessible(page, visited)
        page.goto(base + reverse("protocols:meeting-attendance", args=[meeting.pk]))
        page.get_by_label("Name").fill("Cllr Typed")
        page.get_by_label("Present as substitute").check()
        page.get_by_role("button", name="Record attendance").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page, visited)
        page.goto(base + reverse("protocols:body-seats", args=[area.committee.slug]))
        assert_accessible(page, visited)
    assert len(visited) == 8  # with the meeting page and the pack being prepared
