"""Administration pages, under /administration/."""

from django.urls import path

from scrutiny.web.administration import views

app_name = "administration"

urlpatterns = [
    path("", views.home, name="home"),
]
