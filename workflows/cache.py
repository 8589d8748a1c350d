"""The public pages' cache version: one key that every cached public page is stored under.

`public_cache_bump()` makes every cached public page stale at once (a new version; old entries
simply expire). `transition_apply` bumps it after the commit of every lifecycle move, and the
services that change what residents see without a move (agenda publication) call it the same way.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache

CACHE_VERSION_KEY = "cf:public:version"


def public_cache_version() -> str:
    """The current version of every cached public page."""
    version = cache.get(CACHE_VERSION_KEY)
    if version is None:
        cache.add(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(CACHE_VERSION_KEY) or "0"
    return version


def public_cache_bump() -> None:
    """Make every cached public page stale."""
    cache.set(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def public_cache_seconds() -> int:
    return int(getattr(settings, "CF_PUBLIC_CACHE_SECONDS", 300))
