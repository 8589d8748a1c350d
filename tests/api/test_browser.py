"""A responder manages API keys and webhooks in headless Chromium; every page passes axe."""

import pytest

from api.models import ApiKey, Webhook
from tests.browser_support import assert_accessible, chromium_page, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_responder_manages_keys_and_webhooks(live_server, area, responder):
    visited: list[str] = []
    with chromium_page() as page:
        sign_in(page, live_server.url, responder.username, next_url="/api/keys/")
        page.get_by_role("heading", name="API keys").wait_for()
        assert_accessible(page, visited)

        page.get_by_role("button", name="Create a key").click()
        assert_accessible(page, visited)
        page.get_by_label("Read what is addressed to the body").uncheck()
        page.get_by_label("Submit responses and implementation updates").uncheck()
        page.get_by_role("button", name="Create key").click()  # nothing filled in: errors
        page.locator(".govuk-error-summary").wait_for()
        assert_accessible(page, visited)
        assert not ApiKey.objects.exists()

        page.get_by_label("What the key is for").fill("Datix bridge")
        page.get_by_label("Read what is addressed to the body").check()
        page.get_by_role("button", name="Create key").click()
        page.get_by_role("heading", name="Key created").wait_for()
        assert_accessible(page, visited)
        raw = page.locator("#api-key").inner_text()
        key = ApiKey.objects.get()
        assert raw.startswith(f"cfk_{key.prefix}_")
        assert key.scopes == ["read"]

        page.get_by_role("button", name="Back to API keys").click()
        page.get_by_role("link", name=f"Rotate key {key.prefix}").click()
        assert_accessible(page, visited)
        page.get_by_role("button", name="Rotate key").click()
        page.get_by_role("heading", name="Key rotated").wait_for()
        new = ApiKey.objects.get(revoked_at__isnull=True)
        assert new.replaces == key

        page.goto(f"{live_server.url}/api/keys/")
        page.get_by_role("link", name=f"Revoke key {new.prefix}").click()
        page.get_by_role("button", name="Revoke key").wait_for()  # the confirmation page
        assert_accessible(page, visited)
        page.get_by_role("button", name="Revoke key").click()
        page.get_by_text(f"Key {new.prefix}… (Datix bridge) is revoked.").wait_for()
        assert not ApiKey.objects.filter(revoked_at__isnull=True).exists()
        assert_accessible(page, visited)

        page.goto(f"{live_server.url}/api/webhooks/")
        assert_accessible(page, visited)
        page.get_by_role("button", name="Add a webhook").click()
        page.get_by_label("Address to POST events to").fill("https://trust.example.org/cf")
        page.get_by_role("button", name="Add webhook").click()
        page.get_by_role("heading", name="Webhook added").wait_for()
        assert_accessible(page, visited)
        assert page.locator("#webhook-secret").inner_text() == Webhook.objects.get().secret
        page.get_by_role("button", name="See the delivery log").click()
        assert_accessible(page, visited)
        page.get_by_role("button", name="Switch off").click()
        page.get_by_text("is switched off").wait_for()
        assert not Webhook.objects.get().active

        page.goto(f"{live_server.url}/api/problems/invalid-input/")
        assert_accessible(page, visited)
    assert len(visited) == 11
