"""The notification outbox: write, deliver, retry; and telling people when due dates move.

A notification is written (rendered, plain text and HTML) in the same transaction as the change
that caused it, with a unique (event_key, recipient) pair: nothing is ever sent twice. A recipient
is a user or a `Mailbox` (an address with no account behind it, such as a health body's own
"where requests go" address); a mailbox is unique by (event_key, address). Its
delivery task is enqueued in that transaction too when the task backend keeps its queue in the
same database (django-tasks-db, the default), otherwise right after commit. The task sends it
through Django's e-mail backend; when the mail server fails the notification stays pending, its
next attempt is scheduled with exponential backoff, and after CF_NOTIFY_MAX_ATTEMPTS it is marked
failed — still in the outbox, for an administrator to retry. Each sweep also re-queues pending
notifications whose attempt is long overdue, so a lost task never loses a notification.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from workflows.calendar import fmt
from workflows.clock_sources import clock_source_for_model
from workflows.models import (
    DueDateChange,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from workflows.recipients import recipients_unique
from workflows.services import (
    deadline_rule_save,
    holiday_override_delete,
    holiday_override_save,
)
from workflows.tasks import deliver_notifications

log = logging.getLogger(__name__)

# A pending notification whose attempt is this late has lost its task (a worker killed mid-task,
# a backend that cannot defer): queue it again. Delivery is idempotent.
REQUEUE_AFTER = dt.timedelta(minutes=30)


# --- Preferences ----------------------------------------------------------------------------------


class Preferences:
    """Who wants which kind, loaded in one query. No row means every kind is on; the kinds that
    are not optional (notices of asks) and mailboxes always receive."""

    def __init__(self, rows: Iterable[NotificationPreference]):
        self._rows = {row.user_id: row for row in rows}

    def wants(self, user, kind: str) -> bool:
        if user.pk is None or kind not in NotificationPreference.KINDS:
            return True
        row = self._rows.get(user.pk)
        return True if row is None else row.wants(kind)


def preferences_for(users: Iterable) -> Preferences:
    ids = {u.pk for u in users} - {None}
    if not ids:
        return Preferences([])
    return Preferences(NotificationPreference.objects.filter(user_id__in=ids))


def preference_for(user) -> NotificationPreference:
    """The user's preferences (unsaved defaults when they never chose)."""
    row = NotificationPreference.objects.filter(user=user).first()
    return row or NotificationPreference(user=user)


def preference_save(*, user, choices: dict[str, bool]) -> NotificationPreference:
    unknown = set(choices) - set(NotificationPreference.KINDS)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {', '.join(sorted(unknown))}")
    row, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={k: bool(v) for k, v in choices.items()}
    )
    return row


# --- Links ---------------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    if not path:
        return settings.SITE_URL + "/"
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + (path if path.startswith("/") else "/" + path)


def preferences_url() -> str:
    try:
        return absolute_url(reverse("notifications:preferences"))
    except NoReverseMatch:
        return ""


# --- Writing notifications -----------------------------------------------------------------------


def _render(template: str, context: dict) -> tuple[str, str]:
    context = {
        "site_url": settings.SITE_URL,
        "preferences_url": preferences_url(),
        **context,
    }
    text = render_to_string(f"emails/{template}.txt", context).strip() + "\n"
    html = render_to_string(f"emails/{template}.html", context)
    return text, html


def _recipient_key(recipient) -> dict:
    """How the unique constraint names the recipient: a user, or a mailbox's address."""
    if recipient.pk is None:
        return {"recipient": None, "to_email": recipient.email}
    return {"recipient": recipient}


def notification_build(
    *,
    event_key: str,
    kind: str,
    recipient,
    subject: str,
    template: str,
    context: dict,
    obj=None,
    link: str = "",
    reply_to: str = "",
    run_after: dt.datetime | None = None,
    now: dt.datetime | None = None,
    content_type=None,
    headers: dict | None = None,
) -> Notification | None:
    """One rendered notification, unsaved (None when the recipient cannot be e-mailed).

    `notification_write` saves one; the sweep builds a batch and saves it with
    `notifications_write_many`. `content_type`: the object's, when the caller has it."""
    if not (recipient.is_active and recipient.email):
        return None
    text, html = _render(
        template,
        {"recipient": recipient, "subject": subject, "has_account": recipient.pk is not None}
        | context,
    )
    now = now or timezone.now()
    if obj is not None and content_type is None:
        content_type = ContentType.objects.get_for_model(type(obj))
    return Notification(
        event_key=event_key,
        recipient=recipient if recipient.pk is not None else None,
        kind=kind,
        to_email=recipient.email,
        reply_to=reply_to,
        subject=subject[:200],
        body_text=text,
        body_html=html,
        link=link,
        headers=headers or {},
        content_type=content_type if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        next_attempt_at=run_after or now,
        created_at=now,
    )


