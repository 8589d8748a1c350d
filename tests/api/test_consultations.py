"""A health body submits a consultation through the API, and reads its own."""

import pytest

from scrutiny.casework.models import Consultation, ConsultationChannel

pytestmark = pytest.mark.django_db


def _body(area, **values):
    data = {
        "body": area.trust.pk,
        "committee": area.committee.pk,
        "title": "Moving the stroke unit",
        "what_changes": "Hyper-acute stroke care moves to one site.",
        "who_is_affected": "Residents of Northby who have a stroke.",
        "received_on": "2026-11-02",
        "comments_due_on": "2026-12-30",
        "proposed_decision_on": "2027-01-28",
        "documents": [{"title": "Consultation document", "url": "https://trust.example/c.pdf"}],
    }
    data.update(values)
    return data


def test_a_key_submits_its_bodys_consultation(api, area):
    resp = api.post("/api/v1/consultations/", _body(area), format="json")

    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert (data["state"], data["body"]["slug"], data["comments_due_on"]) == (
        "received",
        area.trust.slug,
        "2026-12-30",
    )
    assert "ods_code" in data["body"]
    assert [d["title"] for d in data["documents"]] == ["Consultation document"]
    assert Consultation.all_objects.get().channel == ConsultationChannel.API
    assert api.get(f"/api/v1/consultations/{data['id']}/").status_code == 200


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"comments_due_on": "2026-10-01"}, "comments_due_on"),
        ({"proposed_decision_on": "2026-12-01"}, "proposed_decision_on"),
        ({"title": ""}, "title"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(api, area, values, field):
    resp = api.post("/api/v1/consultations/", _body(area, **values), format="json")

    assert resp.status_code == 400
    assert resp["Content-Type"] == "application/problem+json"
    assert field in resp.content.decode()
    assert Consultation.all_objects.count() == 0


def test_a_key_cannot_submit_for_another_body_or_to_a_non_committee(api, area):
    other = api.post("/api/v1/consultations/", _body(area, body=area.other_trust.pk), format="json")
    network = api.post(
        "/api/v1/consultations/", _body(area, committee=area.network.pk), format="json"
    )

    assert (other.status_code, network.status_code) == (400, 400)
    assert Consultation.all_objects.count() == 0
