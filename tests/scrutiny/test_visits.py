"""Enter and View: the visit's rules (team authorisation, unannounced reason, the accuracy
check before publication, recommendations issued with the report), who sees what (the provider
from the accuracy check on, safeguarding concerns only the network's officers), the provider's
notices and response, and the staff pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from scrutiny.casework import services
from scrutiny.casework.models import (
    AuthorisedRepresentative,
    Membership,
    Recommendation,
    SafeguardingConcern,
    Site,
    Topic,
    Visit,
    VisitState,
)
from scrutiny.casework.policy import can, representative_may_visit, visible
from scrutiny.casework.roles import Perm
from tests.factories import MembershipFactory, UserFactory, visit_build
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import Notification

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def network_member(area):
    """A board member of the involvement network (not an officer)."""
    user = UserFactory(username="link-member")
    MembershipFactory(user=user, organisation=area.network, role=Membership.Role.COMMITTEE_MEMBER)
    return user


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)


def _site(area):
    return Site.objects.create(body=area.trust, name="Ward 9", address="2 Hospital Road")


def _rep(body, name="Bob Visitor", on=dt.date(2026, 1, 5), revoked=None):
    return AuthorisedRepresentative.objects.create(
        body=body, name=name, authorised_on=on, revoked_on=revoked
    )


# --- authorisation: who can be named on a visit team ----------------------------------------


def test_representative_may_visit_only_for_its_network_while_authorised(area):
    rep = _rep(area.network, on=dt.date(2026, 3, 1), revoked=dt.date(2026, 9, 1))
    ok = representative_may_visit
    assert ok(rep, network=area.network, on=dt.date(2026, 3, 1))
    assert ok(rep, network=area.network, on=dt.date(2026, 8, 31))
    assert not ok(rep, network=area.network, on=dt.date(2026, 2, 28))  # before authorised
    assert not ok(rep, network=area.network, on=dt.date(2026, 9, 1))  # revoked that day
    assert not ok(rep, network=area.other_network, on=dt.date(2026, 5, 1))


@pytest.mark.parametrize(
    "make",
    [
        lambda a: _rep(a.other_network, name="Other network's"),
        lambda a: _rep(a.network, name="Too late", on=TODAY + dt.timedelta(days=30)),
        lambda a: _rep(a.network, name="Revoked", revoked=dt.date(2026, 6, 1)),
    ],
    ids=["other-network", "authorised-after-the-visit", "revoked"],
)
def test_only_authorised_representatives_can_be_on_the_team(area, officer, make):
    rep = make(area)
    with pytest.raises(InvalidInput) as exc:
        services.visit_plan(
            by=officer,
            network=area.network,
            site=_site(area),
            planned_for=TODAY + dt.timedelta(days=7),
            purpose="Night care",
            team=[rep],
        )
    assert rep.name in exc.value.field_errors["team"][0]
    assert not Visit.all_objects.exists() and not Topic.objects.exists()  # rolled back whole


def test_the_team_must_be_authorised_on_the_day_the_visit_is_carried_out(area, officer):
    rep = _rep(area.network, revoked=TODAY - dt.timedelta(days=3))
    visit = services.visit_plan(
        by=officer,
        network=area.network,
        site=_site(area),
        planned_for=TODAY - dt.timedelta(days=10),
        purpose="Night care",
        team=[rep],
    )
    visit = services.visit_announce(visit=visit, by=officer, on=TODAY - dt.timedelta(days=20))
    with pytest.raises(InvalidInput):
        services.visit_carry_out(visit=visit, by=officer, on=TODAY - dt.timedelta(days=1))
    visit = services.visit_carry_out(visit=visit, by=officer, on=TODAY - dt.timedelta(days=10))
    assert visit.state == VisitState.CARRIED_OUT


def test_a_visit_without_a_team_cannot_be_carried_out(area, officer):
    visit = services.visit_plan(
        by=officer, network=area.network, site=_site(area), planned_for=TODAY, purpose="Care"
    )
    visit = services.visit_announce(visit=visit, by=officer)
    with pytest.raises(Conflict, match="authorised representative"):
        services.visit_carry_out(visit=visit, by=officer, on=TODAY)


def test_planning_raises_a_topic_of_the_network_about_the_provider(area, officer):
    visit = visit_build(area, officer)
    topic = visit.topic
    assert (topic.body, topic.lead_body) == (area.network, area.network)
    assert list(topic.health_bodies.all()) == [area.trust]
    assert topic.title == "Enter and View: Ward 7"


def test_another_networks_officer_cannot_plan_for_this_network(area, other_officer):
    with pytest.raises(Forbidden):
        services.visit_plan(
            by=other_officer,
            network=area.network,
            site=_site(area),
            planned_for=TODAY,
            purpose="Care",
        )


def test_an_unannounced_visit_records_why(area, officer):
    visit = visit_build(area, officer)
    with pytest.raises(InvalidInput):
        services.visit_go_unannounced(visit=visit, by=officer, reason="  ")
    visit = services.visit_go_unannounced(visit=visit, by=officer, reason="Night-time concerns")
    assert (visit.state, visit.unannounced_reason) == ("unannounced", "Night-time concerns")


# --- the report: accuracy check, publication, recommendations ---------------------------------


def test_the_report_cannot_be_published_while_the_accuracy_check_is_open(area, officer):
    visit = visit_build(area, officer, state="report_drafted")
    visit = services.visit_send_for_accuracy_check(visit=visit, by=officer, on=TODAY)
    assert visit.due_on == dt.date(2026, 12, 10)  # 10 working days after Thu 26 Nov 2026
    with pytest.raises(Conflict, match="accuracy check is still open"):
        services.visit_publish(visit=visit, by=officer)
    services.visit_record_accuracy_comments(visit=visit, by=officer, text="24 beds, not 20.")
    visit = services.visit_publish(visit=visit, by=officer)
    assert visit.state == VisitState.PUBLISHED
    assert visit.due_on == dt.date(2026, 12, 24)  # 20 working days after publication


def test_the_report_can_be_published_once_the_check_period_is_over(area, officer, time_machine):
    visit = visit_build(area, officer, state="report_drafted")
    visit = services.visit_send_for_accuracy_check(visit=visit, by=officer, on=TODAY)
    time_machine.move_to(dt.datetime(2026, 12, 11, 10, 0, tzinfo=dt.UTC), tick=False)
    visit = services.visit_publish(visit=visit, by=officer)
    assert visit.state == VisitState.PUBLISHED


def test_publishing_issues_the_agreed_recommendations_to_the_provider(area, officer):
    visit = visit_build(area, officer, state="accuracy_check")
    services.visit_record_accuracy_comments(visit=visit, by=officer, text="Fine.")
    services.visit_publish(visit=visit, by=officer)
    rec = Recommendation.all_objects.get(visit=visit)
    assert (rec.state, rec.recipient, rec.made_by) == ("issued", area.trust, area.network)
    assert rec.due_on is not None and rec.topic == visit.topic


def test_a_draft_recommendation_blocks_publication(area, officer):
    visit = visit_build(area, officer, state="accuracy_check")
    services.visit_recommendation_draft(visit=visit, by=officer, text="Open the day room.")
    services.visit_record_accuracy_comments(visit=visit, by=officer, text="Fine.")
    with pytest.raises(InvalidInput, match="draft recommendations"):
        services.visit_publish(visit=visit, by=officer)
    assert Visit.all_objects.get(pk=visit.pk).state == VisitState.ACCURACY_CHECK
    assert not Recommendation.all_objects.filter(visit=visit, state="issued").exists()


def test_the_provider_is_told_of_the_check_and_of_publication(area, officer, responder):
    visit = visit_build(area, officer, state="report_drafted")
    services.visit_send_for_accuracy_check(visit=visit, by=officer, on=TODAY)
    notice = Notification.objects.get(event_key=f"visit:{visit.pk}:accuracy_check")
    assert notice.recipient == responder
    assert "10 December 2026" in notice.subject
    assert notice.link.endswith(reverse("bodies:visit", args=[visit.pk]))


# --- who sees what ----------------------------------------------------------------------------


def test_the_provider_sees_the_visit_only_from_the_accuracy_check_on(area, officer, responder):
    visit = visit_build(area, officer, state="report_drafted")
    assert not can(responder, Perm.ITEM_VIEW, visit)
    assert not visible(responder, Visit.all_objects.all()).exists()
    visit = services.visit_send_for_accuracy_check(visit=visit, by=officer, on=TODAY)
    assert can(responder, Perm.ITEM_VIEW, visit)
    assert list(visible(responder, Visit.all_objects.all())) == [visit]
    assert not can(responder, Perm.VISIT_MANAGE, visit)


def test_the_provider_comments_and_responds(area, officer, responder):
    visit = visit_build(area, officer, state="accuracy_check")
    services.visit_record_accuracy_comments(visit=visit, by=responder, text="24 beds.")
    visit = services.visit_publish(visit=visit, by=officer)
    visit = services.visit_record_response(visit=visit, by=responder, text="We will act.")
    assert (visit.state, visit.response, visit.responded_on) == ("responded", "We will act.", TODAY)


def test_another_provider_cannot_respond(area, officer, other_responder):
    visit = visit_build(area, officer, state="published")
    with pytest.raises(Forbidden):
        services.visit_record_response(visit=visit, by=other_responder, text="Not ours.")


def test_overdue_is_shown_not_a_state(area, officer):
    visit = visit_build(area, officer, state="published", today=TODAY - dt.timedelta(days=60))
    assert visit.state == VisitState.PUBLISHED and visit.is_overdue(TODAY)


def test_safeguarding_concerns_only_for_the_networks_officers(
    area, officer, network_member, responder, other_officer
):
    visit = visit_build(area, officer, state="published")
    concern = services.safeguarding_concern_record(
        visit=visit,
        by=officer,
        raised_by="Ann Visitor",
        found_on=visit.carried_out_on,
        description="Bruising seen on a resident",
        referred_to="Northby adult safeguarding team",
        referred_on=visit.carried_out_on,
    )
    qs = SafeguardingConcern.objects.all()
    assert list(visible(officer, qs)) == [concern]
    for user in (network_member, responder, other_officer):
        assert not visible(user, qs).exists()
        assert not can(user, Perm.SAFEGUARDING_VIEW, concern)
    with pytest.raises(Forbidden):
        services.safeguarding_concern_record(
            visit=visit,
            by=responder,
            raised_by="x",
            found_on=TODAY,
            description="x",
            referred_to="x",
            referred_on=TODAY,
        )


def test_a_safeguarding_concern_is_referred_after_it_is_found(area, officer):
    visit = visit_build(area, officer, state="carried_out")
    with pytest.raises(InvalidInput) as exc:
        services.safeguarding_concern_record(
            visit=visit,
            by=officer,
            raised_by="Ann",
            found_on=TODAY,
            description="x",
            referred_to="Team",
            referred_on=TODAY - dt.timedelta(days=1),
        )
    assert "referred_on" in exc.value.field_errors


# --- pages ------------------------------------------------------------------------------------


def test_the_officer_walks_a_visit_through_the_pages(client, area, officer):
    client.force_login(officer)
    visit = visit_build(area, officer, state="planned")
    page = client.get(visit.get_absolute_url())
    assert page.status_code == 200
    assert b"Announce the visit" in page.content
    url = reverse("scrutiny:visit-action", args=[visit.pk, "announce"])
    assert client.post(url, {"on": "2026-11-20"}).status_code == 302
    assert Visit.all_objects.get(pk=visit.pk).state == VisitState.ANNOUNCED


def test_a_bad_form_keeps_what_was_typed_and_says_why(client, area, officer):
    client.force_login(officer)
    visit = visit_build(area, officer, state="planned")
    url = reverse("scrutiny:visit-action", args=[visit.pk, "postpone"])
    page = client.post(url, {"reason": ""})
    assert page.status_code == 400
    assert b"govuk-error-summary" in page.content
    page = client.post(reverse("scrutiny:visit-plan"), {"purpose": "Kept text", "site": ""})
    assert page.status_code == 400 and b"Kept text" in page.content


def test_an_action_not_open_now_is_a_conflict(client, area, officer):
    client.force_login(officer)
    visit = visit_build(area, officer, state="planned")
    url = reverse("scrutiny:visit-action", args=[visit.pk, "publish"])
    assert client.get(url).status_code == 409


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer", 200),
        ("network_member", 200),
        ("member", 404),  # the committee's: visits are the network's
        ("other_officer", 404),
        ("osc_officer", 404),
    ],
)
def test_who_may_open_the_visit_page(client, area, officer, request, who, status):
    visit = visit_build(area, officer, state="published")
    client.force_login(request.getfixturevalue(who))
    assert client.get(visit.get_absolute_url()).status_code == status


def test_the_safeguarding_concern_shows_only_to_the_officer(client, area, officer, network_member):
    visit = visit_build(area, officer, state="published")
    services.safeguarding_concern_record(
        visit=visit,
        by=officer,
        raised_by="Ann",
        found_on=visit.carried_out_on,
        description="SECRET-CONCERN-WORDS",
        referred_to="Team",
        referred_on=visit.carried_out_on,
    )
    client.force_login(officer)
    assert b"SECRET-CONCERN-WORDS" in client.get(visit.get_absolute_url()).content
    client.force_login(network_member)
    page = client.get(visit.get_absolute_url())
    assert page.status_code == 200 and b"SECRET-CONCERN-WORDS" not in page.content


def test_the_visit_list_costs_the_same_queries_however_many_visits(
    client, area, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    visit_build(area, officer)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse("scrutiny:visit-list")).status_code == 200
    for _ in range(4):
        visit_build(area, officer, state="published")
    with django_assert_max_num_queries(20) as large:
        page = client.get(reverse("scrutiny:visit-list"))
    assert page.content.count(b"Ward 7") == 5
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the public report --------------------------------------------------------------------------


def test_the_public_report_shows_the_report_and_response_but_not_the_private_parts(
    client, area, officer
):
    visit = visit_build(area, officer, state="responded")
    services.safeguarding_concern_record(
        visit=visit,
        by=officer,
        raised_by="Ann Visitor",
        found_on=visit.carried_out_on,
        description="PRIVATE-CONCERN",
        referred_to="Northby safeguarding team",
        referred_on=visit.carried_out_on,
    )
    page = client.get(reverse("public:visit", args=[visit.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    for shown in (visit.report, "Start discharge planning on admission.", visit.response):
        assert shown in body
    for hidden in ("PRIVATE-CONCERN", "Northby safeguarding team", "Ann Visitor", "24 beds"):
        assert hidden not in body
    assert "Ward 7" in client.get(reverse("public:visits")).content.decode()


@pytest.mark.parametrize("state", ["planned", "carried_out", "accuracy_check"])
def test_an_unpublished_visit_is_not_public(client, area, officer, state):
    visit = visit_build(area, officer, state=state)
    assert client.get(reverse("public:visit", args=[visit.pk])).status_code == 404
    assert "Ward 7" not in client.get(reverse("public:visits")).content.decode()


def test_the_public_report_says_when_the_response_is_overdue(client, area, officer):
    visit = visit_build(area, officer, state="published", today=TODAY - dt.timedelta(days=60))
    body = client.get(reverse("public:visit", args=[visit.pk])).content.decode()
    assert f"Overdue: the provider&#x27;s response was due {visit.due_on:%-d %B %Y}" in body


# --- the provider's inbox ----------------------------------------------------------------------


def test_the_provider_comments_and_responds_through_its_inbox(client, area, officer, responder):
    visit = visit_build(area, officer, state="accuracy_check")
    client.force_login(responder)
    assert b"Ward 7" in client.get("/body/").content
    url = reverse("bodies:visit", args=[visit.pk])
    page = client.post(url, {"text": ""})
    assert page.status_code == 400 and b"govuk-error-summary" in page.content
    assert client.post(url, {"text": "Ward 7 has 24 beds."}).status_code == 302
    visit = services.visit_publish(visit=visit, by=officer)
    assert client.post(url, {"text": "We will act on both."}).status_code == 302
    visit.refresh_from_db()
    assert (visit.accuracy_comments, visit.response) == (
        "Ward 7 has 24 beds.",
        "We will act on both.",
    )
    assert client.post(url, {"text": "Again"}).status_code == 409


def test_the_provider_cannot_open_a_visit_before_the_check_or_anothers(
    client, area, officer, responder, other_responder
):
    early = visit_build(area, officer, state="report_drafted")
    client.force_login(responder)
    assert client.get(reverse("bodies:visit", args=[early.pk])).status_code == 404
    sent = services.visit_send_for_accuracy_check(visit=early, by=officer, on=TODAY)
    assert client.get(reverse("bodies:visit", args=[sent.pk])).status_code == 200
    client.force_login(other_responder)
    assert client.get(reverse("bodies:visit", args=[sent.pk])).status_code == 404
