"""The outbox: written with the change, delivered after commit, retried, never sent twice."""

import datetime as dt
import socket
from unittest import mock

import pytest
import time_machine
from django.contrib import admin
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import path
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

import workflows.notification_admin  # noqa: F401
from scrutiny.casework.models import Organisation
from tests.factories import UserFactory
from tests.workflows.deadline_helpers import LONDON, at, issued_requests, people
from workflows.models import (
    DeadlineRule,
    HolidayOverride,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from workflows.notifications import (
    REQUEUE_AFTER,
    backoff,
    deadline_rule_save_and_notify,
    holiday_override_save_and_notify,
    notification_deliver,
    notification_retry,
    notification_write,
    notifications_requeue_due,
    notify_due_date_changes,
)
from workflows.sweep import sweep_run

D = dt.date
FAILING = "tests.workflows.test_notifications.FailingBackend"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class FailingBackend(BaseEmailBackend):
    """A mail server that cannot be reached."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


def run_worker():
    """The real `db_worker` loop, in batch mode: run every ready task, then stop.

    The worker closes connections between tasks, as a request does; inside a test's transaction
    that would close the test's own connection, so (as Django's test client does) that is off.
    """
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        db_worker.Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()


def _write(user, key="event:1", **extra):
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
        **extra,
    )


@pytest.fixture
def overdue_notice(area):
    """The sweep of Thu 21 Jan 2027 wrote an overdue notice for the trust's responder."""
    who = people(area)
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))
    with time_machine.travel(at(D(2027, 1, 21)), tick=False):
        sweep_run(with_digests=False)
    notice = Notification.objects.get(kind=NotificationKind.REMINDER_OVERDUE)
    return notice, request, who


