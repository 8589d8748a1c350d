"""The benchmark's anchors (/bench/) exist only when CF_BENCH_ANCHORS=1."""

import importlib

import pytest
from django.urls import clear_url_caches

import scrutiny.urls

ANCHORS = ("/bench/trivial/", "/bench/drf/organisations/")


@pytest.mark.parametrize("url", ANCHORS)
def test_the_anchors_are_not_there_without_the_setting(client, db, url):
    assert client.get(url).status_code == 404


@pytest.fixture
def anchors_on(settings):
    settings.CF_BENCH_ANCHORS = True
    importlib.reload(scrutiny.urls)
    clear_url_caches()
    yield
    settings.CF_BENCH_ANCHORS = False
    importlib.reload(scrutiny.urls)
    clear_url_caches()


def test_the_anchors_answer_with_the_setting(client, db, anchors_on, area):
    assert client.get("/bench/trivial/").content == b"ok\n"
    listed = client.get("/bench/drf/organisations/").json()
    assert listed["count"] >= 1
    assert {o["slug"] for o in listed["results"]} >= {area.trust.slug}


def test_every_benchmarked_page_is_a_route():
    """A page renamed or removed must leave the benchmark's list too (bench/pages.py)."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    from bench.pages import PAGES

    missing = []
    for label, path, _who in PAGES:
        if path.startswith("/bench/"):
            continue  # the anchors: routed only with the setting, tested above
        try:
            resolve(urlsplit(path.format(topic=1, outcome=1)).path)
        except Resolver404:
            missing.append(label)
    assert missing == []
