"""Referrals done right (issue 14): only the involvement network's side refers; the officer
chooses which of the partnership's committees receives it; the acknowledgement clock uses the
agreed protocol's period, falling back to the regulation's 20 working days, and says which."""

import datetime as dt

import pytest
from django.urls import reverse

from protocols import services as protocol_services
from scrutiny.casework import services
from scrutiny.casework.models import Membership, Referral, Topic
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from workflows.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 2)  # no bank holiday in November 2026


def _refer(by, area, **kw):
    return services.topic_raise(
        by=by,
        title="Stroke unit",
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.network,
        source=Topic.Source.REFERRAL,
        referred_on=MONDAY,
        **kw,
    )


@pytest.fixture
def second_committee(area):
    committee = OrganisationFactory(committee=True, name="Northby Adults OSC", slug="n-adults")
    services.partnership_set_committees(
        partnership=area.partnership, committees=[area.committee, committee]
    )
    area.partnership.refresh_from_db()
    return committee


@pytest.fixture
def link_member(area):
    user = UserFactory(username="link-member")
    MembershipFactory(user=user, organisation=area.network, role=Membership.Role.COMMITTEE_MEMBER)
    return user


def _agreed_protocol(area, officer, osc_officer, days):
    protocol = protocol_services.protocol_create(
        partnership=area.partnership, by=officer, title="Northby protocol", purpose="Together."
    )
    version = protocol_services.protocol_version_update(
        version=protocol.versions.get(), by=officer, acknowledgement_days=days
    )
    version = protocol_services.protocol_version_sign_off(
        version=version, by=officer, organisation=area.network
    )
    for committee in area.partnership.scrutiny_committees.all():
        signer = osc_officer
        if committee != area.committee:
            signer = UserFactory()
            MembershipFactory(user=signer, organisation=committee)
        version = protocol_services.protocol_version_sign_off(
            version=version, by=signer, organisation=committee, signatory_name="O. S."
        )
    assert version.state == "agreed"
    return version


# --- Who may refer ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["osc_officer", "chair"])
def test_the_committees_own_staff_cannot_file_a_referral_from_the_link(request, area, who):
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden, match="Northby LINk"):
        _refer(user, area)
    assert not Topic.objects.exists() and not Referral.objects.exists()


def test_a_link_officer_or_member_refers(area, officer, link_member):
    assert _refer(officer, area).referral.from_body == area.network
    other = services.topic_raise(
        by=link_member,
        title="Dentistry",
        summary="No dentists",
        partnership=area.partnership,
        lead_body=area.network,
        source=Topic.Source.REFERRAL,
    )
    assert other.referral.to_body == area.committee


def test_an_osc_officer_still_raises_an_ordinary_joint_topic(area, osc_officer):
    topic = services.topic_raise(
        by=osc_officer,
        title="Winter pressures",
        summary="A&E",
        partnership=area.partnership,
        lead_body=area.committee,
    )
    assert not Referral.objects.filter(topic=topic).exists()


# --- Which committee ---------------------------------------------------------------------------


def test_with_several_committees_the_referral_goes_to_the_one_chosen(
    area, officer, second_committee
):
    assert second_committee.pk > area.committee.pk  # the old code took the lowest id
    topic = _refer(officer, area, committee=second_committee)
    assert topic.referral.to_body == second_committee


def test_with_several_committees_one_must_be_chosen(area, officer, second_committee):
    with pytest.raises(InvalidInput) as caught:
        _refer(officer, area)
    assert "committee" in caught.value.field_errors
    assert not Topic.objects.exists()


def test_a_committee_outside_the_partnership_is_refused(area, officer):
    stranger = OrganisationFactory(committee=True, name="Southby HOSC", slug="southby-hosc")
    with pytest.raises(InvalidInput) as caught:
        _refer(officer, area, committee=stranger)
    assert caught.value.field_errors["committee"] == ["Choose one of the partnership's committees."]


def test_the_only_committee_is_used_without_choosing(area, officer):
    assert _refer(officer, area).referral.to_body == area.committee


# --- Which clock -------------------------------------------------------------------------------


def test_without_an_agreed_protocol_the_regulations_20_working_days_apply(area, officer):
    referral = _refer(officer, area).referral
    assert referral.due_rule.slug == "referral-acknowledgement"
    assert referral.due_on == dt.date(2026, 11, 27)
    assert "regulation" in referral.acknowledgement_basis


def test_the_agreed_protocols_acknowledgement_period_reaches_the_clock(area, officer, osc_officer):
    version = _agreed_protocol(area, officer, osc_officer, days=15)
    rule = protocol_services.referral_acknowledgement_rule(area.partnership)
    referral = _refer(officer, area, acknowledgement_rule=rule).referral
    assert referral.due_on == dt.date(2026, 11, 20)  # 15 working days beginning with 2 Nov
    assert referral.due_rule.period == 15
    assert "agreed protocol" in referral.acknowledgement_basis
    assert f"version {version.number}" in referral.acknowledgement_basis
    # The rule is made once per agreed version and reused.
    assert protocol_services.referral_acknowledgement_rule(area.partnership) == rule


def test_a_draft_protocol_does_not_set_the_period(area, officer):
    protocol_services.protocol_create(
        partnership=area.partnership, by=officer, title="Draft", purpose="Together."
    )
    assert protocol_services.referral_acknowledgement_rule(area.partnership) is None


# --- The page ----------------------------------------------------------------------------------


def _post(client, area, **extra):
    data = {
        "title": "Stroke unit",
        "summary": "Moving the unit",
        "owner": f"p{area.partnership.pk}",
        "lead_body": area.network.pk,
        "source": Topic.Source.REFERRAL,
        **extra,
    }
    return client.post(reverse("scrutiny:topic-raise"), data)


def test_the_page_offers_the_partnerships_committees_and_preselects_the_only_one(
    client, area, officer
):
    client.force_login(officer)
    html = client.get(reverse("scrutiny:topic-raise")).content.decode()
    assert f'<option value="{area.committee.pk}" selected>' in html
    assert "Committee that receives the referral (optional)" not in html


def test_the_page_sends_the_referral_to_the_committee_chosen_on_the_protocols_clock(
    client, area, officer, osc_officer, second_committee
):
    _agreed_protocol(area, officer, osc_officer, days=15)
    client.force_login(officer)
    response = _post(client, area)  # several committees, none chosen: the form says so
    assert response.status_code == 400
    assert "Choose the committee that receives the referral." in response.content.decode()
    assert 'value="Stroke unit"' in response.content.decode()
    response = _post(client, area, committee=second_committee.pk)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.to_body == second_committee
    assert referral.due_rule.period == 15
    page = client.get(referral.topic.get_absolute_url()).content.decode()
    assert "The agreed protocol&#x27;s acknowledgement period" in page


def test_the_page_refuses_an_osc_officers_referral(client, area, osc_officer):
    client.force_login(osc_officer)
    response = _post(client, area)
    assert response.status_code == 403
    assert not Topic.objects.exists()
