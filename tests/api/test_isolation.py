"""Cross-body isolation for every endpoint: a body's key sees and answers only what is
addressed to that body; everything else is 404, never 403."""

import datetime as dt

import pytest

from api.keys import issue_key, revoke_key
from api.webhooks import webhook_register
from scrutiny.casework import services
from scrutiny.casework.models import ProviderResponse
from tests.api.conftest import client_for
from tests.factories import consultation_recorded, visit_build

pytestmark = pytest.mark.django_db

PLAN = [{"action": "Keep", "owner": "COO", "target_date": dt.date(2027, 3, 1)}]


@pytest.fixture
def world(casework, area, officer, responder, other_responder):
    """Each trust has answered its request and accepted its recommendation."""
    mine = services.provider_response_record(
        subject=casework.req, by=responder, channel="api", text="40", outcome="answered"
    )
    services.provider_response_record(
        subject=casework.rec,
        by=responder,
        channel="api",
        text="Yes",
        outcome="accepted",
        action_plan=PLAN,
    )
    theirs = services.provider_response_record(
        subject=casework.other_req, by=other_responder, channel="api", text="3", outcome="answered"
    )
    services.provider_response_record(
        subject=casework.other_rec,
        by=other_responder,
        channel="api",
        text="Yes",
        outcome="accepted",
        action_plan=PLAN,
    )
    casework.my_consultation = consultation_recorded(
        by=responder, body=casework.req.recipient, committee=area.committee, channel="web"
    )
    casework.their_consultation = consultation_recorded(
        by=other_responder,
        body=casework.other_req.recipient,
        committee=area.committee,
        channel="web",
        title="Maternity",
    )
    casework.my_response = mine
    casework.their_response = theirs
    # An Enter and View report published to each trust.
    casework.my_visit = visit_build(area, officer, state="published", recommendation=False)
    casework.their_visit = visit_build(
        area, officer, state="published", recommendation=False, body=area.other_trust
    )
    casework.my_hook = webhook_register(
        organisation=casework.req.recipient, url="https://trust.example.org/", by=responder
    )[0]
    casework.their_hook = webhook_register(
        organisation=casework.other_req.recipient,
        url="https://other.example.org/",
        by=other_responder,
    )[0]
    return casework


def _target(world, endpoint, whose):
    """(method, path, body) for `endpoint` on the trust's ("own") or the other trust's object."""
    req = world.req if whose == "own" else world.other_req
    rec = world.rec if whose == "own" else world.other_rec
    response = world.my_response if whose == "own" else world.their_response
    hook = world.my_hook if whose == "own" else world.their_hook
    visit = world.my_visit if whose == "own" else world.their_visit
    consultation = world.my_consultation if whose == "own" else world.their_consultation
    return {
        "visit-detail": ("get", f"visits/{visit.pk}/", None),
        "request-detail": ("get", f"information-requests/{req.pk}/", None),
        "request-respond": (
            "post",
            f"information-requests/{req.pk}/responses/",
            # Each item has its answer already (`world`): these add to it.
            {"kind": "further_information", "text": "More"},
        ),
        "recommendation-detail": ("get", f"recommendations/{rec.pk}/", None),
        "recommendation-respond": (
            "post",
            f"recommendations/{rec.pk}/responses/",
            {"kind": "further_information", "text": "The first action has started."},
        ),
        "implementation-update": (
            "post",
            f"recommendations/{rec.pk}/implementation-updates/",
            {"status": "on_track"},
        ),
        "response-detail": ("get", f"responses/{response.pk}/", None),
        "webhook-detail": ("get", f"webhooks/{hook.pk}/", None),
        "webhook-deliveries": ("get", f"webhooks/{hook.pk}/deliveries/", None),
        "consultation-detail": ("get", f"consultations/{consultation.pk}/", None),
    }[endpoint]


ENDPOINTS = [
    "visit-detail",
    "request-detail",
    "request-respond",
    "recommendation-detail",
    "recommendation-respond",
    "implementation-update",
    "response-detail",
    "webhook-detail",
    "webhook-deliveries",
    "consultation-detail",
]


def _client(request, who, area):
    if who == "trust_key":
        return client_for(request.getfixturevalue("trust_key").raw)
    if who == "other_key":
        return client_for(request.getfixturevalue("other_key").raw)
    if who == "read_only_key":
        responder = request.getfixturevalue("responder")
        return client_for(issue_key(responder, area.trust, "Reader", ["read"])[1])
    if who == "respond_only_key":
        responder = request.getfixturevalue("responder")
        return client_for(issue_key(responder, area.trust, "Writer", ["respond"])[1])
    if who == "revoked_key":
        responder = request.getfixturevalue("responder")
        key, raw = issue_key(responder, area.trust, "Old", ["read", "respond"])
        revoke_key(key, by=responder)
        return client_for(raw)
    if who == "responder_session":
        client = client_for()
        client.force_login(request.getfixturevalue("responder"))
        return client
    if who == "officer_session":
        client = client_for()
        client.force_login(request.getfixturevalue("officer"))
        return client
    if who == "anonymous":
        return client_for()
    raise AssertionError(who)


