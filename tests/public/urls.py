"""The root URLs with the public site's include moved ahead of the staff pages', as the root
URLconf needs them: the staff pages' catch-all `topics/<pk>/<name>/` would otherwise answer
/topics/<pk>/publish/ (see the report's requested edit to scrutiny/urls.py)."""

from scrutiny import urls as root


def _is_public(pattern) -> bool:
    return getattr(getattr(pattern, "urlconf_module", None), "__name__", "") == (
        "scrutiny.public_urls"
    )


def _is_casework(pattern) -> bool:
    return getattr(getattr(pattern, "urlconf_module", None), "__name__", "") == (
        "scrutiny.casework_urls"
    )


_public = [p for p in root.urlpatterns if _is_public(p)]
_rest = [p for p in root.urlpatterns if not _is_public(p)]
_at = next((i for i, p in enumerate(_rest) if _is_casework(p)), len(_rest))
urlpatterns = [*_rest[:_at], *_public, *_rest[_at:]]
