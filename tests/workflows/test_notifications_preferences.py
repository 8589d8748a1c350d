"""The page where people choose their e-mails (/notifications/)."""

import pytest
from django.urls import include, path

import scrutiny.urls
from tests.factories import UserFactory
from workflows.models import NotificationPreference

# The root urls with the notification pages included, as the lead will wire them.
urlpatterns = [
    path("notifications/", include("scrutiny.web.notifications.urls")),
    *scrutiny.urls.urlpatterns,
]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

KINDS = NotificationPreference.KINDS


@pytest.fixture
def user():
    return UserFactory(username="someone", password="!unusable")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/notifications/")


def test_every_kind_is_on_by_default(client, user):
    client.force_login(user)
    response = client.get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">E-mails you receive</h1>' in html
    for kind in KINDS:
        assert f'id="id_{kind}" name="{kind}" type="checkbox" value="on" checked' in html
    assert "has no e-mail address" not in html
    assert not NotificationPreference.objects.exists()


def test_choices_are_saved_and_shown_again(client, user):
    client.force_login(user)
    response = client.post("/notifications/", {"digest": "on", "escalation": "on"}, follow=True)
    assert response.redirect_chain == [("/notifications/", 302)]
    assert "Your e-mail choices have been saved." in response.content.decode()
    pref = NotificationPreference.objects.get(user=user)
    assert {k: pref.wants(k) for k in KINDS} == {k: k in {"digest", "escalation"} for k in KINDS}
    html = client.get("/notifications/").content.decode()
    assert 'id="id_digest" name="digest" type="checkbox" value="on" checked' in html
    assert 'id="id_reminder_due" name="reminder_due" type="checkbox" value="on" aria' in html


def test_one_person_cannot_change_anothers_choices(client, user):
    other = UserFactory(username="other", password="!unusable")
    client.force_login(user)
    client.post("/notifications/", {"user": other.pk, "user_id": other.pk})
    assert not NotificationPreference.objects.filter(user=other).exists()
    assert NotificationPreference.objects.get(user=user).wants("digest") is False


def test_unknown_fields_and_odd_values_are_ignored_not_a_500(client, user):
    client.force_login(user)
    response = client.post("/notifications/", {"digest": "yes please", "nonsense": "1"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=user).wants("digest") is True


def test_a_person_without_an_email_address_is_told(client):
    nobody = UserFactory(username="no-mail", email="", password="!unusable")
    client.force_login(nobody)
    assert "has no e-mail address" in client.get("/notifications/").content.decode()


def test_other_methods_are_refused(client, user):
    client.force_login(user)
    assert client.delete("/notifications/").status_code == 405


def test_emails_link_to_the_page_when_it_is_wired(user, settings):
    from workflows.notifications import preferences_url

    settings.SITE_URL = "https://scrutiny.example.org"
    assert preferences_url() == "https://scrutiny.example.org/notifications/"
