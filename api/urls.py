from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api import views, web

app_name = "api"

router = SimpleRouter()
router.register("information-requests", views.InformationRequestViewSet, basename="request")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("responses", views.ResponseViewSet, basename="response")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("public/topics", views.PublicTopicViewSet, basename="public-topic")
router.register(
    "public/recommendations", views.PublicRecommendationViewSet, basename="public-recommendation"
)

router.register("public/meetings", views.PublicMeetingViewSet, basename="public-meeting")

urlpatterns = [
    path("v1/", include(router.urls)),
    re_path(r"^v1/", views.not_found, name="not-found"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("docs/assets/<str:name>", web.swagger_asset, name="docs-asset"),
    path("problems/<slug:slug>/", web.problem_type, name="problem-type"),
    path("keys/", web.key_list, name="keys"),
    path("keys/new/", web.key_create, name="key-create"),
    path("keys/<int:pk>/revoke/", web.key_revoke, name="key-revoke"),
    path("keys/<int:pk>/rotate/", web.key_rotate, name="key-rotate"),
    path("webhooks/", web.webhook_list, name="webhooks"),
    path("webhooks/new/", web.webhook_create, name="webhook-create"),
    path("webhooks/<int:pk>/", web.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/toggle/", web.webhook_toggle, name="webhook-toggle"),
    path("webhooks/<int:pk>/ping/", web.webhook_ping, name="webhook-ping"),
]
