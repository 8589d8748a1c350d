"""Administration pages, under /administration/."""

from django.urls import path

from scrutiny.web.administration import settings, views

app_name = "administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("bodies/<int:pk>/settings/", settings.body_settings, name="body-settings"),
    path(
        "partnerships/<int:pk>/settings/",
        settings.partnership_settings,
        name="partnership-settings",
    ),
]
