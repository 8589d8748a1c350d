"""The benchmark's anchors (bench/national.py, docs/decisions/0025-benchmarking-at-scale.md):
what the cheapest page and the plainest API list cost on the same server, through the same
middleware, in the same run. Mounted under /bench/ only when CF_BENCH_ANCHORS=1 (scrutiny/urls.py);
never in a normal deployment."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET
from rest_framework import routers, serializers, viewsets

from scrutiny.casework.models import Organisation


@require_GET
def trivial(request):
    """The cheapest answer the stack can give: no query, no template."""
    return HttpResponse("ok\n", content_type="text/plain")


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "kind", "health_body_kind", "area"]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """A plain DRF list (the framework's defaults: page-number paging), with no policy."""

    queryset = Organisation.objects.order_by("id")
    serializer_class = OrganisationSerializer
    authentication_classes = []
    permission_classes = []
    throttle_classes = []


router = routers.SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="bench-organisation")

app_name = "bench"
urlpatterns = [
    path("trivial/", trivial, name="trivial"),
    path("drf/", include(router.urls)),
]
