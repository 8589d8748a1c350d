"""Sign-in in headless Chromium: the lockout after too many wrong passwords says how long and
whom to ask; an administrator sets up two-factor sign-in from the QR page's key, signs in with a
code from the app and then with a recovery code; axe finds nothing on any of these pages."""

import os
import time
from base64 import b32decode

import pytest
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser_support import PASSWORD, assert_accessible, chromium_page, expect
from tests.factories import UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(page, base, username, password=PASSWORD, next_url="/work/"):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _app_code(key: bytes, after_step: int = -1) -> str:
    """What an authenticator app shows now (or the next step, if now's was used already)."""
    now = int(time.time()) // 30
    return f"{hotp(key, max(now, after_step + 1)):06d}"


def test_too_many_wrong_passwords_say_how_long_and_whom_to_ask(live_server, settings):
    UserFactory(username="northby-officer")
    visited = []
    with chromium_page() as page:
        _password(page, live_server.url, "northby-officer", password="wrong")
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        assert_accessible(page, visited)
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            _password(page, live_server.url, "northby-officer", password="wrong")
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == "Too many attempts to sign in"
        text = page.locator("main").inner_text()
        assert "You can try again 30 minutes after your last attempt." in text
        assert "ask your support officer or the site's administrator to unlock" in text
        assert_accessible(page, visited)
        # The right password is refused too, with the same page.
        _password(page, live_server.url, "northby-officer")
        assert page.get_by_role("heading", level=1).inner_text() == "Too many attempts to sign in"
    assert len(visited) == 2


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code(live_server, settings):
    settings.CF_2FA_ENFORCE = True
    UserFactory(username="root", is_staff=True, is_superuser=True)
    base = live_server.url
    visited = []
    with chromium_page() as page:
        # Password, then straight to enrolment: the admin is out of reach until it is done.
        _password(page, base, "root", next_url="/admin/")
        assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
        assert (
            page.get_by_role("img", name="QR code")
            .get_attribute("src")
            .startswith("data:image/svg+xml")
        )
        assert_accessible(page, visited)
        key = b32decode(page.locator("#secret").inner_text().replace(" ", ""))

        page.get_by_label("Code").fill("000000" if _app_code(key) != "000000" else "111111")
        page.get_by_role("button", name="Confirm and continue").click()
        expect(page.get_by_role("link", name="The code is not right")).to_be_visible()
        assert_accessible(page, visited)
        time.sleep(1.1)  # django-otp waits a second after a wrong code
        page.get_by_label("Code").fill(_app_code(key))
        page.get_by_role("button", name="Confirm and continue").click()

        expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
        codes = page.locator("#recovery-codes li").all_inner_texts()
        assert len(codes) == 10
        assert_accessible(page, visited)
        page.get_by_role("link", name="Continue").click()
        assert page.url == f"{base}/admin/"

        # Signing in again: the password, then a code from the app.
        page.context.clear_cookies()
        _password(page, base, "root", next_url="/admin/")
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Enter the code from your authenticator app"
        )
        assert_accessible(page, visited)
        used = TOTPDevice.objects.get(user__username="root").last_t
        page.get_by_label("Code").fill(_app_code(key, after_step=used))
        page.get_by_role("button", name="Continue").click()
        assert page.url == f"{base}/admin/"

        # And with a recovery code instead; it works once.
        for attempt in ("first", "second"):
            page.context.clear_cookies()
            _password(page, base, "root", next_url="/work/")
            page.get_by_label("Code").fill(codes[0])
            page.get_by_role("button", name="Continue").click()
            if attempt == "first":
                assert page.url == f"{base}/work/"
                assert "You used a recovery code. You have 9 left." in page.inner_text("main")
                assert_accessible(page, visited)
            else:
                expect(page.get_by_role("link", name="The code is not right")).to_be_visible()
                assert_accessible(page, visited)
    assert len(visited) == 6