def notification_write(
    *,
    event_key: str,
    kind: str,
    recipient,
    subject: str,
    template: str,
    context: dict,
    obj=None,
    link: str = "",
    reply_to: str = "",
    run_after: dt.datetime | None = None,
    headers: dict | None = None,
) -> Notification | None:
    """Write one notification (once per event and recipient) and enqueue its delivery.

    `recipient` is a user or a `Mailbox`. Returns the new notification, or None when it already
    exists or the recipient cannot be e-mailed. Call inside the transaction of the change that
    caused it. `run_after`: hold it until then (it can still be cancelled before).
    """
    if not (recipient.is_active and recipient.email):
        return None
    key = _recipient_key(recipient)
    if Notification.objects.filter(event_key=event_key, **key).exists():
        return None
    built = notification_build(
        event_key=event_key,
        kind=kind,
        recipient=recipient,
        subject=subject,
        template=template,
        context=context,
        obj=obj,
        link=link,
        reply_to=reply_to,
        run_after=run_after,
        headers=headers,
    )
    fields = {
        f.attname: getattr(built, f.attname)
        for f in Notification._meta.concrete_fields
        if not f.primary_key and f.attname not in ("event_key", "recipient_id", *key)
    }
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            event_key=event_key, **key, defaults=fields
        )
        if created:
            enqueue_delivery(notification, run_after=run_after)
    return notification if created else None


def _pair(event_key: str, recipient_id, to_email: str):
    return (event_key, recipient_id if recipient_id is not None else to_email)


def notifications_write_many(built: Sequence[Notification]) -> list[int]:
    """Save a batch of built notifications, skipping those already written (the unique keys:
    ON CONFLICT DO NOTHING), and enqueue ONE delivery task for the new ones. Returns their ids.

    Call inside the batch's transaction. Every row of the batch must carry the same
    `created_at` (the sweep's moment): that is how the rows this call wrote are told from rows
    another sweep wrote at the same time."""
    if not built:
        return []
    stamps = {n.created_at for n in built}
    if len(stamps) != 1:
        raise ValueError("A batch of notifications is written with one created_at.")
    Notification.objects.bulk_create(built, batch_size=500, ignore_conflicts=True)
    wanted = {_pair(n.event_key, n.recipient_id, n.to_email) for n in built}
    ids = [
        pk
        for pk, key, user_id, address in Notification.objects.filter(
            event_key__in={n.event_key for n in built}, created_at=stamps.pop()
        ).values_list("pk", "event_key", "recipient_id", "to_email")
        if _pair(key, user_id, address) in wanted
    ]
    enqueue_deliveries(ids)
    return ids


_SUBJECTS = {
    NotificationKind.REMINDER_BEFORE: "Due {due}: {title}",
    NotificationKind.REMINDER_DUE: "Due today: {title}",
    NotificationKind.REMINDER_OVERDUE: "Overdue: {title}",
    NotificationKind.ESCALATION: "Very overdue ({late} working days): {title}",
}


def _item_notification_args(action, today: dt.date) -> dict:
    item = action.item
    kind = action.notification_kind
    subject = _SUBJECTS[kind].format(
        due=fmt(item.due_on), title=item.title, late=action.working_days_late
    )
    link = absolute_url(item.link)
    return {
        "event_key": action.event_key,
        "kind": kind,
        "subject": subject,
        "template": kind,
        "context": {
            "item": item,
            "due": fmt(item.due_on),
            "today": fmt(today),
            "working_days_late": action.working_days_late,
            "link": link,
            "reminder_days": settings.CF_REMINDER_WORKING_DAYS_BEFORE,
            "very_overdue_days": settings.CF_VERY_OVERDUE_WORKING_DAYS,
        },
        "obj": item.obj,
        "link": link,
    }


def item_notification_create(*, action, recipient, today: dt.date) -> Notification | None:
    """The e-mail for one sweep event (reminder, overdue notice, escalation) to one person."""
    return notification_write(recipient=recipient, **_item_notification_args(action, today))


