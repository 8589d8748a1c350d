"""Forget old Idempotency-Key records: run daily from cron."""

import datetime as dt

from django.core.management.base import BaseCommand

from api.idempotency import purge


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than --days (default 7)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days=7, **options):
        deleted = purge(older_than=dt.timedelta(days=days))
        self.stdout.write(f"{deleted} idempotency record(s) deleted.")
