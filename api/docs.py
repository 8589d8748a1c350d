"""The API's own documentation pages: problem types (RFC 9457 `type` URIs) and the Swagger UI's
bundled assets, served offline."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404
from django.shortcuts import render
from django.views.static import serve

from api.errors import PROBLEM_TYPES


def problem_type(request, slug):
    if slug not in PROBLEM_TYPES:
        raise Http404("No such problem type.")
    title, description = PROBLEM_TYPES[slug]
    return render(
        request,
        "api/problem_type.html",
        {"slug": slug, "title": title, "description": description, "types": PROBLEM_TYPES},
    )


def _swagger_dist() -> Path:
    import drf_spectacular_sidecar

    return (
        Path(drf_spectacular_sidecar.__file__).parent
        / "static/drf_spectacular_sidecar/swagger-ui-dist"
    )


SWAGGER_FILES = {
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-ui.css",
    "favicon-32x32.png",
    "oauth2-redirect.html",
    "oauth2-redirect.js",
}


def swagger_asset(request, name):
    """The Swagger UI files from drf-spectacular-sidecar, so /api/docs/ works offline."""
    if name not in SWAGGER_FILES:
        raise Http404()
    response = serve(request, name, document_root=str(_swagger_dist()))
    response["Cache-Control"] = "public, max-age=86400"
    return response
