"""A health body's responders' pages."""

from django.urls import path

from scrutiny.web.bodies import views

app_name = "bodies"

urlpatterns = [
    path("body/", views.inbox, name="inbox"),
]
