"""Throttling per API key (or per person for session use, per address for the public API).

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] under the scopes `api_key`,
`api_user` and `api_public`, read on every request so a change of settings takes effect.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey

DEFAULT_RATES = {"api_key": "600/min", "api_user": "600/min", "api_public": "300/min"}


class ApiThrottle(SimpleRateThrottle):
    def __init__(self):  # the rate is chosen per request in allow_request
        pass

    def _scope_for(self, request):
        if isinstance(request.auth, ApiKey):
            return "api_key", f"key:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return "api_user", f"user:{request.user.pk}"
        return "api_public", f"ip:{self.get_ident(request)}"

    def get_cache_key(self, request, view):
        scope, ident = self._scope_for(request)
        return f"cf-throttle:{scope}:{ident}"

    def allow_request(self, request, view):
        scope, _ = self._scope_for(request)
        rates = {**DEFAULT_RATES, **(api_settings.DEFAULT_THROTTLE_RATES or {})}
        self.rate = rates.get(scope)
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
