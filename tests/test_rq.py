"""Tasks on Redis (RQ, through django-tasks-rq): the outbox, retries, the heartbeat and the
readiness check go through a real Redis queue.

These run in the queue run (`make test-queue`: `.ci/with-redis`, TASKS_URL and CACHE_URL on
Redis, on PostgreSQL); on the database backend they are skipped with the reason (in CI, where
the queue run must have Redis, they fail instead).
"""

import datetime as dt
import os

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import Job as TaskJob
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import JobStatus
from rq.registry import FinishedJobRegistry, ScheduledJobRegistry

from tests.factories import UserFactory
from workflows import scheduler
from workflows.models import JobRun, Notification, NotificationKind
from workflows.notifications import notification_write

pytestmark = pytest.mark.queue

FAILING = "tests.workflows.test_notifications.FailingBackend"


@pytest.fixture(autouse=True)
def redis_queue():
    """The RQ queue, emptied before each test (the run's Redis is throwaway, the tests share it)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_rq.RQBackend":
        reason = "needs TASKS_URL=redis://… (make test-queue)"
        if os.environ.get("CI") == "true" and os.environ.get("CF_QUEUE_RUN") == "1":
            pytest.fail(f"the queue run is not on RQ: {reason}")
        pytest.skip(reason)
    connection = Redis.from_url(settings.RQ_QUEUES["default"]["URL"])
    connection.flushdb()
    return Queue("default", connection=connection, job_class=TaskJob)


def run_rq_worker(queue):
    """RQ's worker in burst mode, in this process (so it sees the test's transaction), with its
    scheduler on, as `manage.py task_worker` runs it."""
    worker = SimpleWorker([queue], connection=queue.connection, job_class=TaskJob)
    worker.work(burst=True, with_scheduler=True)


def _write(user, key="event:1"):
    return notification_write(
        event_key=key,
        kind=NotificationKind.REMINDER_DUE,
        recipient=user,
        subject="Due today: a request",
        template="due_date_changed",
        context={
            "item": {"title": "A request"},
            "change": {"reason": "test", "new_explanation": "x"},
            "old_due": "Mon 1 Feb 2027",
            "new_due": "Tue 2 Feb 2027",
            "link": "http://127.0.0.1:8000/topics/1/",
        },
    )


@pytest.mark.django_db
def test_a_notification_is_delivered_through_the_rq_queue(
    redis_queue, django_capture_on_commit_callbacks
):
    user = UserFactory(email="responder@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notice = _write(user)
        assert redis_queue.count == 0  # told only after the change commits
    assert len(callbacks) == 1
    (job_id,) = redis_queue.job_ids
    job = TaskJob.fetch(job_id, connection=redis_queue.connection)
    assert (job.func_name, job.args) == ("workflows.tasks.deliver_notification", (notice.pk,))
    assert DBTaskResult.objects.count() == 0  # nothing in the database queue
    assert mail.outbox == []

    run_rq_worker(redis_queue)

    assert redis_queue.count == 0
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job_id in FinishedJobRegistry(queue=redis_queue).get_job_ids()
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("sent", 1)
    (message,) = mail.outbox
    assert message.to == ["responder@example.org"]


@pytest.mark.django_db
def test_a_failed_delivery_waits_in_rqs_schedule_and_is_retried(
    redis_queue, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    start = dt.datetime(2027, 1, 21, 9, tzinfo=dt.UTC)
    user = UserFactory(email="responder@example.org")
    with (
        time_machine.travel(start, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notice = _write(user)
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        run_rq_worker(redis_queue)
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("pending", 1)
    scheduled = ScheduledJobRegistry(queue=redis_queue)
    (retry_id,) = scheduled.get_job_ids()  # deferred in Redis until its next attempt
    assert redis_queue.count == 0

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = notice.next_attempt_at + dt.timedelta(seconds=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        run_rq_worker(redis_queue)
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("sent", 2)
    assert scheduled.count == 0
    assert retry_id in FinishedJobRegistry(queue=redis_queue).get_job_ids()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_schedulers_heartbeat_is_run_by_the_rq_worker(redis_queue, settings):
    settings.CF_SCHEDULE = [{"name": "heartbeat", "every_seconds": 60}]
    scheduler.tick(holder="test", lease_seconds=60)
    assert redis_queue.count == 1
    assert not JobRun.objects.filter(name=JobRun.WORKER_HEARTBEAT).exists()
    run_rq_worker(redis_queue)
    run = JobRun.objects.get(name=JobRun.WORKER_HEARTBEAT)
    assert (run.last_outcome, run.last_ok) == ("alive", True)


@pytest.mark.django_db
def test_readyz_reports_the_rq_backlog(
    client, officer, redis_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _write(officer, key="event:1")
        _write(officer, key="event:2")
    client.force_login(officer)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": True, "cache": True, "tasks": True}
    assert body["queue"]["backend"] == "django_tasks_rq.RQBackend"
    assert (body["queue"]["ready"], body["queue"]["scheduled"]) == (2, 0)
    assert body["queue"]["oldest_age_seconds"] >= 0
    assert Notification.objects.filter(state="pending").count() == 2


@pytest.mark.django_db
def test_an_unreachable_redis_fails_readyz_but_pages_still_answer(client, officer, settings):
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready"}
    client.force_login(officer)
    body = client.get("/readyz").json()
    assert body["checks"]["tasks"] is False
    assert body["queue"] == {"backend": "django_tasks_rq.RQBackend"}
    assert client.get("/").status_code == 200


def test_the_shared_cache_is_redis_in_the_queue_run():
    """The queue run's CACHE_URL is Redis: what one process sets, Redis holds."""
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache.set("cf:test-rq", "shared", timeout=30)
    connection = Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert any(b"cf:test-rq" in key for key in connection.keys("*cf:test-rq*"))
