"""Administration pages, under /administration/."""

from django.urls import path

from scrutiny.web.administration import people, settings, views

app_name = "administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", people.people, name="people"),
    path("bodies/<int:pk>/settings/", settings.body_settings, name="body-settings"),
    path(
        "partnerships/<int:pk>/settings/",
        settings.partnership_settings,
        name="partnership-settings",
    ),
]
