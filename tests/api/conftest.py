"""Fixtures for the API: casework issued to two health bodies, and a key for each."""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from api.keys import issue_key
from scrutiny.casework import services
from tests.factories import agree_recommendations

TOPIC_SCORES = {
    "timely": 2,
    "organisational_priority": 2,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 1,
}


# The casework below is issued on Fri 18 Dec 2026 (its clock runs over Christmas). A response is
# never received before its request was issued, so these tests run on the Monday after, the
# clock ticking; a test that needs another day travels there itself. Tests elsewhere that use
# `build_casework` ask for `after_the_issue_dates` too.
API_TODAY = dt.datetime(2026, 12, 21, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def after_the_issue_dates():
    with time_machine.travel(API_TODAY, tick=True):
        yield


@pytest.fixture(autouse=True)
def _after_the_issue_dates(after_the_issue_dates):
    yield


@pytest.fixture(autouse=True)
def _fresh_throttles_and_media(settings, tmp_path):
    # Autouse fixtures run first: users made by the role fixtures hash passwords quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


def build_casework(area, officer, *, title="Stroke services", on=dt.date(2026, 12, 18)):
    """A joint topic with a request and a recommendation issued to each of two trusts, plus a
    draft of each to the first trust (never visible through the API)."""
    topic = services.topic_raise(
        by=officer,
        title=title,
        summary="Moving the stroke unit",
        partnership=area.partnership,
        lead_body=area.network,
    )
    topic = services.topic_prioritise(topic=topic, by=officer, scores=TOPIC_SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    req = services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="How many stroke beds?"
    )
    other_req = services.information_request_draft(
        topic=topic, by=officer, recipient=area.other_trust, question="How many ambulances?"
    )
    topic = services.topic_issue_requests(topic=topic, by=officer, on=on)
    rec = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.trust, text="Keep the unit open."
    )
    other_rec = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.other_trust, text="Add two ambulances."
    )
    agree_recommendations(topic)
    topic = services.topic_make_recommendations(topic=topic, by=officer, on=on)
    draft_req = services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="A draft question"
    )
    draft_rec = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.trust, text="A draft recommendation"
    )
    for obj in (req, other_req, rec, other_rec):
        obj.refresh_from_db()
    return SimpleNamespace(
        topic=topic,
        req=req,
        other_req=other_req,
        rec=rec,
        other_rec=other_rec,
        draft_req=draft_req,
        draft_rec=draft_rec,
    )


@pytest.fixture
def casework(area, officer):
    return build_casework(area, officer)


@pytest.fixture
def trust_key(area, responder):
    key, raw = issue_key(responder, area.trust, "Datix bridge", ["read", "respond"])
    return SimpleNamespace(key=key, raw=raw)


@pytest.fixture
def other_key(area, other_responder):
    key, raw = issue_key(other_responder, area.other_trust, "Other bridge", ["read", "respond"])
    return SimpleNamespace(key=key, raw=raw)


def client_for(raw=None):
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api(trust_key):
    return client_for(trust_key.raw)


@pytest.fixture
def other_api(other_key):
    return client_for(other_key.raw)


@pytest.fixture
def anon_api():
    return client_for()
