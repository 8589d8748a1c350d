"""Area settings (issue 16): a body's and a partnership's settings, changed by their own
administrators only, each change one audit event with the old and new values."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from scrutiny.casework import services
from scrutiny.casework.models import Membership, Partnership, PrioritisationFramework
from tests.factories import PartnershipFactory, UserFactory
from workflows.audit import EventType
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def _admin(username, *bodies):
    user = UserFactory(username=username)
    for body in bodies:
        services.membership_add(user=user, organisation=body, role=Membership.Role.AREA_ADMIN)
    return user


@pytest.fixture
def northby_admin(area):
    return _admin("northby-admin", area.network, area.committee)


@pytest.fixture
def southby_admin(area):
    return _admin("southby-admin", area.other_network)


def _events(obj, kind):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, event_type=kind
    )


def test_a_label_change_is_saved_and_logged_with_old_and_new(client, area, northby_admin):
    client.force_login(northby_admin)
    url = reverse("administration:body-settings", args=[area.network.pk])
    assert client.get(url).status_code == 200
    old = area.network.label
    page = client.post(url, {"label": "Healthwatch", "description": "", "email": ""})
    assert page.status_code == 302
    area.network.refresh_from_db()
    assert area.network.label == "Healthwatch"
    (event,) = _events(area.network, EventType.BODY_SETTINGS_CHANGED)
    assert event.actor == northby_admin
    assert event.data["label"] == {"old": old, "new": "Healthwatch"}
    # Saving again with nothing changed writes nothing.
    client.post(url, {"label": "Healthwatch", "description": "", "email": ""})
    assert _events(area.network, EventType.BODY_SETTINGS_CHANGED).count() == 1


def test_a_bad_e_mail_keeps_what_was_typed(client, area, northby_admin):
    client.force_login(northby_admin)
    url = reverse("administration:body-settings", args=[area.network.pk])
    page = client.post(url, {"label": "Healthwatch", "description": "Ours", "email": "not-mail"})
    assert page.status_code == 400
    assert 'value="Healthwatch"' in page.content.decode()
    area.network.refresh_from_db()
    assert area.network.label != "Healthwatch"


def test_another_areas_admin_and_an_officer_are_refused(client, area, southby_admin, officer):
    urls = [
        reverse("administration:body-settings", args=[area.network.pk]),
        reverse("administration:partnership-settings", args=[area.partnership.pk]),
    ]
    client.force_login(southby_admin)
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, {"label": "X", "programme_capacity": 1}).status_code == 404
    client.force_login(officer)
    for url in urls:
        assert client.get(url).status_code == 403
    area.network.refresh_from_db()
    assert area.network.label != "X"


def test_capacity_change_is_logged(client, area, northby_admin):
    client.force_login(northby_admin)
    url = reverse("administration:partnership-settings", args=[area.partnership.pk])
    old = area.partnership.programme_capacity
    threshold = area.partnership.framework.threshold
    page = client.post(
        url, {"programme_capacity": old + 3, "description": "", "threshold": threshold}
    )
    assert page.status_code == 302
    area.partnership.refresh_from_db()
    assert area.partnership.programme_capacity == old + 3
    (event,) = _events(area.partnership, EventType.PARTNERSHIP_SETTINGS_CHANGED)
    assert event.data == {"programme_capacity": {"old": old, "new": old + 3}}


def test_a_shared_frameworks_threshold_is_never_changed_for_another_area(area, northby_admin):
    shared = area.partnership.framework
    other = PartnershipFactory(
        name="Southby", slug="southby", involvement_network=area.other_network
    )
    other.framework = shared
    other.save()
    before = shared.threshold
    services.partnership_settings_change(northby_admin, area.partnership, threshold=before + 1)
    shared.refresh_from_db()
    assert shared.threshold == before
    mine = Partnership.objects.get(pk=area.partnership.pk).framework
    assert mine.pk != shared.pk and mine.threshold == before + 1
    assert mine.criteria == shared.criteria
    assert PrioritisationFramework.objects.get(pk=other.framework_id).threshold == before
