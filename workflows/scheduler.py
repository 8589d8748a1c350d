"""The scheduler: runs the periodic jobs (the deadline sweep, purges, the worker heartbeat).

`manage.py run_scheduler` ticks every few seconds. Only the holder of the database lease
(`SchedulerLease`) runs jobs, so two schedulers at once — a second `make run`, two containers —
never run a job twice: the second waits and takes over when the first's lease lapses. Each job's
last start, finish and outcome are stored (`JobRun`), which the readiness page shows.

Jobs are named in settings (`CF_SCHEDULE`, the composition root): each is a management command
run in-process every so many seconds, or `heartbeat`, which enqueues a task so that the task
worker proves it is alive by running it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from workflows.models import JobRun, SchedulerLease
from workflows.tasks import heartbeat

log = logging.getLogger(__name__)

LEASE = "scheduler"


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    command: str = ""  # a management command; empty for the heartbeat
    args: tuple[str, ...] = ()


def configured_jobs() -> list[Job]:
    return [
        Job(
            name=entry["name"],
            every_seconds=int(entry["every_seconds"]),
            command=entry.get("command", ""),
            args=tuple(entry.get("args", ())),
        )
        for entry in getattr(settings, "CF_SCHEDULE", ())
    ]


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_acquire(*, holder: str, seconds: int, now: dt.datetime | None = None) -> bool:
    """Take or renew the lease for `seconds`; False while someone else holds it."""
    now = now or timezone.now()
    with transaction.atomic():
        lease, _ = SchedulerLease.objects.select_for_update().get_or_create(name=LEASE)
        if lease.holder and lease.holder != holder and lease.expires_at and lease.expires_at > now:
            return False
        lease.holder = holder
        lease.expires_at = now + dt.timedelta(seconds=seconds)
        lease.save(update_fields=["holder", "expires_at"])
    return True


def lease_release(*, holder: str) -> None:
    SchedulerLease.objects.filter(name=LEASE, holder=holder).update(holder="", expires_at=None)


def due_jobs(jobs: list[Job], *, now: dt.datetime) -> list[Job]:
    runs = {r.name: r for r in JobRun.objects.filter(name__in=[j.name for j in jobs])}
    due = []
    for job in jobs:
        started = runs[job.name].last_started_at if job.name in runs else None
        if started is None or started + dt.timedelta(seconds=job.every_seconds) <= now:
            due.append(job)
    return due


def job_run(job: Job, *, now: dt.datetime | None = None) -> JobRun:
    """Run one job now and record how it went (a failing job never stops the scheduler)."""
    now = now or timezone.now()
    run, _ = JobRun.objects.get_or_create(name=job.name)
    run.last_started_at = now
    run.save(update_fields=["last_started_at"])
    out = io.StringIO()
    try:
        if job.command:
            call_command(job.command, *job.args, stdout=out, stderr=out)
            outcome = (out.getvalue().strip().splitlines() or ["done"])[-1]
        else:
            heartbeat.enqueue()
            outcome = "heartbeat queued"
        ok = True
    except Exception as exc:  # recorded and logged; the next tick carries on
        log.exception("scheduled job %s failed", job.name)
        outcome, ok = f"failed: {type(exc).__name__}", False
    run.last_finished_at = timezone.now()
    run.last_outcome = outcome[:200]
    run.last_ok = ok
    run.runs += 1
    run.save(update_fields=["last_finished_at", "last_outcome", "last_ok", "runs"])
    return run


def tick(*, holder: str, lease_seconds: int, now: dt.datetime | None = None) -> list[JobRun]:
    """One scheduler tick: renew the lease, then run every job that is due. Returns the runs."""
    now = now or timezone.now()
    if not lease_acquire(holder=holder, seconds=lease_seconds, now=now):
        return []
    return [job_run(job, now=now) for job in due_jobs(configured_jobs(), now=now)]
