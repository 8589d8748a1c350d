"""A recompute at national scale: only the clocks a holiday can move, compute_due once per
(rule, start), and batches that each commit on their own (docs/decisions/0021)."""

import datetime as dt

import pytest

import workflows.services as services_module
from scrutiny.casework.models import InformationRequest
from tests.api.conftest import after_the_issue_dates  # noqa: F401 - a fixture (18 Dec 2026)
from tests.workflows.test_recompute import DUE, issue_requests
from workflows.models import DueDateChange, HolidayOverride
from workflows.services import clocks_recompute, holiday_override_preview, holiday_override_save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("after_the_issue_dates")]

D = dt.date


def test_a_holiday_recomputes_only_the_clocks_whose_window_spans_it(area, officer):
    """Issued 18 Dec 2026, due 20 Jan 2027. Another clock issued on 1 Feb 2027 (due in
    March) is made stale on purpose: a holiday on 11 Jan is outside its window, so it is not
    even read — only a full recompute would notice it."""
    (inside,) = issue_requests(area, officer)
    (outside,) = issue_requests(area, officer, on=D(2027, 2, 1))
    InformationRequest.all_objects.filter(pk=outside.pk).update(due_explanation="stale")

    override = HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="Extra")
    assert holiday_override_preview(override=override).count == 1
    changes = holiday_override_save(override=override)

    assert [c.object_id for c in changes] == [inside.pk]
    assert InformationRequest.all_objects.get(pk=inside.pk).due_on == D(2027, 1, 21)
    assert InformationRequest.all_objects.get(pk=outside.pk).due_explanation == "stale"
    # The full recompute (no dates) reads every open clock and puts the stale one right.
    assert [c.object_id for c in clocks_recompute(reason="everything")] == [outside.pk]


def test_a_holiday_on_the_due_date_or_the_start_spans_the_window(area, officer):
    (req,) = issue_requests(area, officer)
    qs = services_module._open_clocks(InformationRequest, dates=[DUE])
    assert list(qs) == [req]
    assert list(services_module._open_clocks(InformationRequest, dates=[D(2026, 12, 18)])) == [req]
    assert not services_module._open_clocks(InformationRequest, dates=[D(2027, 1, 21)]).exists()


def test_compute_due_runs_once_per_rule_and_start(area, officer, monkeypatch):
    issue_requests(area, officer, count=6)
    calls = []
    real = services_module.compute_due

    def counting(rule, start, **kwargs):
        calls.append((rule.pk, start))
        return real(rule, start, **kwargs)

    monkeypatch.setattr(services_module, "compute_due", counting)
    changes = holiday_override_save(
        override=HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="Extra")
    )
    assert len(changes) == 6
    assert len(calls) == 1


def test_a_recompute_works_in_batches_each_committed_with_its_notices(
    area, officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services_module, "BATCH", 2)
    issue_requests(area, officer, count=5)
    batches = []
    changes = holiday_override_save(
        override=HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="Extra"),
        on_batch=lambda batch: batches.append(len(batch)),
    )
    assert batches == [2, 2, 1]
    assert len(changes) == DueDateChange.objects.count() == 5
    assert set(InformationRequest.all_objects.values_list("due_on", flat=True)) == {D(2027, 1, 21)}
    # Run again: every clock is right, nothing moves.
    assert clocks_recompute(reason="again", dates=[D(2027, 1, 11)]) == []


def test_a_failing_batch_leaves_the_committed_batches_and_a_rerun_finishes(area, officer):
    """Batches commit on their own: a failure in the second leaves the first moved (and
    recorded), and the next recompute finishes the rest."""
    services_module_batch = services_module.BATCH
    issue_requests(area, officer, count=3)
    override = HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="Extra")
    seen = []

    def fail_on_the_second(batch):
        seen.append(len(batch))
        if len(seen) == 2:
            raise RuntimeError("mail server down")

    services_module.BATCH = 2
    try:
        with pytest.raises(RuntimeError):
            holiday_override_save(override=override, on_batch=fail_on_the_second)
    finally:
        services_module.BATCH = services_module_batch
    assert DueDateChange.objects.count() == 2
    assert HolidayOverride.objects.filter(date=D(2027, 1, 11)).exists()
    assert len(clocks_recompute(reason="finish", dates=[D(2027, 1, 11)])) == 1
    assert set(InformationRequest.all_objects.values_list("due_on", flat=True)) == {D(2027, 1, 21)}
