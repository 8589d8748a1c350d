"""Measure the public reads of issue 13 part 2b in-process (Django test client, cold cache):
`/outcomes/?q=stroke`, the biggest health body's page, the public API's topics, the topic with
the most requests. Run against a clone of a `seed_scale` database, never the seeded one:

    DATABASE_URL=postgres://…/clone CF_ENV=test PYTHONPATH=. python bench/public_reads.py

Prints, per page: status, median and best time of three cold requests, queries, bytes.
"""

import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from scrutiny.casework.models import InformationRequest, Organisation  # noqa: E402


def main(argv):
    body = (
        Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY)
        .annotate(n=Count("topics_about"))
        .order_by("-n")
        .values_list("slug", flat=True)
        .first()
    )
    busiest = (
        InformationRequest.all_objects.issued()
        .filter(topic__published_at__isnull=False)
        .values("topic_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    urls = argv or [
        "/outcomes/?q=stroke",
        "/outcomes/?q=stroke&page=3",
        "/outcomes/",
        f"/health-bodies/{body}/",
        f"/health-bodies/{body}/?page=2",
        "/api/v1/public/topics/",
        f"/outcomes/{busiest['topic_id']}/",
    ]
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    for url in urls:
        times = []
        for _ in range(3):
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
        print(
            f"{url}\t{response.status_code}\tmedian {statistics.median(times):.0f} ms"
            f"\tbest {min(times):.0f} ms\t{len(ctx.captured_queries)} queries"
            f"\t{len(response.content):,} bytes"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
