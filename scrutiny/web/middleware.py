"""Response headers every page and API response carries (the rest come from Django's
SecurityMiddleware and django-csp's CSPMiddleware)."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """Permissions-Policy: the browser features this site never uses are switched off."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = settings.CF_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
