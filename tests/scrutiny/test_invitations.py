"""Getting responders in without a superuser: officers invite people at a body their topics
asked, responders invite colleagues and remove access; a link works once, until it expires."""

import datetime as dt
import re

import pytest
import time_machine

from scrutiny.casework import services
from scrutiny.casework.models import Invitation, Membership
from tests.workflows.deadline_helpers import at, issued_requests, people
from workflows.models import AuditEvent, Notification, NotificationKind

pytestmark = pytest.mark.django_db
D = dt.date
PASSWORD = "a quite long password 7"


@pytest.fixture
def who(area):
    return people(area)


def _link(invitation) -> str:
    notice = Notification.objects.get(kind=NotificationKind.INVITATION, object_id=invitation.pk)
    return re.search(r"http://[^\s]+/invitations/[^\s/]+/", notice.body_text).group(0)


def _path(link):
    return "/" + link.split("/", 3)[3]


def test_an_officer_invites_a_person_at_a_body_their_topic_asked(client, area, who):
    issued_requests(area, who, on=D(2026, 12, 1))
    client.force_login(who.osc_officer)
    response = client.post(
        f"/bodies/{area.trust.pk}/invite/",
        {"email": "Ward.Manager@Northby.example", "name": "Wendy Ward"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "ward.manager@northby.example"
    notice = Notification.objects.get(kind=NotificationKind.INVITATION)
    assert notice.to_email == "ward.manager@northby.example" and notice.recipient is None
    assert AuditEvent.objects.filter(event_type="invitation_sent").count() == 1
    # The link is not stored, only its hash.
    assert _link(invitation).rstrip("/").rsplit("/", 1)[1] not in invitation.token_hash


def test_an_officer_cannot_invite_to_a_body_no_topic_of_theirs_asked(client, area, who):
    issued_requests(area, who, on=D(2026, 12, 1))
    client.force_login(who.other_officer)
    assert client.get(f"/bodies/{area.trust.pk}/invite/").status_code == 403
    client.force_login(who.osc_officer)
    assert client.get(f"/bodies/{area.other_trust.pk}/invite/").status_code == 403


def test_accepting_makes_a_responder_of_that_body_only_and_the_link_works_once(client, area, who):
    issued_requests(area, who, on=D(2026, 12, 1))
    invitation = services.invitation_send(
        organisation=area.trust, email="new@northby.example", by=who.osc_officer
    )
    path = _path(_link(invitation))
    assert client.get(path).status_code == 200
    mismatch = client.post(
        path, {"username": "newbie", "password": PASSWORD, "password_again": "other"}
    )
    assert mismatch.status_code == 400
    assert "The two passwords are not the same." in mismatch.content.decode()
    assert 'value="newbie"' in mismatch.content.decode()  # what was typed stays
    done = client.post(
        path, {"username": "newbie", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert done["Location"] == "/body/"
    membership = Membership.objects.get(user__username="newbie")
    assert membership.organisation == area.trust and membership.role == "responder"
    assert Membership.objects.filter(user__username="newbie").count() == 1
    assert client.get("/body/").status_code == 200
    client.logout()
    used = client.get(path)
    assert used.status_code == 410
    assert "already been used" in used.content.decode()
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_an_expired_invitation_says_so(client, area, who):
    issued_requests(area, who, on=D(2026, 12, 1))
    with time_machine.travel(at(D(2026, 12, 2)), tick=False):
        invitation = services.invitation_send(
            organisation=area.trust, email="late@northby.example", by=who.osc_officer
        )
        path = _path(_link(invitation))
    with time_machine.travel(at(D(2026, 12, 10)), tick=False):
        page = client.get(path)
        assert page.status_code == 410
        assert "expired on" in page.content.decode()
        refused = client.post(
            path, {"username": "late", "password": PASSWORD, "password_again": PASSWORD}
        )
        assert refused.status_code == 410
    assert not Membership.objects.filter(user__username="late").exists()


def test_responders_see_colleagues_invite_and_remove_them(client, area, who):
    issued_requests(area, who, on=D(2026, 12, 1))
    client.force_login(who.responder)
    invited = client.post(f"/bodies/{area.trust.pk}/invite/", {"email": "c@northby.example"})
    assert invited["Location"] == f"/bodies/{area.trust.pk}/people/"
    page = client.get(f"/bodies/{area.trust.pk}/people/").content.decode()
    assert "c@northby.example" in page and who.responder.email in page
    colleague = services.invitation_accept(
        token=_path(_link(Invitation.objects.get())).split("/")[2],
        username="colleague",
        password=PASSWORD,
    )
    membership = Membership.objects.get(user=colleague)
    client.post(f"/bodies/{area.trust.pk}/people/{membership.pk}/remove/")
    assert not Membership.objects.filter(user=colleague).exists()
    assert AuditEvent.objects.filter(event_type="responder_removed").count() == 1
    # Nobody else sees or changes the trust's people.
    client.force_login(who.other_responder)
    assert client.get(f"/bodies/{area.trust.pk}/people/").status_code == 403
    mine = Membership.objects.get(user=who.responder)
    client.post(f"/bodies/{area.trust.pk}/people/{mine.pk}/remove/")
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_inviting_someone_who_already_answers_says_so(client, area, who):
    issued_requests(area, who, on=D(2026, 12, 1))
    client.force_login(who.responder)
    page = client.post(f"/bodies/{area.trust.pk}/invite/", {"email": who.responder.email})
    assert page.status_code == 400
    assert "can already answer for" in page.content.decode()
    assert not Invitation.objects.exists()
