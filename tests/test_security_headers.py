"""Secure by default: response headers on every kind of page, and `check --deploy` with the four
production settings."""

import subprocess
import sys

import pytest
from django.conf import settings

PAGES = ["/", "/outcomes/", "/accounts/login/", "/api/v1/public/topics/", "/calendar.ics"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_page_template_has_an_inline_script():
    """The policy forbids inline script, so the templates must not carry any."""
    templates = settings.BASE_DIR / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        for chunk in text.split("<script")[1:]:
            opening = chunk.split(">", 1)[0]
            assert "src=" in opening, f"inline <script> in {path.relative_to(templates)}"


def test_the_swagger_page_alone_allows_inline_styles(client, db):
    csp = client.get("/api/docs/").headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "script-src 'self'" in csp and "script-src 'self' 'unsafe" not in csp


def test_check_deploy_is_clean_with_the_four_production_settings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x" * 64 + "-a-long-random-production-secret-key-for-the-check",
        "ALLOWED_HOSTS": "scrutiny.example.org",
        "SITE_URL": "https://scrutiny.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_footer_offers_the_source_this_site_runs(client, db):
    """AGPL-3.0 section 13: network users can get the Corresponding Source."""
    import io
    import tarfile

    page = client.get("/").content.decode()
    assert 'href="/source.tar.gz"' in page
    response = client.get("/source.tar.gz")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    with tarfile.open(fileobj=io.BytesIO(response.content)) as archive:
        names = archive.getnames()
    assert "critical-friend/scrutiny/settings.py" in names
    assert "critical-friend/workflows/services.py" in names
    assert not any("__pycache__" in n for n in names)
