"""The public pages' cache versions: a page is stored under the versions of what it shows.

Keyed versions (docs/decisions/0021-batch-jobs-and-cache-keys.md), all on the shared cache
(`CACHES["default"]`: the database cache or Redis), so every worker sees a bump at once:

- `cf:public:version` — everything (an administrator's change, a benchmark's cold run);
- `cf:public:v:topic:<id>` — one topic's public page;
- `cf:public:v:body:<slug>` — one health body's public page;
- `cf:public:v:list:<name>` — a list page or feed (`outcomes`, `health-bodies`, `meetings`).

A page's cache key combines the global version with the versions of its scope
(`public_cache_token`, one `get_many`). A change bumps only its scope (`public_cache_bump(scope)`),
so a transition on topic A leaves topic B's page and an unrelated body's page cached.
`transition_apply` bumps, after the commit of every move, the scope the moved object names
(`public_cache_scope()` on the model; the whole site when it names none).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

CACHE_VERSION_KEY = "cf:public:version"
_PREFIX = "cf:public:v"

# The list pages and feeds that a change can touch.
OUTCOMES = "outcomes"  # home, /outcomes/, its Atom feed, the open data
HEALTH_BODIES = "health-bodies"  # /health-bodies/ (every body's record)
MEETINGS = "meetings"  # home's next meetings, the public calendars
DECISIONS = "decisions"  # /decisions/, each statement, their Atom feed


@dataclass(frozen=True)
class CacheScope:
    """What a change can show on: topics (by id), health bodies (by slug), list pages."""

    topics: frozenset[int] = frozenset()
    bodies: frozenset[str] = frozenset()
    lists: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        topics: Iterable[int] = (),
        bodies: Iterable[str] = (),
        lists: Iterable[str] = (),
    ) -> CacheScope:
        return cls(
            frozenset(t for t in topics if t is not None),
            frozenset(b for b in bodies if b),
            frozenset(lists),
        )

    def __or__(self, other: CacheScope) -> CacheScope:
        return CacheScope(
            self.topics | other.topics, self.bodies | other.bodies, self.lists | other.lists
        )

    def keys(self) -> list[str]:
        return sorted(
            [f"{_PREFIX}:topic:{t}" for t in self.topics]
            + [f"{_PREFIX}:body:{b}" for b in self.bodies]
            + [f"{_PREFIX}:list:{name}" for name in self.lists]
        )


def topic_scope(topic_id: int, body_slugs: Iterable[str] = ()) -> CacheScope:
    """A topic's page, its health bodies' pages and the lists a topic appears on."""
    return CacheScope.of(
        topics=[topic_id], bodies=body_slugs, lists=[OUTCOMES, HEALTH_BODIES, MEETINGS]
    )


def _versions(keys: list[str]) -> dict[str, str]:
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        # First use (or evicted): start it; a racing worker's value wins, either is fine.
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found |= cache.get_many(missing)
    return found


def public_cache_token(scope: CacheScope | None = None) -> str:
    """One string naming the current versions of everything and of `scope` (one `get_many`
    when they exist): part of a cached page's key."""
    keys = [CACHE_VERSION_KEY, *(scope.keys() if scope else ())]
    found = _versions(keys)
    joined = "|".join(f"{k}={found.get(k, '0')}" for k in keys)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def public_cache_version() -> str:
    """The current version of everything (every cached public page depends on it)."""
    return _versions([CACHE_VERSION_KEY]).get(CACHE_VERSION_KEY, "0")


def public_cache_bump(scope: CacheScope | None = None) -> None:
    """Make the pages of `scope` stale (one `set_many`); without a scope, every page."""
    if scope is None:
        cache.set(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        return
    keys = scope.keys()
    if keys:
        cache.set_many({k: uuid.uuid4().hex for k in keys}, timeout=None)


def public_cache_seconds() -> int:
    return int(getattr(settings, "CF_PUBLIC_CACHE_SECONDS", 300))
