"""Headless Chromium for browser tests: Debian's Chromium driven by Playwright, with axe.

with chromium_page() as page:
    page.goto(url)
    assert_accessible(page)
"""

from __future__ import annotations

import os
from contextlib import contextmanager

# Playwright's sync API runs an event loop in the test's thread; Django refuses database calls
# from a thread with a running loop unless told this is safe (it is: the loop is Playwright's).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


@contextmanager
def chromium_page(*, javascript: bool = True, timeout_ms: int = 20_000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(java_script_enabled=javascript)
            context.set_default_timeout(timeout_ms)
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def expect(locator):
    """Playwright's web-first assertion: it waits (up to 5 s) for the page to
    reach the state, where ``locator.is_visible()`` answers at once, so an
    assertion made just after a click could see the page before it loaded."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


_axe = None


def axe_violations(page) -> list[dict]:
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    # A click that submits a form or follows a link returns before the next
    # page has loaded; axe run in a document being replaced finds no
    # documentElement. Wait for the page, and once more if it was mid-swap.
    page.wait_for_load_state("load")
    try:
        return _axe.run(page).response["violations"]
    except Exception as error:  # playwright's Error: the document was replaced
        if "documentElement" not in str(error) and "context was destroyed" not in str(error):
            raise
        page.wait_for_load_state("load")
        return _axe.run(page).response["violations"]


def assert_accessible(page, visited: list | None = None) -> None:
    """Run axe on the page; fail with a readable list of any violation."""
    violations = axe_violations(page)
    if visited is not None:
        visited.append(page.url)
    report = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in violations
    ]
    assert report == [], f"axe violations on {page.url}:\n" + "\n".join(report)


def sign_in(page, base_url: str, username: str, *, next_url: str = "/work/") -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
