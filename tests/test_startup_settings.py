"""A missing or wrong setting stops manage.py, the WSGI application, gunicorn and the task worker
at start with one line naming the setting and what is expected: no traceback wall."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scrutiny.startup import EXIT_BAD_SETTING

ROOT = Path(__file__).resolve().parent.parent
# A production-like environment that starts: each case below spoils one setting.
GOOD = {
    "SECRET_KEY": "s" * 50,
    "SITE_URL": "https://scrutiny.example.org",
    "ALLOWED_HOSTS": "scrutiny.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}
DROPPED = {"CF_ENV", "DEBUG", "CACHE_URL", "TASKS_URL", "TASKS_BACKEND", *GOOD}


def _env(**changes):
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(GOOD)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _run(args, env, timeout=120):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _one_line(result) -> str:
    assert result.returncode == EXIT_BAD_SETTING, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("Critical Friend cannot start: ")
    return line


BAD = [
    (
        {"CF_LOGIN_FAILURE_LIMIT": "abc"},
        "CF_LOGIN_FAILURE_LIMIT must be a whole number (default 5), not 'abc'.",
    ),
    ({"CF_NOTIFY_MAX_ATTEMPTS": "0"}, "CF_NOTIFY_MAX_ATTEMPTS must be a whole number of at least"),
    ({"EMAIL_PORT": "25.5"}, "EMAIL_PORT must be a whole number"),
    ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL must be db://TABLE, redis://"),
    ({"DATABASE_URL": "postgress://db/cf"}, "DATABASE_URL must be postgres://"),
    ({"TASKS_URL": "amqp://broker"}, "TASKS_URL must be db:// (the database) or redis://"),
    ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be database, rq, immediate or a backend"),
    ({"TASKS_BACKEND": "rq"}, "TASKS_URL must be redis://HOST:PORT/DB when TASKS_BACKEND is rq"),
]


@pytest.mark.parametrize(("changes", "message"), BAD, ids=[next(iter(c)) for c, _ in BAD])
def test_manage_py_names_the_bad_setting_in_one_line(changes, message):
    line = _one_line(_run(["manage.py", "check"], _env(**changes)))
    assert message in line


def test_a_password_in_a_bad_url_is_not_shown():
    line = _one_line(
        _run(["manage.py", "check"], _env(DATABASE_URL="mysqlx://cf:hunter2@db.internal/cf"))
    )
    assert "hunter2" not in line
    assert "'mysqlx://…@db.internal/cf'" in line


SERVING = [
    ({"SECRET_KEY": None}, "SECRET_KEY must be set when DEBUG is off"),
    ({"SITE_URL": "http://scrutiny.example.org"}, "SITE_URL must be the https:// address"),
    ({"SITE_URL": None}, "SITE_URL must be the https:// address"),
    ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set when DEBUG is off"),
]


@pytest.mark.parametrize(("changes", "message"), SERVING)
def test_the_wsgi_application_needs_the_serving_settings(changes, message):
    assert message in _one_line(_run(["-c", "import scrutiny.wsgi"], _env(**changes)))


def test_the_wsgi_application_names_a_bad_integer_too():
    line = _one_line(_run(["-c", "import scrutiny.wsgi"], _env(CF_TRUSTED_PROXY_COUNT="two")))
    assert "CF_TRUSTED_PROXY_COUNT must be a whole number (default 0), not 'two'." in line


def test_the_task_worker_needs_the_serving_settings():
    line = _one_line(_run(["manage.py", "task_worker"], _env(SECRET_KEY=None)))
    assert "SECRET_KEY must be set when DEBUG is off" in line


def test_an_offline_command_runs_without_the_serving_settings():
    result = _run(["manage.py", "check"], _env(SECRET_KEY=None, SITE_URL=None))
    assert result.returncode == 0, result.stderr


def test_gunicorn_stops_at_once_with_one_line():
    """The master checks before any worker boots, so it stops instead of restarting workers."""
    result = _run(
        ["-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind", "127.0.0.1:0"]
        + ["scrutiny.wsgi"],
        _env(CACHE_URL="redis//cache"),
        timeout=60,
    )
    assert "CACHE_URL must be db://TABLE" in _one_line(result)
