"""Deadline rule changes respect the law: an effective date, corrections, preview and confirmation.

Requests issued Fri 18 Dec 2026 under `link-information-request` (20 working days, the day after
is day 1) are due Wed 20 Jan 2027; at 15 working days they would be due Wed 13 Jan 2027.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from scrutiny.casework.models import InformationRequest
from tests.factories import UserFactory
from tests.workflows.deadline_helpers import issued_requests, people
from workflows.audit import EventType
from workflows.clocks import compute_due
from workflows.errors import InvalidInput
from workflows.models import (
    AppendOnlyError,
    AuditEvent,
    DeadlineRule,
    DeadlineRuleVersion,
    DueDateChange,
    Notification,
    NotificationKind,
)
from workflows.notifications import deadline_rule_save_and_notify
from workflows.services import clocks_recompute, deadline_rule_preview, deadline_rule_save

pytestmark = pytest.mark.django_db

D = dt.date
ISSUED = D(2026, 12, 18)
DUE_20 = D(2027, 1, 20)
DUE_15 = D(2027, 1, 13)
SLUG = "link-information-request"
CHANGE_URL = "/admin/workflows/deadlinerule/{}/change/"
DB_REFUSALS = (IntegrityError, InternalError, OperationalError)


@pytest.fixture
def admin_client(client):
    admin_user = UserFactory(
        username="rules-admin", password="!unusable", is_staff=True, is_superuser=True
    )
    client.force_login(admin_user)
    return client


def rule():
    return DeadlineRule.objects.get(slug=SLUG)


def form_data(r, **changes):
    data = {
        "slug": r.slug,
        "name": r.name,
        "source": r.source,
        "kind": r.kind,
        "period": r.period,
        "unit": r.unit,
        "region": r.region,
        "effective_from": "2027-01-04",
        "note": "",
        # The versions inline (read-only).
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    if r.start_day_counts:
        data["start_day_counts"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def due_dates(requests):
    return [InformationRequest.all_objects.get(pk=r.pk).due_on for r in requests]


def moved_events():
    return AuditEvent.objects.filter(event_type=EventType.DUE_DATE_MOVED)


def due_notices():
    return Notification.objects.filter(kind=NotificationKind.DUE_DATE_CHANGED)


# --- The defect: 20 -> 15 in the admin moved live statutory due dates at once ------------------


def test_editing_a_rule_in_the_admin_shows_a_preview_and_moves_nothing(area, admin_client):
    who = people(area)
    requests = issued_requests(area, who, on=ISSUED, count=3)
    r = rule()

    response = admin_client.post(CHANGE_URL.format(r.pk), form_data(r, period=15, correction="on"))

    # Before the fix this saved at once (302) and moved the three due dates to 13 Jan.
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing has been saved yet." in page
    assert "3 open due dates would move" in page
    assert "Wed 20 Jan 2027" in page and "Wed 13 Jan 2027" in page
    assert 'name="_confirm_change"' in page
    assert due_dates(requests) == [DUE_20] * 3
    assert rule().period == 20
    assert not DueDateChange.objects.exists()
    assert not DeadlineRuleVersion.objects.exists()
    assert not moved_events().exists()
    assert not due_notices().exists()  # a preview queues no e-mail


def test_a_change_from_a_date_leaves_clocks_started_before_it_alone(area, admin_client):
    who = people(area)
    requests = issued_requests(area, who, on=ISSUED, count=2)
    r = rule()

    response = admin_client.post(
        CHANGE_URL.format(r.pk),
        form_data(r, period=15, effective_from="2027-01-04", _confirm_change="1"),
    )

    assert response.status_code == 302
    assert rule().period == 15  # the rule shows its latest terms
    assert due_dates(requests) == [DUE_20, DUE_20]  # started 18 Dec: the old terms
    assert not DueDateChange.objects.exists()
    assert not due_notices().exists()
    versions = list(DeadlineRuleVersion.objects.filter(rule=r).order_by("id"))
    assert [(v.effective_from, v.period, v.correction) for v in versions] == [
        (None, 20, False),
        (D(2027, 1, 4), 15, False),
    ]
    # A clock started on or after the effective date counts by the new terms; one started
    # before it (issued late, with its real date) by the old.
    assert compute_due(rule(), D(2027, 1, 4)).date == D(2027, 1, 25)
    assert compute_due(rule(), ISSUED).date == DUE_20
    later = issued_requests(area, who, on=D(2027, 1, 4), title="Maternity")
    assert due_dates(later) == [D(2027, 1, 25)]


def test_a_correction_recomputes_existing_clocks_and_puts_each_move_on_the_timeline(
    area, admin_client
):
    who = people(area)
    (request,) = issued_requests(area, who, on=ISSUED)
    r = rule()

    response = admin_client.post(
        CHANGE_URL.format(r.pk),
        form_data(r, period=15, correction="on", note="Typed 20 for 15", _confirm_change="1"),
    )

    assert response.status_code == 302
    assert due_dates([request]) == [DUE_15]
    (event,) = moved_events()
    assert (event.object_id, event.actor.username) == (request.pk, "rules-admin")
    assert event.data["old_due_on"] == "2027-01-20"
    assert event.data["new_due_on"] == "2027-01-13"
    assert event.data["why"] == "rule_correction"
    assert "From Wed 20 Jan 2027 to Wed 13 Jan 2027" in event.note
    (version,) = DeadlineRuleVersion.objects.filter(rule=r, correction=True)
    assert (version.effective_from, version.period, version.note) == (None, 15, "Typed 20 for 15")

    # The move is on the item's timeline on the staff topic page, not only in the admin.
    admin_client.force_login(who.osc_officer)
    page = admin_client.get(f"/topics/{request.topic_id}/").content.decode()
    assert "Due date moved" in page
    assert "From Wed 20 Jan 2027 to Wed 13 Jan 2027: deadline rule &#x27;" in page


def test_the_preview_gives_the_count_the_earliest_and_latest_and_ten_examples(area):
    who = people(area)
    early = issued_requests(area, who, on=D(2026, 12, 11), count=6, title="Early")
    late = issued_requests(area, who, on=ISSUED, count=6, title="Late")
    r = rule()
    r.period = 15

    plan = deadline_rule_preview(rule=r, correction=True)

    assert plan.count == 12
    assert plan.earliest.obj.pk == early[0].pk and plan.latest.obj.pk == late[-1].pk
    assert (plan.earliest.old_due_on, plan.earliest.new_due_on) == (D(2027, 1, 13), D(2027, 1, 6))
    assert (plan.latest.old_due_on, plan.latest.new_due_on) == (DUE_20, DUE_15)
    assert plan.most_earlier == 7 and plan.most_later == 0
    assert len(plan.sample) == 10
    assert [m.obj.pk for m in plan.sample[:6]] == [e.pk for e in early]
    # Nothing written; and the confirmed change moves exactly what the preview said.
    assert not DueDateChange.objects.exists()
    changes = deadline_rule_save(rule=r, correction=True)
    assert sorted((c.object_id, c.new_due_on) for c in changes) == sorted(
        (m.obj.pk, m.new_due_on) for m in plan.moves
    )


def test_a_change_of_name_only_needs_no_confirmation(area, admin_client):
    r = rule()
    response = admin_client.post(CHANGE_URL.format(r.pk), form_data(r, name="Answer a request"))
    assert response.status_code == 302
    assert rule().name == "Answer a request"
    assert not DeadlineRuleVersion.objects.exists()


def test_an_effective_date_before_the_last_change_is_refused_with_a_message(area, admin_client):
    r = rule()
    r.period = 15
    deadline_rule_save(rule=r, effective_from=D(2027, 2, 1))
    r = rule()

    response = admin_client.post(
        CHANGE_URL.format(r.pk), form_data(r, period=10, effective_from="2027-01-04")
    )

    assert response.status_code == 200
    assert "A change from Mon 1 Feb 2027 is already recorded" in response.content.decode()
    assert rule().period == 15
    with pytest.raises(InvalidInput):
        r.period = 10
        deadline_rule_save(rule=r, effective_from=D(2027, 1, 4))
    assert rule().period == 15


def test_a_change_needs_a_date_or_to_be_a_correction(area, admin_client):
    r = rule()
    response = admin_client.post(
        CHANGE_URL.format(r.pk), form_data(r, period=15, effective_from="")
    )
    assert response.status_code == 200
    assert "Say from when the change applies" in response.content.decode()
    assert rule().period == 20


def test_a_correction_of_a_later_change_keeps_the_earlier_terms_for_earlier_clocks(area):
    who = people(area)
    (before,) = issued_requests(area, who, on=ISSUED, title="Before")
    r = rule()
    r.period = 25
    deadline_rule_save(rule=r, effective_from=D(2027, 1, 4))
    (after,) = issued_requests(area, who, on=D(2027, 1, 4), title="After")
    assert due_dates([before, after]) == [DUE_20, D(2027, 2, 8)]

    r = rule()
    r.period = 15  # the change from 4 Jan should have said 15
    changes = deadline_rule_save(rule=r, correction=True)

    assert [c.object_id for c in changes] == [after.pk]
    assert due_dates([before, after]) == [DUE_20, D(2027, 1, 25)]


# --- E-mails: an edit and its revert queue nothing net ------------------------------------------


def test_an_edit_and_its_revert_queue_no_email(area):
    who = people(area)
    requests = issued_requests(area, who, on=ISSUED, count=6)
    r = rule()
    r.period = 15
    deadline_rule_save_and_notify(rule=r, correction=True)
    # The trust's responder and the two officers whose digests list them, for 6 items.
    assert due_notices().filter(state="pending").count() == 18
    assert due_dates(requests) == [DUE_15] * 6

    r = rule()
    r.period = 20
    deadline_rule_save_and_notify(rule=r, correction=True)

    # Before the fix: 24 e-mails queued. Now the held notices are cancelled and none is new.
    assert due_dates(requests) == [DUE_20] * 6
    assert not due_notices().filter(state="pending").exists()
    assert due_notices().filter(state="cancelled").count() == 18
    assert DueDateChange.objects.count() == 12  # both moves are still on the record
    assert moved_events().count() == 12


def test_a_notice_is_held_before_it_is_sent(area, settings):
    settings.CF_DUE_DATE_NOTICE_HOLD_MINUTES = 15
    who = people(area)
    issued_requests(area, who, on=ISSUED)
    r = rule()
    r.period = 15
    deadline_rule_save_and_notify(rule=r, correction=True)
    for notice in due_notices():
        held = (notice.next_attempt_at - notice.created_at).total_seconds()
        assert 14 * 60 < held <= 15 * 60 + 5


def test_a_revert_after_the_notice_was_sent_tells_them_it_moved_back(area):
    who = people(area)
    issued_requests(area, who, on=ISSUED)
    r = rule()
    r.period = 15
    deadline_rule_save_and_notify(rule=r, correction=True)
    due_notices().update(state="sent")
    r = rule()
    r.period = 20
    deadline_rule_save_and_notify(rule=r, correction=True)

    pending = due_notices().filter(state="pending")
    assert pending.count() == 3
    assert all("from Wed 13 Jan 2027 to Wed 20 Jan 2027" in n.body_text for n in pending)


def test_two_quick_changes_send_one_notice_from_the_date_they_were_told(area):
    who = people(area)
    issued_requests(area, who, on=ISSUED)
    for period in (15, 10):
        r = rule()
        r.period = period
        deadline_rule_save_and_notify(rule=r, correction=True)

    pending = due_notices().filter(state="pending", recipient=who.responder)
    (notice,) = pending
    assert "from Wed 20 Jan 2027 to Wed 6 Jan 2027" in notice.body_text


# --- Efficiency: the recompute's queries do not grow with the number of clocks ------------------


def _recompute_queries(area, count, title):
    who = people(area) if not hasattr(area, "_who") else area._who
    area._who = who
    issued_requests(area, who, on=ISSUED, count=count, title=title)
    r = rule()
    r.period = 15 if r.period == 20 else 20
    r.save()
    with CaptureQueriesContext(connection) as queries:
        moved = clocks_recompute(reason="test", rule=r, why="rule_correction")
    return len(moved), len(queries)


def test_a_recompute_over_many_clocks_takes_as_many_queries_as_over_few(area):
    few_moved, few = _recompute_queries(area, 2, "Few")
    many_moved, many = _recompute_queries(area, 30, "Many")
    assert (few_moved, many_moved) == (2, 32)
    assert many == few
    # A query or two per clocked model (requests, recommendations, referrals, meetings, relevant
    # decisions, visits, consultations, call-in requests), never per clock.
    assert many <= 16


def test_the_rule_page_lists_its_versions_and_a_second_change_saves_through_it(area, admin_client):
    r = rule()
    r.period = 15
    deadline_rule_save(rule=r, effective_from=D(2027, 1, 4), note="SI 2027/1")
    r = rule()
    page = admin_client.get(CHANGE_URL.format(r.pk)).content.decode()
    assert "which terms apply to clocks started from when" in page
    assert "SI 2027/1" in page
    ids = list(
        DeadlineRuleVersion.objects.filter(rule=r).order_by("id").values_list("pk", flat=True)
    )
    data = form_data(
        r,
        period=10,
        effective_from="2027-02-01",
        _confirm_change="1",
        **{
            "versions-TOTAL_FORMS": "2",
            "versions-INITIAL_FORMS": "2",
            "versions-0-id": str(ids[0]),
            "versions-0-rule": str(r.pk),
            "versions-1-id": str(ids[1]),
            "versions-1-rule": str(r.pk),
        },
    )
    response = admin_client.post(CHANGE_URL.format(r.pk), data)
    assert response.status_code == 302
    assert [v.period for v in DeadlineRuleVersion.objects.filter(rule=r).order_by("id")] == [
        20,
        15,
        10,
    ]


def test_a_rule_version_is_append_only_in_the_model_and_the_database(area):
    r = rule()
    r.period = 15
    deadline_rule_save(rule=r, effective_from=D(2027, 1, 4))
    version = DeadlineRuleVersion.objects.get(period=15)
    version.period = 10
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        DeadlineRuleVersion.objects.filter(pk=version.pk).update(period=10)
    with pytest.raises(AppendOnlyError):
        version.delete()
    with pytest.raises(DB_REFUSALS), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflows_deadlineruleversion SET period = 10 WHERE id = %s", [version.pk]
        )
    assert DeadlineRuleVersion.objects.get(pk=version.pk).period == 15
