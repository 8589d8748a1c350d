"""The consultation and register pages, staff and public: reachable, forms keep what was typed,
fixed query counts, and nothing unpublished on the public pages."""

import datetime as dt

import pytest
from django.urls import reverse

from scrutiny.casework import services
from scrutiny.casework.models import Consultation, ConsultationState
from tests.factories import consultation_minuted, consultation_recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(area, osc_officer):
    return consultation_recorded(by=osc_officer, body=area.trust, committee=area.committee)


def test_staff_pages_show_and_record_a_consultation(client, area, osc_officer, consultation):
    client.force_login(osc_officer)

    assert client.get("/consultations/").status_code == 200
    page = client.get(consultation.get_absolute_url())
    assert page.status_code == 200
    assert "Record the committee's view" in page.content.decode()
    assert client.get("/consultations/new/").status_code == 200

    bad = client.post(
        "/consultations/new/",
        {
            "body": area.trust.pk,
            "committee": area.committee.pk,
            "title": "Closing the minor injuries unit",
            "what_changes": "It closes.",
            "who_is_affected": "Dale residents",
            "received_on": "2026-11-02",
            "comments_due_on": "2026-10-01",
            "proposed_decision_on": "2027-01-28",
        },
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Comments cannot be due before the proposal was received." in text
    assert "Closing the minor injuries unit" in text  # what was typed is kept
    assert Consultation.all_objects.count() == 1


def test_the_view_form_lists_minuted_items_and_records_the_view(
    client, area, osc_officer, consultation
):
    client.force_login(osc_officer)
    assert client.get(f"/consultations/{consultation.pk}/view/").status_code == 200
    minuted = consultation_minuted(by=osc_officer, consultation=consultation)
    assert minuted.state == ConsultationState.SUBSTANTIAL

    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Send comments" in page and "Record a request to the Secretary of State" in page


def test_people_who_may_not_see_a_consultation_get_404(
    client, officer, other_responder, consultation
):
    for user in (officer, other_responder):
        client.force_login(user)
        assert client.get(consultation.get_absolute_url()).status_code in (403, 404)
    client.force_login(officer)
    assert client.get(consultation.get_absolute_url()).status_code == 404


def test_the_register_pages(client, area, officer, consultation):
    client.force_login(officer)
    assert client.get("/register/").status_code == 200
    page = client.get(f"/register/{area.trust.slug}/")
    assert page.status_code == 200
    assert reverse("public:health-body", args=[area.trust.slug]) in page.content.decode()
    resp = client.post(
        f"/register/{area.trust.slug}/plans/new/",
        {"kind": "plan", "title": "Winter plan", "summary": "", "url": ""},
    )
    assert resp.status_code == 400
    assert "Winter plan" in resp.content.decode()


def test_a_consultation_is_public_once_the_committee_has_considered_it(
    client, area, osc_officer, consultation, django_capture_on_commit_callbacks
):
    assert client.get("/service-changes/").status_code == 200
    assert client.get(f"/service-changes/{consultation.pk}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):  # the public pages' cache moves on
        minuted = consultation_minuted(by=osc_officer, consultation=consultation)
        services.consultation_add_document(
            consultation=minuted,
            by=osc_officer,
            title="Options appraisal",
            url="https://t.example/o",
        )

    page = client.get(f"/service-changes/{consultation.pk}/")
    assert page.status_code == 200
    assert "Options appraisal" in page.content.decode()
    assert consultation.title in client.get("/service-changes/").content.decode()


def _many(area, osc_officer, n, start):
    for i in range(n):
        c = consultation_recorded(
            by=osc_officer,
            body=area.trust,
            committee=area.committee,
            title=f"Change {start + i}",
            received_on=dt.date(2026, 9, 1) + dt.timedelta(days=start + i),
        )
        consultation_minuted(by=osc_officer, consultation=c)


@pytest.mark.parametrize("path", ["/consultations/", "/service-changes/", "/register/"])
def test_lists_run_a_fixed_number_of_queries(
    client, area, osc_officer, django_assert_max_num_queries, path
):
    client.force_login(osc_officer)
    _many(area, osc_officer, 2, 0)
    with django_assert_max_num_queries(20) as small:
        assert client.get(path).status_code == 200
    _many(area, osc_officer, 4, 10)
    with django_assert_max_num_queries(20) as large:
        assert client.get(path).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_responder_consults_a_committee_from_the_bodys_pages(client, area, responder):
    client.force_login(responder)
    assert client.get("/body/consultations/").status_code == 200
    assert client.get("/body/consultations/new/").status_code == 200
    data = {
        "body": area.trust.pk,
        "committee": area.committee.pk,
        "title": "Closing the minor injuries unit",
        "what_changes": "It closes.",
        "who_is_affected": "Dale residents",
        "received_on": "2026-11-02",
        "comments_due_on": "2026-12-30",
        "proposed_decision_on": "2027-01-28",
    }
    other = client.post("/body/consultations/new/", {**data, "body": area.other_trust.pk})
    assert other.status_code == 400  # not a body of theirs: not a choice
    resp = client.post("/body/consultations/new/", data)
    assert resp.status_code == 302
    assert Consultation.all_objects.get().channel == "web"
    assert "Closing the minor injuries unit" in client.get("/body/consultations/").content.decode()
