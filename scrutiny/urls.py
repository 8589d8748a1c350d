"""Root URLs (the composition root may import every package)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from scrutiny.web import health, landing, source
from scrutiny.web.accounts.views import SignInView

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("source.tar.gz", source.source_archive, name="source"),
    # The admin signs in through the same two steps as every page (password, then the code).
    path("admin/login/", SignInView.as_view(), name="admin_sign_in"),
    path("admin/", admin.site.urls),
    path("accounts/", include("scrutiny.web.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("api.urls")),
    path("api/", include("scrutiny.web.responders.urls")),
    path("notifications/", include("scrutiny.web.notifications.urls")),
    path("signed-in/", landing.signed_in, name="signed-in"),
    path("administration/", include("scrutiny.web.administration.urls")),
    path("", include("scrutiny.web.bodies.urls")),
    path("", include("scrutiny.web.joint.urls")),
    path("", include("scrutiny.web.public.urls")),
    path("", include("scrutiny.web.staff.urls")),
]

# The benchmark's anchors (scrutiny/web/bench.py): only when CF_BENCH_ANCHORS=1.
if settings.CF_BENCH_ANCHORS:
    urlpatterns.insert(0, path("bench/", include("scrutiny.web.bench")))
