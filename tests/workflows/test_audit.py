"""Typed audit events: every move and every other change has a type, one writer writes them, and
every timeline reads its words from the one table (workflows/audit.py)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from api.webhooks import events_to_dispatch
from scrutiny.casework import selectors, services
from scrutiny.casework.models import Topic, TopicState
from scrutiny.web.public.outcomes import outcome_detail
from tests.public.builders import build_topic
from workflows import audit
from workflows.audit import (
    PUBLIC_EVENTS,
    TRANSITION_EVENTS,
    EventType,
    event_history,
    event_label,
    log_event,
)
from workflows.errors import InvalidInput
from workflows.models import AuditEvent
from workflows.services import transition_apply

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "protocols", "scrutiny", "workflows")


def fsm_transitions():
    """(model label, transition name) of every FSM transition of every installed model."""
    found = set()
    for model in apps.get_models():
        for name in dir(model):
            if getattr(getattr(model, name, None), "_django_fsm", None) is not None:
                found.add((model._meta.label_lower, name))
    return found


def test_every_transition_of_every_model_has_an_event_type():
    transitions = fsm_transitions()
    assert len(transitions) >= 20  # the walk found the lifecycles (it is not vacuous)
    missing = sorted(transitions - set(TRANSITION_EVENTS))
    assert missing == [], f"add these to workflows.audit.TRANSITION_EVENTS: {missing}"


def test_the_mapping_names_only_transitions_that_exist():
    stale = sorted(set(TRANSITION_EVENTS) - fsm_transitions())
    assert stale == []


def test_each_transition_has_its_own_type():
    types = list(TRANSITION_EVENTS.values())
    assert len(types) == len(set(types))


def test_every_event_type_has_words_of_its_own():
    labels = [label for _, label in EventType.choices]
    assert len(labels) == len(set(labels))
    for value, label in EventType.choices:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)+", value), value
        assert label and label != value and label[0].isupper(), value


def test_public_words_exist_only_for_topic_events():
    assert set(PUBLIC_EVENTS) <= set(EventType.values)
    assert all(value.startswith("topic_") for value in PUBLIC_EVENTS)
    # What staff record privately never reaches a public page.
    assert EventType.TOPIC_POSITION_RECORDED not in PUBLIC_EVENTS
    assert EventType.TOPIC_UNPUBLISHED not in PUBLIC_EVENTS


def _python_sources():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_audit_row_is_written_outside_the_one_writer():
    writer = ROOT / "workflows" / "audit.py"
    pattern = re.compile(
        r"TransitionLog"
        r"|(?<!class )AuditEvent\s*\("
        r"|AuditEvent\.objects\.(create|bulk_create|get_or_create)"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _python_sources()
        if path != writer
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_the_old_writers_and_label_tables_are_gone():
    gone = re.compile(
        r"\b(_log_event|TRANSITION_WORDS|PUBLIC_TOPIC_EVENTS|TRANSITION_LABELS|on_transition)\b"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _python_sources()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if gone.search(line)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_log_event_refuses_a_type_that_is_not_an_event_type(area, officer):
    topic = services.topic_raise(
        by=officer, title="T", summary="S", partnership=area.partnership, lead_body=area.network
    )
    with pytest.raises(ValueError):
        log_event(topic, "raise", by=officer)


@pytest.mark.django_db
def test_a_non_move_keeps_the_state_and_a_creation_starts_from_nothing(area, officer):
    topic = services.topic_raise(
        by=officer, title="T", summary="S", partnership=area.partnership, lead_body=area.network
    )
    row = log_event(
        topic, EventType.TOPIC_PUBLISHED, by=officer, data={"on": dt.date(2027, 1, 20), "n": 2}
    )
    assert (row.source_state, row.target_state) == ("raised", "raised")
    assert AuditEvent.objects.get(pk=row.pk).data == {"on": "2027-01-20", "n": 2}
    raised = event_history(topic).first()
    assert (raised.event_type, raised.source_state, raised.target_state) == (
        EventType.TOPIC_RAISED,
        "",
        "raised",
    )


@pytest.mark.django_db
def test_a_transition_without_a_type_fails_loudly_and_changes_nothing(area, officer, monkeypatch):
    topic = services.topic_raise(
        by=officer, title="T", summary="S", partnership=area.partnership, lead_body=area.network
    )
    table = dict(TRANSITION_EVENTS)
    del table[("scrutiny.topic", "decline")]
    monkeypatch.setattr(audit, "TRANSITION_EVENTS", table)
    with pytest.raises(LookupError, match="TRANSITION_EVENTS"):
        transition_apply(instance=topic, name="decline", by=officer, reason="No")
    assert Topic.objects.get(pk=topic.pk).state == TopicState.RAISED
    assert event_history(topic).count() == 1


@pytest.mark.django_db
def test_an_unknown_transition_is_still_bad_input(area, officer):
    topic = services.topic_raise(
        by=officer, title="T", summary="S", partnership=area.partnership, lead_body=area.network
    )
    with pytest.raises(InvalidInput):
        transition_apply(instance=topic, name="explode", by=officer)


@pytest.mark.django_db
def test_staff_and_public_timelines_read_the_one_table(area, officer, responder):
    topic = build_topic(area, officer, responder, target="concluded")
    requests = list(topic.requests.select_related("recipient"))
    recommendations = list(topic.recommendations.select_related("recipient"))
    timeline = selectors.topic_timeline(officer, topic, requests, recommendations)
    titles = {e.title for e in timeline if e.kind == "transition"}
    topic_rows = list(event_history(topic))
    assert {event_label(r) for r in topic_rows} <= titles
    assert f"{event_label(EventType.INFORMATION_REQUEST_ISSUED)}: {area.trust}" in titles
    assert f"{event_label(EventType.RECOMMENDATION_RESPONDED)}: {area.trust}" in titles

    public = [e.title for e in outcome_detail(topic).timeline]
    for row in topic_rows:
        if row.event_type in PUBLIC_EVENTS:
            assert event_label(row, public=True) in public
        else:
            assert event_label(row) not in public
    assert "Put on the work programme" in public  # the plainer public words


def test_a_type_no_longer_recorded_still_reads():
    assert event_label("meeting_rescheduled_twice") == "Meeting rescheduled twice"


@pytest.mark.django_db(transaction=True)
def test_the_migration_types_every_old_transition_log_row(area, officer):
    """Roll the schema back to the free-text log, write rows as the old code did, migrate
    forward: each row becomes an audit event of the right type, in order; the trigger is back."""
    executor = MigrationExecutor(connection)
    before = [("workflows", "0003_sweep_marks_and_notification_outbox")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    ContentType = old.get_model("contenttypes", "ContentType")
    TransitionLog = old.get_model("workflows", "TransitionLog")
    topic = ContentType.objects.get(app_label="scrutiny", model="topic")
    meeting = ContentType.objects.get(app_label="protocols", model="meeting")
    request = ContentType.objects.get(app_label="scrutiny", model="informationrequest")
    written = [
        (topic, "raise", "", "raised", ""),
        (topic, "prioritise", "raised", "prioritised", "scored"),
        (request, "issue", "draft", "issued", ""),
        (meeting, "import", "scheduled", "scheduled", ""),
        (meeting, "import", "scheduled", "scheduled", "changed: date"),
    ]
    for ctype, name, source, target, note in written:
        TransitionLog.objects.create(
            content_type=ctype,
            object_id=1,
            transition=name,
            source_state=source,
            target_state=target,
            actor_id=officer.pk,
            note=note,
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = list(AuditEvent.objects.order_by("at", "id"))
    assert [(r.event_type, r.source_state, r.target_state, r.note) for r in rows] == [
        (EventType.TOPIC_RAISED, "", "raised", ""),
        (EventType.TOPIC_PRIORITISED, "raised", "prioritised", "scored"),
        (EventType.INFORMATION_REQUEST_ISSUED, "draft", "issued", ""),
        (EventType.MEETING_IMPORTED, "scheduled", "scheduled", ""),
        (EventType.MEETING_IMPORT_UPDATED, "scheduled", "scheduled", "changed: date"),
    ]
    assert {r.actor_id for r in rows} == {officer.pk}
    # The old issue was sent by the hook this replaced: it is not sent again.
    assert not events_to_dispatch().exists()
    with pytest.raises(Exception, match="append-only table"), connection.cursor() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET note = 'x' WHERE id = %s", [rows[0].pk])


@pytest.mark.django_db
def test_the_admin_lists_events_in_their_words_and_filters_by_type(admin_client, area, officer):
    topic = services.topic_raise(
        by=officer, title="T", summary="S", partnership=area.partnership, lead_body=area.network
    )
    services.topic_decline(topic=topic, by=officer, reason="Out of remit")
    page = admin_client.get("/admin/workflows/auditevent/").content.decode()
    assert "Topic raised</td>" in page and "Topic declined</td>" in page
    page = admin_client.get("/admin/workflows/auditevent/?event_type=topic_declined")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Topic declined</td>" in text and "Topic raised</td>" not in text
