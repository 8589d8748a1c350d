"""API keys: issued for a named responder, stored hashed, listed by prefix, revoked, rotated."""

import hashlib

import pytest

from api.keys import issue_key, key_from_raw, revoke_key, rotate_key
from api.models import ApiKey
from tests.api.conftest import client_for
from workflows.errors import Forbidden, InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_its_sha256(area, responder):
    key, raw = issue_key(responder, area.trust, "Datix", ["read"])
    assert raw.startswith(f"cfk_{key.prefix}_")
    assert len(raw) > 50
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = ApiKey.objects.filter(pk=key.pk).values()[0]
    assert raw not in {str(v) for v in stored.values()}
    assert key_from_raw(raw) == key
    assert key_from_raw(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert key_from_raw("cfk_nothing_here") is None
    assert key_from_raw("") is None


@pytest.mark.parametrize(
    "scopes, name, ok",
    [
        (["read"], "x", True),
        (["read", "respond", "read"], "x", True),
        ([], "x", False),
        (["admin"], "x", False),
        (["read"], "  ", False),
    ],
)
def test_issue_checks_its_input(area, responder, scopes, name, ok):
    if ok:
        key, _ = issue_key(responder, area.trust, name, scopes)
        assert key.scopes == sorted(set(scopes), key=["read", "respond"].index)
    else:
        with pytest.raises(InvalidInput):
            issue_key(responder, area.trust, name, scopes)


def test_keys_are_only_for_a_bodys_own_responders(area, responder, other_responder, officer):
    with pytest.raises(InvalidInput):
        issue_key(other_responder, area.trust, "x", ["read"])
    with pytest.raises(InvalidInput):
        issue_key(officer, area.network, "x", ["read"])
    with pytest.raises(Forbidden):
        issue_key(responder, area.trust, "x", ["read"], by=other_responder)


def test_revoke_and_rotate(area, responder, other_responder):
    key, raw = issue_key(responder, area.trust, "Datix", ["read", "respond"], by=responder)
    with pytest.raises(NotFound):
        rotate_key(key, by=other_responder)
    new, new_raw = rotate_key(key, by=responder)
    key.refresh_from_db()
    assert not key.is_active
    assert new.replaces == key
    assert (new.user, new.organisation, new.name, new.scopes) == (
        key.user,
        key.organisation,
        key.name,
        key.scopes,
    )
    assert client_for(raw).get("/api/v1/information-requests/").status_code == 401
    assert client_for(new_raw).get("/api/v1/information-requests/").status_code == 200
    revoke_key(new, by=responder)
    assert client_for(new_raw).get("/api/v1/information-requests/").status_code == 401
    with pytest.raises(InvalidInput):
        rotate_key(new, by=responder)


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer cfk_x_y", "Bearer \u00e9t\u00e9", "Basic dXNlcjpwYXNz"],
)
def test_bad_authorization_headers_are_401_problems(casework, header):
    client = client_for()
    resp = client.get("/api/v1/information-requests/", HTTP_AUTHORIZATION=header)
    assert resp.status_code == 401
    assert resp["Content-Type"] == "application/problem+json"
    assert resp["WWW-Authenticate"].startswith("Bearer")


def test_last_used_is_recorded(api, trust_key):
    assert trust_key.key.last_used_at is None
    api.get("/api/v1/information-requests/")
    trust_key.key.refresh_from_db()
    assert trust_key.key.last_used_at is not None


# --- The web pages --------------------------------------------------------------------------------


def test_a_responder_creates_a_key_and_sees_it_once(client, area, responder, casework):
    client.force_login(responder)
    assert client.get("/api/keys/new/").status_code == 200
    resp = client.post(
        "/api/keys/new/",
        {
            "organisation": area.trust.pk,
            "user": responder.pk,
            "name": "Datix bridge",
            "scopes": ["read", "respond"],
        },
        follow=True,
    )
    assert resp.status_code == 200
    key = ApiKey.objects.get()
    raw = resp.context["raw"]
    assert raw.encode() in resp.content
    assert key_from_raw(raw) == key
    assert key.created_by == responder
    listing = client.get("/api/keys/")
    assert f"cfk_{key.prefix}_".encode() in listing.content
    assert raw.encode() not in listing.content
    assert client_for(raw).get("/api/v1/information-requests/").status_code == 200


def test_the_key_form_refuses_a_person_from_another_body(client, area, responder, other_responder):
    client.force_login(responder)
    resp = client.post(
        "/api/keys/new/",
        {
            "organisation": area.trust.pk,
            "user": other_responder.pk,
            "name": "x",
            "scopes": ["read"],
        },
    )
    assert resp.status_code == 200
    assert b"There is a problem" in resp.content
    assert not ApiKey.objects.exists()


def test_revoke_and_rotate_through_the_pages(client, area, responder):
    key, raw = issue_key(responder, area.trust, "Datix", ["read"])
    client.force_login(responder)
    assert client.get(f"/api/keys/{key.pk}/rotate/").status_code == 200
    rotated = client.post(f"/api/keys/{key.pk}/rotate/", follow=True)
    assert rotated.status_code == 200
    new_raw = rotated.context["raw"]
    assert key_from_raw(raw) is None
    new = key_from_raw(new_raw)
    assert client.post(f"/api/keys/{new.pk}/revoke/").status_code == 302
    assert key_from_raw(new_raw) is None


@pytest.mark.parametrize("who", ["other_responder", "officer"])
def test_other_people_cannot_see_or_touch_a_bodys_keys(request, client, area, responder, who):
    key, raw = issue_key(responder, area.trust, "Datix", ["read"])
    client.force_login(request.getfixturevalue(who))
    assert f"cfk_{key.prefix}".encode() not in client.get("/api/keys/").content
    assert client.post(f"/api/keys/{key.pk}/revoke/").status_code == 404
    assert client.post(f"/api/keys/{key.pk}/rotate/").status_code == 404
    assert key_from_raw(raw) == key


def test_an_administrator_manages_every_bodys_keys(client, area, responder):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    key, _ = issue_key(responder, area.trust, "Datix", ["read"])
    client.force_login(admin)
    assert f"cfk_{key.prefix}".encode() in client.get("/api/keys/").content
    assert client.post(f"/api/keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_by == admin


def test_signed_out_visitors_are_sent_to_sign_in(client):
    resp = client.get("/api/keys/")
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]


def test_the_key_list_takes_a_fixed_number_of_queries(
    client, area, responder, django_assert_max_num_queries
):
    client.force_login(responder)
    issue_key(responder, area.trust, "One", ["read"])
    with django_assert_max_num_queries(10):
        assert client.get("/api/keys/").status_code == 200
    for n in range(5):
        issue_key(responder, area.trust, f"More {n}", ["read"])
    with django_assert_max_num_queries(10):
        assert client.get("/api/keys/").content.count(b"cfk_") == 6
