"""Two real web processes on one database agree on publication at once: the public cache and
its version live in the shared (database) cache, not in each process's memory. Before, with a
per-process memory cache, a withdrawn topic was still served 10-12 times out of 20."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from redis import Redis

# Run again in the queue run (make test-queue) with CACHE_URL on Redis instead of the database.
pytestmark = pytest.mark.queue

UNPUBLISH = """
from django.contrib.auth import get_user_model
from scrutiny.casework.models import Topic
from scrutiny.casework.publication import topic_unpublish
topic = Topic.objects.get(pk={pk})
officer = get_user_model().objects.get(username="northby-link-officer")
topic_unpublish(topic=topic, by=officer, reason="Published by mistake")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:  # refused, reset or timed out while the server boots
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def _shared_cache_url() -> str:
    """The queue run's Redis cache (emptied first), else the database cache."""
    url = os.environ.get("CACHE_URL", "")
    if url.startswith(("redis://", "rediss://")):
        Redis.from_url(url).flushdb()
        return url
    return "db://cf_cache"


@pytest.fixture
def environment(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"CF_ENV", "DATABASE_URL"}},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "CACHE_URL": _shared_cache_url(),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["createcachetable"], ["seed_demo"]):
        subprocess.run(
            manage + command, cwd=settings.BASE_DIR, env=env, check=True, capture_output=True
        )
    return env


def test_two_web_processes_agree_on_an_unpublished_topic_at_once(environment):
    base = settings.BASE_DIR
    pk = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from scrutiny.casework.models import Topic; "
            "print(Topic.objects.filter(published_at__isnull=False).order_by('pk')[0].pk)",
        ],
        cwd=base,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "scrutiny.wsgi",
            ],
            cwd=base,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 120
        for port in ports:
            _wait(f"http://127.0.0.1:{port}/healthz", deadline)
        urls = [f"http://127.0.0.1:{port}/outcomes/{pk}/" for port in ports]
        assert [_status(u) for u in urls for _ in range(3)] == [200] * 6  # each has it cached
        subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", UNPUBLISH.format(pk=pk)],
            cwd=base,
            env=environment,
            check=True,
            capture_output=True,
        )
        assert [_status(u) for u in urls for _ in range(10)] == [404] * 20
        if environment["CACHE_URL"].startswith("redis"):
            assert Redis.from_url(environment["CACHE_URL"]).dbsize() > 0  # it went through Redis
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
