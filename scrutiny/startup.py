"""Start-up: a missing or wrong setting stops the process with one line naming it.

Every entry point calls `settings_load_or_exit` before Django starts: manage.py (so every
command, the task worker and the scheduler), the WSGI/ASGI applications and gunicorn's master
(deploy/gunicorn.conf.py). A `SettingError` raised while reading the environment
(scrutiny/settings.py) is printed as

    Critical Friend cannot start: CF_LOGIN_FAILURE_LIMIT must be a whole number (default 5),
    not 'abc'.  (all on one line)

with no traceback, and the process exits with status 4 (which gunicorn's master takes as "the
application failed to load" and stops, rather than restarting workers for ever). Servers and
workers also need what offline commands do not (`require_serving_settings`): a SECRET_KEY and,
outside DEBUG, an https SITE_URL and ALLOWED_HOSTS.
"""

from __future__ import annotations

import importlib
import os
import sys

from django.core.exceptions import ImproperlyConfigured

EXIT_BAD_SETTING = 4

# manage.py commands that serve people or run their work: they need the serving settings.
SERVING_COMMANDS = frozenset(
    {"runserver", "task_worker", "db_worker", "rqworker", "deliver_webhooks", "run_scheduler"}
)


class SettingError(ImproperlyConfigured):
    """A setting from the environment is missing or wrong (one line: the name, what is
    expected and, unless it may hold a password, what was given)."""

    def __init__(self, name: str, expected: str, value: str | None = None):
        self.setting = name
        got = "" if value is None else f", not {value!r}"
        super().__init__(f"{name} must be {expected}{got}.")


def settings_load_or_exit(*, serving: bool) -> None:
    """Import the settings module (DJANGO_SETTINGS_MODULE); on a bad setting print one line
    and exit. `serving`: also require what a server or worker needs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")
    try:
        module = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
        if serving and hasattr(module, "require_serving_settings"):
            module.require_serving_settings()
    except SettingError as exc:
        print(f"Critical Friend cannot start: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_BAD_SETTING) from None


def command_serves(argv: list[str]) -> bool:
    return len(argv) > 1 and argv[1] in SERVING_COMMANDS
