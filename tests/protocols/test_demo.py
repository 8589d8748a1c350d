"""The demo seeder: realistic joint working for each seeded partnership, idempotent."""

import pytest

from protocols.models import AgendaItem, Meeting, MeetingState, Protocol, VersionState
from scrutiny.demo import casework as scrutiny_demo
from scrutiny.demo import joint_working as demo

pytestmark = pytest.mark.django_db


def counts():
    return (
        Protocol.objects.count(),
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        sorted(Meeting.objects.values_list("pk", "sequence")),
    )


def test_seed_is_realistic_and_idempotent():
    result = scrutiny_demo.seed()
    lines = demo.seed_demo(result)
    assert any("Protocol" in line for line in lines)
    first = counts()
    assert demo.seed_demo(scrutiny_demo.seed()) == []
    assert counts() == first
    for area in result["areas"]:
        p = area.partnership
        protocol = Protocol.objects.get(partnership=p)
        states = dict(protocol.versions.values_list("number", "state"))
        assert states == {1: VersionState.SUPERSEDED, 2: VersionState.AGREED}
        meetings = Meeting.objects.involving(p.party_ids())
        assert meetings.filter(state=MeetingState.HELD, items__decision__gt="").exists()
        assert meetings.filter(state=MeetingState.CANCELLED).exists()
        assert meetings.filter(agenda_published_at__isnull=True, state="scheduled").exists()
        published = meetings.filter(agenda_published_at__isnull=False, state="scheduled")
        assert published.filter(items__exempt=True).exists()
