import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from scrutiny.casework import suggestions
from scrutiny.casework.models import SuggesterContact, SuggestionStatus, Topic, TopicSuggestion
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, Forbidden, InvalidInput


def _form(area, **extra):
    data = {
        "title": "Hearing tests",
        "description": "Waits of a year",
        "partnership": area.partnership.pk,
        "health_body": area.trust.slug,
        "name": "Ada Resident",
        "email": "ada@example.org",
        "website": "",
    }
    data.update(extra)
    return data


def test_a_resident_suggests_without_an_account(client, area):
    assert client.get("/suggest/").status_code == 200
    response = client.post("/suggest/", _form(area))
    assert response.status_code == 302 and response["Location"] == "/suggest/thanks/"
    s = TopicSuggestion.objects.get()
    assert (s.title, s.status, s.health_body) == ("Hearing tests", "pending", area.trust)
    assert (s.contact.name, s.contact.email) == ("Ada Resident", "ada@example.org")
    assert client.get("/suggest/thanks/").status_code == 200


def test_contact_details_are_optional(client, area):
    client.post("/suggest/", _form(area, name="", email=""))
    assert TopicSuggestion.objects.count() == 1
    assert SuggesterContact.all_objects.count() == 0


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "", "Enter what you think should be looked at."),
        ("description", "", "Tell us why it should be looked at."),
        ("email", "not-an-address", "Enter an e-mail address like name@example.org."),
        ("partnership", "", "Choose the area."),
        ("partnership", "99999", "Select a valid choice"),
        ("health_body", "northby-link", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_kept(client, area, field, value, message):
    response = client.post("/suggest/", _form(area, **{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "There is a problem" in page
    assert "Waits of a year" in page or field == "description"
    assert TopicSuggestion.objects.count() == 0


def test_honeypot_looks_like_success_but_keeps_nothing(client, area):
    response = client.post("/suggest/", _form(area, website="http://spam.example"))
    assert response.status_code == 302
    assert TopicSuggestion.objects.count() == 0


def test_rate_limit_per_address(client, area, settings):
    settings.CF_SUGGESTION_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post("/suggest/", _form(area)).status_code == 302
    response = client.post("/suggest/", _form(area))
    assert response.status_code == 429
    assert TopicSuggestion.objects.count() == 2
    other = client.post("/suggest/", _form(area), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_service_validates_too(area):
    with pytest.raises(InvalidInput) as exc:
        suggestions.suggestion_submit(
            title=" ", description="x", partnership=area.partnership, health_body=area.network
        )
    assert {"title", "health_body"} <= set(exc.value.field_errors)


# --- Moderation ------------------------------------------------------------------------------


@pytest.fixture
def suggestion(area):
    return suggestions.suggestion_submit(
        title="Hearing tests",
        description="Waits of a year",
        partnership=area.partnership,
        health_body=area.trust,
        name="Ada Resident",
        email="ada@example.org",
    )


@pytest.mark.parametrize(
    "who, list_status, detail_status",
    [
        ("officer", 200, 200),
        ("osc_officer", 200, 200),
        ("member", 404, 404),
        ("responder", 404, 404),
        ("other_officer", 200, 404),  # an officer, but not of this partnership
    ],
)
def test_queue_is_for_the_partnerships_officers(
    client, request, suggestion, who, list_status, detail_status
):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/suggestions/")
    assert response.status_code == list_status
    detail = client.get(f"/suggestions/{suggestion.pk}/")
    assert detail.status_code == detail_status
    if detail_status == 200:
        assert "Hearing tests" in response.content.decode()
        assert "ada@example.org" in detail.content.decode()


def test_queue_needs_sign_in(client, suggestion):
    assert client.get("/suggestions/")["Location"].startswith("/accounts/login/")


def test_other_officers_see_an_empty_queue(client, suggestion, other_officer):
    client.force_login(other_officer)
    page = client.get("/suggestions/").content.decode()
    assert "Hearing tests" not in page


def test_accept_raises_a_topic_from_the_moderated_text(client, area, suggestion, osc_officer):
    client.force_login(osc_officer)
    response = client.post(
        f"/suggestions/{suggestion.pk}/",
        {
            "action": "accept",
            "accept-title": "Audiology waiting times",
            "accept-summary": "Residents report long waits",
            "accept-lead_body": area.committee.pk,
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    topic = suggestion.topic
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert (topic.title, topic.state, topic.source) == (
        "Audiology waiting times",
        "raised",
        Topic.Source.RESIDENT_SUGGESTION,
    )
    assert topic.lead_body == area.committee and list(topic.health_bodies.all()) == [area.trust]
    with pytest.raises(Conflict):
        suggestions.suggestion_reject(suggestion=suggestion, by=osc_officer, reason="late")


def test_reject_needs_a_reason(client, suggestion, officer):
    client.force_login(officer)
    url = f"/suggestions/{suggestion.pk}/"
    response = client.post(url, {"action": "reject", "reject-reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for rejecting." in response.content.decode()
    response = client.post(url, {"action": "reject", "reject-reason": "Already on our programme"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.rejection_reason) == (
        "rejected",
        "Already on our programme",
    )
    assert Topic.objects.count() == 0


def test_other_bodies_cannot_moderate(suggestion, other_officer, member):
    for user in (other_officer, member):
        with pytest.raises(Forbidden):
            suggestions.suggestion_reject(suggestion=suggestion, by=user, reason="no")
        with pytest.raises(Forbidden):
            suggestions.suggestion_accept(suggestion=suggestion, by=user, title="t", summary="s")


def test_moderation_is_a_logged_lifecycle(area, officer, osc_officer):
    def submit():
        return suggestions.suggestion_submit(
            title="Hearing tests", description="Waits", partnership=area.partnership
        )

    accepted, rejected = submit(), submit()
    topic = suggestions.suggestion_accept(
        suggestion=accepted, by=osc_officer, title="t", summary="s"
    )
    suggestions.suggestion_reject(suggestion=rejected, by=officer, reason="Already on our list")
    rows = [
        (r.event_type, r.source_state, r.target_state, r.actor, r.note)
        for s in (accepted, rejected)
        for r in event_history(s)
    ]
    assert rows == [
        (
            EventType.SUGGESTION_ACCEPTED,
            "pending",
            "accepted",
            osc_officer,
            f"Topic {topic.pk} raised.",
        ),
        (EventType.SUGGESTION_REJECTED, "pending", "rejected", officer, "Already on our list"),
    ]
    accepted.refresh_from_db()
    assert (accepted.topic, accepted.moderated_by) == (topic, osc_officer)


def test_a_suggestion_moves_only_by_its_transitions(suggestion):
    with pytest.raises(AttributeError):
        suggestion.status = SuggestionStatus.ACCEPTED


# --- Retention -------------------------------------------------------------------------------


def test_personal_details_are_deleted_after_the_retention_period(suggestion, settings):
    settings.CF_SUGGESTION_RETENTION_DAYS = 30
    fresh = suggestions.suggestion_submit(
        title="New", description="d", partnership=suggestion.partnership, email="b@example.org"
    )
    TopicSuggestion.objects.filter(pk=suggestion.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=31)
    )
    assert suggestions.suggestions_purge_personal_details() == 1
    assert not SuggesterContact.all_objects.filter(suggestion=suggestion).exists()
    assert SuggesterContact.all_objects.filter(suggestion=fresh).exists()
    suggestion.refresh_from_db()
    assert suggestion.personal_details_deleted_at is not None
    assert suggestion.title == "Hearing tests"  # the suggestion itself stays
    assert suggestions.suggestions_purge_personal_details() == 0  # idempotent


def test_purge_command(suggestion, capsys):
    TopicSuggestion.objects.filter(pk=suggestion.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=400)
    )
    call_command("purge_suggestions")
    assert "1 suggestion" in capsys.readouterr().out
    assert SuggesterContact.all_objects.count() == 0
