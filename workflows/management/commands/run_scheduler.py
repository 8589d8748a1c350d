"""Run the periodic jobs (settings.CF_SCHEDULE) for as long as the process lives."""

import signal
import time

from django.core.management.base import BaseCommand

from workflows import scheduler


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs: the deadline sweep every five minutes, the purges, the worker "
        "heartbeat. Safe to start twice: only the holder of the database lease runs jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=10.0, help="Seconds between ticks.")
        parser.add_argument("--once", action="store_true", help="One tick, then exit.")

    def handle(self, *args, tick=10.0, once=False, **options):
        holder = scheduler.holder_id()
        lease_seconds = max(int(tick * 6), 30)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stdout.write(f"scheduler {holder}: ticking every {tick:g}s")
        waiting = False
        try:
            while not stopping:
                if not scheduler.lease_acquire(holder=holder, seconds=lease_seconds):
                    if not waiting:
                        self.stdout.write("another scheduler holds the lease; waiting")
                        waiting = True
                else:
                    waiting = False
                    for run in scheduler.tick(holder=holder, lease_seconds=lease_seconds):
                        self.stdout.write(f"{run.name}: {run.last_outcome}")
                if once:
                    return
                time.sleep(tick)
        except KeyboardInterrupt:
            pass
        finally:
            scheduler.lease_release(holder=holder)
