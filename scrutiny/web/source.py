"""The Corresponding Source of the running version (AGPL-3.0 section 13): everyone who uses the
site over the network can download the source code it runs, linked from every page's footer."""

from __future__ import annotations

import io
import tarfile

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_GET

INCLUDED = (
    "README.md",
    "pyproject.toml",
    "requirements.lock",
    "manage.py",
    "Makefile",
    "Procfile",
    "Procfile.dev",
    "scrutiny",
    "workflows",
    "protocols",
    "api",
    "templates",
    "static",
    "docs",
    "deploy",
)


def _skip(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    return None if "__pycache__" in info.name or info.name.endswith(".pyc") else info


@require_GET
def source_archive(request):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in INCLUDED:
            path = settings.BASE_DIR / name
            if path.exists():
                archive.add(path, arcname=f"critical-friend/{name}", filter=_skip)
    response = HttpResponse(buffer.getvalue(), content_type="application/gzip")
    response["Content-Disposition"] = 'attachment; filename="critical-friend-source.tar.gz"'
    return response
