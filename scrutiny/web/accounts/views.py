"""Sign-in pages: password, then the code; enrolment; recovery codes; password reset."""

from __future__ import annotations

import time
from base64 import b32encode
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from scrutiny.web.accounts import twofactor
from scrutiny.web.accounts.forms import CodeForm

CODE_HINT = (
    "Open the authenticator app on your phone and enter the 6-digit code it shows for "
    "Critical Friend. If you do not have your phone, enter one of your recovery codes."
)
ENROL_HINT = "Enter the 6-digit code your authenticator app shows for Critical Friend."
WRONG_CODE = (
    "The code is not right or has expired. Enter the code your app shows now, or a recovery "
    "code you have not used before"
)
WRONG_ENROL_CODE = "The code is not right. Enter the 6-digit code your app shows now"


def _next_url(request, default=None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or settings.LOGIN_REDIRECT_URL


class SignInView(auth_views.LoginView):
    """The password step (also serves /admin/login/). A person with a two-factor device is
    not signed in yet: the session remembers who passed the password, for the code step."""

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.has_device(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[twofactor.PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
        }
        query = urlencode({"next": self.get_redirect_url() or ""})
        return redirect(f"{reverse('two_factor_code')}?{query}")


def _code_user(request):
    """(person, backend) owing a code: part-way through signing in, or signed in (a session
    from before they set up two-factor) but not verified; backend None for the latter."""
    pending = request.session.get(twofactor.PENDING_KEY)
    if pending and time.time() - pending.get("at", 0) < twofactor.PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
        if user is not None:
            return user, pending["backend"]
    if request.user.is_authenticated and not request.user.is_verified():
        return request.user, None
    return None, None


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class SignInCodeView(View):
    """The code step. A wrong code counts as a failed sign-in for django-axes (the same
    lockout as wrong passwords), and django-otp slows each device down after one."""

    template_name = "registration/two_factor_code.html"

    def get(self, request):
        user, _ = _code_user(request)
        if user is None:
            return redirect(f"{reverse('login')}?{urlencode({'next': _next_url(request)})}")
        return self._page(request, CodeForm(hint=CODE_HINT))

    def post(self, request):
        user, backend = _code_user(request)
        if user is None:
            messages.info(request, "Signing in took too long. Enter your password again.")
            return redirect(f"{reverse('login')}?{urlencode({'next': _next_url(request)})}")
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return get_lockout_response(request, None, credentials)
        form = CodeForm(request.POST, hint=CODE_HINT)
        device = twofactor.verify(user, form.data.get("code", "")) if form.is_valid() else None
        if device is None:
            if form.is_valid():
                form.add_error("code", WRONG_CODE)
                user_login_failed.send(sender=type(self), credentials=credentials, request=request)
                if getattr(request, "axes_locked_out", False):
                    return get_lockout_response(request, None, credentials)
            return self._page(request, form, status=200)
        if backend is not None:
            request.session.pop(twofactor.PENDING_KEY, None)
            user.otp_device = device  # django-otp keeps it in the session on login
            login(request, user, backend)
        else:
            otp_login(request, device)
        if isinstance(device, StaticDevice):
            left = twofactor.recovery_codes_left(user)
            messages.warning(
                request,
                f"You used a recovery code. You have {left} left. "
                "Make new ones from Two-factor sign-in if you are running low.",
            )
        return redirect(_next_url(request))

    def _page(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "next": _next_url(request, default="")},
            status=status,
        )


def _qr_data_uri(device) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@method_decorator([login_required, never_cache], name="dispatch")
class EnrolView(View):
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with a code,
    then see ten recovery codes once."""

    template_name = "registration/two_factor_enrol.html"

    def get(self, request):
        if twofactor.has_device(request.user):
            return render(request, "registration/two_factor_manage.html", self._manage(request))
        device = twofactor.app_device_to_confirm(request.user)
        return self._page(request, device, CodeForm(hint=ENROL_HINT))

    def post(self, request):
        if twofactor.has_device(request.user):
            return redirect("two_factor_enrol")
        device = twofactor.app_device_to_confirm(request.user)
        form = CodeForm(request.POST, hint=ENROL_HINT)
        codes = None
        if form.is_valid():
            codes = twofactor.enrol_confirm(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
            if codes is None:
                form.add_error("code", WRONG_ENROL_CODE)
        if codes is None:
            return self._page(request, device, form)
        device.refresh_from_db()
        otp_login(request, device)
        request.session[twofactor.STATE_KEY] = twofactor.State.VERIFY
        request.session[twofactor.NEW_CODES_KEY] = codes
        return redirect(f"{reverse('two_factor_recovery_codes')}?{_next_query(request)}")

    def _page(self, request, device, form):
        secret = b32encode(device.bin_key).decode()
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "qr_code": _qr_data_uri(device),
                "secret": _grouped(secret),
                "next": _next_url(request, default=""),
            },
        )

    def _manage(self, request):
        return {"codes_left": twofactor.recovery_codes_left(request.user)}


def _next_query(request) -> str:
    target = _next_url(request, default="")
    return urlencode({"next": target}) if target else ""


@method_decorator([login_required, never_cache], name="dispatch")
class RecoveryCodesView(View):
    """The ten recovery codes, shown once after enrolment; POST makes a new set."""

    template_name = "registration/two_factor_recovery_codes.html"

    def get(self, request):
        codes = request.session.pop(twofactor.NEW_CODES_KEY, None)
        if codes is None:
            return redirect("two_factor_enrol")
        return render(
            request,
            self.template_name,
            {"codes": codes, "next": _next_url(request)},
        )

    def post(self, request):
        if not (request.user.is_verified() and twofactor.has_device(request.user)):
            return redirect("two_factor_enrol")
        request.session[twofactor.NEW_CODES_KEY] = twofactor.recovery_codes_renew(user=request.user)
        return redirect("two_factor_recovery_codes")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, its link built on SITE_URL (the address people reach the site at),
    not on whatever Host header the request came with."""

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)