def item_notification_build(
    *, action, recipient, today: dt.date, now: dt.datetime, content_type=None
) -> Notification | None:
    """The same e-mail, rendered and unsaved, for the sweep's batches."""
    return notification_build(
        recipient=recipient,
        now=now,
        content_type=content_type,
        **_item_notification_args(action, today),
    )


_SECTIONS = [
    ("very_overdue", "Very overdue"),
    ("overdue", "Overdue"),
    ("due_today", "Due today"),
    ("due_soon", "Due soon"),
]


def _digest_args(entries, today: dt.date) -> dict | None:
    sections = []
    for key, heading in _SECTIONS:
        rows = sorted(
            (item for section, item in entries if section == key),
            key=lambda i: (i.due_on, i.kind, i.object_id),
        )
        if rows:
            sections.append(
                {
                    "heading": heading,
                    "items": [
                        {"item": i, "due": fmt(i.due_on), "link": absolute_url(i.link)}
                        for i in rows
                    ],
                }
            )
    if not sections:
        return None
    total = sum(len(s["items"]) for s in sections)
    return {
        "event_key": f"digest:{today.isoformat()}",
        "kind": NotificationKind.DIGEST,
        "subject": f"Deadlines for {fmt(today)}: {total} item{'s' if total != 1 else ''}",
        "template": "digest",
        "context": {"sections": sections, "today": fmt(today), "total": total},
        "link": absolute_url("/"),
    }


def digest_notification_create(*, recipient, entries, today: dt.date) -> Notification | None:
    """An officer's daily digest: what is very overdue, overdue, due today and due soon."""
    args = _digest_args(entries, today)
    return None if args is None else notification_write(recipient=recipient, **args)


def digest_notification_build(
    *, recipient, entries, today: dt.date, now: dt.datetime
) -> Notification | None:
    """The same digest, rendered and unsaved, for the sweep's batches."""
    args = _digest_args(entries, today)
    return None if args is None else notification_build(recipient=recipient, now=now, **args)


# --- Due dates that moved ------------------------------------------------------------------------


def _hold() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CF_DUE_DATE_NOTICE_HOLD_MINUTES)


def notify_due_date_changes(changes: Sequence[DueDateChange]) -> list[Notification]:
    """Tell the people of each moved due date what moved, old and new, and why.

    The people are the item's reminder recipients (e.g. the health body's responders) and the
    officers whose digest lists it. Call in the transaction that recorded the changes.

    A notice is held for CF_DUE_DATE_NOTICE_HOLD_MINUTES before it is sent. A later move of
    the same item while a notice is still held cancels it: when the date is back where the
    person was last told (an edit and its revert), nothing is sent; otherwise one notice says
    the date moved from what they were last told to the new date. So an edit and a revert queue
    nothing, and nobody gets two notices for one item from one burst of changes.
    """
    by_model: dict = {}
    for change in changes:
        by_model.setdefault(change.content_type_id, []).append(change)
    written = []
    run_after = timezone.now() + _hold()
    for ctype_id, model_changes in by_model.items():
        model = ContentType.objects.get_for_id(ctype_id).model_class()
        source = clock_source_for_model(model)
        if source is None or source.items_for is None:
            log.info("no clock source for %s: due date changes not notified", model)
            continue
        ids = [c.object_id for c in model_changes]
        items = {item.object_id: item for item in source.items_for(ids)}
        people = [
            u
            for item in items.values()
            for u in [*item.reminder_recipients, *item.digest_recipients]
        ]
        prefs = preferences_for(people)
        held = _held_notices(ctype_id, ids)
        for change in model_changes:
            item = items.get(change.object_id)
            if item is None:
                continue
            for user in recipients_unique([*item.reminder_recipients, *item.digest_recipients]):
                if not prefs.wants(user, NotificationKind.DUE_DATE_CHANGED):
                    continue
                told_on = change.old_due_on
                overtaken = held.pop((change.object_id, user.pk), [])
                if overtaken:
                    told_on = overtaken[0][1]
                    Notification.objects.filter(pk__in=[n.pk for n, _ in overtaken]).update(
                        state=Notification.State.CANCELLED
                    )
                if told_on == change.new_due_on:
                    continue  # back where they were last told: nothing moved for them
                link = absolute_url(item.link)
                n = notification_write(
                    event_key=f"due_date_change:{change.pk}",
                    kind=NotificationKind.DUE_DATE_CHANGED,
                    recipient=user,
                    subject=f"Due date moved to {fmt(change.new_due_on)}: {item.title}",
                    template="due_date_changed",
                    context={
                        "item": item,
                        "change": change,
                        "old_due": fmt(told_on),
                        "new_due": fmt(change.new_due_on),
                        "link": link,
                    },
                    obj=item.obj,
                    link=link,
                    run_after=run_after,
                )
                if n is not None:
                    written.append(n)
                    held[(change.object_id, user.pk)] = [(n, told_on)]
    return written


