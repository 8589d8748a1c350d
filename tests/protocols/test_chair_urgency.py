"""The chair's urgency (issue 14): a late agenda's reason of urgency (LGA 1972 s100B(4)(b)) is
given by the chair on a chair's action page, not typed in by the officer; the chair is e-mailed
(the outbox) when it is awaited; the officer sees "awaiting the chair's reason". Required
fields are never labelled "(optional)"."""

import datetime as dt

import pytest
from django.urls import reverse

from protocols import services
from protocols.models import Meeting
from scrutiny.casework.models import Membership
from tests.factories import MembershipFactory, UserFactory
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import Notification

pytestmark = pytest.mark.django_db

LATE = dt.date(2026, 12, 1)  # the latest date to publish was Mon 23 Nov; today is 26 Nov


@pytest.fixture
def late_meeting(make_meeting, officer):
    meeting = make_meeting(date=LATE)
    services.agenda_item_add(meeting=meeting, by=officer, title="Winter pressures")
    return meeting


def _publish_url(meeting):
    return reverse("protocols:meeting-publish", args=[meeting.pk])


def _urgency_url(meeting):
    return reverse("protocols:meeting-urgency", args=[meeting.pk])


def test_the_officer_can_no_longer_record_the_chairs_reason_themself(
    client, late_meeting, officer, chair
):
    client.force_login(officer)
    page = client.get(_publish_url(late_meeting)).content.decode()
    assert 'name="urgency_reason"' not in page and 'name="chair"' not in page
    response = client.post(
        _publish_url(late_meeting), {"urgency_reason": "Typed by the officer", "chair": chair.pk}
    )
    assert response.status_code == 400
    late_meeting.refresh_from_db()
    assert late_meeting.agenda_published_at is None and late_meeting.urgency_reason == ""


def test_asking_the_chair_notifies_them_through_the_outbox(
    late_meeting, officer, chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_request_urgency_reason(meeting=late_meeting, by=officer)
    assert meeting.awaiting_chair_reason
    (mail,) = Notification.objects.filter(recipient=chair)
    assert "reason of urgency" in mail.subject
    assert mail.link.endswith(_urgency_url(meeting))
    assert _urgency_url(meeting) in mail.body_text
    assert event_history(meeting).last().event_type == EventType.MEETING_URGENCY_REQUESTED
    with pytest.raises(Conflict):  # asked once; the chair has the link
        services.meeting_request_urgency_reason(meeting=meeting, by=officer)


def test_the_officer_sees_awaiting_the_chairs_reason(client, late_meeting, officer, chair):
    client.force_login(officer)
    page = client.get(_publish_url(late_meeting)).content.decode()
    assert "Ask the chair for their reason of urgency" in page
    assert "Publish the agenda</button>" not in page
    ask = reverse("protocols:meeting-urgency-request", args=[late_meeting.pk])
    assert client.post(ask).status_code == 302
    page = client.get(_publish_url(late_meeting)).content.decode()
    assert "Awaiting the chair's reason" in page
    assert "Publish the agenda</button>" not in page
    assert client.post(_publish_url(late_meeting)).status_code == 409


def test_the_chair_gives_the_reason_on_their_action_page_and_the_officer_publishes(
    client, late_meeting, officer, chair
):
    services.meeting_request_urgency_reason(meeting=late_meeting, by=officer)
    client.force_login(chair)
    detail = client.get(late_meeting.get_absolute_url()).content.decode()
    assert _urgency_url(late_meeting) in detail
    page = client.get(_urgency_url(late_meeting)).content.decode()
    assert "Your reason of urgency</label>" in page and "(optional)" not in page
    response = client.post(_urgency_url(late_meeting), {"reason": "  "})
    assert response.status_code == 400
    assert "Enter your reason of urgency." in response.content.decode()
    assert client.post(_urgency_url(late_meeting), {"reason": "Flu surge"}).status_code == 302
    meeting = Meeting.objects.get(pk=late_meeting.pk)
    assert (meeting.urgency_given_reason, meeting.urgency_given_by) == ("Flu surge", chair)
    assert meeting.urgency_reason == ""  # recorded by the publication itself
    assert event_history(meeting).last().event_type == EventType.MEETING_URGENCY_GIVEN
    (told,) = Notification.objects.filter(recipient=officer)
    assert "Flu surge" in told.body_text
    client.force_login(officer)
    assert "Flu surge" in client.get(_publish_url(meeting)).content.decode()
    response = client.post(_publish_url(meeting))
    assert response.status_code == 302, response.content.decode()[-3000:]
    meeting.refresh_from_db()
    assert meeting.published_late() and meeting.urgency_chair == chair


@pytest.mark.parametrize("who", ["officer", "osc_officer", "member", "other_chair"])
def test_only_a_chair_of_the_meetings_bodies_gives_the_reason(request, client, late_meeting, who):
    if who == "other_chair":
        user = UserFactory(username="southby-chair")
        MembershipFactory(
            user=user,
            organisation=request.getfixturevalue("area").other_network,
            role=Membership.Role.CHAIR,
        )
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        services.meeting_give_urgency_reason(meeting=late_meeting, by=user, reason="Mine")
    client.force_login(user)
    assert client.get(_urgency_url(late_meeting)).status_code in (403, 404)
    assert Meeting.objects.get(pk=late_meeting.pk).urgency_given_reason == ""


def test_an_on_time_agenda_needs_no_reason(make_meeting, officer, chair):
    meeting = make_meeting()
    with pytest.raises(Conflict):
        services.meeting_request_urgency_reason(meeting=meeting, by=officer)
    with pytest.raises(Conflict):
        services.meeting_give_urgency_reason(meeting=meeting, by=chair, reason="Not needed")


def test_without_a_chair_the_officer_is_told_so(late_meeting, officer):
    with pytest.raises(InvalidInput, match="No chair"):
        services.meeting_request_urgency_reason(meeting=late_meeting, by=officer)


# --- Labels: "(optional)" only on truly optional fields -----------------------------------------


def test_conditionally_required_meeting_and_agenda_fields_are_not_labelled_optional(
    client, make_meeting, officer
):
    client.force_login(officer)
    page = client.get(reverse("protocols:meeting-create")).content.decode()
    assert "Place (optional)" not in page and "Online meeting link (optional)" not in page
    assert "End time (optional)" in page  # truly optional
    meeting = make_meeting()
    page = client.get(reverse("protocols:item-add", args=[meeting.pk])).content.decode()
    assert "Schedule 12A paragraph (optional)" not in page
    assert "outweighs disclosure (optional)" not in page


def test_a_late_items_reason_is_marked_required_not_optional(client, late_meeting, officer, chair):
    services.meeting_request_urgency_reason(meeting=late_meeting, by=officer)
    services.meeting_give_urgency_reason(meeting=late_meeting, by=chair, reason="Flu")
    services.meeting_publish_agenda(meeting=late_meeting, by=officer)
    client.force_login(officer)
    page = client.get(reverse("protocols:item-add", args=[late_meeting.pk])).content.decode()
    assert "Late item: the chair&#x27;s reason of urgency</label>" in page
    assert "reason of urgency (optional)" not in page
