"""A health body's responders' pages under /api/: their API keys and webhooks."""

from django.urls import path

from scrutiny.web.responders import views

app_name = "responders"

urlpatterns = [
    path("keys/", views.key_list, name="keys"),
    path("keys/new/", views.key_create, name="key-create"),
    path("keys/<int:pk>/created/", views.key_created, name="key-created"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key-revoke"),
    path("keys/<int:pk>/rotate/", views.key_rotate, name="key-rotate"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/new/", views.webhook_create, name="webhook-create"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/toggle/", views.webhook_toggle, name="webhook-toggle"),
    path("webhooks/<int:pk>/ping/", views.webhook_ping, name="webhook-ping"),
]
