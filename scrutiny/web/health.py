"""Liveness and readiness for load balancers, orchestrators and monitoring.

- `/healthz` (liveness): 200 `{"status": "ok"}` when the process runs and the database answers,
  503 `{"status": "unavailable"}` when it does not. Never any detail: the database driver's
  error (host, port) is logged, not shown.
- `/readyz` (readiness): 200 when this process can serve pages and hand work on — the database,
  the shared cache and the task queue's broker (the database, or Redis when TASKS_URL names it)
  answer — 503 when not. Everyone gets the status; administrators and support officers signed
  in also get each check: database, cache, tasks (the broker), the task queue backlog, the
  oldest notification waiting in the outbox, when the deadline sweep last ran and the task
  worker's heartbeat. Pages do not depend on Redis answering: only this check does.
"""

from __future__ import annotations

import datetime as dt
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
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from workflows.models import JobRun, Notification

log = logging.getLogger(__name__)

SWEEP_STALE_AFTER = 15 * 60  # seconds: the sweep runs every five minutes
HEARTBEAT_STALE_AFTER = 5 * 60  # seconds: the heartbeat is queued every minute
BROKER_TIMEOUT = 2  # seconds: an unreachable Redis fails the check rather than hanging it
DB_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"


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


def _backend() -> str:
    return settings.TASKS["default"]["BACKEND"]


def _queue_names() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


def _redis() -> Redis:
    """A client of the RQ queues' Redis with short timeouts (its own, not the workers')."""
    url = settings.RQ_QUEUES[_queue_names()[0]]["URL"]
    return Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT)


def _broker_ok(database_ok: bool) -> bool:
    """The task queue's broker answers: the database itself for the database backend, Redis
    for RQ. Other backends (immediate, dummy) keep no queue to reach."""
    if _backend() == DB_BACKEND:
        return database_ok
    if _backend() != RQ_BACKEND:
        return True
    try:
        return bool(_redis().ping())
    except RedisError:
        log.exception("health check: the task queue's Redis does not answer")
        return False


def _rq_queue() -> dict:
    connection = _redis()
    ready = scheduled = 0
    oldest = None
    for name in _queue_names():
        queue = Queue(name, connection=connection)
        ready += queue.count
        scheduled += ScheduledJobRegistry(queue=queue).count
        first = queue.get_job_ids(0, 1)
        job = Job.fetch(first[0], connection=connection) if first else None
        if job and job.enqueued_at and (oldest is None or job.enqueued_at < oldest):
            oldest = job.enqueued_at
    if oldest is not None and timezone.is_naive(oldest):
        oldest = timezone.make_aware(oldest, dt.UTC)
    return {"ready": ready, "scheduled": scheduled, "oldest_age_seconds": _age(oldest)}


def _queue(broker_ok: bool) -> dict:
    backend = _backend()
    if backend == DB_BACKEND:
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        return {"backend": backend, "ready": ready.count(), "oldest_age_seconds": _age(oldest)}
    if backend == RQ_BACKEND and broker_ok:
        try:
            return {"backend": backend, **_rq_queue()}
        except RedisError:
            log.exception("health check: the task queue's Redis does not answer")
    return {"backend": backend}


def _details(broker_ok: bool) -> dict:
    pending = Notification.objects.filter(state=Notification.State.PENDING)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "queue": _queue(broker_ok),
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
    database_ok = _database_ok()
    checks = {"database": database_ok, "cache": _cache_ok(), "tasks": _broker_ok(database_ok)}
    ready = all(checks.values())
    body = {"status": "ready" if ready else "not ready"}
    user = request.user
    if checks["database"] and can(user, Perm.STAFF_PAGES):
        body["checks"] = checks
        body.update(_details(checks["tasks"]))
    return JsonResponse(body, status=200 if ready else 503)
