"""`manage.py task_worker`: the worker of whichever task backend is configured (TASKS_URL).

One command line for the Procfile, the systemd unit and the container whatever the queue:
the database backend's `db_worker`, or RQ's `rqworker` with the job class django-tasks-rq needs
and its scheduler on (a retry's delivery is deferred). `--batch` runs what is queued, then stops.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

RQ_BACKEND = "django_tasks_rq.RQBackend"
DB_BACKEND = "django_tasks_db.DatabaseBackend"


class Command(BaseCommand):
    help = "Run the task worker of the configured task backend (database or RQ)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run every queued task, then stop."
        )

    def handle(self, *args, batch=False, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        queues = settings.TASKS["default"].get("QUEUES", ["default"])
        verbosity = options["verbosity"]
        if backend == DB_BACKEND:
            call_command(
                "db_worker",
                queue_name=",".join(queues),
                batch=batch,
                reload=False,
                verbosity=verbosity,
            )
        elif backend == RQ_BACKEND:
            call_command(
                "rqworker",
                *queues,
                job_class="django_tasks_rq.Job",
                with_scheduler=True,
                burst=batch,
                verbosity=verbosity,
            )
        else:
            raise CommandError(
                f"TASKS_BACKEND {backend} has no worker here: run that backend's own worker."
            )
