"""Two parties signing off at the same moment, over two real PostgreSQL connections: both
sign-offs count and the version is agreed exactly once."""

import threading
import time

import pytest
from django.db import connections

from protocols import services
from protocols.models import VersionState
from protocols.services import agreements as agreement_services
from workflows.audit import EventType, event_history

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_sign_offs_agree_the_version_once(area, officer, osc_officer, monkeypatch):
    protocol = services.protocol_create(
        partnership=area.partnership, by=officer, title="Race", purpose="Together"
    )
    version = protocol.versions.get()
    # Widen the window between writing a sign-off and counting them: without the row lock,
    # each would count only its own and the version would never be agreed (or twice).
    real_available = agreement_services.transition_available

    def slow_available(*args, **kwargs):
        time.sleep(0.5)
        return real_available(*args, **kwargs)

    monkeypatch.setattr(agreement_services, "transition_available", slow_available)
    barrier = threading.Barrier(2)
    outcomes = {}

    def sign(user, org):
        try:
            user.memberships.count()  # open this thread's connection before the race starts
            barrier.wait(timeout=10)
            services.protocol_version_sign_off(version=version, by=user, organisation=org)
            outcomes[org.slug] = "signed"
        except Exception as exc:  # recorded for the assertion
            outcomes[org.slug] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=sign, args=(officer, area.network)),
        threading.Thread(target=sign, args=(osc_officer, area.committee)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert outcomes == {"northby-link": "signed", "northby-hosc": "signed"}, outcomes
    version.refresh_from_db()
    assert version.state == VersionState.AGREED
    assert version.sign_offs.count() == 2
    agreed = [r.event_type for r in event_history(version)].count(EventType.PROTOCOL_VERSION_AGREED)
    assert agreed == 1
