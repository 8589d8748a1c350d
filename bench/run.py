"""Benchmarks, run on demand (`make bench`): clocks, recompute, and pages at growing data sizes.

Builds a throwaway SQLite database (or uses DATABASE_URL when it names PostgreSQL), fills it
through the services, and prints a Markdown table of timings and query counts. Results are kept
in docs/benchmarks.md by hand; nothing here asserts a time.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")
os.environ.setdefault("CF_ENV", "test")
os.environ["ALLOWED_HOSTS"] = "testserver"
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ROWS: list[tuple[str, str, str]] = []


def timed(label: str, fn, *, repeat: int = 5, unit_count: int = 1, note: str = ""):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    best, median = min(samples), statistics.median(samples)
    if unit_count > 1:
        value = f"{unit_count / median:,.0f} per second (median of {repeat})"
    else:
        value = f"median {median * 1000:,.1f} ms, best {best * 1000:,.1f} ms ({repeat} runs)"
    ROWS.append((label, value, note))


def bench_clocks():
    from workflows.clocks import calendar_for, compute_due
    from workflows.models import DeadlineRule

    cal = calendar_for("england-and-wales")
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(730)]
    for slug in ("link-information-request", "osc-recommendation-response", "agenda-publication"):
        rule = DeadlineRule.objects.get(slug=slug)

        def run(rule=rule):
            for day in days:
                compute_due(rule, day, calendar=cal)

        timed(f"compute_due `{slug}`", run, unit_count=len(days))


def fill(n_topics: int):
    """n joint topics in response_due, each with one issued request, across two partnerships."""
    from django.contrib.auth import get_user_model

    from scrutiny.casework import publication, services
    from scrutiny.casework.models import Organisation, Partnership, Topic
    from scrutiny.casework.policy import body_ids
    from scrutiny.casework.roles import Perm

    partnership = Partnership.objects.get(slug="northby")
    officer = get_user_model().objects.get(username="northby-link-officer")
    body_ids(officer, Perm.TOPIC_MANAGE)
    trust = Organisation.objects.get(slug="northby-hospitals")
    scores = {
        "timely": 2,
        "organisational_priority": 1,
        "public_interest": 2,
        "influence": 1,
        "cost_effective": 1,
    }
    have = Topic.objects.filter(title__startswith="Bench topic").count()
    for i in range(have, n_topics):
        topic = services.topic_raise(
            by=officer,
            title=f"Bench topic {i}",
            summary="Generated for the benchmark.",
            partnership=partnership,
            lead_body=partnership.involvement_network,
        )
        topic = services.topic_prioritise(topic=topic, by=officer, scores=scores)
        topic = services.topic_request_information(topic=topic, by=officer)
        services.information_request_draft(
            topic=topic, by=officer, recipient=trust, question=f"Question {i}"
        )
        services.topic_issue_requests(
            topic=topic, by=officer, on=dt.date(2026, 12, 1) + dt.timedelta(days=i % 60)
        )
        publication.topic_publish(topic=topic, by=officer)


def bench_pages(size: int):
    from workflows.cache import public_cache_bump

    client = Client()
    client.login(username="northby-link-officer", password=os.environ["DEMO_PASSWORD"])
    public = Client()
    pages = [
        ("staff", "/work/"),
        ("staff", "/topics/"),
        ("public", "/"),
        ("public", "/outcomes/"),
        ("public", "/health-bodies/"),
        ("public", "/meetings/"),
        ("public", "/calendar.ics"),
    ]
    for who, url in pages:
        c = client if who == "staff" else public
        probe = c.get(url)
        if probe.status_code != 200:
            ROWS.append(
                (
                    f"GET {url} ({who}) at {size} topics",
                    f"status {probe.status_code}",
                    "not measured",
                )
            )
            continue

        def get(c=c, url=url):
            public_cache_bump()  # measure the page as built, not a cache hit
            return c.get(url)

        with CaptureQueriesContext(connection) as ctx:
            get()
        timed(
            f"GET {url} ({who}) at {size} published topics",
            get,
            note=f"{len(ctx.captured_queries)} queries, cache cold",
        )


def bench_recompute(size: int):
    from workflows.services import clocks_recompute

    timed(
        f"clocks_recompute, ~{size} open clocks, nothing moves",
        lambda: clocks_recompute(reason="benchmark"),
        repeat=3,
    )


def main():
    os.environ.setdefault("DEMO_PASSWORD", "bench-password-123")
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    bench_clocks()
    for size in (100, 1000):
        fill(size)
        reset_queries()
        bench_recompute(size)
        bench_pages(size)
    print(f"Database: {connection.vendor}; Python {sys.version.split()[0]}; {os.cpu_count()} cores")
    print()
    print("| what | result | note |")
    print("|---|---|---|")
    for label, value, note in ROWS:
        print(f"| {label} | {value} | {note} |")


if __name__ == "__main__":
    main()
