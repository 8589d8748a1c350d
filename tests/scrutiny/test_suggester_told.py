"""A resident who left an address is told what became of their suggestion: taken up, or not
(with the partnership's reason) — once, and nothing of other suggesters or the topic's text."""

import pytest

from scrutiny.casework import suggestions
from workflows.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def _suggest(area, email="ada@example.org", title="Hearing tests"):
    return suggestions.suggestion_submit(
        title=title,
        description="Waits of a year",
        partnership=area.partnership,
        health_body=area.trust,
        name="Ada Resident",
        email=email,
    )


def told():
    return Notification.objects.filter(kind=NotificationKind.SUGGESTION_OUTCOME)


def test_an_accepted_suggestion_tells_the_suggester(area, osc_officer):
    other = _suggest(area, email="bob@example.org", title="Other idea")
    suggestion = _suggest(area)
    suggestions.suggestion_accept(
        suggestion=suggestion,
        by=osc_officer,
        title="MODERATED TITLE",
        summary="MODERATED SUMMARY",
    )
    (notice,) = told()
    assert notice.to_email == "ada@example.org" and notice.recipient is None
    assert "Hearing tests" in notice.body_text and "taken up" in notice.body_text
    # Nothing of the topic's (unpublished) text, nor of any other suggester.
    for secret in ("MODERATED TITLE", "MODERATED SUMMARY", "bob@example.org", other.title):
        assert secret not in notice.body_text and secret not in notice.body_html


def test_a_rejected_suggestion_tells_the_suggester_why(area, osc_officer):
    suggestion = _suggest(area)
    suggestions.suggestion_reject(
        suggestion=suggestion, by=osc_officer, reason="Already on this year's programme."
    )
    (notice,) = told()
    assert "Already on this year's programme." in notice.body_text
    assert "not to take it up" in notice.body_text


def test_a_suggester_who_left_no_address_is_not_written_to(area, osc_officer):
    suggestion = _suggest(area, email="")
    suggestions.suggestion_reject(suggestion=suggestion, by=osc_officer, reason="No.")
    assert not told().exists()
