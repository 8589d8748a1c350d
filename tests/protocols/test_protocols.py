"""Protocols: versions, sign-off by every party, supersession, review dates, the diff, and who
sees what."""

import datetime as dt

import pytest
from django.urls import reverse

from protocols import selectors, services
from protocols.models import ProtocolSignOff, VersionState
from scrutiny.casework.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.services import transition_apply

pytestmark = pytest.mark.django_db

TEXT = {
    "purpose": "To scrutinise health services together.",
    "referral_procedure": "The LINk refers in writing.",
    "joint_meetings": "Two joint meetings a year.",
}


@pytest.fixture
def protocol(area, officer):
    return services.protocol_create(
        partnership=area.partnership, by=officer, title="Northby protocol", **TEXT
    )


def sign_all(version, officer, osc_officer, area):
    version = services.protocol_version_sign_off(
        version=version, by=officer, organisation=area.network
    )
    return services.protocol_version_sign_off(
        version=version, by=osc_officer, organisation=area.committee, signatory_name="O. Scrutiny"
    )


def test_a_version_is_agreed_when_every_party_has_signed(protocol, area, officer, osc_officer):
    v1 = protocol.versions.get()
    assert v1.state == VersionState.DRAFT
    v1 = services.protocol_version_sign_off(version=v1, by=officer, organisation=area.network)
    assert v1.state == VersionState.DRAFT
    with pytest.raises(Conflict):  # the same party twice
        services.protocol_version_sign_off(version=v1, by=officer, organisation=area.network)
    v1 = services.protocol_version_sign_off(version=v1, by=osc_officer, organisation=area.committee)
    assert v1.state == VersionState.AGREED and v1.agreed_on == dt.date(2026, 11, 26)
    assert ProtocolSignOff.objects.filter(version=v1).count() == 2
    assert [r.event_type for r in event_history(v1)] == [
        EventType.PROTOCOL_VERSION_DRAFTED,
        EventType.PROTOCOL_VERSION_SIGNED_OFF,
        EventType.PROTOCOL_VERSION_SIGNED_OFF,
        EventType.PROTOCOL_VERSION_AGREED,
    ]


def test_each_sign_off_is_a_logged_move_and_agreeing_raises_the_sequence(
    protocol, area, officer, osc_officer
):
    v1 = services.protocol_version_sign_off(
        version=protocol.versions.get(), by=officer, organisation=area.network
    )
    row = event_history(v1).last()
    assert (row.event_type, row.source_state, row.target_state, row.note, row.actor) == (
        EventType.PROTOCOL_VERSION_SIGNED_OFF,
        "draft",
        "draft",
        "Northby LINk (link-officer)",
        officer,
    )
    assert v1.sequence == 0  # a sign-off alone changes nothing a subscriber sees
    v1 = services.protocol_version_sign_off(version=v1, by=osc_officer, organisation=area.committee)
    assert (v1.state, v1.sequence) == (VersionState.AGREED, 1)


@pytest.mark.parametrize("name", ["agree", "start_review", "supersede"])
def test_the_version_moves_raise_the_sequence_themselves(protocol, area, officer, name):
    version = protocol.versions.get()
    for org in (area.network, area.committee):
        ProtocolSignOff.objects.create(
            version=version, organisation=org, signed_by=officer, signatory_name="O"
        )
    if name != "agree":
        version = transition_apply(instance=version, name="agree", by=officer)
    before = version.sequence
    version = transition_apply(instance=version, name=name, by=officer)
    assert version.sequence == before + 1


def test_three_parties_all_sign(area, officer, osc_officer):
    second = OrganisationFactory(committee=True, name="Westby HOSC")
    area.partnership.scrutiny_committees.add(second)
    protocol = services.protocol_create(
        partnership=area.partnership, by=officer, title="Three-way", **TEXT
    )
    v1 = sign_all(protocol.versions.get(), officer, osc_officer, area)
    assert v1.state == VersionState.DRAFT
    westby = UserFactory(username="westby-officer")
    MembershipFactory(user=westby, organisation=second, role=Membership.Role.SUPPORT_OFFICER)
    v1 = services.protocol_version_sign_off(version=v1, by=westby, organisation=second)
    assert v1.state == VersionState.AGREED


