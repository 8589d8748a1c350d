"""`python manage.py sweep_deadlines [--today YYYY-MM-DD] [--dry-run]`.

Marks overdue and very overdue items, writes reminders, escalations and the officers' daily
digests, and re-queues notifications whose delivery task was lost. Safe to run every few minutes
from cron or a systemd timer, and safe to run twice at once.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from workflows.sweep import sweep_run


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today takes a date as YYYY-MM-DD, not {value!r}.") from exc


class Command(BaseCommand):
    help = "Mark overdue deadlines, send reminders and escalations, and the daily digests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Run as of this day (YYYY-MM-DD) instead of today; sends digests."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be marked and sent (counts by kind, and the items); "
            "change nothing.",
        )
        parser.add_argument(
            "--no-digests", action="store_true", help="Do not write the officers' digests."
        )

    def handle(self, *args, today=None, dry_run=False, no_digests=False, **options):
        day = _date(today) if today else None
        report = sweep_run(today=day, dry_run=dry_run, with_digests=False if no_digests else None)
        for line in report.lines():
            self.stdout.write(line)
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} item(s) failed; the next sweep tries them again."
            )
