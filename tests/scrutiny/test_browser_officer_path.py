"""An officer walks a topic from raise to conclude in headless Chromium, and every page passes
axe with no violation; the same walk works with JavaScript switched off."""

import datetime as dt

import pytest
from django.utils import timezone

from scrutiny.casework.models import ProviderResponse, Topic
from tests.browser_support import assert_accessible as check_with_axe
from tests.browser_support import chromium_page, expect, sign_in
from tests.factories import agree_recommendations

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _button(page, name):
    page.get_by_role("button", name=name, exact=True).click()


def _link_button(page, name):
    page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_officer_path_raise_to_conclude(live_server, area, officer, javascript):
    visited: list[str] = []
    today = timezone.localdate().isoformat()

    def assert_accessible(page, visited):
        # axe runs as JavaScript in the page: with it switched off only the behaviour is checked.
        if javascript:
            check_with_axe(page, visited)
        else:
            visited.append(page.url)

    with chromium_page(javascript=javascript) as page:
        sign_in(page, live_server.url, officer.username)
        expect(page.get_by_role("heading", name="My work")).to_be_visible()
        assert_accessible(page, visited)

        # Raise
        page.get_by_role("link", name="Raise a topic").first.click()
        assert_accessible(page, visited)
        _button(page, "Raise topic")  # empty: errors, nothing saved
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page, visited)
        page.get_by_label("Title").fill("Stroke unit move")
        page.get_by_label("Summary").fill("The trust plans to move the stroke unit.")
        page.get_by_label("Joint: Northby").check()
        page.get_by_label("Lead body").select_option(label="Northby LINk")
        page.get_by_label("Northby Hospitals NHS Trust").check()
        _button(page, "Raise topic")
        expect(page.get_by_role("heading", name="Stroke unit move")).to_be_visible()
        assert_accessible(page, visited)
        topic = Topic.objects.get(title="Stroke unit move")

        # Prioritise with TOPIC scoring
        _link_button(page, "Prioritise")
        assert_accessible(page, visited)
        for key, score in (
            ("timely", 2),
            ("organisational_priority", 2),
            ("public_interest", 2),
            ("influence", 1),
            ("cost_effective", 1),
        ):
            page.locator(f"#id_score_{key}_{score}").check()
        _button(page, "Save scores and prioritise")
        expect(page.get_by_text("8 out of 10: meets the threshold of 6.")).to_be_visible()
        assert_accessible(page, visited)

        # Request information from the trust
        _link_button(page, "Resolve to request information")
        assert_accessible(page, visited)
        _button(page, "Record the decision")
        _link_button(page, "Draft an information request")
        assert_accessible(page, visited)
        page.get_by_label("Northby Hospitals NHS Trust").check()
        page.get_by_label("What information do you need?").fill("How many beds will move?")
        _button(page, "Save draft")
        _link_button(page, "Issue requests")
        assert_accessible(page, visited)
        _button(page, "Issue requests")
        expect(page.locator(".govuk-tag", has_text="Response due").first).to_be_visible()
        assert_accessible(page, visited)

        # Record the response that came by letter, with the letter attached
        page.get_by_role("link", name="Record a response from Northby Hospitals NHS Trust").click()
        assert_accessible(page, visited)
        page.get_by_label("Letter").check()
        page.get_by_label("Date received").fill(today)
        page.get_by_label("Answered", exact=True).check()
        page.get_by_label("The response").fill("Forty beds will move in March.")
        page.get_by_label("Attachments").set_input_files(
            files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        _button(page, "Record response")
        expect(page.get_by_role("link", name="letter.pdf", exact=True)).to_be_visible()
        assert_accessible(page, visited)

        # Recommend
        _link_button(page, "Draft a recommendation")
        assert_accessible(page, visited)
        page.get_by_label("Northby Hospitals NHS Trust").check()
        page.get_by_label("Recommendation", exact=True).fill("Keep a stroke nurse on site.")
        _button(page, "Save draft")
        # The committee agrees it (its own tests: test_recommendation_agreement.py); then issue.
        expect(page.get_by_role("link", name="Record the committee's agreement")).to_be_visible()
        agree_recommendations(topic)
        page.reload()
        _link_button(page, "Issue recommendations")
        assert_accessible(page, visited)
        _button(page, "Issue recommendations")
        expect(page.locator(".govuk-tag", has_text="Recommendation made").first).to_be_visible()
        assert_accessible(page, visited)

        # The trust's answer arrives at a meeting, with an action plan
        page.get_by_role(
            "link", name="Record a response from Northby Hospitals NHS Trust"
        ).last.click()
        page.get_by_label("At a meeting").check()
        page.get_by_label("Date received").fill(today)
        page.get_by_label("Accepted", exact=True).check()
        page.get_by_label("The response").fill("Agreed.")
        page.locator("#id_action_1").fill("Recruit a stroke nurse")
        page.get_by_label("Owner of action 1").fill("Chief nurse")
        page.get_by_label("Target date of action 1").fill(
            (timezone.localdate() + dt.timedelta(days=60)).isoformat()
        )
        assert_accessible(page, visited)
        _button(page, "Record response")

        # Conclude
        _link_button(page, "Conclude")
        assert_accessible(page, visited)
        page.get_by_label("Outcome summary").fill("The unit moves with a nurse on site.")
        _button(page, "Conclude topic")
        expect(page.locator(".govuk-tag", has_text="Concluded").first).to_be_visible()
        expect(page.get_by_text("Recommendations made").first).to_be_visible()
        assert_accessible(page, visited)

        # The lists it shows up on
        for path in ("/topics/", "/referrals/", "/members/", "/programme/northby/", "/work/"):
            page.goto(live_server.url + path)
            assert_accessible(page, visited)

    topic.refresh_from_db()
    assert topic.state == "concluded"
    assert ProviderResponse.objects.filter(channel="letter").get().attachments.count() == 1
    assert len(visited) >= 20