@pytest.mark.parametrize(
    ("who", "org", "error"),
    [
        ("officer", "committee", Forbidden),  # not the committee's officer
        ("member", "committee", Forbidden),  # members do not sign
        ("other_officer", "other_network", InvalidInput),  # not a party
    ],
)
def test_only_a_partys_own_officer_signs(request, protocol, area, who, org, error):
    with pytest.raises(error):
        services.protocol_version_sign_off(
            version=protocol.versions.get(),
            by=request.getfixturevalue(who),
            organisation=getattr(area, org),
        )
    assert not ProtocolSignOff.objects.exists()


def test_the_next_version_supersedes_the_agreed_one(protocol, area, officer, osc_officer):
    v1 = sign_all(protocol.versions.get(), officer, osc_officer, area)
    v2 = services.protocol_version_draft_next(protocol=protocol, by=officer)
    assert v2.number == 2 and v2.purpose == v1.purpose and v2.state == VersionState.DRAFT
    with pytest.raises(Conflict):  # one draft at a time
        services.protocol_version_draft_next(protocol=protocol, by=officer)
    v1 = services.protocol_version_start_review(version=v1, by=osc_officer)
    assert v1.state == VersionState.UNDER_REVIEW
    services.protocol_version_update(version=v2, by=officer, joint_meetings="Three a year.")
    v2 = sign_all(v2, officer, osc_officer, area)
    v1.refresh_from_db()
    assert v2.state == VersionState.AGREED
    assert v1.state == VersionState.SUPERSEDED and v1.superseded_on == dt.date(2026, 11, 26)
    assert selectors.current_version(protocol) == v2


def test_editing_a_draft_withdraws_sign_offs_and_agreed_text_is_frozen(
    protocol, area, officer, osc_officer
):
    v1 = services.protocol_version_sign_off(
        version=protocol.versions.get(), by=officer, organisation=area.network
    )
    v1 = services.protocol_version_update(version=v1, by=osc_officer, purpose="New purpose.")
    assert not v1.sign_offs.exists()
    v1 = sign_all(v1, officer, osc_officer, area)
    with pytest.raises(Conflict):
        services.protocol_version_update(version=v1, by=officer, purpose="Sneaky change")
    # the review date of a version in force can change, and raises its SEQUENCE
    before = v1.sequence
    v1 = services.protocol_version_update(version=v1, by=officer, review_on=dt.date(2027, 6, 1))
    assert v1.review_on == dt.date(2027, 6, 1) and v1.sequence == before + 1
    assert v1.purpose == "New purpose."


def test_an_empty_draft_cannot_be_signed(area, officer):
    protocol = services.protocol_create(partnership=area.partnership, by=officer, title="Empty")
    with pytest.raises(InvalidInput):
        services.protocol_version_sign_off(
            version=protocol.versions.get(), by=officer, organisation=area.network
        )


def test_reviews_due_selector(protocol, area, officer, osc_officer):
    v1 = sign_all(protocol.versions.get(), officer, osc_officer, area)
    services.protocol_version_update(version=v1, by=officer, review_on=dt.date(2026, 12, 20))
    today = dt.date(2026, 11, 26)
    assert list(selectors.protocol_reviews_due(today, within_days=30)) == [v1]
    assert list(selectors.protocol_reviews_due(today, within_days=7)) == []
    assert list(selectors.protocol_reviews_due(dt.date(2027, 1, 10), within_days=0)) == [v1]
    assert list(selectors.protocol_reviews_due(today, body_ids={area.other_network.pk})) == []
    assert list(selectors.protocol_reviews_due(today, body_ids={area.committee.pk})) == [v1]


