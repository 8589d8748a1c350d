"""The API key "created" page is POST/redirect/GET: a reload makes no second key and the key is
shown once, never in a URL."""

import pytest

from api.keys import issue_key, key_from_raw
from api.models import ApiKey

pytestmark = pytest.mark.django_db


def _create(client, area, responder):
    return client.post(
        "/api/keys/new/",
        {
            "organisation": area.trust.pk,
            "user": responder.pk,
            "name": "Datix bridge",
            "scopes": ["read"],
        },
    )


def test_creating_a_key_redirects_to_a_page_that_shows_it_once(client, area, responder):
    client.force_login(responder)
    resp = _create(client, area, responder)
    assert resp.status_code == 302
    key = ApiKey.objects.get()
    location = resp["Location"]
    assert location == f"/api/keys/{key.pk}/created/"
    shown = client.get(location)
    assert shown.status_code == 200
    raw = shown.context["raw"]
    assert key_from_raw(raw) == key
    assert raw.encode() in shown.content
    assert raw not in location
    assert shown["Cache-Control"].startswith("max-age=0") or "no-cache" in shown["Cache-Control"]

    reloaded = client.get(location)
    assert reloaded.status_code == 200
    assert raw.encode() not in reloaded.content
    assert b"has been shown" in reloaded.content
    assert ApiKey.objects.count() == 1


def test_the_raw_key_leaves_the_session_once_shown(client, area, responder):
    client.force_login(responder)
    location = _create(client, area, responder)["Location"]
    assert "cf_api_key_shown_once" in client.session
    client.get(location)
    assert "cf_api_key_shown_once" not in client.session


def test_rotating_is_post_redirect_get_too(client, area, responder):
    key, raw = issue_key(responder, area.trust, "Datix", ["read"])
    client.force_login(responder)
    resp = client.post(f"/api/keys/{key.pk}/rotate/")
    assert resp.status_code == 302
    new = ApiKey.objects.exclude(pk=key.pk).get()
    assert resp["Location"] == f"/api/keys/{new.pk}/created/"
    shown = client.get(resp["Location"])
    assert key_from_raw(shown.context["raw"]) == new
    assert shown.context["rotated"] == key
    assert f"cfk_{key.prefix}_".encode() in shown.content
    assert ApiKey.objects.count() == 2
    assert b"has been shown" in client.get(resp["Location"]).content


def test_another_bodys_responder_cannot_read_the_created_page(
    client, area, responder, other_responder
):
    client.force_login(responder)
    location = _create(client, area, responder)["Location"]
    client.force_login(other_responder)
    assert client.get(location).status_code == 404
