"""Co-optees open the agenda packs of the committees they sit on (issue 15: "a co-opted
involvement-network member cannot open the agenda pack today (404)"). Exempt items only where
the committee's rules say so. The isolation matrix: each actor × page → status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from protocols import services
from protocols.models import Meeting
from scrutiny.casework.models import Membership
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.protocols.conftest import paper_file

YEAR = 2026  # today is Thu 26 Nov 2026 (tests/protocols/conftest.py)


def _network_member(area, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=area.network, role=Membership.Role.COMMITTEE_MEMBER)
    return user


@pytest.fixture
def world(area, osc_officer, member, make_meeting):
    meeting = make_meeting(body=area.committee, by=osc_officer, title="HOSC January")
    public = services.agenda_item_add(meeting=meeting, by=osc_officer, title="Stroke services")
    public_paper = services.paper_add(item=public, by=osc_officer, file=paper_file("stroke.txt"))
    exempt = services.agenda_item_add(
        meeting=meeting,
        by=osc_officer,
        title="SECRET-ITEM contract",
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason="Commercial terms.",
    )
    exempt_paper = services.paper_add(item=exempt, by=osc_officer, file=paper_file("terms.txt"))

    co_optee = _network_member(area, "co-optee")
    seat = services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=YEAR,
        name="Network representative",
        role="co_optee",
        voting=False,
        user=co_optee,
    )
    substitute = _network_member(area, "co-optee-substitute")
    services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=YEAR,
        name="Network substitute",
        role="substitute",
        voting=False,
        user=substitute,
        substitute_for=seat,
    )
    ended = _network_member(area, "former-co-optee")
    old = services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=YEAR,
        name="Former representative",
        role="co_optee",
        voting=False,
        user=ended,
    )
    services.seat_end(seat=old, by=osc_officer, on=dt.date(2026, 10, 31))
    last_year = _network_member(area, "last-years-co-optee")
    services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=YEAR - 1,
        name="Last year's representative",
        role="co_optee",
        voting=False,
        user=last_year,
    )
    elsewhere = _network_member(area, "co-opted-elsewhere")
    other_committee = OrganisationFactory(committee=True, name="Westby HOSC", slug="westby-hosc")
    westby_officer = UserFactory(username="westby-officer")
    MembershipFactory(
        user=westby_officer, organisation=other_committee, role=Membership.Role.SUPPORT_OFFICER
    )
    services.seat_add(
        body=other_committee,
        by=westby_officer,
        year=YEAR,
        name="Rep",
        role="co_optee",
        voting=False,
        user=elsewhere,
    )
    return {
        "meeting": meeting,
        "public_paper": public_paper,
        "exempt_paper": exempt_paper,
        "actors": {
            "co_optee": co_optee,
            "substitute": substitute,
            "ended": ended,
            "last_year": last_year,
            "elsewhere": elsewhere,
            "network_member": _network_member(area, "plain-network-member"),
            "member": member,
        },
    }


SEATED = {"co_optee", "substitute", "member"}
ALL = {"co_optee", "substitute", "ended", "last_year", "elsewhere", "network_member", "member"}

# page -> (actors who get 200 with the default rules, with co-optees_see_exempt)
MATRIX = {
    "pack": (SEATED, SEATED),
    "detail": (SEATED, SEATED),
    "public_paper": (SEATED, SEATED),
    "exempt_paper": ({"member"}, SEATED),
}


def _url(world, page):
    meeting = world["meeting"]
    return {
        "pack": reverse("protocols:meeting-pack", args=[meeting.pk]),
        "detail": meeting.get_absolute_url(),
        "public_paper": world["public_paper"].get_absolute_url(),
        "exempt_paper": world["exempt_paper"].get_absolute_url(),
    }[page]


@pytest.mark.parametrize("exempt_rule", [False, True], ids=["default", "exempt-allowed"])
@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("actor", sorted(ALL))
def test_isolation_matrix(client, area, osc_officer, world, actor, page, exempt_rule):
    if exempt_rule:
        services.committee_rules_set(body=area.committee, by=osc_officer, co_optees_see_exempt=True)
    client.force_login(world["actors"][actor])
    allowed = MATRIX[page][1 if exempt_rule else 0]
    expected = 200 if actor in allowed else 404
    assert client.get(_url(world, page)).status_code == expected


def test_the_pack_leaves_out_exempt_items_by_default(client, area, osc_officer, world):
    client.force_login(world["actors"]["co_optee"])
    url = _url(world, "pack")
    page = client.get(url).content.decode()
    assert "Stroke services" in page and "SECRET-ITEM" not in page
    services.committee_rules_set(body=area.committee, by=osc_officer, co_optees_see_exempt=True)
    assert "SECRET-ITEM" in client.get(url).content.decode()


def test_my_meetings_lists_the_committees_meetings(client, world):
    client.force_login(world["actors"]["co_optee"])
    assert "HOSC January" in client.get(reverse("protocols:my-meetings")).content.decode()
    client.force_login(world["actors"]["ended"])
    assert "HOSC January" not in client.get(reverse("protocols:my-meetings")).content.decode()


def test_a_co_optee_reads_but_does_not_manage(world):
    meeting = Meeting.objects.get(pk=world["meeting"].pk)
    co_optee = world["actors"]["co_optee"]
    assert can(co_optee, Perm.MEETING_PACK, meeting)
    assert not can(co_optee, Perm.MEETING_IN_FULL, meeting)
    assert not can(co_optee, Perm.MEETING_MANAGE, meeting)


def test_the_rule_is_the_committees_officers(area, officer, world):
    with pytest.raises(Exception) as err:
        services.committee_rules_set(body=area.committee, by=officer, co_optees_see_exempt=True)
    assert type(err.value).__name__ == "Forbidden"
