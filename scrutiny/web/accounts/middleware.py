"""Send a signed-in person who still owes a second factor to the code step or to enrolment."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from scrutiny.web.accounts import twofactor

# Pages a person may reach before their second factor: signing in and out, the two-factor
# pages themselves, password reset, static files, health checks and the source archive.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/source.tar.gz")


class TwoFactorMiddleware:
    """After AuthenticationMiddleware and django-otp's OTPMiddleware. The state was set at
    sign-in (`twofactor.remember_state`); only a person who owes something costs a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path_info.startswith(EXEMPT_PREFIXES):
            state = request.session.get(twofactor.STATE_KEY)
            if state != twofactor.State.OK and not user.is_verified():
                # Look again: an administrator may have reset the devices meanwhile.
                state = twofactor.state_for(user)
                request.session[twofactor.STATE_KEY] = state
                if state == twofactor.State.VERIFY:
                    return _to("two_factor_code", request)
                if state == twofactor.State.ENROL:
                    return _to("two_factor_enrol", request)
        return self.get_response(request)


def _to(name, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
