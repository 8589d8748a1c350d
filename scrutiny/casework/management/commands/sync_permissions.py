"""Rebuild the topic access index from memberships, partnerships and what was issued."""

from django.core.management.base import BaseCommand

from scrutiny.casework import grants


class Command(BaseCommand):
    help = "Rebuild every topic's access rows from the casework, a chunk of topics at a time."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=grants.SYNC_CHUNK)

    def handle(self, *args, chunk_size, **options):
        if chunk_size < 1:
            self.stderr.write("--chunk-size must be at least 1.")
            raise SystemExit(2)
        summary = grants.sync_all(chunk_size=chunk_size)
        self.stdout.write(
            "Permissions synchronised: "
            + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items())
        )
