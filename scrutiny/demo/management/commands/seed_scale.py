import os
import resource
import time

from django.core.management.base import BaseCommand, CommandError

from scrutiny.casework.search import search_reindex
from scrutiny.demo.scale import RefuseToSeed, Shape, seed_scale


class Command(BaseCommand):
    help = (
        "Load the national-scale data set (issue 13) into an empty database: --scale 1.0 is "
        "every area in England, 0.001 a test's worth. Every user's password is $DEMO_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-search-index",
            action="store_true",
            help="Do not build the search index after loading (run search_reindex --missing).",
        )
        parser.add_argument(
            "--scale", type=float, default=0.01, help="1.0 = national (default 0.01)"
        )
        parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")

    def handle(self, *args, **options):
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        password = os.environ.get("DEMO_PASSWORD", "")
        if not password:
            raise CommandError("Set DEMO_PASSWORD: every seeded user signs in with it.")
        shape = Shape.at(scale)
        self.stderr.write(
            f"seed_scale: {shape.partnerships} partnerships, {shape.topics} topics, "
            f"{shape.requests} requests, {shape.recommendations} recommendations, "
            f"{shape.meetings} meetings…"
        )
        started = time.monotonic()
        try:
            printed, written = seed_scale(scale, password, seed=options["seed"])
        except RefuseToSeed as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for label, count in sorted(written.items()):
            self.stderr.write(f"  {label:<40} {count:>10}")
        self.stderr.write(f"seed_scale: loaded in {seconds:.1f} s, peak memory {peak_mb:.0f} MB")
        if not options["no_search_index"]:
            # The loader writes rows without the services, so the search index (ADR 0020) is
            # built afterwards, topic by topic, as `search_reindex --missing` would.
            started = time.monotonic()
            entries = search_reindex(only_missing=True)
            self.stderr.write(
                f"seed_scale: {entries} search entries in {time.monotonic() - started:.1f} s"
            )
        self.stdout.write(f"officer {printed.officer}")
        self.stdout.write(f"member {printed.member}")
        self.stdout.write(f"api-key {printed.responder} {printed.api_key}")
