"""Two-factor sign-in (django-otp): the code after the password, recovery codes, enrolment when
required (staff, superusers, CF_2FA_REQUIRED_ROLES), the admin's reset, and the lockout."""

import re
import time
from base64 import b32encode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from scrutiny.casework import policy
from scrutiny.web.accounts import twofactor
from tests.factories import UserFactory
from workflows.audit import EventType
from workflows.models import AuditEvent

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
ENROL = "/accounts/two-factor/"
CODES = "/accounts/two-factor/recovery-codes/"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's

pytestmark = pytest.mark.django_db


def next_code(device) -> str:
    """The authenticator app's next code for `device` (never one it has accepted already)."""
    device.refresh_from_db()
    now = (int(time.time()) - device.t0) // device.step
    return f"{hotp(device.bin_key, max(now, device.last_t + 1), digits=device.digits):06d}"


def with_device(user, recovery_codes=("aaaa2222bb", "cccc3333dd")):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="codes", confirmed=True)
    for code in recovery_codes:
        StaticToken.objects.create(device=static, token=code)
    return device


def password_step(client, username, next_url="/work/", path=LOGIN, address="203.0.113.9"):
    return client.post(
        path, {"username": username, "password": PASSWORD, "next": next_url}, REMOTE_ADDR=address
    )


def code_step(client, code, next_url="/work/", address="203.0.113.9"):
    return client.post(CODE, {"code": code, "next": next_url}, REMOTE_ADDR=address)


@pytest.fixture
def enforced(settings):
    settings.CF_2FA_ENFORCE = True
    return settings


def test_with_a_device_the_password_alone_does_not_sign_in(client, officer):
    device = with_device(officer)
    response = password_step(client, officer.username)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE)
    assert "_auth_user_id" not in client.session
    assert client.get("/work/").status_code == 302  # still signed out
    page = client.get(response["Location"])
    assert "Enter the code from your authenticator app" in page.content.decode()

    done = code_step(client, next_code(device))
    assert done.status_code == 302 and done["Location"] == "/work/"
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get("/work/").status_code == 200


def test_a_wrong_code_keeps_the_person_signed_out_and_says_why(client, officer):
    device = with_device(officer)
    password_step(client, officer.username)
    response = code_step(client, "000000" if next_code(device) != "000000" else "111111")
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "The code is not right" in page
    assert "_auth_user_id" not in client.session


def test_a_code_is_not_accepted_twice(client, officer):
    device = with_device(officer)
    code = next_code(device)
    password_step(client, officer.username)
    code_step(client, code)
    client.logout()
    password_step(client, officer.username)
    device.refresh_from_db()
    device.throttle_reset()
    assert code_step(client, code).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_works_once(client, officer):
    with_device(officer)
    password_step(client, officer.username)
    assert code_step(client, "AAAA 2222 BB").status_code == 302  # spaces and case forgiven
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["cccc3333dd"]
    client.logout()
    StaticDevice.objects.get(user=officer).throttle_reset()
    password_step(client, officer.username)
    assert code_step(client, "aaaa2222bb").status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout(client, officer, settings):
    device = with_device(officer)
    password_step(client, officer.username)
    wrong = "999999" if next_code(device) != "999999" else "888888"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert code_step(client, wrong).status_code == 200
    locked = code_step(client, wrong)
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    # Now even the right code (and the right password) is refused from this address.
    device.refresh_from_db()
    device.throttle_reset()
    assert code_step(client, next_code(device)).status_code == 429
    assert "_auth_user_id" not in client.session
    assert password_step(client, officer.username).status_code == 429
    call_command("axes_reset_username", officer.username)
    assert password_step(client, officer.username).status_code == 302


