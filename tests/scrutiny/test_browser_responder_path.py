"""A health body's responder works through what their body is asked in headless Chromium:
answers a request with a document, responds to a recommendation with a three-row action plan,
reports an action slipped with evidence, corrects the answer to the request from its page —
every page passes axe, and the same walk works without JavaScript."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.models import Membership
from tests.browser_support import assert_accessible as check_with_axe
from tests.browser_support import chromium_page, expect, sign_in
from tests.factories import MembershipFactory, UserFactory, agree_recommendations
from tests.workflows.deadline_helpers import SCORES

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _issue(area, officer):
    topic = services.topic_raise(
        by=officer,
        title="Stroke unit move",
        summary="The trust plans to move the stroke unit.",
        partnership=area.partnership,
        lead_body=area.network,
    )
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    req = services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="How many stroke beds are there?"
    )
    req = services.information_request_issue(request=req, by=officer)
    rec = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.trust, text="Keep a stroke unit in Northby."
    )
    agree_recommendations(topic)
    rec = services.recommendation_issue(recommendation=rec, by=officer)
    return req, rec


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_responder_answers_responds_and_reports_progress(
    live_server, area, officer, tmp_path, javascript
):
    responder = UserFactory(username="walk-responder", email="walk@northby.example")
    MembershipFactory(user=responder, organisation=area.trust, role=Membership.Role.RESPONDER)
    req, rec = _issue(area, officer)
    pdf = tmp_path / "beds.pdf"
    pdf.write_bytes(PDF)
    later = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    slipped_to = (timezone.localdate() + dt.timedelta(days=120)).isoformat()

    def accessible(page):
        if javascript:  # axe runs as JavaScript in the page
            check_with_axe(page)

    with chromium_page(javascript=javascript) as page:
        sign_in(page, live_server.url, responder.username, next_url="/signed-in/")
        expect(page.get_by_role("heading", name="What your body is asked")).to_be_visible()
        accessible(page)

        # Answer the request, with a document, after checking the answer.
        page.goto(f"{live_server.url}/body/?show=to_answer")
        page.get_by_role("link", name=re.compile(r"^Answer to ")).click()
        accessible(page)
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        accessible(page)
        page.get_by_label("Answered in full").check()
        page.get_by_label("The answer").fill("There are 24 stroke beds.")
        page.get_by_label("Documents (optional)").set_input_files(str(pdf))
        page.get_by_role("button", name="Continue").click()
        expect(
            page.get_by_role("heading", name="Check your answer before sending it")
        ).to_be_visible()
        expect(page.get_by_text("beds.pdf")).to_be_visible()
        accessible(page)
        page.get_by_role("button", name="Send answer").click()
        expect(page.get_by_role("heading", name="Answer sent")).to_be_visible()
        accessible(page)

        # Respond to the recommendation with three actions, added row by row.
        page.goto(f"{live_server.url}/body/?show=to_respond")
        page.get_by_role("link", name=re.compile(r"^Respond to ")).click()
        page.get_by_label("Accepted", exact=True).check()
        page.get_by_label("Your response, with your reasons").fill("We agree.")
        for i in (1, 2, 3):
            page.locator(f"[name=action_{i}]").fill(f"Action {i}")
            page.locator(f"[name=owner_{i}]").fill("Chief Operating Officer")
            page.locator(f"[name=target_{i}]").fill(later)
            if i < 3:
                page.get_by_role("button", name="Add another action").click()
        accessible(page)
        page.get_by_role("button", name="Continue").click()
        accessible(page)
        page.get_by_role("button", name="Send answer").click()
        expect(page.get_by_role("heading", name="Answer sent")).to_be_visible()

        # Report the second action slipped.
        page.goto(f"{live_server.url}/body/?show=updates_due")
        page.get_by_role("link", name=re.compile(r"^Report progress on ")).click()
        accessible(page)
        page.get_by_label("Action 2", exact=False).check()
        page.get_by_label("Slipped").check()
        page.get_by_label("Revised date").fill(slipped_to)
        page.get_by_label("What has happened").fill("Recruitment is behind.")
        page.get_by_label("Evidence documents (optional)").set_input_files(str(pdf))
        page.get_by_role("button", name="Record progress").click()
        expect(page.get_by_text("Progress recorded.")).to_be_visible()
        accessible(page)

        # Correct the answer to the request, from the item's page (the whole conversation).
        page.goto(f"{live_server.url}/body/?show=answered")
        page.get_by_role("link", name=re.compile(r"^Request: How many stroke beds")).click()
        expect(page.get_by_role("heading", name="The whole conversation")).to_be_visible()
        accessible(page)
        page.get_by_role("button", name="Correct this answer").click()
        accessible(page)
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        expect(page.get_by_text("Say why you are correcting the answer.").first).to_be_visible()
        accessible(page)
        page.get_by_label("Why are you correcting the answer?").fill("Two beds reopened.")
        page.get_by_label("Answered in full").check()
        page.get_by_label("The answer", exact=True).fill("There are 26 stroke beds.")
        page.get_by_role("button", name="Continue").click()
        expect(
            page.get_by_role("heading", name="Check your correction before sending it")
        ).to_be_visible()
        accessible(page)
        page.get_by_role("button", name="Send correction").click()
        expect(page.get_by_role("heading", name="Correction sent")).to_be_visible()
        accessible(page)
        page.get_by_role("link", name="See the whole conversation").click()
        expect(page.get_by_text("Corrected answer from")).to_be_visible()
        accessible(page)

        # The recommendation's page lists the progress report with its evidence.
        page.goto(f"{live_server.url}/body/recommendations/{rec.pk}/")
        expect(page.get_by_role("link", name="beds.pdf")).to_be_visible()
        accessible(page)

    req.refresh_from_db()
    rec.refresh_from_db()
    assert req.state == "answered"
    first = req.responses.get(supersedes__isnull=True)
    assert [a.original_name for a in first.attachments.all()] == ["beds.pdf"]
    correction = req.responses.get(supersedes=first)
    assert correction.correction_reason == "Two beds reopened."
    assert rec.responses.get().action_plan.count() == 3
    assert rec.implementation_status == "slipped"
    update = rec.implementation_updates.get()
    assert update.action.action == "Action 2"
    assert [e.original_name for e in update.evidence.all()] == ["beds.pdf"]
