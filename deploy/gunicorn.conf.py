"""gunicorn settings for the web process (docs/deploy.md). Each is overridable from the
environment, e.g. WEB_CONCURRENCY=4 or GUNICORN_BIND=unix:/run/critical-friend.sock."""

import multiprocessing
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrutiny.startup import settings_load_or_exit

# The master checks the settings once, before any worker starts: a bad one stops it with one line.
settings_load_or_exit(serving=True)

bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(multiprocessing.cpu_count() * 2 + 1, 8))))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Restart each worker after this many requests (with jitter) so no leak can grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Trust X-Forwarded-* only from the proxy in front (set to its address, or * inside a container
# network where only the proxy can reach the web process).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