@pytest.mark.django_db
def test_the_worker_delivers_after_commit_in_plain_text_and_html(overdue_notice, settings):
    notice, request, who = overdue_notice
    assert notice.state == Notification.State.PENDING
    assert mail.outbox == []  # written and enqueued, not sent
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    with time_machine.travel(at(D(2027, 1, 21), 8, 1), tick=False):
        run_worker()
        run_worker()  # nothing left to do: sent once

    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == ("sent", 1, "")
    assert notice.sent_at == at(D(2027, 1, 21), 8, 1)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    (message,) = mail.outbox
    assert message.to == ["trust-responder@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject.startswith("Overdue: Request for information to Northby Hospitals")
    link = f"{settings.SITE_URL}/topics/{request.topic_id}/#request-{request.pk}"
    assert link in message.body
    assert "<" not in message.body  # plain text, not markup
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en-GB">' in html
    assert "<h1" in html and f'href="{link}"' in html
    assert "<img" not in html


@pytest.mark.django_db
def test_names_are_not_html_escaped_in_plain_text_but_are_in_html(area):
    who = people(area)
    Organisation.objects.filter(pk=area.trust.pk).update(name="St Mary's <Trust>")
    issued_requests(area, who, on=D(2026, 12, 18))
    sweep_run(today=D(2027, 1, 13), with_digests=False)
    notice = Notification.objects.get(kind=NotificationKind.REMINDER_BEFORE)
    assert "St Mary's <Trust> must answer" in notice.body_text
    assert "St Mary&#x27;s &lt;Trust&gt; must answer" in notice.body_html


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_notification_and_no_task(area):
    who = people(area)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _write(who.responder) is not None
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the change failed")
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_one_notification_per_event_and_recipient(area):
    who = people(area)
    assert _write(who.responder) is not None
    assert _write(who.responder) is None
    assert _write(who.osc_officer) is not None
    assert Notification.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_a_failing_mail_server_leaves_it_pending_and_retried_with_backoff(overdue_notice, settings):
    notice, _, _ = overdue_notice
    settings.EMAIL_BACKEND = FAILING
    first = at(D(2027, 1, 21), 8, 5)
    with time_machine.travel(first, tick=False):
        run_worker()
    notice.refresh_from_db()
    assert notice.state == Notification.State.PENDING
    assert notice.attempts == 1
    assert "ConnectionRefusedError" in notice.last_error
    assert notice.next_attempt_at == first + dt.timedelta(seconds=60)
    retry_task = DBTaskResult.objects.get(status="READY")
    assert retry_task.run_after == notice.next_attempt_at
    assert retry_task.args_kwargs["args"] == [notice.pk]

    with time_machine.travel(first + dt.timedelta(seconds=30), tick=False):
        run_worker()  # the retry is not due yet
    notice.refresh_from_db()
    assert notice.attempts == 1

    second = first + dt.timedelta(seconds=61)
    with time_machine.travel(second, tick=False):
        run_worker()  # still failing: the wait doubles
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("pending", 2)
    assert notice.next_attempt_at == second + dt.timedelta(seconds=120)
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(second + dt.timedelta(seconds=121), tick=False):
        run_worker()  # the mail server is back
        run_worker()
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_an_unreachable_smtp_server_is_retried_not_lost(overdue_notice, settings):
    notice, _, _ = overdue_notice
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_TIMEOUT = 2
    with time_machine.travel(at(D(2027, 1, 21), 9), tick=False):
        assert notification_deliver(notice.pk) == "retry"
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("pending", 1)
    assert "refused" in notice.last_error.lower()


@pytest.mark.django_db
def test_gives_up_after_the_last_attempt_and_an_administrator_can_retry(overdue_notice, settings):
    notice, _, _ = overdue_notice
    settings.EMAIL_BACKEND = FAILING
    settings.CF_NOTIFY_MAX_ATTEMPTS = 2
    now = at(D(2027, 1, 21), 9)
    assert notification_deliver(notice.pk, now=now) == "retry"
    assert notification_deliver(notice.pk, now=now + dt.timedelta(minutes=5)) == "failed"
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("failed", 2)
    assert notification_deliver(notice.pk, now=now + dt.timedelta(days=1)) == "already failed"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification_retry(notification=notice)
    notice.refresh_from_db()
    assert notice.state == "pending"
    run_worker()
    notice.refresh_from_db()
    assert notice.state == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 60), (2, 120), (3, 240), (9, 15360), (10, 21600), (12, 21600)]
)
def test_backoff_doubles_and_is_capped(attempts, seconds):
    assert backoff(attempts) == dt.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_delivering_twice_sends_once(overdue_notice):
    notice, _, _ = overdue_notice
    later = at(D(2027, 1, 21), 9)
    assert notification_deliver(notice.pk, now=later) == "sent"
    assert notification_deliver(notice.pk, now=later) == "already sent"
    assert notification_deliver(999_999, now=later) == "missing"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_other_backends_are_enqueued_after_commit(
    area, settings, django_capture_on_commit_callbacks
):
    """A backend outside our database (here: immediate) is only told once the change commits."""
    settings.TASKS = IMMEDIATE
    who = people(area)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _write(who.responder)
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get().state == "sent"
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_the_sweep_requeues_a_notification_whose_task_was_lost(
    area, settings, django_capture_on_commit_callbacks
):
    """The immediate backend cannot defer a retry: the next sweeps pick the notification up."""
    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = FAILING
    who = people(area)
    start = at(D(2027, 1, 21), 9)
    with (
        time_machine.travel(start, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _write(who.responder)
    notice = Notification.objects.get()
    assert (notice.state, notice.attempts) == ("pending", 1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        assert notifications_requeue_due() == 0  # its retry is not long overdue yet
    with (
        time_machine.travel(start + REQUEUE_AFTER + dt.timedelta(minutes=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = sweep_run(with_digests=False)
    assert report.requeued == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


# --- Due dates that moved ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_bank_holiday_moves_due_dates_and_tells_the_people(area, settings):
    who = people(area)
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))
    NotificationPreference.objects.create(user=who.link_officer, due_date_changed=False)
    override = HolidayOverride(
        region="england-and-wales", date=D(2027, 1, 19), name="Proclaimed holiday"
    )
    changes = holiday_override_save_and_notify(override=override)
    request.refresh_from_db()
    assert request.due_on == D(2027, 1, 21)
    assert len(changes) == 1

    moved = Notification.objects.filter(kind=NotificationKind.DUE_DATE_CHANGED)
    assert sorted(n.recipient.username for n in moved) == ["osc-officer", "trust-responder"]
    notice = moved.get(recipient=who.responder)
    assert notice.subject.startswith("Due date moved to Thu 21 Jan 2027: Request for information")
    assert "from Wed 20 Jan 2027 to Thu 21 Jan 2027" in notice.body_text
    assert "bank holiday added: 19 Jan 2027 Proclaimed holiday" in notice.body_text
    assert "skipping 25 Dec, 28 Dec, 1 Jan, 19 Jan" in notice.body_text
    assert f"/topics/{request.topic_id}/#request-{request.pk}" in notice.link

    # Telling them again about the same change sends nothing new.
    assert notify_due_date_changes(changes) == []
    assert moved.count() == 2


@pytest.mark.django_db
def test_a_changed_rule_tells_the_people_whose_due_dates_moved(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18))
    rule = DeadlineRule.objects.get(slug="link-recommendation-response")
    rule.period = 25
    assert deadline_rule_save_and_notify(rule=rule, correction=True) == []  # no open clock uses it
    rule = DeadlineRule.objects.get(slug="link-information-request")
    rule.period = 25
    changes = deadline_rule_save_and_notify(rule=rule, correction=True)
    assert [c.new_due_on for c in changes] == [D(2027, 1, 27)]
    assert Notification.objects.filter(kind=NotificationKind.DUE_DATE_CHANGED).count() == 3


@pytest.mark.django_db
def test_the_time_zone_of_today_is_london(area):
    """Just after midnight in London (still the day before in UTC) is already the new day."""
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18))
    moment = dt.datetime(2027, 6, 1, 0, 30, tzinfo=LONDON)  # 23:30 UTC on 31 May
    with time_machine.travel(moment, tick=False):
        report = sweep_run(dry_run=True)
    assert report.today == D(2027, 6, 1)


# The admin with the outbox registered (the lead imports workflows.notification_admin from
# workflows/admin.py); URLs built after the registration.
urlpatterns = [path("admin/", admin.site.urls)]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_an_administrator_retries_failed_notifications_from_the_admin(area, client, settings):
    who = people(area)
    _write(who.responder)
    notice = Notification.objects.get()
    Notification.objects.filter(pk=notice.pk).update(state="failed", attempts=12)
    admin_user = UserFactory(
        username="admin", password="!unusable", is_staff=True, is_superuser=True
    )
    client.force_login(admin_user)
    listing = client.get("/admin/workflows/notification/?state__exact=failed")
    assert listing.status_code == 200
    assert "Due today: a request" in listing.content.decode()
    response = client.post(
        "/admin/workflows/notification/",
        {"action": "retry_delivery", "_selected_action": [notice.pk]},
        follow=True,
    )
    assert "1 failed notification(s) queued for delivery again." in response.content.decode()
    notice.refresh_from_db()
    assert notice.state == "pending"
    run_worker()
    notice.refresh_from_db()
    assert notice.state == "sent"
    assert len(mail.outbox) == 1


class ReentrantBackend(BaseEmailBackend):
    """While the mail server is busy with a message, a second worker tries the same one."""

    seen: list = []

    def send_messages(self, email_messages):
        from workflows.models import Notification as N

        pk = N.objects.get(subject=email_messages[0].subject).pk
        ReentrantBackend.seen.append(notification_deliver(pk))
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.mark.django_db
def test_a_second_worker_during_the_send_leaves_it_alone(area, settings):
    settings.EMAIL_BACKEND = "tests.workflows.test_notifications.ReentrantBackend"
    ReentrantBackend.seen = []
    who = people(area)
    notice = _write(who.responder)
    assert notification_deliver(notice.pk) == "sent"
    assert ReentrantBackend.seen == ["not yet"]
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_a_resend_after_a_crash_carries_the_same_message_id(overdue_notice):
    """A worker killed between sending and recording sends the e-mail again: both copies carry
    one stable Message-ID, so the recipient's mail system recognises the duplicate."""
    notice, _, _ = overdue_notice
    first = notification_deliver(notice.pk, now=at(D(2027, 1, 21), 8, 1))
    assert first == "sent"
    # The crash: the outcome was never recorded, so the notification is pending again.
    Notification.objects.filter(pk=notice.pk).update(state=Notification.State.PENDING)
    notification_deliver(notice.pk, now=at(D(2027, 1, 21), 9, 0))
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert ids[0].startswith(f"<cf-notification-{notice.pk}-") and ids[0].endswith("@127.0.0.1>")
