"""Re-queue task rows a dead worker left RUNNING (run by the scheduler every five minutes)."""

import datetime as dt

from django.core.management.base import BaseCommand

from workflows.tasks import tasks_recover_orphaned


class Command(BaseCommand):
    help = "Put back in the queue the tasks a worker that died left RUNNING."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=float, default=10.0)

    def handle(self, *args, older_than_minutes=10.0, **options):
        count = tasks_recover_orphaned(older_than=dt.timedelta(minutes=older_than_minutes))
        self.stdout.write(f"{count} orphaned task(s) re-queued.")
