"""Two conflicting moves racing over two real PostgreSQL connections: exactly one wins."""

import threading
import time

import pytest
from django.db import connections

from scrutiny.casework import services
from scrutiny.casework.models import Topic, TopicState
from workflows import services as wf
from workflows.audit import EventType, event_history
from workflows.errors import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_conflicting_transitions_one_wins_the_other_gets_a_conflict(
    area, officer, osc_officer, monkeypatch
):
    topic = services.topic_raise(
        by=officer,
        title="Race",
        summary="Both act at once",
        partnership=area.partnership,
        lead_body=area.network,
    )
    # Widen the window between reading the row and saving it: without the row lock, both
    # threads would read 'raised' and both would "succeed".
    real_snapshot = wf._snapshot

    def slow_snapshot(instance):
        time.sleep(0.3)
        return real_snapshot(instance)

    monkeypatch.setattr(wf, "_snapshot", slow_snapshot)
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(name, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[name] = "won"
        except Conflict as exc:
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=act,
            args=(
                "decline",
                lambda: services.topic_decline(topic=topic, by=officer, reason="Not ours"),
            ),
        ),
        threading.Thread(
            target=act,
            args=(
                "withdraw",
                lambda: services.topic_withdraw(topic=topic, by=osc_officer, reason="Dropped"),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    winners = [k for k, v in outcomes.items() if v == "won"]
    losers = [v for v in outcomes.values() if isinstance(v, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    final = Topic.objects.get(pk=topic.pk).state
    assert final == {"decline": TopicState.DECLINED, "withdraw": TopicState.WITHDRAWN}[winners[0]]
    assert losers[0].current_state == final
    assert event_history(topic).exclude(event_type=EventType.TOPIC_RAISED).count() == 1
