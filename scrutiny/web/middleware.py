"""Response headers every page and API response carries (the rest come from Django's
SecurityMiddleware and django-csp's CSPMiddleware)."""

import re
import uuid

from django.conf import settings

from workflows.logs import request_id

_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """Give each request an id (the proxy's X-Request-ID when it sent a sane one), put it on
    every log line the request causes and on the response, so a report can be traced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response.headers["X-Request-ID"] = rid
        return response


class SecurityHeadersMiddleware:
    """Permissions-Policy: the browser features this site never uses are switched off."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = settings.CF_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
