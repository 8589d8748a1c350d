"""The administration home (issue 16): area administrators only, and only their own bodies."""

import pytest
from django.urls import reverse

from scrutiny.casework import services
from scrutiny.casework.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area_admin(area):
    user = UserFactory(username="northby-admin")
    for body in (area.network, area.committee):
        services.membership_add(user=user, organisation=body, role=Membership.Role.AREA_ADMIN)
    return user


def test_an_administrator_sees_their_bodies_and_partnerships(client, area, area_admin):
    client.force_login(area_admin)
    page = client.get(reverse("administration:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Northby LINk" in text and "Northby HOSC" in text
    assert "Southby LINk" not in text
    assert 'href="/administration/"' in text  # the navigation link


def test_an_administrator_lands_on_administration(client, area_admin):
    client.force_login(area_admin)
    assert client.get(reverse("signed-in")).url == reverse("administration:home")


def test_an_officer_is_refused_and_a_visitor_asked_to_sign_in(client, officer):
    assert client.get(reverse("administration:home")).status_code == 302
    client.force_login(officer)
    page = client.get(reverse("administration:home"))
    assert page.status_code == 403
    assert (
        'href="/administration/"' not in client.get(reverse("scrutiny:dashboard")).content.decode()
    )


def test_an_administrator_holds_no_casework(area_admin, area):
    from scrutiny.casework.policy import can
    from scrutiny.casework.roles import Perm

    assert not can(area_admin, Perm.STAFF_PAGES)
    assert not can(area_admin, Perm.TOPIC_VIEW)
    assert can(area_admin, Perm.AREA_ADMINISTER, area.network)
    assert not can(area_admin, Perm.AREA_ADMINISTER, area.other_network)


def test_the_people_list_shows_only_the_administered_bodies(client, area, area_admin, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    MembershipFactory(user=UserFactory(username="far"), organisation=area.other_network)
    client.force_login(area_admin)
    home = client.get(reverse("administration:home")).content.decode()
    assert 'href="/administration/people/"' in home
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("administration:people"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "link-officer" in text or officer.email in text
    assert "Southby LINk" not in text
    for n in range(12):
        MembershipFactory(user=UserFactory(username=f"p{n}"), organisation=area.committee)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("administration:people"))
    assert len(many) == len(few)


def test_the_people_list_is_refused_to_an_officer(client, officer):
    client.force_login(officer)
    assert client.get(reverse("administration:people")).status_code == 403
