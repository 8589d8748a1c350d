"""Two-factor sign-in: who must use it, the session's state, enrolment, codes and resets.

A person's second factor is a TOTP device (an authenticator app) and a static device holding
ten single-use recovery codes (django-otp). After the password, a person with a device is not
signed in until a code is verified (`views.SignInCodeView`). The session remembers, from the
moment of signing in, what the person still owes (`State`): `TwoFactorMiddleware` sends them to
the code step or to enrolment until they have, so a page costs no extra query for most people.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import checks
from django.db import transaction
from django.dispatch import receiver
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from scrutiny.casework import policy
from workflows.audit import EventType, log_event

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Session keys: what the person owes; the person part-way through signing in; new codes to show.
STATE_KEY = "cf_2fa_state"
PENDING_KEY = "cf_2fa_pending"
NEW_CODES_KEY = "cf_2fa_new_codes"
# How long the code step waits after a right password before asking for the password again.
PENDING_SECONDS = 300


class State:
    OK = "ok"  # nothing owed: no device and not required
    VERIFY = "verify"  # has a device: a code must be verified in this session
    ENROL = "enrol"  # required and without a device: must set one up first


def state_for(user) -> str:
    if user_has_device(user, confirmed=True):
        return State.VERIFY
    if settings.CF_2FA_ENFORCE and policy.two_factor_required(user):
        return State.ENROL
    return State.OK


@receiver(user_logged_in, dispatch_uid="cf-two-factor-state")
def remember_state(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = state_for(user)


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def verify(user, code: str):
    """The device of `user` that accepts `code` (the app's six digits, or a recovery code,
    which is then used up), or None. django-otp throttles each device after a wrong code."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    for device in devices_for_user(user, confirmed=True):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def app_device_to_confirm(user) -> TOTPDevice:
    """The person's unconfirmed authenticator device (its secret is shown until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def enrol_confirm(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator device with a code from it; returns the new recovery codes,
    or None if the code is wrong (the device stays unconfirmed)."""
    code = "".join(code.split())
    if not code.isdigit():  # a typo, not a guess: django-otp's wait after a wrong code is spared
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_recovery_codes(user)
        log_event(user, EventType.TWO_FACTOR_ENROLLED, by=user, source_state="")
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    """Replace the person's recovery codes with ten new ones (the old ones stop working)."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        log_event(user, EventType.TWO_FACTOR_RECOVERY_CODES_RENEWED, by=user)
    return codes


def devices_reset(*, user, by) -> int:
    """Remove every two-factor device of `user` (an administrator's action, for a lost phone):
    their next page asks them to sign in again and, if required, to set up a new app."""
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        log_event(user, EventType.TWO_FACTOR_RESET, by=by, data={"devices_removed": removed})
    return removed


@checks.register(checks.Tags.security)
def check_required_roles(app_configs=None, **kwargs):
    try:
        policy.two_factor_roles(settings.CF_2FA_REQUIRED_ROLES)
    except ValueError as error:
        return [checks.Error(f"CF_2FA_REQUIRED_ROLES: {error}.", id="accounts.E001")]
    return []
