"""Role fixtures shared by every test package.

`area` is one partnership (an involvement network and a scrutiny committee) with a health body,
plus an unrelated "other" body; the role fixtures are users of that area.
"""

import os
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from api import webhooks
from scrutiny.casework.models import Membership
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)

# `make test-long`: every property test without its own example count runs CF_LONG_EXAMPLES.
if os.environ.get("CF_LONG_EXAMPLES"):
    hypothesis_settings.register_profile(
        "long", max_examples=int(os.environ["CF_LONG_EXAMPLES"]), deadline=None
    )
    hypothesis_settings.load_profile("long")


@pytest.fixture
def area(db):
    network = OrganisationFactory(network=True, name="Northby LINk", slug="northby-link")
    committee = OrganisationFactory(committee=True, name="Northby HOSC", slug="northby-hosc")
    partnership = PartnershipFactory(
        name="Northby",
        slug="northby",
        involvement_network=network,
        scrutiny_committees=[committee],
    )
    trust = OrganisationFactory(name="Northby Hospitals NHS Trust", slug="northby-trust")
    other_trust = OrganisationFactory(name="Southby Care NHS Trust", slug="southby-trust")
    other_network = OrganisationFactory(network=True, name="Southby LINk", slug="southby-link")
    return SimpleNamespace(
        network=network,
        committee=committee,
        partnership=partnership,
        trust=trust,
        other_trust=other_trust,
        other_network=other_network,
    )


def _member(org, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def officer(area):
    """A support officer of the involvement network (party to the partnership)."""
    return _member(area.network, Membership.Role.SUPPORT_OFFICER, "link-officer")


@pytest.fixture
def osc_officer(area):
    return _member(area.committee, Membership.Role.SUPPORT_OFFICER, "osc-officer")


@pytest.fixture
def member(area):
    return _member(area.committee, Membership.Role.COMMITTEE_MEMBER, "member")


@pytest.fixture
def chair(area):
    return _member(area.committee, Membership.Role.CHAIR, "chair")


@pytest.fixture
def responder(area):
    return _member(area.trust, Membership.Role.RESPONDER, "trust-responder")


@pytest.fixture
def other_responder(area):
    return _member(area.other_trust, Membership.Role.RESPONDER, "other-responder")


@pytest.fixture
def other_officer(area):
    return _member(area.other_network, Membership.Role.SUPPORT_OFFICER, "other-officer")


@pytest.fixture
def resident():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def pytest_collection_modifyitems(config, items):
    """`postgres` tests need PostgreSQL: skipped, with the reason, on the SQLite run."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL pass of make test")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# The tests never ask the network's DNS: names under the example domains (RFC 2606), which stand
# for health bodies' webhook receivers, resolve to one public address, everything else as usual
# (literal addresses such as the loopback receivers resolve without the network).
EXAMPLE_PUBLIC_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True)
def _offline_dns(monkeypatch):
    real = webhooks.resolve

    def resolve(host, port):
        if host.endswith((".example", ".example.org", ".example.com", ".example.net")):
            return {EXAMPLE_PUBLIC_ADDRESS}
        return real(host, port)

    monkeypatch.setattr(webhooks, "resolve", resolve)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache. The database is rolled back after every test but a
    local-memory cache is not: a public page cached under a publication version that a later
    test's fresh database reaches again would be served stale (seen under pytest-xdist, where
    a worker runs many files in one process)."""
    cache.clear()
    yield
