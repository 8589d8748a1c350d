"""The governance demo: every state the issue asks to see, reachable, and idempotent."""

import pytest
from django.urls import reverse

from protocols.models import Attendance, CommitteeSeat, Declaration, Minutes, MinutesState
from scrutiny.demo import casework as scrutiny_demo
from scrutiny.demo import governance
from scrutiny.demo import joint_working as demo

pytestmark = pytest.mark.django_db


def test_the_governance_demo(client):
    result = scrutiny_demo.seed()
    demo.seed_demo(result)
    lines = governance.seed_demo(result, "demo-password")
    assert any("Governance" in line for line in lines)
    seats = CommitteeSeat.objects.count()
    assert governance.seed_demo(result, "demo-password") == []
    assert CommitteeSeat.objects.count() == seats

    statuses = set(Attendance.objects.values_list("status", flat=True))
    assert statuses == {"present", "apologies", "substitute"}
    assert Declaration.objects.filter(kind="pecuniary", withdrew=True).exists()
    states = set(Minutes.objects.values_list("state", flat=True))
    assert states == {MinutesState.PUBLISHED, MinutesState.DRAFT}

    published = Minutes.objects.get(state=MinutesState.PUBLISHED)
    assert published.approved_at_item.meeting.date > published.meeting.date
    url = reverse("protocols:minutes", args=[published.meeting_id])
    assert client.get(url).status_code == 200

    client.force_login(CommitteeSeat.objects.get(role="co_optee").user)
    mine = client.get(reverse("protocols:my-meetings")).content.decode()
    assert "Health scrutiny committee" in mine
    upcoming = (
        CommitteeSeat.objects.get(role="co_optee")
        .body.meetings.filter(state="scheduled", agenda_published_at__isnull=True)
        .get()
    )
    pack = client.get(reverse("protocols:meeting-pack", args=[upcoming.pk]))
    assert pack.status_code == 200
    page = pack.content.decode()
    assert "recovery plan" in page and "Patient transport contract" not in page
