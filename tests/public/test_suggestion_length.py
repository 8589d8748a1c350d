"""A suggestion over the length limit is refused with a message and kept, never cut short by the
browser: the GOV.UK character count, with the limit stated without JavaScript and enforced by the
server."""

import re

import pytest

from scrutiny.casework import suggestions
from scrutiny.casework.models import TopicSuggestion
from tests.public.test_suggestions import _form
from workflows.errors import InvalidInput

pytestmark = pytest.mark.django_db

LIMIT = suggestions.DESCRIPTION_MAX_LENGTH


def test_the_page_has_a_character_count_and_no_maxlength(client):
    page = client.get("/suggest/").content.decode()
    title = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert "maxlength" not in title
    root = re.search(r'<div class="govuk-form-group govuk-character-count"[^>]*>', page).group(0)
    assert 'data-module="govuk-character-count"' in root
    assert f'data-maxlength="{LIMIT}"' in root
    textarea = re.search(r'<textarea[^>]*name="description"[^>]*>', page).group(0)
    assert "maxlength" not in textarea
    assert "govuk-js-character-count" in textarea
    assert 'id="id_description"' in textarea
    assert "id_description-info" in textarea  # aria-describedby names the count message
    # Without JavaScript the count message is a plain hint that states the limit.
    assert 'id="id_description-info" class="govuk-hint govuk-character-count__message"' in page
    assert f"You can enter up to {LIMIT} characters" in page


def test_a_suggestion_over_the_limit_is_refused_and_kept_whole(client, area):
    typed = "Waits of a year. " * (LIMIT // 17) + "The end of what I typed."
    assert len(typed) > LIMIT
    response = client.post("/suggest/", _form(area, description=typed))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"Suggestion must be {LIMIT:,} characters or fewer" in page
    assert "The end of what I typed." in page
    assert "govuk-form-group--error" in page and "govuk-textarea--error" in page
    assert TopicSuggestion.objects.count() == 0


def test_a_suggestion_at_the_limit_is_accepted(client, area):
    response = client.post("/suggest/", _form(area, description="x" * LIMIT))
    assert response.status_code == 302
    assert len(TopicSuggestion.objects.get().description) == LIMIT


def test_line_breaks_count_once_as_the_count_shows(client, area):
    # Browsers send a line break as CR LF; the character count counts it as one.
    text = ("a" * 99 + "\r\n") * (LIMIT // 100)
    assert len(text) > LIMIT and len(text.replace("\r\n", "\n")) <= LIMIT
    assert client.post("/suggest/", _form(area, description=text)).status_code == 302
    assert "\r" not in TopicSuggestion.objects.get().description


def test_a_title_over_its_limit_is_refused_not_cut(client, area):
    response = client.post("/suggest/", _form(area, title="T" * 201))
    assert response.status_code == 400
    assert "What should be looked at must be 200 characters or fewer" in response.content.decode()


def test_the_service_refuses_it_too_whichever_door(area):
    with pytest.raises(InvalidInput) as caught:
        suggestions.suggestion_submit(
            title="Hearing", description="x" * (LIMIT + 1), partnership=area.partnership
        )
    assert caught.value.field_errors["description"] == [
        f"Suggestion must be {LIMIT:,} characters or fewer"
    ]