def test_diff_section_by_section(protocol, area, officer, osc_officer):
    v1 = sign_all(protocol.versions.get(), officer, osc_officer, area)
    v2 = services.protocol_version_draft_next(protocol=protocol, by=officer)
    v2 = services.protocol_version_update(
        version=v2,
        by=officer,
        joint_meetings="Three joint meetings a year <b>in public</b>.",
        acknowledgement_days=15,
    )
    rows = {r.key: r for r in services.protocol_diff(v1, v2)}
    assert not rows["purpose"].changed
    assert rows["joint_meetings"].changed and rows["acknowledgement_days"].changed
    html = str(rows["joint_meetings"].html)
    assert '<del class="cf-diff-del">Two</del>' in html
    assert '<ins class="cf-diff-ins">Three</ins>' in html
    assert "&lt;b&gt;in" in html and "<b>" not in html  # text is escaped


def test_drafts_are_private_agreed_versions_public(client, protocol, area, officer, osc_officer):
    v1 = protocol.versions.get()
    detail = reverse("protocols:protocol-detail", args=[protocol.pk])
    assert client.get(reverse("protocols:protocol-list")).status_code == 200
    assert client.get(detail).status_code == 404
    assert client.get(v1.get_absolute_url()).status_code == 404
    client.force_login(osc_officer)
    assert client.get(detail).status_code == 200
    client.logout()
    sign_all(v1, officer, osc_officer, area)
    v2 = services.protocol_version_draft_next(protocol=protocol, by=officer)
    services.protocol_version_update(version=v2, by=officer, purpose="DRAFT-ONLY words")
    page = client.get(detail)
    assert page.status_code == 200
    assert TEXT["purpose"] in page.content.decode()
    assert "DRAFT-ONLY" not in page.content.decode()
    assert client.get(v2.get_absolute_url()).status_code == 404
    listing = client.get(reverse("protocols:protocol-list")).content.decode()
    assert "Northby protocol" in listing
    compare = reverse("protocols:protocol-compare", args=[protocol.pk])
    assert client.get(compare, {"from": 1, "to": 2}).status_code == 404  # v2 is not public
    client.force_login(officer)
    page = client.get(compare, {"from": 1, "to": 2})
    assert page.status_code == 200 and "cf-diff-ins" in page.content.decode()


def test_sign_off_through_the_pages(client, protocol, area, officer, osc_officer):
    v1 = protocol.versions.get()
    client.force_login(officer)
    page = client.get(v1.get_absolute_url())
    assert "Sign off this version" in page.content.decode()
    url = reverse("protocols:version-sign", args=[protocol.pk, 1])
    client.post(url, {"organisation": area.network.pk, "signatory_name": "N. Officer"})
    # signing for the committee is refused: not this user's body
    response = client.post(url, {"organisation": area.committee.pk}, follow=True)
    assert "only for a body whose support officer" in response.content.decode()
    client.force_login(osc_officer)
    client.post(url, {"organisation": area.committee.pk})
    v1.refresh_from_db()
    assert v1.state == VersionState.AGREED


def test_edit_page_keeps_what_was_typed_on_error(client, protocol, officer):
    client.force_login(officer)
    url = reverse("protocols:version-edit", args=[protocol.pk, 1])
    assert client.get(url).status_code == 200
    response = client.post(url, {"purpose": "Kept words", "acknowledgement_days": "0"})
    assert response.status_code == 400
    assert "Kept words" in response.content.decode()
    response = client.post(url, {"purpose": "Saved words", "acknowledgement_days": "20"})
    assert response.status_code == 302
    assert protocol.versions.get().purpose == "Saved words"


def test_non_party_cannot_reach_edit_pages(client, protocol, other_officer):
    client.force_login(other_officer)
    assert client.get(reverse("protocols:version-edit", args=[protocol.pk, 1])).status_code == 404
    assert client.post(reverse("protocols:version-new", args=[protocol.pk])).status_code == 404
