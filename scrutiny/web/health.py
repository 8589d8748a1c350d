"""Liveness and readiness for load balancers, orchestrators and monitoring.

- `/healthz` (liveness): 200 `{"status": "ok"}` when the process runs and the database answers,
  503 `{"status": "unavailable"}` when it does not. Never any detail: the database driver's
  error (host, port) is logged, not shown.
- `/readyz` (readiness): 200 when this process can serve pages — the database and the shared
  cache answer — 503 when not. Everyone gets the status; administrators and support officers
  signed in also get each check: database, cache, task queue backlog, the oldest notification
  waiting in the outbox, when the deadline sweep last ran and the task worker's heartbeat.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from workflows.models import JobRun, Notification

log = logging.getLogger(__name__)

SWEEP_STALE_AFTER = 15 * 60  # seconds: the sweep runs every five minutes
HEARTBEAT_STALE_AFTER = 5 * 60  # seconds: the heartbeat is queued every minute


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health check: the database does not answer")
        return False
    return True


def _cache_ok() -> bool:
    key, value = "cf:readyz", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        return cache.get(key) == value
    except Exception:  # any backend's connection error: the cache is not usable
        log.exception("health check: the cache does not answer")
        return False


def _age(at) -> int | None:
    return None if at is None else int((timezone.now() - at).total_seconds())


def _job(name: str, stale_after: int) -> dict:
    run = JobRun.objects.filter(name=name).first()
    finished = run.last_finished_at if run else None
    age = _age(finished)
    return {
        "last_finished_at": finished.isoformat() if finished else None,
        "age_seconds": age,
        "ok": bool(run and run.last_ok and age is not None and age <= stale_after),
        "outcome": run.last_outcome if run else "never ran",
    }


def _queue() -> dict:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return {"backend": backend}
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {"backend": backend, "ready": ready.count(), "oldest_age_seconds": _age(oldest)}


def _details() -> dict:
    pending = Notification.objects.filter(state=Notification.State.PENDING)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "queue": _queue(),
        "outbox": {"pending": pending.count(), "oldest_age_seconds": _age(oldest)},
        "sweep": _job("sweep_deadlines", SWEEP_STALE_AFTER),
        "worker_heartbeat": _job(JobRun.WORKER_HEARTBEAT, HEARTBEAT_STALE_AFTER),
    }


@never_cache
@require_GET
def healthz(request):
    if not _database_ok():
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    ready = all(checks.values())
    body = {"status": "ready" if ready else "not ready"}
    user = request.user
    if checks["database"] and can(user, Perm.STAFF_PAGES):
        body["checks"] = checks
        body.update(_details())
    return JsonResponse(body, status=200 if ready else 503)
