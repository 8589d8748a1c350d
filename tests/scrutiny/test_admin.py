"""The admin moves lifecycles only through the services; the state is never editable."""

import pytest
from django.contrib.auth.models import Permission

from scrutiny.casework import services
from scrutiny.casework.models import ProviderResponse, Topic, TopicState
from tests.factories import UserFactory
from tests.scrutiny.casework_setup import walk_to_response_due
from workflows.audit import EventType
from workflows.models import AuditEvent


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.fixture
def topic(area, officer):
    return services.topic_raise(
        by=officer,
        title="Dentistry",
        summary="No NHS places",
        partnership=area.partnership,
        lead_body=area.network,
    )


def test_state_is_read_only_in_the_change_form(admin_client, topic):
    page = admin_client.get(f"/admin/scrutiny/topic/{topic.pk}/change/")
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()


def test_an_action_asks_for_a_reason_then_moves_through_the_service(admin_client, topic):
    url = "/admin/scrutiny/topic/"
    first = admin_client.post(url, {"action": "cf_decline", "_selected_action": [topic.pk]})
    assert first.status_code == 200
    assert "Reason for declining" in first.content.decode()
    topic.refresh_from_db()
    assert topic.state == TopicState.RAISED

    admin_client.post(
        url,
        {"action": "cf_decline", "_selected_action": [topic.pk], "apply": "1", "text": "No"},
    )
    topic.refresh_from_db()
    assert topic.state == TopicState.DECLINED
    assert AuditEvent.objects.filter(
        event_type=EventType.TOPIC_DECLINED, object_id=topic.pk
    ).exists()


def test_an_unavailable_action_reports_the_reason_and_changes_nothing(admin_client, topic):
    response = admin_client.post(
        "/admin/scrutiny/topic/",
        {"action": "cf_issue_requests", "_selected_action": [topic.pk]},
        follow=True,
    )
    assert "Cannot issue requests" in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).state == TopicState.RAISED


def test_the_accountability_log_cannot_be_added_changed_or_deleted(admin_client):
    assert admin_client.get("/admin/scrutiny/providerresponse/add/").status_code == 403
    assert ProviderResponse.objects.count() == 0


# --- the admin cannot bypass a service (grants and the log) ----------------------------------


@pytest.mark.parametrize("model", ["topic", "informationrequest", "recommendation", "referral"])
def test_lifecycle_objects_cannot_be_added_in_the_admin(admin_client, model):
    """Added there, a topic would have no 'raise' log row and no grants."""
    assert admin_client.get(f"/admin/scrutiny/{model}/add/").status_code == 403


def test_moving_a_topic_to_another_body_in_the_admin_is_refused(
    admin_client, topic, area, officer, other_officer
):
    """Changing the partnership there left the old officer seeing it and the new one not."""
    change = f"/admin/scrutiny/topic/{topic.pk}/change/"
    page = admin_client.get(change).content.decode()
    assert 'name="partnership"' not in page
    assert 'name="body"' not in page
    admin_client.post(
        change,
        {
            "title": topic.title,
            "summary": topic.summary,
            "source": topic.source,
            "lead_body": area.network.pk,
            "partnership": "",
            "body": area.other_network.pk,
            "positions-TOTAL_FORMS": "0",
            "positions-INITIAL_FORMS": "0",
        },
    )
    topic.refresh_from_db()
    assert topic.partnership_id == area.partnership.pk
    assert topic.body_id is None
    assert officer.has_perm("scrutiny.view_topic", topic)
    assert not other_officer.has_perm("scrutiny.view_topic", topic)


def test_an_items_recipient_is_read_only_in_the_admin(admin_client, topic, officer, area):
    _, request, _ = walk_to_response_due(topic, officer, area.trust)
    page = admin_client.get(f"/admin/scrutiny/informationrequest/{request.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="recipient"' not in body
    assert 'name="topic"' not in body


def test_a_staff_account_sees_in_the_admin_only_what_the_policy_shows(
    client, area, officer, other_officer, topic
):
    """An officer given admin access and every model permission still lists, opens and
    changes only their own bodies' topics: the admin asks the policy (PolicyAdmin)."""
    elsewhere = services.topic_raise(
        by=other_officer,
        title="Southby dentists",
        summary="Access",
        body=area.other_network,
        lead_body=area.other_network,
    )
    officer.is_staff = True
    officer.save()
    officer.user_permissions.set(Permission.objects.filter(content_type__app_label="scrutiny"))
    client.force_login(officer)
    listing = client.get("/admin/scrutiny/topic/").content.decode()
    assert "Dentistry" in listing and "Southby dentists" not in listing
    assert client.get(f"/admin/scrutiny/topic/{topic.pk}/change/").status_code == 200
    other = client.get(f"/admin/scrutiny/topic/{elsewhere.pk}/change/")
    assert other.status_code == 302  # "doesn't exist": not in the policy's rows

    change_page = client.get(f"/admin/scrutiny/topic/{topic.pk}/change/").content.decode()
    assert 'name="_save"' in change_page  # the officer manages it
