"""Notification preferences. Included by the root urls at "notifications/"."""

from django.urls import path

from scrutiny.web.notifications import views as notification_views

app_name = "notifications"

urlpatterns = [
    path("", notification_views.notification_preferences, name="preferences"),
]
