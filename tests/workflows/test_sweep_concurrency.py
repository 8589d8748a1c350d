"""Two sweeps at once, and two workers at once, on PostgreSQL: nothing is written or sent twice."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connections

import workflows.sweep as sweep_module
from tests.workflows.deadline_helpers import issued_requests, people
from tests.workflows.test_notifications import run_worker
from workflows.models import Notification, SweepMark
from workflows.notifications import enqueue_delivery
from workflows.sweep import sweep_run

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

D = dt.date


def _in_threads(n, fn):
    results, errors = [None] * n, []

    def run(i):
        try:
            results[i] = fn(i)
        except Exception as exc:  # reported below: a thread's failure fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == []
    return results


def test_two_sweeps_at_once_write_and_enqueue_everything_once(area, monkeypatch):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18), count=3)  # due Wed 20 Jan 2027

    # Both sweeps finish planning before either writes, so both try to write every event.
    planned = threading.Barrier(2)
    real = sweep_module._not_yet_done

    def plan_then_wait(candidates):
        actions = real(candidates)
        planned.wait(timeout=20)
        return actions

    monkeypatch.setattr(sweep_module, "_not_yet_done", plan_then_wait)
    reports = _in_threads(2, lambda i: sweep_run(today=D(2027, 2, 17)))

    assert [r.errors for r in reports] == [[], []]  # the loser of each race quietly stood down
    assert all(len(r.actions) == 6 for r in reports)  # both saw 3 overdue + 3 very overdue
    # The day's digests are claimed once (a JobRun row, docs/decisions/0021): the sweep that
    # claims them plans both, the other may plan none; the counts below show one set is written.
    assert max(len(r.digests) for r in reports) == 2
    # 3 overdue and 3 very overdue marks; 3 overdue notices, 3 escalations, 2 digests.
    assert SweepMark.objects.count() == 6
    assert Notification.objects.count() == 8
    assert sum(r.marks_written for r in reports) == 6
    assert sum(r.notifications_written for r in reports) == 8
    from django_tasks_db.models import DBTaskResult

    # One delivery task per batch the winner wrote: the items' notices, and the digests.
    assert DBTaskResult.objects.count() == 2
    assert sorted(len(t.args_kwargs["args"][0]) for t in DBTaskResult.objects.all()) == [2, 6]


def test_two_workers_with_duplicate_tasks_send_each_notification_once(area, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18), count=3)
    sweep_run(today=D(2027, 2, 17))
    notifications = list(Notification.objects.all())
    for notification in notifications:  # a lost-and-requeued task: two tasks, one notification
        enqueue_delivery(notification)

    _in_threads(2, lambda i: run_worker())

    assert len(mail.outbox) == len(notifications) == 8
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        (n.to_email, n.subject) for n in notifications
    )
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
