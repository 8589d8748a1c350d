"""One meaning of "issued": ever issued, `issued_on` set.

A draft withdrawn before it was issued (state 'withdrawn', `issued_on` null) was never sent to
the health body: its responders must not see it anywhere (API list and detail, the topic page)
and `sync_permissions` must not grant them the topic for it.
"""

import pytest

from api.keys import issue_key
from scrutiny.casework import grants, services
from scrutiny.casework.models import (
    InformationRequest,
    Recommendation,
    RecommendationState,
    RequestState,
    TopicAccess,
)
from scrutiny.casework.policy import topics_visible_to
from tests.api.conftest import (
    TOPIC_SCORES,
    after_the_issue_dates,  # noqa: F401 - a fixture
    build_casework,
    client_for,
)

# Responses come after the casework is issued (18 Dec 2026): these tests run after it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("after_the_issue_dates")]


def _withdraw_drafts(casework, officer):
    req = services.information_request_withdraw(
        request=casework.draft_req, by=officer, reason="Asked at the meeting instead"
    )
    rec = services.recommendation_withdraw(
        recommendation=casework.draft_rec, by=officer, reason="Folded into another"
    )
    assert req.state == RequestState.WITHDRAWN and req.issued_on is None
    assert rec.state == RecommendationState.WITHDRAWN and rec.issued_on is None
    return req, rec


def test_a_withdrawn_draft_is_not_in_the_api_list_or_detail(area, officer, responder):
    casework = build_casework(area, officer)
    req, rec = _withdraw_drafts(casework, officer)
    _, raw = issue_key(responder, area.trust, "Datix bridge", ["read", "respond"])
    api = client_for(raw)

    listed = api.get("/api/v1/information-requests/").json()["results"]
    assert {r["id"] for r in listed} == {casework.req.pk}
    assert api.get(f"/api/v1/information-requests/{req.pk}/").status_code == 404
    posted = api.post(
        f"/api/v1/information-requests/{req.pk}/responses/",
        {"outcome": "answered", "text": "Here"},
        format="json",
    )
    assert posted.status_code == 404

    listed = api.get("/api/v1/recommendations/").json()["results"]
    assert {r["id"] for r in listed} == {casework.rec.pk}
    assert api.get(f"/api/v1/recommendations/{rec.pk}/").status_code == 404


def test_a_withdrawn_draft_is_not_on_the_responders_topic_page(client, area, officer, responder):
    casework = build_casework(area, officer)
    _withdraw_drafts(casework, officer)
    client.force_login(responder)
    page = client.get(casework.topic.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "How many stroke beds?" in text  # the issued request is shown
    assert "A draft question" not in text
    assert "A draft recommendation" not in text


def test_sync_permissions_grants_nothing_for_a_withdrawn_draft(area, officer, responder):
    topic = services.topic_raise(
        by=officer,
        title="Dentists",
        summary="Access to NHS dentists",
        partnership=area.partnership,
        lead_body=area.network,
    )
    topic = services.topic_prioritise(topic=topic, by=officer, scores=TOPIC_SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    req = services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="How many dentists?"
    )
    rec = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.trust, text="Open a dental access centre."
    )
    services.information_request_withdraw(request=req, by=officer, reason="Not needed")
    services.recommendation_withdraw(recommendation=rec, by=officer, reason="Not needed")

    grants.sync_all()

    responder_rows = TopicAccess.objects.filter(topic=topic, organisation=area.trust)
    assert not responder_rows.exists()
    fresh = type(responder).objects.get(pk=responder.pk)
    assert not topics_visible_to(fresh).filter(pk=topic.pk).exists()
    assert not InformationRequest.all_objects.filter(pk=req.pk).visible_to(fresh).exists()
    assert not Recommendation.all_objects.filter(pk=rec.pk).visible_to(fresh).exists()


def test_issued_means_ever_issued(area, officer):
    casework = build_casework(area, officer)
    _withdraw_drafts(casework, officer)
    issued_then_withdrawn = services.information_request_withdraw(
        request=casework.other_req, by=officer, reason="Answered elsewhere"
    )
    issued = set(InformationRequest.all_objects.issued().values_list("pk", flat=True))
    assert issued == {casework.req.pk, issued_then_withdrawn.pk}
    assert set(Recommendation.all_objects.issued().values_list("pk", flat=True)) == {
        casework.rec.pk,
        casework.other_rec.pk,
    }
