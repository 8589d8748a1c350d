"""Password reset, end to end through the configured e-mail backend (locmem here): the link in
the e-mail is built on SITE_URL, choosing a new password works once, and someone with
two-factor sign-in still needs their code afterwards."""

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-passphrase-7"


@pytest.fixture
def person(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://scrutiny.example.org"
    return UserFactory(username="northby-officer", email="officer@northby.example")


def _ask_for_a_link(client, email="officer@northby.example"):
    return client.post("/accounts/password_reset/", {"email": email}, HTTP_HOST="127.0.0.1")


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body)[0]


def test_the_emailed_link_uses_site_url_and_sets_a_new_password(client, person):
    response = _ask_for_a_link(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@northby.example"]
    assert message.subject == "Reset your Critical Friend password"
    link = _link(message)
    # The address people reach the site at, not the Host header the request came with.
    assert link.startswith("https://scrutiny.example.org/accounts/reset/")

    path = link.removeprefix("https://scrutiny.example.org")
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(path, follow=True)
    assert "This link does not work" in again.content.decode()


def test_a_mismatched_new_password_keeps_the_form_with_its_error(client, person):
    _ask_for_a_link(client)
    form_page = client.get(
        _link(mail.outbox[0]).removeprefix("https://scrutiny.example.org"), follow=True
    )
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": "something-else-entirely"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Error: Choose a new password" in page


def test_an_unknown_address_sends_nothing_and_says_the_same(client, person):
    response = _ask_for_a_link(client, email="nobody@example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_a_new_password_does_not_skip_the_second_factor(client, person):
    TOTPDevice.objects.create(user=person, name="app", confirmed=True)
    _ask_for_a_link(client)
    form_page = client.get(
        _link(mail.outbox[0]).removeprefix("https://scrutiny.example.org"), follow=True
    )
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/", {"username": "northby-officer", "password": NEW_PASSWORD}
    )
    assert response["Location"].startswith("/accounts/login/code/")
    assert "_auth_user_id" not in client.session
