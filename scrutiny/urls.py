"""Root URLs (the composition root may import every package)."""

from django.contrib import admin
from django.urls import include, path

from scrutiny import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("api.urls")),
    path("notifications/", include("scrutiny.notification_urls")),
    path("", include("protocols.urls")),
    path("", include("scrutiny.public_urls")),
    path("", include("scrutiny.casework_urls")),
]
