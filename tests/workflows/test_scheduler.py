"""The scheduler: one lease holder runs the jobs; each job's last run is recorded."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from workflows import scheduler
from workflows.models import JobRun, SchedulerLease
from workflows.tasks import heartbeat

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def jobs(settings):
    settings.CF_SCHEDULE = [
        {
            "name": "sweep",
            "command": "sweep_deadlines",
            "args": ["--dry-run"],
            "every_seconds": 300,
        },
        {"name": "heartbeat", "every_seconds": 60},
    ]


@pytest.mark.queue  # run again with the tasks on Redis (make test-queue)
def test_a_second_scheduler_waits_while_the_first_holds_the_lease(db):
    assert scheduler.lease_acquire(holder="a", seconds=60, now=NOW)
    assert not scheduler.lease_acquire(holder="b", seconds=60, now=NOW + dt.timedelta(seconds=30))
    assert scheduler.lease_acquire(holder="a", seconds=60, now=NOW + dt.timedelta(seconds=30))


@pytest.mark.queue  # run again with the tasks on Redis (make test-queue)
def test_the_second_takes_over_when_the_first_lease_lapses(db):
    scheduler.lease_acquire(holder="a", seconds=60, now=NOW)
    assert scheduler.lease_acquire(holder="b", seconds=60, now=NOW + dt.timedelta(seconds=61))
    assert SchedulerLease.objects.get().holder == "b"


@pytest.mark.queue  # run again with the tasks on Redis (make test-queue)
def test_a_tick_without_the_lease_runs_nothing(db, jobs):
    scheduler.lease_acquire(holder="a", seconds=60, now=NOW)
    assert scheduler.tick(holder="b", lease_seconds=60, now=NOW) == []
    assert not JobRun.objects.exists()


@pytest.mark.queue  # run again with the tasks on Redis (make test-queue)
def test_jobs_run_when_due_and_record_when_they_ran(db, jobs):
    runs = scheduler.tick(holder="a", lease_seconds=60, now=NOW)
    assert {r.name for r in runs} == {"sweep", "heartbeat"}
    sweep = JobRun.objects.get(name="sweep")
    assert sweep.last_started_at == NOW and sweep.last_ok and sweep.runs == 1
    assert sweep.last_outcome
    # A minute later only the heartbeat is due; five minutes later both.
    later = scheduler.tick(holder="a", lease_seconds=60, now=NOW + dt.timedelta(seconds=61))
    assert [r.name for r in later] == ["heartbeat"]
    again = scheduler.tick(holder="a", lease_seconds=60, now=NOW + dt.timedelta(seconds=301))
    assert {r.name for r in again} == {"sweep", "heartbeat"}


@pytest.mark.queue  # run again with the tasks on Redis (make test-queue)
def test_a_failing_job_is_recorded_and_does_not_stop_the_others(db, settings):
    settings.CF_SCHEDULE = [
        {"name": "broken", "command": "no_such_command", "every_seconds": 60},
        {"name": "heartbeat", "every_seconds": 60},
    ]
    runs = scheduler.tick(holder="a", lease_seconds=60, now=NOW)
    broken = next(r for r in runs if r.name == "broken")
    assert not broken.last_ok and broken.last_outcome.startswith("failed: CommandError")
    assert JobRun.objects.get(name="heartbeat").last_ok


@pytest.mark.queue  # run again with the tasks on Redis (make test-queue)
def test_the_heartbeat_task_records_that_a_worker_is_alive(db):
    heartbeat.call()
    beat = JobRun.objects.get(name=JobRun.WORKER_HEARTBEAT)
    assert beat.last_ok and timezone.now() - beat.last_finished_at < dt.timedelta(seconds=5)


@pytest.mark.queue  # run again with the tasks on Redis (make test-queue)
def test_the_command_runs_one_tick_and_releases_the_lease(db, jobs, capsys):
    call_command("run_scheduler", "--once")
    out = capsys.readouterr().out
    assert "sweep:" in out and "heartbeat: heartbeat queued" in out
    assert SchedulerLease.objects.get().holder == ""


def test_a_task_a_dead_worker_left_running_is_queued_again(db):
    result = heartbeat.enqueue()
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago
    )
    fresh = heartbeat.enqueue()
    DBTaskResult.objects.filter(pk=fresh.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    call_command("recover_tasks")
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=fresh.id).status == TaskResultStatus.RUNNING
