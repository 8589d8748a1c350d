from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import docs, views

app_name = "api"

router = SimpleRouter()
router.register("information-requests", views.InformationRequestViewSet, basename="request")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("responses", views.ResponseViewSet, basename="response")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("consultations", views.ConsultationViewSet, basename="consultation")
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
    # The Swagger UI sets style attributes as it draws: its page alone allows inline styles.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    path("docs/assets/<str:name>", docs.swagger_asset, name="docs-asset"),
    path("problems/<slug:slug>/", docs.problem_type, name="problem-type"),
]
