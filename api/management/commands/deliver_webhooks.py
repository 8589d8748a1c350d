"""Fan new audit events out into webhook deliveries and send those that are due: run from cron
each minute, or with --loop."""

import time

from django.core.management.base import BaseCommand

from api.webhooks import deliver_due


class Command(BaseCommand):
    help = "Queue deliveries for new events; POST those due, retrying with exponential backoff."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running.")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between runs.")
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, loop=False, interval=10.0, limit=100, **options):
        while True:
            attempts = deliver_due(limit=limit)
            for attempt in attempts:
                outcome = attempt.status_code or attempt.error
                self.stdout.write(
                    f"delivery {attempt.delivery.event_id} attempt {attempt.number}: {outcome}"
                )
            if not loop:
                self.stdout.write(f"{len(attempts)} attempt(s) made.")
                return
            time.sleep(interval)
