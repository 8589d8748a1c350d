"""Rebuild the search index (`scrutiny.casework.search`), or fill in what is missing.

Run `search_reindex --missing` once after migrating to `0016_search` (the backfill) and after a
bulk load that bypassed the services (`seed_scale`); run it without options to rebuild every
entry, e.g. after changing what an entry holds. Every registered source is rebuilt (topics with
their requests, recommendations and responses; visits; consultations; meetings, agenda items,
papers — their text extracted again from the files — and minutes), in batches, each in its own
transaction; the services keep the index current from then on. `--only NAME` rebuilds one
source.
"""

from django.core.management.base import BaseCommand, CommandError

from scrutiny.casework.search import BATCH, SOURCES, search_reindex


class Command(BaseCommand):
    help = "Rebuild the search index (or, with --missing, index the topics not yet indexed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only topics without an entry (the backfill after migrating).",
        )
        parser.add_argument("--batch", type=int, default=BATCH, help="Objects per transaction.")
        parser.add_argument(
            "--only",
            action="append",
            choices=sorted(SOURCES),
            help="Rebuild only this source (repeatable).",
        )

    def handle(self, *args, missing=False, batch=BATCH, only=None, verbosity=1, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")

        def progress(source, last_id, written):
            if verbosity > 1:
                self.stdout.write(f"  {source} up to {last_id}: {written} entries")

        written = search_reindex(only_missing=missing, batch=batch, progress=progress, sources=only)
        self.stdout.write(f"Search index: {written} entries written.")
