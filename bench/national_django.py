"""bench/national.py's Django half, run in its own process on one database (DATABASE_URL):

    python bench/national_django.py --prepare        # JSON: a session, an API key, page ids
    python bench/national_django.py --count-queries  # JSON: each page's queries, time, size

The sign-in is a session of the busy officer (`scale-officer`) written to the database; the key
is issued to the big trust's responder (`scale-responder`) through `api.keys.issue_key`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pages import BIG_TRUST, PAGES  # noqa: E402

from api.keys import issue_key  # noqa: E402
from api.models import ApiKey  # noqa: E402
from scrutiny.casework.models import Organisation, Topic  # noqa: E402
from scrutiny.casework.policy import visible  # noqa: E402


def prepare() -> dict:
    """A session for the busy officer, an API key for the big trust's responder, and the ids of
    the pages to fetch (the officer's topic with the most requests, a published outcome)."""
    User = get_user_model()
    officer = User.objects.get(username="scale-officer")
    session = SessionStore()
    session[SESSION_KEY] = str(officer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    session.create()
    _, raw = issue_key(
        User.objects.get(username="scale-responder"),
        Organisation.objects.get(slug=BIG_TRUST),
        "Benchmark key (bench/national.py)",
        [ApiKey.Scope.READ],
    )
    most_requests = Count("requests")
    topic = (
        visible(officer, Topic.objects.all())
        .annotate(n=most_requests)
        .order_by("-n", "id")
        .values_list("pk", flat=True)
        .first()
    )
    outcome = (
        Topic.objects.filter(publication="published", state="concluded")
        .annotate(n=most_requests)
        .order_by("-n", "id")
        .values_list("pk", flat=True)
        .first()
    )
    return {"session": session.session_key, "key": raw, "topic": topic, "outcome": outcome}


def count_queries() -> dict:
    """Each page's query count, one in-process request's time and its size (run with
    CF_PUBLIC_CACHE_SECONDS=0: what building the page costs)."""
    ids = prepare()
    found = {"topics": Topic.objects.count()}
    for label, path, who in PAGES:
        if path.startswith("/bench/") or who == "anon-etag":
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        headers = {}
        if who == "officer":
            client.cookies[settings.SESSION_COOKIE_NAME] = ids["session"]
        if who == "key":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {ids['key']}"
        url = path.format(**ids)
        client.get(url, **headers)  # warm the process (imports, templates)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, **headers)
            ms = (time.perf_counter() - started) * 1000
        found[label] = {
            "status": response.status_code,
            "queries": len(queries),
            "ms": round(ms, 1),
            "bytes": len(response.content),
        }
    return found


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "--prepare":
        print(json.dumps(prepare()))
    elif mode == "--count-queries":
        print(json.dumps(count_queries()))
    else:
        raise SystemExit("usage: national_django.py --prepare | --count-queries")
