"""The demo's followers (scrutiny/demo/follow.py)."""

from types import SimpleNamespace

import pytest

from scrutiny.casework.models import Subscription
from scrutiny.demo import follow
from workflows.models import Notification

pytestmark = pytest.mark.django_db


def test_two_confirmed_followers_once(area):
    result = {"areas": [SimpleNamespace(trust=area.trust)]}
    lines = follow.seed_demo(result)
    assert len(lines) == 3
    subs = Subscription.all_objects.select_related("follower").order_by("pk")
    assert [(s.follower.email, s.target, s.frequency) for s in subs] == [
        ("resident.one@example.org", "health_body", "immediate"),
        ("resident.two@example.org", "search", "weekly"),
    ]
    assert all(s.confirmed_at for s in subs)
    assert not Notification.objects.filter(state="pending", kind="follow_confirm").exists()
    assert follow.seed_demo(result) == []
    assert Subscription.all_objects.count() == 2
