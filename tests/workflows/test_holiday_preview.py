"""Bank holiday changes in the admin: a preview first, saved only when confirmed, each move on
the item's timeline.

A request issued Fri 18 Dec 2026 is due Wed 20 Jan 2027; a holiday on Mon 11 Jan 2027 moves it
to Thu 21 Jan 2027.
"""

import datetime as dt

import pytest

from scrutiny.casework.models import InformationRequest
from tests.factories import UserFactory
from tests.workflows.deadline_helpers import issued_requests, people
from workflows.audit import EventType
from workflows.models import AuditEvent, DueDateChange, HolidayOverride, Notification
from workflows.services import holiday_override_preview, holiday_override_save

pytestmark = pytest.mark.django_db

D = dt.date
ISSUED = D(2026, 12, 18)
DUE = D(2027, 1, 20)
ADD_URL = "/admin/workflows/holidayoverride/add/"


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="hol-admin", password="!unusable", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def holiday(**changes):
    data = {
        "region": "england-and-wales",
        "date": "2027-01-11",
        "action": "add",
        "name": "Proclaimed holiday",
    }
    data.update(changes)
    return data


def due(requests):
    return [InformationRequest.all_objects.get(pk=r.pk).due_on for r in requests]


def test_adding_a_holiday_shows_the_moves_and_saves_nothing_until_confirmed(area, admin_client):
    who = people(area)
    requests = issued_requests(area, who, on=ISSUED, count=2)

    response = admin_client.post(ADD_URL, holiday())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing has been saved yet." in page
    assert "2 open due dates would move" in page
    assert "Wed 20 Jan 2027" in page and "Thu 21 Jan 2027" in page
    assert "Add a bank holiday: 11 January 2027" in page
    assert not HolidayOverride.objects.exists()
    assert due(requests) == [DUE, DUE]
    assert not DueDateChange.objects.exists()
    assert not Notification.objects.exists()

    response = admin_client.post(ADD_URL, {**holiday(), "_confirm_change": "1"})

    assert response.status_code == 302
    assert HolidayOverride.objects.count() == 1
    assert due(requests) == [D(2027, 1, 21)] * 2
    events = AuditEvent.objects.filter(event_type=EventType.DUE_DATE_MOVED)
    assert sorted(e.object_id for e in events) == sorted(r.pk for r in requests)
    assert {e.data["why"] for e in events} == {"holiday_added"}
    # On the staff topic page's timeline.
    admin_client.force_login(who.osc_officer)
    page = admin_client.get(f"/topics/{requests[0].topic_id}/").content.decode()
    assert "Due date moved" in page
    assert "From Wed 20 Jan 2027 to Thu 21 Jan 2027: bank holiday added: 11 Jan 2027" in page


def test_a_holiday_that_moves_nothing_still_asks_for_confirmation(area, admin_client):
    response = admin_client.post(ADD_URL, holiday(date="2027-06-01"))
    assert response.status_code == 200
    assert "No open due date would move" in response.content.decode()
    assert not HolidayOverride.objects.exists()


def test_an_invalid_holiday_is_refused_on_the_form_without_a_preview(area, admin_client):
    holiday_override_save(
        override=HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="First")
    )
    response = admin_client.post(ADD_URL, holiday(name="Second"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing has been saved yet." not in page
    assert "errornote" in page
    assert HolidayOverride.objects.count() == 1


def test_changing_a_holiday_previews_the_moves_of_the_new_date(area, admin_client):
    who = people(area)
    (request,) = issued_requests(area, who, on=ISSUED)
    override = HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="P")
    holiday_override_save(override=override)
    assert due([request]) == [D(2027, 1, 21)]

    url = f"/admin/workflows/holidayoverride/{override.pk}/change/"
    response = admin_client.post(url, holiday(date="2027-02-01", name="P"))
    assert response.status_code == 200
    assert "1 open due date would move" in response.content.decode()
    assert HolidayOverride.objects.get().date == D(2027, 1, 11)

    admin_client.post(url, {**holiday(date="2027-02-01", name="P"), "_confirm_change": "1"})
    assert due([request]) == [DUE]
    (event,) = AuditEvent.objects.filter(
        event_type=EventType.DUE_DATE_MOVED, data__why="holiday_changed"
    )
    assert event.object_id == request.pk


def test_deleting_a_holiday_shows_the_moves_on_the_confirmation_page(area, admin_client):
    who = people(area)
    (request,) = issued_requests(area, who, on=ISSUED)
    override = HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="P")
    holiday_override_save(override=override)
    url = f"/admin/workflows/holidayoverride/{override.pk}/delete/"

    page = admin_client.get(url).content.decode()
    assert "1 open due date would move" in page
    assert "Thu 21 Jan 2027" in page and "Wed 20 Jan 2027" in page
    assert due([request]) == [D(2027, 1, 21)]

    admin_client.post(url, {"post": "yes"})
    assert not HolidayOverride.objects.exists()
    assert due([request]) == [DUE]
    assert AuditEvent.objects.filter(data__why="holiday_withdrawn").count() == 1


def test_the_bulk_delete_without_a_preview_is_not_offered(area, admin_client):
    page = admin_client.get("/admin/workflows/holidayoverride/").content.decode()
    assert "delete_selected" not in page


def test_the_preview_is_what_the_change_then_does(area):
    who = people(area)
    requests = issued_requests(area, who, on=ISSUED, count=3)
    override = HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="P")
    plan = holiday_override_preview(override=override)
    assert plan.count == 3 and not HolidayOverride.objects.exists()
    changes = holiday_override_save(override=override)
    assert sorted((c.object_id, c.new_due_on) for c in changes) == sorted(
        (m.obj.pk, m.new_due_on) for m in plan.moves
    )
    assert due(requests) == [D(2027, 1, 21)] * 3
