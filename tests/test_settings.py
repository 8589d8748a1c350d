"""SECRET_KEY: servers refuse to start without it; offline commands do not need it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code_or_args, *, module=False):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "CF_ENV"}}
    env["DATABASE_URL"] = "sqlite:///:memory:"
    args = [sys.executable, *code_or_args] if module else [sys.executable, "-c", code_or_args]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_wsgi_application_refuses_to_start_without_a_secret_key():
    result = _run("import scrutiny.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr


def test_makemigrations_check_runs_without_a_secret_key():
    result = _run(["manage.py", "makemigrations", "--check", "--dry-run"], module=True)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_wsgi_application_starts_with_a_secret_key():
    result = _run(
        "import os; os.environ['SECRET_KEY'] = 'x' * 50; os.environ['ALLOWED_HOSTS'] = 'a.example';"
        "os.environ['SITE_URL'] = 'https://a.example';"
        "import scrutiny.wsgi"
    )
    assert result.returncode == 0, result.stderr
