"""The client address for throttles and rate limits comes from one trusted-proxy setting, never
from a header the client can forge (rotating X-Forwarded-For escaped the API throttle)."""

from django.test import RequestFactory, override_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle


def _ident(**meta):
    return BaseThrottle().get_ident(RequestFactory().get("/", **meta))


def test_with_no_trusted_proxy_a_forged_forwarded_for_is_ignored():
    assert api_settings.NUM_PROXIES == 0
    assert _ident(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4") == "203.0.113.9"
    assert _ident(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="5.6.7.8") == "203.0.113.9"


def test_behind_one_proxy_only_the_hop_it_added_counts():
    with override_settings(REST_FRAMEWORK={"NUM_PROXIES": 1}):
        api_settings.reload()
        forged = _ident(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    api_settings.reload()
    assert forged == "198.51.100.7"
