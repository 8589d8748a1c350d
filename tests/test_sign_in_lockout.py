"""Sign-in throttling (django-axes): 40 wrong passwords in a row were never throttled."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.factories import UserFactory

LOGIN = "/accounts/login/"


@pytest.fixture
def staff(db):
    user = UserFactory(username="northby-officer")
    user.set_password("the-right-password-1")
    user.save()
    return user


def _try(client, password, username="northby-officer", address="203.0.113.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_that_username_at_that_address(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, "wrong").status_code == 200  # the form again, with its error
    locked = _try(client, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many attempts to sign in" in page
    assert "30 minutes after your last attempt" in page
    assert "ask your support officer or the site's administrator" in page
    # Even the right password is refused while locked out.
    assert _try(client, "the-right-password-1").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_by_username_and_address(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "wrong")
    # The same person from another address, and another username here, can still sign in.
    assert _try(client, "the-right-password-1", address="198.51.100.20").status_code == 302


def test_a_forged_forwarded_for_does_not_reset_the_count(client, staff, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "northby-officer", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    assert _try(client, "the-right-password-1").status_code == 429


def test_an_administrator_unlocks_and_a_right_password_resets_the_count(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "wrong")
    assert AccessAttempt.objects.filter(username="northby-officer").exists()
    call_command("axes_reset_username", "northby-officer")
    assert _try(client, "the-right-password-1").status_code == 302
    assert not AccessAttempt.objects.filter(username="northby-officer").exists()


def test_the_admin_sign_in_is_throttled_too(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/",
            {"username": "northby-officer", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
        )
    response = client.post(
        "/admin/login/",
        {"username": "northby-officer", "password": "the-right-password-1"},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 429
