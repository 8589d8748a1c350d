"""Relevant decisions of an involvement network (SI 2008/528 reg 2): recorded when carried out
or by an officer, their statement and reasons, publication, the public pages and the feed."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scrutiny.casework import services
from scrutiny.casework.models import DecisionKind, DecisionState, RelevantDecision
from tests.api.conftest import TOPIC_SCORES, build_casework
from tests.scrutiny.test_views_queries import add_cases
from workflows.audit import EventType
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db
D = dt.date


def _referred(area, officer, title="Dental access"):
    topic = services.topic_raise(
        by=officer,
        title=title,
        summary="No NHS dentist taking patients",
        partnership=area.partnership,
        lead_body=area.network,
        source="referral",
        referred_on=D(2026, 12, 22),
    )
    return topic.decisions.get()


def _published(decision, officer, reasons="Residents cannot find a dentist."):
    services.decision_edit(
        decision=decision, by=officer, statement=decision.statement, reasons=reasons
    )
    return services.decision_publish(decision=decision, by=officer)


# --- recorded when carried out -----------------------------------------------------------------


def test_issuing_requests_and_recommendations_records_the_networks_decisions(area, officer):
    work = build_casework(area, officer)
    kinds = sorted(
        RelevantDecision.objects.filter(topic=work.topic).values_list("kind", "subject_id")
    )
    # Two requests and two recommendations issued (the drafts record nothing).
    assert kinds == sorted(
        [
            (DecisionKind.REQUEST_INFORMATION, work.req.pk),
            (DecisionKind.REQUEST_INFORMATION, work.other_req.pk),
            (DecisionKind.REFER_REPORT, work.rec.pk),
            (DecisionKind.REFER_REPORT, work.other_rec.pk),
        ]
    )
    decision = RelevantDecision.objects.get(subject_id=work.req.pk, kind="request_information")
    assert decision.body == area.network
    assert decision.decided_on == D(2026, 12, 18)
    assert decision.state == DecisionState.RECORDED
    assert decision.statement == (
        "To ask Northby Hospitals NHS Trust for information: How many stroke beds?"
    )
    # The publication clock: 10 working days, skipping Christmas, Boxing Day (Mon) and New Year.
    assert decision.due_on == D(2027, 1, 6)
    assert "skipping 25 Dec, 28 Dec, 1 Jan" in decision.due_explanation
    assert AuditEvent.objects.filter(
        object_id=decision.pk, event_type=EventType.DECISION_RECORDED
    ).exists()


def test_the_committees_own_requests_are_not_the_networks_decisions(area, osc_officer):
    topic = services.topic_raise(
        by=osc_officer,
        title="Ambulance waits",
        summary="Handover delays",
        partnership=area.partnership,
        lead_body=area.committee,
    )
    topic = services.topic_prioritise(topic=topic, by=osc_officer, scores=TOPIC_SCORES)
    topic = services.topic_request_information(topic=topic, by=osc_officer)
    request = services.information_request_draft(
        topic=topic, by=osc_officer, recipient=area.trust, question="How long are handovers?"
    )
    services.topic_issue_requests(topic=topic, by=osc_officer, on=D(2026, 12, 18))
    request.refresh_from_db()
    assert request.requested_by == area.committee and request.issued_on is not None
    assert RelevantDecision.objects.count() == 0


def test_a_referral_records_the_decision_to_refer(area, officer):
    decision = _referred(area, officer)
    assert decision.kind == DecisionKind.REFER_TO_OSC
    assert decision.statement == "To refer 'Dental access' to Northby HOSC."
    assert decision.regulation == "SI 2008/528 reg 2(2)(g)"
    assert decision.due_on == D(2027, 1, 8)


# --- recorded by an officer --------------------------------------------------------------------


def test_an_officer_records_a_decision_of_another_kind(area, officer):
    decision = services.decision_record(
        body=area.network,
        kind=DecisionKind.WHICH_SERVICES,
        by=officer,
        statement="To look at dental services this year.",
        decided_on=D(2026, 11, 30),
    )
    assert (decision.kind, decision.state, decision.reasons) == ("which_services", "recorded", "")
    assert decision.due_on is not None and decision.due_rule.slug == "relevant-decision-publication"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": DecisionKind.REQUEST_INFORMATION}, "kind"),  # recorded when carried out
        ({"kind": "nonsense"}, "kind"),
        ({"statement": "  "}, "statement"),
        ({"decided_on": dt.date.today() + dt.timedelta(days=1)}, "decided_on"),
    ],
)
def test_a_bad_decision_is_refused_with_the_field_named(area, officer, changes, field):
    data = {
        "body": area.network,
        "kind": DecisionKind.SPENDING,
        "by": officer,
        "statement": "To spend £500 on a survey.",
        **changes,
    }
    with pytest.raises(InvalidInput) as exc:
        services.decision_record(**data)
    assert field in exc.value.field_errors
    assert RelevantDecision.objects.count() == 0


def test_only_the_networks_officers_record_and_only_for_a_network(
    area, officer, osc_officer, other_officer
):
    with pytest.raises(Forbidden):
        services.decision_record(
            body=area.network, kind="spending", by=other_officer, statement="x"
        )
    with pytest.raises(InvalidInput):
        services.decision_record(
            body=area.committee, kind="spending", by=osc_officer, statement="x"
        )
    assert RelevantDecision.objects.count() == 0


# --- statement, publication, setting aside -----------------------------------------------------


def test_publishing_needs_reasons_then_the_statement_is_fixed(area, officer):
    decision = _referred(area, officer)
    with pytest.raises(InvalidInput, match="reasons before publishing"):
        services.decision_publish(decision=decision, by=officer)
    published = _published(decision, officer)
    assert published.state == DecisionState.PUBLISHED and published.published_at is not None
    with pytest.raises(Conflict):
        services.decision_edit(decision=published, by=officer, statement="x", reasons="y")
    with pytest.raises(Conflict):
        services.decision_set_aside(decision=published, by=officer, reason="Too late")
    published.refresh_from_db()
    assert published.state == DecisionState.PUBLISHED


def test_a_decision_set_aside_is_never_published(area, officer, client):
    decision = _referred(area, officer)
    with pytest.raises(InvalidInput):
        services.decision_set_aside(decision=decision, by=officer, reason=" ")
    services.decision_set_aside(decision=decision, by=officer, reason="Recorded twice")
    decision.refresh_from_db()
    assert (decision.state, decision.set_aside_reason) == ("set_aside", "Recorded twice")
    with pytest.raises(Conflict):
        services.decision_publish(decision=decision, by=officer)
    assert client.get(f"/decisions/{decision.pk}/").status_code == 404


def test_the_committees_staff_cannot_edit_the_networks_decision(area, officer, osc_officer):
    decision = _referred(area, officer)
    with pytest.raises(Forbidden):
        services.decision_edit(decision=decision, by=osc_officer, statement="x", reasons="y")
    with pytest.raises(Forbidden):
        services.decision_publish(decision=decision, by=osc_officer)


# --- staff pages -------------------------------------------------------------------------------


def test_the_staff_pages_record_edit_and_publish(client, area, officer):
    client.force_login(officer)
    assert client.get("/network-decisions/new/").status_code == 200
    bad = client.post(
        "/network-decisions/new/",
        {"body": area.network.pk, "kind": "spending", "decided_on": "2026-11-31", "statement": ""},
    )
    assert bad.status_code == 400
    assert "Enter a real date" in bad.content.decode()
    assert "Enter the decision." in bad.content.decode()
    assert RelevantDecision.objects.count() == 0
    made = client.post(
        "/network-decisions/new/",
        {
            "body": area.network.pk,
            "kind": "spending",
            "decided_on": "2026-11-30",
            "statement": "To spend £500 on a dental survey.",
        },
    )
    decision = RelevantDecision.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/network-decisions/{decision.pk}/"
    page = client.get(made["Location"]).content.decode()
    assert "Statement due" in page and decision.due_explanation in page
    # Publishing without reasons: the page says what is missing and nothing moves.
    refused = client.post(f"/network-decisions/{decision.pk}/publish/", follow=True)
    assert "reasons before publishing" in refused.content.decode()
    decision.refresh_from_db()
    assert decision.state == "recorded"
    # An empty statement keeps what was typed in the reasons.
    kept = client.post(
        f"/network-decisions/{decision.pk}/", {"statement": "", "reasons": "Typed reasons"}
    )
    assert kept.status_code == 400 and "Typed reasons" in kept.content.decode()
    client.post(
        f"/network-decisions/{decision.pk}/",
        {"statement": decision.statement, "reasons": "No one knows how residents find dentists."},
    )
    client.post(f"/network-decisions/{decision.pk}/publish/")
    decision.refresh_from_db()
    assert decision.state == "published"
    public = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert "No one knows how residents find dentists." in public


def test_other_areas_staff_get_404_and_the_committee_cannot_record(
    client, area, officer, osc_officer, other_officer
):
    decision = _referred(area, officer)
    client.force_login(other_officer)
    assert client.get(f"/network-decisions/{decision.pk}/").status_code == 404
    assert client.post(f"/network-decisions/{decision.pk}/publish/").status_code == 404
    assert client.get(f"/network-decisions/{decision.pk}/set-aside/").status_code == 404
    client.force_login(osc_officer)
    assert client.get(f"/network-decisions/{decision.pk}/").status_code == 404
    assert client.get("/network-decisions/new/").status_code == 403
    assert client.get("/network-decisions/").status_code == 200


def test_the_set_aside_page_keeps_the_form_and_needs_a_reason(client, area, officer):
    decision = _referred(area, officer)
    client.force_login(officer)
    response = client.post(f"/network-decisions/{decision.pk}/set-aside/", {"reason": ""})
    assert response.status_code == 400
    assert "Enter why the decision is set aside." in response.content.decode()
    client.post(f"/network-decisions/{decision.pk}/set-aside/", {"reason": "Twice"})
    decision.refresh_from_db()
    assert decision.state == "set_aside"


def _count(client, url):
    cache.clear()  # the public pages are cached: count what building one costs
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/network-decisions/", "/decisions/", "/decisions/feed.atom"])
def test_decision_lists_run_a_fixed_number_of_queries(client, area, officer, url):
    add_cases(area, officer, 2)
    for decision in RelevantDecision.objects.all():
        _published(decision, officer)
    if url.startswith("/network"):
        client.force_login(officer)
    small = _count(client, url)
    add_cases(area, officer, 6)
    for decision in RelevantDecision.objects.filter(state="recorded"):
        _published(decision, officer)
    assert RelevantDecision.objects.published().count() == 16
    assert _count(client, url) == small <= 9


# --- public pages ------------------------------------------------------------------------------


def test_only_published_statements_are_public_and_the_topic_only_when_public(client, area, officer):
    recorded = _referred(area, officer, title="Unpublished topic")
    assert client.get(f"/decisions/{recorded.pk}/").status_code == 404
    assert "Unpublished topic" not in client.get("/decisions/").content.decode()
    decision = _published(recorded, officer)
    page = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert "Residents cannot find a dentist." in page
    # The statement names the topic, but the page links it only once the topic is public.
    assert f"/outcomes/{decision.topic_id}/" not in page
    feed = client.get("/decisions/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "Residents cannot find a dentist." in feed.content.decode()
    listing = client.get("/decisions/?kind=refer_to_osc&network=northby-link").content.decode()
    assert f"/decisions/{decision.pk}/" in listing
    other = client.get("/decisions/?network=southby-link").content.decode()
    assert f"/decisions/{decision.pk}/" not in other
    assert client.get("/decisions/?kind=nonsense").status_code == 200
