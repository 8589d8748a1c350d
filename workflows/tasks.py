"""Background tasks (Django's task framework API, through the django-tasks package).

Run them with `python manage.py task_worker`, the worker of the configured backend: db_worker for
the default database backend (django-tasks-db), RQ's worker when TASKS_URL names a Redis
(django-tasks-rq; docs/decisions/0013-scaling-out.md).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from workflows.models import JobRun


@task()
def deliver_notification(notification_id: int) -> str:
    """Deliver one notification from the outbox (idempotent; retries itself on failure)."""
    from workflows.notifications import notification_deliver

    return notification_deliver(notification_id)


@task()
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Deliver a batch of notifications from the outbox (the sweep writes one task per batch):
    each is claimed, sent and recorded on its own, as `deliver_notification` does."""
    from workflows.notifications import notification_deliver

    outcomes: dict[str, int] = {}
    for notification_id in notification_ids:
        outcome = notification_deliver(notification_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@task()
def heartbeat() -> str:
    """Queued by the scheduler each minute: running it proves a task worker is alive."""
    run, _ = JobRun.objects.get_or_create(name=JobRun.WORKER_HEARTBEAT)
    run.last_started_at = run.last_finished_at = timezone.now()
    run.last_outcome, run.last_ok = "alive", True
    run.runs += 1
    run.save()
    return "alive"


def tasks_recover_orphaned(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Put back in the queue every task row left RUNNING by a worker that died (started longer
    ago than `older_than`; no task of ours runs that long). Our tasks are idempotent (an e-mail
    is claimed before it is sent and carries a stable Message-ID), so running one again is safe.
    Only the database backend keeps such rows; returns how many were recovered. On RQ a job
    whose worker died is failed by RQ itself, and the sweep queues its notification again
    (`notifications_requeue_due`)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return 0
    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - older_than
    ).update(status=TaskResultStatus.READY, started_at=None, run_after=now)