# The reminder e-mails the sweep writes about one item; a stopped clock cancels those unsent.
REMINDER_KINDS = (
    NotificationKind.REMINDER_BEFORE,
    NotificationKind.REMINDER_DUE,
    NotificationKind.REMINDER_OVERDUE,
    NotificationKind.ESCALATION,
)


def reminders_cancel(obj) -> int:
    """Drop the reminders about `obj` not yet sent (its clock has stopped: nothing is owed).
    Call in the transaction that stopped the clock. Returns how many were dropped."""
    pending = Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        state=Notification.State.PENDING,
        kind__in=REMINDER_KINDS,
    )
    count, _ = pending.delete()
    return count


def _held_notices(ctype_id, object_ids) -> dict[tuple[int, int], list]:
    """Due-date notices not yet tried, per (item, recipient): [(notice, the date it moved
    from)], oldest first. Locked, so a worker cannot start sending one being cancelled."""
    notices = list(
        Notification.objects.select_for_update()
        .filter(
            kind=NotificationKind.DUE_DATE_CHANGED,
            state=Notification.State.PENDING,
            attempts=0,
            content_type_id=ctype_id,
            object_id__in=object_ids,
        )
        .order_by("created_at", "id")
    )
    change_ids = {
        int(n.event_key.rsplit(":", 1)[1])
        for n in notices
        if n.event_key.startswith("due_date_change:")
    }
    moved_from = dict(
        DueDateChange.objects.filter(pk__in=change_ids).values_list("pk", "old_due_on")
    )
    held: dict[tuple[int, int], list] = {}
    for n in notices:
        change_id = int(n.event_key.rsplit(":", 1)[1])
        if change_id in moved_from:
            held.setdefault((n.object_id, n.recipient_id), []).append((n, moved_from[change_id]))
    return held


def deadline_rule_save_and_notify(*, rule, by=None, **change):
    """`workflows.services.deadline_rule_save`, telling the people whose due dates moved in
    each batch's transaction.

    `change`: `effective_from`, `correction`, `note` (see `deadline_rule_save`)."""
    return deadline_rule_save(rule=rule, by=by, on_batch=notify_due_date_changes, **change)


def holiday_override_save_and_notify(*, override, by=None):
    return holiday_override_save(override=override, by=by, on_batch=notify_due_date_changes)


def holiday_override_delete_and_notify(*, override, by=None):
    return holiday_override_delete(override=override, by=by, on_batch=notify_due_date_changes)


# --- Delivery -----------------------------------------------------------------------------------


def _backend_shares_our_database(backend) -> bool:
    """True when enqueueing writes to our own database (django-tasks-db), so it can join the
    transaction of the change; other backends are told after commit."""
    return type(backend).__module__.startswith("django_tasks_db")


def enqueue_delivery(notification: Notification, *, run_after: dt.datetime | None = None):
    from workflows.tasks import deliver_notification

    task = deliver_notification
    backend = task.get_backend()
    if run_after is not None:
        if not backend.supports_defer:
            return  # the sweep re-queues it when its time comes
        task = task.using(run_after=run_after)
    pk = notification.pk
    if _backend_shares_our_database(backend):
        task.enqueue(pk)
    else:
        transaction.on_commit(lambda: task.enqueue(pk))


def enqueue_deliveries(notification_ids: Sequence[int]) -> None:
    """One delivery task for a batch of new notifications (the sweep's batches): a worker
    sends them one after another, each claimed and recorded as `notification_deliver` does."""
    ids = list(notification_ids)
    if not ids:
        return
    task = deliver_notifications
    if _backend_shares_our_database(task.get_backend()):
        task.enqueue(ids)
    else:
        transaction.on_commit(lambda: task.enqueue(ids))


def backoff(attempts: int) -> dt.timedelta:
    """Seconds before the next attempt: BASE × 2^(attempts-1), capped at MAX."""
    seconds = settings.CF_NOTIFY_BACKOFF_BASE * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.CF_NOTIFY_BACKOFF_MAX))


MESSAGE_ID = re.compile(r"cf-notification-(\d{1,18})-(\d{1,12})@")


