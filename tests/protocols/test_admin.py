import pytest

from protocols.models import MeetingState
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "url",
    ["protocol", "protocolversion", "meeting", "agendaitem", "paper", "calendartoken"],
)
def test_every_joint_working_model_has_an_admin_list(admin_client, url, published_meeting):
    assert admin_client.get(f"/admin/protocols/{url}/").status_code == 200


def test_a_meeting_is_cancelled_through_the_service_with_a_reason(admin_client, published_meeting):
    url = "/admin/protocols/meeting/"
    ids = {"_selected_action": [published_meeting.pk]}
    asked = admin_client.post(url, {"action": "cf_cancel_meeting", **ids})
    assert "Reason for cancelling" in asked.content.decode()
    admin_client.post(url, {"action": "cf_cancel_meeting", "apply": "1", "text": "Snow", **ids})
    published_meeting.refresh_from_db()
    assert published_meeting.state == MeetingState.CANCELLED
    assert published_meeting.cancellation_reason == "Snow"


def test_the_meeting_change_form_has_no_editable_fields(admin_client, published_meeting):
    page = admin_client.get(f"/admin/protocols/meeting/{published_meeting.pk}/change/")
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