def test_the_admin_sign_in_asks_for_the_code_too(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = with_device(admin)
    response = password_step(client, "root", next_url="/admin/", path="/admin/login/")
    assert response["Location"].startswith(CODE)
    assert "_auth_user_id" not in client.session
    code_step(client, next_code(device), next_url="/admin/")
    assert client.get("/admin/").status_code == 200


def test_an_unsafe_next_address_is_ignored(client, officer):
    device = with_device(officer)
    password_step(client, officer.username)
    response = code_step(client, next_code(device), next_url="https://evil.example/")
    assert response["Location"] == "/signed-in/"  # settings.LOGIN_REDIRECT_URL


def test_the_code_step_expires(client, officer):
    device = with_device(officer)
    password_step(client, officer.username)
    session = client.session
    session[twofactor.PENDING_KEY]["at"] -= twofactor.PENDING_SECONDS + 1
    session.save()
    response = code_step(client, next_code(device))
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def _enrol(client, next_url="/admin/"):
    page = client.get(f"{ENROL}?next={next_url}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn on the server
    secret = re.search(r'<code class="cf-secret" id="secret">([A-Z2-7 ]+)</code>', html)[1]
    device = TOTPDevice.objects.get(confirmed=False)
    from_secret = "".join(secret.split())
    assert from_secret == b32encode(device.bin_key).decode()
    return device


def test_an_administrator_without_a_device_must_enrol_first(client, enforced):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    password_step(client, "root", next_url="/admin/", path="/admin/login/")
    for page in ("/admin/", "/work/", "/api/v1/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL), page

    device = _enrol(client)
    again = _enrol(client)
    assert again.pk == device.pk  # the same secret until it is confirmed
    wrong = client.post(ENROL, {"code": "12345x", "next": "/admin/"})
    assert wrong.status_code == 200 and "The code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()

    done = client.post(ENROL, {"code": next_code(device), "next": "/admin/"})
    assert done.status_code == 302 and done["Location"].startswith(CODES)
    shown = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown)
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert client.get(CODES).status_code == 302  # shown once
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(
        event_type=EventType.TWO_FACTOR_ENROLLED, object_id=admin.pk, actor=admin
    ).exists()

    # Next time: password, then a recovery code from the list.
    client.logout()
    password_step(client, "root", next_url="/admin/")
    assert code_step(client, codes[3], next_url="/admin/").status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.count() == 9


def test_a_role_listed_in_the_setting_must_enrol(client, officer, member, enforced):
    enforced.CF_2FA_REQUIRED_ROLES = ["officer"]
    password_step(client, officer.username)
    assert client.get("/work/")["Location"].startswith(ENROL)
    client.logout()
    password_step(client, member.username)
    assert client.get("/work/").status_code == 200


def test_without_enforcement_nobody_is_sent_to_enrol(client, settings):
    settings.CF_2FA_ENFORCE = False
    UserFactory(username="root", is_staff=True, is_superuser=True)
    password_step(client, "root", path="/admin/login/")
    assert client.get("/admin/").status_code == 200


def test_an_unknown_role_in_the_setting_is_refused_at_start(settings):
    settings.CF_2FA_REQUIRED_ROLES = ["officer", "treasurer"]
    errors = twofactor.check_required_roles()
    assert [e.id for e in errors] == ["accounts.E001"]
    assert "CF_2FA_REQUIRED_ROLES" in errors[0].msg and "treasurer" in errors[0].msg


def test_an_administrator_resets_a_lost_phone_on_the_record(client, enforced):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_device = with_device(admin)
    lost = UserFactory(username="lost-phone", is_staff=True)
    with_device(lost)
    password_step(client, "root", next_url="/admin/")
    code_step(client, next_code(admin_device), next_url="/admin/")

    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_two_factor", "_selected_action": [lost.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Two-factor sign-in reset for 1 people" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=lost).exists()
    assert not StaticDevice.objects.filter(user=lost).exists()
    event = AuditEvent.objects.get(event_type=EventType.TWO_FACTOR_RESET, object_id=lost.pk)
    assert event.actor == admin and event.data == {"devices_removed": 2}
    assert TOTPDevice.objects.filter(user=admin).exists()  # only the chosen person's


def test_after_a_reset_a_signed_in_session_must_enrol_again(client, enforced):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = with_device(admin)
    password_step(client, "root", next_url="/admin/")
    code_step(client, next_code(device), next_url="/admin/")
    assert client.get("/admin/").status_code == 200
    twofactor.devices_reset(user=admin, by=None)
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_an_unverified_session_of_someone_with_a_device_is_sent_to_the_code(client, officer):
    device = with_device(officer)
    client.force_login(officer)  # e.g. a session from before they set up two-factor
    response = client.get("/work/")
    assert response["Location"].startswith(CODE)
    assert code_step(client, next_code(device)).status_code == 302
    assert client.get("/work/").status_code == 200


def test_someone_with_a_device_cannot_add_another_without_the_code(client, officer):
    with_device(officer)
    client.force_login(officer)
    assert client.post(ENROL, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=officer).count() == 1
    # Nor make new recovery codes before the code step.
    client.post(CODES)
    assert StaticToken.objects.filter(device__user=officer).count() == 2


def test_new_recovery_codes_replace_the_old(client, officer):
    device = with_device(officer)
    password_step(client, officer.username)
    code_step(client, next_code(device))
    manage = client.get(ENROL).content.decode()
    assert "You have 2 unused recovery codes" in manage
    response = client.post(CODES)
    codes = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", client.get(response["Location"]).content.decode()
    )
    assert len(codes) == 10 and "aaaa2222bb" not in codes
    assert not StaticToken.objects.filter(token="aaaa2222bb").exists()
    assert AuditEvent.objects.filter(
        event_type=EventType.TWO_FACTOR_RECOVERY_CODES_RENEWED
    ).exists()


def test_signed_in_pages_cost_no_query_for_two_factor_without_a_device(
    client, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get("/work/")
    with django_assert_max_num_queries(100) as ctx:
        client.get("/work/")
    assert not [q for q in ctx.captured_queries if "otp_" in q["sql"]]


@pytest.mark.parametrize(
    ("who", "required_roles", "expected"),
    [
        ("superuser", [], True),
        ("staff", [], True),
        ("officer", [], False),
        ("officer", ["officer"], True),
        ("officer", ["support_officer"], True),
        ("member", ["officer", "responder"], False),
        ("responder", ["officer", "responder"], True),
        ("inactive superuser", [], False),
        ("anonymous", ["officer"], False),
    ],
)
def test_who_must_use_two_factor(
    who, required_roles, expected, officer, member, responder, settings
):
    settings.CF_2FA_REQUIRED_ROLES = required_roles
    people = {
        "superuser": lambda: UserFactory(username="root", is_superuser=True),
        "staff": lambda: UserFactory(username="admin-staff", is_staff=True),
        "officer": lambda: officer,
        "member": lambda: member,
        "responder": lambda: responder,
        "inactive superuser": lambda: UserFactory(
            username="gone", is_superuser=True, is_active=False
        ),
        "anonymous": AnonymousUser,
    }
    assert policy.two_factor_required(people[who]()) is expected
