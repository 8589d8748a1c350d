"""A resident reaches every published outcome, every health body's record and the meetings
from the home page by following links alone."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

from scrutiny.casework.models import Organisation
from tests.public.builders import build_topic

HREF = re.compile(r'href="([^"#]+)')
SKIP = ("/accounts/", "/admin/", "/api/", "/static/", "/data/", "/topics/", "/work/")


def crawl(client, start="/", limit=400):
    seen, queue = {start}, deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(href)
            if parts.netloc or href.startswith(SKIP) or href.endswith((".atom", ".ics")):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_every_published_outcome_and_record_is_reachable_from_home(
    client, area, officer, responder
):
    published = [
        build_topic(area, officer, responder, target="prioritised", title=f"Open {i}")
        for i in range(23)  # more than one page of outcomes
    ]
    published.append(build_topic(area, officer, responder, target="declined", title="Declined"))
    published.append(build_topic(area, officer, responder, title="Concluded"))
    hidden = build_topic(area, officer, responder, title="Hidden", publish=False)

    visited = {urlsplit(u).path for u in crawl(client)}
    for topic in published:
        assert f"/outcomes/{topic.pk}/" in visited
    assert f"/outcomes/{hidden.pk}/" not in visited
    for slug in Organisation.objects.filter(kind="health_body").values_list("slug", flat=True):
        assert f"/health-bodies/{slug}/" in visited
    assert "/suggest/" in visited
    try:
        resolve("/meetings/")
    except Resolver404:
        return  # the meetings pages are another package's; reachable once they exist
    assert "/meetings/" in visited
    assert client.get("/meetings/").status_code == 200
