"""Background tasks (Django's task framework API, through the django-tasks package).

Run them with the worker of the configured backend: `python manage.py db_worker` for the
default database backend (django-tasks-db).
"""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_notification(notification_id: int) -> str:
    """Deliver one notification from the outbox (idempotent; retries itself on failure)."""
    from workflows.notifications import notification_deliver

    return notification_deliver(notification_id)
