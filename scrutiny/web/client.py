"""The client's address, one rule for every throttle, rate limit and sign-in lockout: the
socket's address, or CF_TRUSTED_PROXY_COUNT hops back in X-Forwarded-For (DRF's NUM_PROXIES
reads the same setting), never a header the client can forge."""

from rest_framework.throttling import BaseThrottle


def client_address(request) -> str:
    return BaseThrottle().get_ident(request)
