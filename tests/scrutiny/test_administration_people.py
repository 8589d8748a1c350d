"""Area administrators manage the people of their own bodies (issue 16): the services."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from scrutiny.casework import services
from scrutiny.casework.models import Membership
from tests.factories import UserFactory
from workflows.errors import Forbidden, InvalidInput
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def area_admin(area):
    user = UserFactory(username="northby-admin")
    for body in (area.network, area.committee):
        services.membership_add(user=user, organisation=body, role=Role.AREA_ADMIN)
    return user


@pytest.fixture
def southby_admin(area):
    user = UserFactory(username="southby-admin")
    services.membership_add(user=user, organisation=area.other_network, role=Role.AREA_ADMIN)
    return user


def test_invite_a_new_councillor(area, area_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        m = services.person_invite(
            by=area_admin,
            email="Cllr.Ann@example.org",
            first_name="Ann",
            last_name="Lee",
            organisation=area.committee,
            role=Role.COMMITTEE_MEMBER,
        )
    assert m.organisation == area.committee and m.role == Role.COMMITTEE_MEMBER
    assert not m.user.has_usable_password()
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body
    event = AuditEvent.objects.get(event_type="person_invited")
    assert event.data["person"] == m.user.pk and event.data["role"] == Role.COMMITTEE_MEMBER


def test_an_existing_address_is_linked(area, area_admin, officer):
    before = get_user_model().objects.count()
    services.person_invite(
        by=area_admin,
        email=officer.email.upper(),
        first_name="",
        last_name="",
        organisation=area.committee,
        role=Role.CHAIR,
    )
    assert get_user_model().objects.count() == before
    assert Membership.objects.filter(
        user=officer, organisation=area.committee, role=Role.CHAIR
    ).exists()
    with pytest.raises(InvalidInput):
        services.person_invite(
            by=area_admin,
            email=officer.email,
            first_name="",
            last_name="",
            organisation=area.committee,
            role=Role.CHAIR,
        )


def test_the_last_officer_cannot_be_removed(area, area_admin):
    last = services.person_invite(
        by=area_admin,
        email="only@example.org",
        first_name="",
        last_name="",
        organisation=area.committee,
        role=Role.SUPPORT_OFFICER,
    )
    Membership.objects.filter(organisation=area.committee, role=Role.SUPPORT_OFFICER).exclude(
        pk=last.pk
    ).delete()
    with pytest.raises(InvalidInput, match="Northby HOSC would have no support officer left"):
        services.membership_remove_by_admin(by=area_admin, membership=last)
    with pytest.raises(InvalidInput):
        services.membership_change_role(by=area_admin, membership=last, role=Role.CHAIR)
    assert Membership.objects.get(pk=last.pk).role == Role.SUPPORT_OFFICER


def test_change_and_remove(area, area_admin):
    m = services.person_invite(
        by=area_admin,
        email="x@example.org",
        first_name="",
        last_name="",
        organisation=area.network,
        role=Role.COMMITTEE_MEMBER,
    )
    services.membership_change_role(by=area_admin, membership=m, role=Role.CHAIR)
    assert Membership.objects.get(pk=m.pk).role == Role.CHAIR
    services.membership_remove_by_admin(by=area_admin, membership=m)
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert AuditEvent.objects.filter(event_type__in=["role_changed", "role_removed"]).count() == 2


def test_outside_the_area_and_forged_roles_are_refused(area, area_admin, southby_admin):
    m = services.person_invite(
        by=area_admin,
        email="y@example.org",
        first_name="",
        last_name="",
        organisation=area.network,
        role=Role.COMMITTEE_MEMBER,
    )
    with pytest.raises(Forbidden):
        services.membership_remove_by_admin(by=southby_admin, membership=m)
    with pytest.raises(Forbidden):
        services.person_invite(
            by=southby_admin,
            email="z@example.org",
            first_name="",
            last_name="",
            organisation=area.network,
            role=Role.CHAIR,
        )
    with pytest.raises(InvalidInput):
        services.person_invite(
            by=area_admin,
            email="z@example.org",
            first_name="",
            last_name="",
            organisation=area.network,
            role=Role.RESPONDER,
        )
    with pytest.raises(InvalidInput):
        services.membership_change_role(by=area_admin, membership=m, role=Role.RESPONDER)