def notification_for_message_id(text: str) -> Notification | None:
    """The notification whose Message-ID (`message_id`) appears in `text` (a bounce quotes the
    headers of the message it reports), or None."""
    for pk, stamp in MESSAGE_ID.findall(text or ""):
        n = Notification.objects.filter(pk=int(pk)).first()
        if n is not None and int(n.created_at.timestamp()) == int(stamp):
            return n
    return None


def notification_bounced(notification: Notification, *, reason: str) -> bool:
    """A delivery report says `notification` never reached its recipient: it is failed, with
    the report's reason, whatever the mail server said when it was handed over. True when this
    changed it."""
    return bool(
        Notification.objects.filter(pk=notification.pk)
        .exclude(state=Notification.State.CANCELLED)
        .update(state=Notification.State.FAILED, last_error=f"Bounced: {reason}"[:2000])
    )


def message_id(notification: Notification) -> str:
    """The same Message-ID every time this notification is sent, so that a resend after a crash
    between sending and recording is recognisably the same message (mail clients and servers
    drop the duplicate)."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = int(notification.created_at.timestamp())
    return f"<cf-notification-{notification.pk}-{stamp}@{domain}>"


def _send(notification: Notification) -> None:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        reply_to=[notification.reply_to] if notification.reply_to else None,
        headers={**(notification.headers or {}), "Message-ID": message_id(notification)},
    )
    message.attach_alternative(notification.body_html, "text/html")
    message.send(fail_silently=False)


def _lease() -> dt.timedelta:
    """How long a claimed notification is left to the worker that claimed it."""
    return dt.timedelta(seconds=2 * (getattr(settings, "EMAIL_TIMEOUT", None) or 30) + 60)


def notification_deliver(notification_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one pending notification; on failure schedule a retry. Returns what happened.

    Three steps, so no database lock is held while the mail server is talked to: claim the
    notification (locked: it must be pending and due; its next attempt moves past a lease, so a
    second task for it finds it "not yet" and leaves it), send it, then record the outcome
    (locked). A worker that dies mid-send leaves it pending; the sweep re-queues it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None:
            return "missing"
        if notification.state != Notification.State.PENDING:
            return f"already {notification.state}"
        if notification.next_attempt_at > now:
            return "not yet"
        notification.attempts += 1
        notification.next_attempt_at = now + _lease()
        notification.save(update_fields=["attempts", "next_attempt_at"])

    try:
        _send(notification)
    except Exception as exc:  # any transport failure: keep it and try again later
        error = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        error = None

    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if error is None:
            notification.state = Notification.State.SENT
            notification.sent_at = now
            notification.last_error = ""
            notification.save(update_fields=["state", "sent_at", "last_error"])
            return "sent"
        notification.last_error = error
        if notification.attempts >= settings.CF_NOTIFY_MAX_ATTEMPTS:
            notification.state = Notification.State.FAILED
            outcome = "failed"
            log.error(
                "notification %s failed after %d attempts: %s",
                notification.pk,
                notification.attempts,
                error,
            )
        else:
            notification.next_attempt_at = now + backoff(notification.attempts)
            enqueue_delivery(notification, run_after=notification.next_attempt_at)
            outcome = "retry"
            log.warning(
                "notification %s not sent (attempt %d), retry at %s: %s",
                notification.pk,
                notification.attempts,
                notification.next_attempt_at,
                error,
            )
        notification.save(update_fields=["last_error", "state", "next_attempt_at"])
        return outcome


def notifications_requeue_due(*, now: dt.datetime | None = None) -> int:
    """Queue again the pending notifications whose attempt is over REQUEUE_AFTER late.

    Their task was lost (a worker's database was restored, the backend cannot defer, …).
    Delivery is idempotent, so a task that was merely slow does no harm.
    """
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stale = Notification.objects.select_for_update(skip_locked=True).filter(
            state=Notification.State.PENDING, next_attempt_at__lte=now - REQUEUE_AFTER
        )
        for notification in stale[:500]:
            notification.next_attempt_at = now
            notification.save(update_fields=["next_attempt_at"])
            enqueue_delivery(notification)
            count += 1
    return count


def notification_retry(*, notification: Notification) -> None:
    """An administrator's retry of a failed notification: pending again, attempts kept."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.state != Notification.State.FAILED:
            return
        locked.state = Notification.State.PENDING
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["state", "next_attempt_at"])
        enqueue_delivery(locked)
