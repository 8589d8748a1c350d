"""Rebuild the search index (`scrutiny.casework.search`), or fill in what is missing.

Run `search_reindex --missing` once after migrating to `0016_search` (the backfill) and after a
bulk load that bypassed the services (`seed_scale`); run it without options to rebuild every
entry, e.g. after changing what an entry holds. Topics are indexed in batches, each in its own
transaction; the services keep the index current from then on.
"""

from django.core.management.base import BaseCommand, CommandError

from scrutiny.casework.search import BATCH, search_reindex


class Command(BaseCommand):
    help = "Rebuild the search index (or, with --missing, index the topics not yet indexed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only topics without an entry (the backfill after migrating).",
        )
        parser.add_argument("--batch", type=int, default=BATCH, help="Topics per transaction.")

    def handle(self, *args, missing=False, batch=BATCH, verbosity=1, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")

        def progress(last_id, written):
            if verbosity > 1:
                self.stdout.write(f"  up to topic {last_id}: {written} entries")

        written = search_reindex(only_missing=missing, batch=batch, progress=progress)
        self.stdout.write(f"Search index: {written} entries written.")
