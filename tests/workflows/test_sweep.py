"""The sweep: idempotent, a dry run that changes nothing, the command, the clock-source registry."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

import scrutiny.casework.deadline_sources as casework_sources
import workflows.clock_sources as clock_sources_module
import workflows.sweep as sweep_module
from tests.workflows.deadline_helpers import at, issued_requests, people
from workflows.models import Notification, SweepMark
from workflows.sweep import (
    ClockedItem,
    clock_source_register,
    clock_source_unregister,
    clock_sources,
    sweep_run,
)

D = dt.date


def _counts():
    return (SweepMark.objects.count(), Notification.objects.count(), DBTaskResult.objects.count())


@pytest.mark.django_db
def test_running_the_sweep_twice_doubles_nothing(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18), count=2)
    with time_machine.travel(at(D(2027, 2, 17)), tick=False):
        first = sweep_run()
        after_first = _counts()
        second = sweep_run()
        assert _counts() == after_first
    # Two overdue and two very overdue marks; 2 overdue notices + 2 escalations + 2 digests;
    # one delivery task for the batch of items and one for the batch of digests.
    assert after_first == (4, 6, 2)
    assert (first.marks_written, first.notifications_written) == (4, 6)
    assert (second.marks_written, second.notifications_written) == (0, 0)
    assert second.actions == [] and second.digests == {}


@pytest.mark.django_db
def test_a_dry_run_reports_and_changes_nothing(area):
    who = people(area)
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))
    out = StringIO()
    with time_machine.travel(at(D(2027, 2, 17)), tick=False):
        call_command("sweep_deadlines", "--dry-run", stdout=out)
    assert _counts() == (0, 0, 0)
    text = out.getvalue()
    assert "Deadline sweep for Wed 17 Feb 2027 (dry run: nothing was changed or sent)" in text
    assert (
        "information_request: 1 open items in view, 1 newly overdue, "
        "1 newly very overdue (escalated)"
    ) in text
    assert f"[very_overdue] information_request #{request.pk} " in text
    assert "→ osc-chair" in text
    assert "digests: 2 officer(s)" in text

    # The real run does what the dry run said, and a dry run afterwards finds nothing to do.
    with time_machine.travel(at(D(2027, 2, 17)), tick=False):
        call_command("sweep_deadlines", stdout=StringIO())
        out = StringIO()
        call_command("sweep_deadlines", "--dry-run", stdout=out)
    assert _counts() == (2, 4, 2)
    # Nothing is left to do: no clock is a candidate, and the day's digests are done.
    assert "information_request:" not in out.getvalue()
    assert "digests: 0 officer(s)" in out.getvalue()


@pytest.mark.django_db
def test_the_command_runs_as_of_another_day(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18))
    out = StringIO()
    with time_machine.travel(at(D(2026, 12, 18)), tick=False):
        call_command("sweep_deadlines", "--today", "2027-01-21", stdout=out)
    assert "Deadline sweep for Thu 21 Jan 2027" in out.getvalue()
    mark = SweepMark.objects.get()
    assert (mark.level, mark.marked_on) == ("overdue", D(2027, 1, 21))
    # An explicit day sends that day's digests.
    assert Notification.objects.filter(event_key="digest:2027-01-21").count() == 2


@pytest.mark.parametrize("bad", ["21/01/2027", "2027-02-30", "tomorrow"])
def test_the_command_refuses_a_bad_date(bad):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep_deadlines", "--today", bad, "--dry-run")


@pytest.mark.django_db
def test_no_digests_option(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18))
    call_command("sweep_deadlines", "--today", "2027-01-21", "--no-digests", stdout=StringIO())
    assert not Notification.objects.filter(kind="digest").exists()
    assert Notification.objects.filter(kind="reminder_overdue").count() == 1


@pytest.mark.django_db
def test_a_moved_due_date_is_marked_again_for_its_new_date(area):
    who = people(area)
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))
    call_command("sweep_deadlines", "--today", "2027-01-21", stdout=StringIO())
    # A late change of rule moves the due date to the 21st, then the 22nd passes.
    from workflows.models import DeadlineRule
    from workflows.services import deadline_rule_save

    rule = DeadlineRule.objects.get(slug="link-information-request")
    rule.period = 21
    deadline_rule_save(rule=rule, correction=True)
    request.refresh_from_db()
    assert request.due_on == D(2027, 1, 21)
    call_command("sweep_deadlines", "--today", "2027-01-22", stdout=StringIO())
    assert sorted(SweepMark.objects.values_list("due_on", flat=True)) == [
        D(2027, 1, 20),
        D(2027, 1, 21),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 6])
def test_casework_sources_use_a_fixed_number_of_queries(area, size, django_assert_max_num_queries):
    who = people(area)
    for n in range(size):
        issued_requests(area, who, on=D(2026, 12, 18), title=f"Topic {n}")
    with django_assert_max_num_queries(5):
        items = casework_sources.information_requests_open(D(2027, 1, 31))
        for item in items:
            assert [u.username for u in item.reminder_recipients] == ["trust-responder"]
            assert [u.username for u in item.escalation_recipients] == ["osc-chair"]
            assert sorted(u.username for u in item.digest_recipients) == [
                "link-officer",
                "osc-officer",
            ]
    assert len(items) == size


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 6])
def test_planning_a_sweep_uses_a_fixed_number_of_queries(
    area, size, django_assert_max_num_queries, monkeypatch
):
    # The casework's sources only (other packages' sources have tests of their own).
    casework = {"information_request", "recommendation", "referral_acknowledgement"}
    sources = {k: v for k, v in clock_sources_module._sources.items() if k in casework}
    assert set(sources) == casework
    monkeypatch.setattr(clock_sources_module, "_sources", sources)
    who = people(area)
    for n in range(size):
        issued_requests(area, who, on=D(2026, 12, 18), title=f"Topic {n}")
    # The window (holiday overrides, rule regions), the digest marker, then per source one
    # query for its candidates' keys and, per batch of up to CF_SWEEP_BATCH, its items, marks,
    # reminders and preferences; the digests already written.
    with django_assert_max_num_queries(18):
        report = sweep_run(today=D(2027, 2, 17), dry_run=True)
    assert len(report.actions) == 2 * size


@pytest.mark.django_db
def test_other_packages_register_their_own_clocks(area, settings):
    """The registry is generic: a source from another package (e.g. protocol reviews)."""
    settings.SITE_URL = "https://scrutiny.example.org"
    who = people(area)
    clock_source_register(
        kind="example_review",
        label="Example reviews",
        open_items=lambda due_by: [
            ClockedItem(
                kind="example_review",
                obj=area.partnership,
                due_on=D(2027, 5, 4),
                title="Review the Northby joint working protocol",
                link="/protocols/northby/",
                owed_by="Northby partnership",
                action="review the protocol",
                reminder_recipients=[who.link_officer],
                escalation_recipients=[who.link_chair],
            )
        ],
    )
    try:
        assert "example_review" in {s.kind for s in clock_sources()}
        sweep_run(today=D(2027, 5, 5), with_digests=False)
        notice = Notification.objects.get(kind="reminder_overdue")
        assert notice.recipient == who.link_officer
        assert notice.link == "https://scrutiny.example.org/protocols/northby/"
        assert "https://scrutiny.example.org/protocols/northby/" in notice.body_html
        assert SweepMark.objects.get().kind == "example_review"
    finally:
        clock_source_unregister("example_review")


def register():
    """Called when this module is named in CF_CLOCK_SOURCE_MODULES (see the test below)."""
    clock_source_register(kind="settings_example", label="From settings", open_items=lambda d: [])


def test_the_settings_name_the_modules_that_register_clocks(settings, monkeypatch):
    monkeypatch.setattr(clock_sources_module, "_configured_loaded", False)
    settings.CF_CLOCK_SOURCE_MODULES = ["scrutiny.casework.deadline_sources", __name__]
    try:
        kinds = {s.kind for s in clock_sources()}
        assert {"information_request", "recommendation", "referral_acknowledgement"} <= kinds
        assert "settings_example" in kinds
    finally:
        clock_source_unregister("settings_example")


@pytest.mark.django_db
def test_one_failing_item_does_not_hold_up_the_others_and_is_tried_again(area, monkeypatch):
    who = people(area)
    first, second = issued_requests(area, who, on=D(2026, 12, 18), count=2)
    real = sweep_module.item_notification_build

    def broken_for_the_first(*, action, recipient, today, **kw):
        if action.item.object_id == first.pk:
            raise ValueError("template exploded")
        return real(action=action, recipient=recipient, today=today, **kw)

    monkeypatch.setattr(sweep_module, "item_notification_build", broken_for_the_first)
    out = StringIO()
    with pytest.raises(CommandError, match="1 item\\(s\\) failed"):
        call_command("sweep_deadlines", "--today", "2027-01-21", "--no-digests", stdout=out)
    assert f"FAILED: [overdue] information_request #{first.pk} " in out.getvalue()
    assert "ValueError: template exploded" in out.getvalue()
    # The second was marked and told; the first left no half-written mark.
    assert list(SweepMark.objects.values_list("object_id", flat=True)) == [second.pk]
    assert Notification.objects.get().object_id == second.pk

    monkeypatch.setattr(sweep_module, "item_notification_build", real)
    call_command("sweep_deadlines", "--today", "2027-01-22", "--no-digests", stdout=StringIO())
    assert sorted(SweepMark.objects.values_list("object_id", flat=True)) == [first.pk, second.pk]
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_a_sweep_with_nothing_to_do_reads_no_item(area, django_assert_max_num_queries):
    """Candidates are chosen in SQL: once every event is recorded, no clock is read again."""
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18), count=3)
    first = sweep_run(today=D(2027, 2, 17))
    assert first.items_by_kind["information_request"] == 3
    with django_assert_max_num_queries(12):
        again = sweep_run(today=D(2027, 2, 17), with_digests=False)
    assert again.items_by_kind == {} and again.actions == []
    assert (again.marks_written, again.notifications_written, again.batches) == (0, 0, 0)


@pytest.mark.django_db
def test_the_next_event_of_a_clock_makes_it_a_candidate_again(area):
    """Overdue on the 21st (one mark), very overdue 20 working days later (the second)."""
    who = people(area)
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))  # due Wed 20 Jan 2027
    assert sweep_run(today=D(2027, 1, 21), with_digests=False).marks_written == 1
    assert sweep_run(today=D(2027, 1, 22), with_digests=False).items_by_kind == {}
    later = sweep_run(today=D(2027, 2, 17), with_digests=False)
    assert later.items_by_kind == {"information_request": 1}
    assert [a.event for a in later.actions] == ["very_overdue"]
    assert sorted(SweepMark.objects.values_list("level", flat=True)) == [
        "overdue",
        "very_overdue",
    ]


@pytest.mark.django_db
def test_reminders_are_chosen_in_sql_and_sent_once(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18), count=2)  # due Wed 20 Jan 2027
    # Wed 13 Jan is the reminder day (5 working days before); Tue 12 Jan is too early.
    assert sweep_run(today=D(2027, 1, 12), with_digests=False).items_by_kind == {}
    first = sweep_run(today=D(2027, 1, 13), with_digests=False)
    assert [a.event for a in first.actions] == ["reminder_before", "reminder_before"]
    assert first.notifications_written == 2
    assert sweep_run(today=D(2027, 1, 14), with_digests=False).items_by_kind == {}
    due_day = sweep_run(today=D(2027, 1, 20), with_digests=False)
    assert [a.event for a in due_day.actions] == ["reminder_due", "reminder_due"]
    assert sweep_run(today=D(2027, 1, 20), with_digests=False).items_by_kind == {}


@pytest.mark.django_db
def test_marks_and_notifications_are_written_in_batches_with_one_task_each(area, settings):
    settings.CF_SWEEP_BATCH = 2
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18), count=5)
    tasks_before = DBTaskResult.objects.count()
    report = sweep_run(today=D(2027, 2, 17), with_digests=False)
    # 5 overdue + 5 very overdue marks; an overdue notice and an escalation for each item.
    assert (report.marks_written, report.notifications_written) == (10, 10)
    assert report.batches == 3  # items 2 + 2 + 1
    tasks = DBTaskResult.objects.filter(task_path="workflows.tasks.deliver_notifications")
    assert DBTaskResult.objects.count() - tasks_before == 3 == tasks.count()
    batched = sorted(len(t.args_kwargs["args"][0]) for t in tasks)
    assert batched == [2, 4, 4]
    assert SweepMark.objects.count() == 10 and Notification.objects.count() == 10
    # Run again, in other batches: nothing more.
    settings.CF_SWEEP_BATCH = 3
    again = sweep_run(today=D(2027, 2, 17), with_digests=False)
    assert (again.marks_written, again.notifications_written, again.batches) == (0, 0, 0)


@pytest.mark.django_db
def test_the_digests_go_once_a_day_and_a_later_run_does_not_read_every_clock(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18), count=2)
    with time_machine.travel(at(D(2027, 2, 17), hour=9), tick=False):
        first = sweep_run()
        assert len(first.digests) == 2
        later = sweep_run()
    assert later.digests == {} and later.items_by_kind == {}
    assert Notification.objects.filter(kind="digest").count() == 2
    with time_machine.travel(at(D(2027, 2, 18), hour=9), tick=False):
        next_day = sweep_run()
    assert len(next_day.digests) == 2  # the next working day's digests read every clock
    assert next_day.items_by_kind == {"information_request": 2}


@pytest.mark.django_db
def test_a_mark_another_sweep_wrote_first_is_left_to_it(area):
    """ON CONFLICT DO NOTHING: the mark exists (another sweep's), so this one tells nobody."""
    who = people(area)
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))
    actions, _, _ = sweep_module.sweep_plan(today=D(2027, 1, 21), with_digests=False)
    assert [a.event for a in actions] == ["overdue"]
    SweepMark.objects.create(
        content_type=ContentType.objects.get_for_model(type(request)),
        object_id=request.pk,
        kind="information_request",
        level="overdue",
        due_on=request.due_on,
        marked_on=D(2027, 1, 21),
    )
    report = sweep_module.SweepReport(today=D(2027, 1, 21), dry_run=False)
    sweep_module._write_batch(actions, report=report, stamp=sweep_module.timezone.now())
    assert (report.marks_written, report.notifications_written) == (0, 0)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_sweeps_reminder_lookup_has_its_index():
    """Migration 0008_sweep_at_scale: the candidates' NOT EXISTS on reminders is indexed."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Notification._meta.db_table)
    index = constraints["notification_object_kind"]
    assert index["index"] and index["columns"] == ["content_type_id", "object_id", "kind"]