OK = {"get": 200, "post": 201}

# who → (status on own body's objects, status on the other body's objects); None = OK.
EXPECTED = {
    "trust_key": (None, 404),
    "other_key": (404, None),  # "own" is the Northby trust's: the other key must not see it
    "responder_session": (None, 404),
    "officer_session": (404, 404),
    "anonymous": (401, 401),
    "revoked_key": (401, 401),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_isolation_matrix(request, world, area, endpoint, who, whose):
    method, path, body = _target(world, endpoint, whose)
    expected = EXPECTED[who][0 if whose == "own" else 1]
    expected = OK[method] if expected is None else expected
    client = _client(request, who, area)
    before = ProviderResponse.objects.count()
    resp = getattr(client, method)(f"/api/v1/{path}", body, format="json")
    assert resp.status_code == expected, resp.content
    if expected >= 400:
        assert resp["Content-Type"] == "application/problem+json"
        assert ProviderResponse.objects.count() == before


@pytest.mark.parametrize(
    "who, method_expectations",
    [
        ("read_only_key", {"get": 200, "post": 403}),
        ("respond_only_key", {"get": 403, "post": 201}),
    ],
)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_scopes(request, world, area, who, method_expectations, endpoint):
    method, path, body = _target(world, endpoint, "own")
    client = _client(request, who, area)
    resp = getattr(client, method)(f"/api/v1/{path}", body, format="json")
    assert resp.status_code == method_expectations[method]


@pytest.mark.parametrize(
    "listing",
    ["information-requests", "recommendations", "responses", "webhooks", "visits", "consultations"],
)
@pytest.mark.parametrize(
    "who, sees",
    [("trust_key", "own"), ("other_key", "other"), ("officer_session", None)],
)
def test_lists_show_only_my_bodys_things(request, world, area, listing, who, sees):
    client = _client(request, who, area)
    resp = client.get(f"/api/v1/{listing}/")
    assert resp.status_code == 200
    ids = {r["id"] for r in resp.json()["results"]}
    own = {
        "information-requests": {world.req.pk},
        "recommendations": {world.rec.pk},
        "responses": set(
            ProviderResponse.objects.filter(organisation=area.trust).values_list("pk", flat=True)
        ),
        "webhooks": {world.my_hook.pk},
        "visits": {world.my_visit.pk},
        "consultations": {world.my_consultation.pk},
    }[listing]
    other = {
        "information-requests": {world.other_req.pk},
        "recommendations": {world.other_rec.pk},
        "responses": set(
            ProviderResponse.objects.filter(organisation=area.other_trust).values_list(
                "pk", flat=True
            )
        ),
        "webhooks": {world.their_hook.pk},
        "visits": {world.their_visit.pk},
        "consultations": {world.their_consultation.pk},
    }[listing]
    assert ids == {"own": own, "other": other, None: set()}[sees]


@pytest.mark.parametrize(
    "path", ["information-requests/{draft_req}/", "recommendations/{draft_rec}/"]
)
def test_drafts_addressed_to_me_are_not_found(api, world, path):
    resp = api.get(
        "/api/v1/" + path.format(draft_req=world.draft_req.pk, draft_rec=world.draft_rec.pk)
    )
    assert resp.status_code == 404


def test_a_key_stops_working_when_its_person_stops_being_a_responder(api, world, responder):
    from scrutiny.casework.models import Membership

    assert api.get("/api/v1/information-requests/").status_code == 200
    Membership.objects.filter(user=responder).delete()
    resp = api.get("/api/v1/information-requests/")
    assert resp.status_code == 401
    assert "no longer a responder" in resp.json()["detail"]


def test_annual_report_pages_stay_in_their_area(client, area, officer, other_officer):
    """A network's annual report, its PDF and its figures: its own officers' only (the other
    area's officer gets 404), and nobody's on the public site while it is a draft."""
    reports = {}
    for who, body in ((officer, area.network), (other_officer, area.other_network)):
        reports[who] = services.annual_report_start(
            body=body,
            year=2025,
            starts_on=dt.date(2025, 4, 1),
            ends_on=dt.date(2026, 3, 31),
            by=who,
        )
    for who in (officer, other_officer):
        client.force_login(who)
        for owner, report in reports.items():
            for suffix in ("", "report.pdf", "figures.csv", "figures.json"):
                status = client.get(f"/reporting/annual/{report.pk}/{suffix}").status_code
                assert status == (200 if owner == who else 404), (who, suffix)
    client.logout()
    for report in reports.values():
        assert client.get(f"/annual-reports/{report.pk}/").status_code == 404
