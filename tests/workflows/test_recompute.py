"""Open due dates follow changes to rules and holidays, and every move is recorded for good.

A request issued on Fri 18 Dec 2026 under `link-information-request` (20 working days, the day
after is day 1) is due Wed 20 Jan 2027, skipping 25 Dec, 28 Dec and 1 Jan (GOV.UK list).
"""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction

from scrutiny.casework import services
from scrutiny.casework.models import InformationRequest, RequestState
from tests.api.conftest import after_the_issue_dates  # noqa: F401 - a fixture (18 Dec 2026)
from tests.factories import agree_recommendations
from workflows.audit import EventType
from workflows.models import (
    AppendOnlyError,
    AuditEvent,
    DeadlineRule,
    DueDateChange,
    HolidayOverride,
)
from workflows.services import (
    clocks_recompute,
    deadline_rule_save,
    holiday_override_delete,
    holiday_override_save,
)

# Declared for the whole module: some tests reach the database only through fixtures looked up
# at run time, and pytest-django must still order them before transactional tests.
pytestmark = pytest.mark.django_db

D = dt.date
ISSUED = D(2026, 12, 18)
DUE = D(2027, 1, 20)
DUE_EXPLANATION = (
    "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 20 Jan 2027"
)
SCORES = {
    "timely": 2,
    "organisational_priority": 2,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 1,
}


def issue_requests(area, officer, *, count=1, on=ISSUED):
    """Walk a topic through the services to `count` issued information requests."""
    topic = services.topic_raise(
        by=officer,
        title="Stroke services",
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.network,
    )
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    drafted = [
        services.information_request_draft(
            topic=topic, by=officer, recipient=area.trust, question=f"Question {i}?"
        )
        for i in range(count)
    ]
    services.topic_issue_requests(topic=topic, by=officer, on=on)
    return [InformationRequest.all_objects.get(pk=r.pk) for r in drafted]


@pytest.fixture
def request_issued(area, officer):
    (req,) = issue_requests(area, officer)
    assert req.state == RequestState.ISSUED
    assert req.due_rule.slug == "link-information-request"
    assert (req.due_on, req.due_explanation) == (DUE, DUE_EXPLANATION)
    return req


def changes_for(obj):
    return DueDateChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    )


# --- holidays ------------------------------------------------------------------------------


def test_a_holiday_added_inside_the_window_moves_the_due_date_and_is_recorded(request_issued):
    override = HolidayOverride(
        region="england-and-wales", date=D(2027, 1, 11), name="Proclaimed holiday"
    )

    moved = holiday_override_save(override=override)

    request_issued.refresh_from_db()
    assert request_issued.due_on == D(2027, 1, 21)
    assert request_issued.due_explanation == (
        "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan, 11 Jan: "
        "Thu 21 Jan 2027"
    )
    (change,) = changes_for(request_issued)
    assert moved == [change]
    assert (change.old_due_on, change.new_due_on) == (DUE, D(2027, 1, 21))
    assert change.old_explanation == DUE_EXPLANATION
    assert change.new_explanation == request_issued.due_explanation
    assert change.reason == "bank holiday added: 11 Jan 2027 Proclaimed holiday"
    assert request_issued.clock_started_on == ISSUED  # the start never moves


def test_withdrawing_the_holiday_moves_the_due_date_back(request_issued):
    override = HolidayOverride(
        region="england-and-wales", date=D(2027, 1, 11), name="Proclaimed holiday"
    )
    holiday_override_save(override=override)

    moved = holiday_override_delete(override=override)

    request_issued.refresh_from_db()
    assert (request_issued.due_on, request_issued.due_explanation) == (DUE, DUE_EXPLANATION)
    assert not HolidayOverride.objects.exists()
    first, second = changes_for(request_issued)
    assert moved == [second]
    assert (first.old_due_on, first.new_due_on) == (DUE, D(2027, 1, 21))
    assert (second.old_due_on, second.new_due_on) == (D(2027, 1, 21), DUE)
    assert second.new_explanation == DUE_EXPLANATION
    assert second.reason == "holiday override withdrawn: 11 Jan 2027 Proclaimed holiday"


def test_removing_a_listed_holiday_brings_the_due_date_forward(request_issued):
    override = HolidayOverride(
        region="england-and-wales",
        date=D(2026, 12, 28),
        action=HolidayOverride.Action.REMOVE,
        name="Boxing Day (observed) not kept",
    )

    holiday_override_save(override=override)

    request_issued.refresh_from_db()
    assert request_issued.due_on == D(2027, 1, 19)
    assert request_issued.due_explanation == (
        "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 1 Jan: Tue 19 Jan 2027"
    )
    (change,) = changes_for(request_issued)
    assert change.reason == "bank holiday removed: 28 Dec 2026 Boxing Day (observed) not kept"


@pytest.mark.parametrize(
    ("region", "date"),
    [
        ("england-and-wales", D(2027, 1, 21)),  # the day after the due date
        ("england-and-wales", D(2026, 12, 18)),  # the day of issue: the day after is day 1
        ("england-and-wales", D(2027, 1, 16)),  # a Saturday
        ("scotland", D(2027, 1, 11)),  # inside the window, but another region
    ],
)
def test_a_holiday_that_does_not_touch_the_window_moves_nothing(request_issued, region, date):
    override = HolidayOverride(region=region, date=date, name="Elsewhere or elsewhen")

    assert holiday_override_save(override=override) == []

    request_issued.refresh_from_db()
    assert (request_issued.due_on, request_issued.due_explanation) == (DUE, DUE_EXPLANATION)
    assert not DueDateChange.objects.exists()


@pytest.mark.usefixtures("after_the_issue_dates")
def test_closed_clocks_keep_their_dates_when_holidays_change(area, officer, responder):
    answered, still_open = issue_requests(area, officer, count=2)
    services.provider_response_record(
        subject=answered, by=responder, channel="api", text="40 beds", outcome="answered"
    )

    holiday_override_save(
        override=HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="Extra")
    )

    answered.refresh_from_db()
    still_open.refresh_from_db()
    assert answered.state == RequestState.ANSWERED
    assert (answered.due_on, answered.due_explanation) == (DUE, DUE_EXPLANATION)
    assert still_open.due_on == D(2027, 1, 21)
    assert not changes_for(answered).exists()
    assert changes_for(still_open).count() == 1


def test_an_invalid_override_is_refused_and_moves_nothing(request_issued):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        holiday_override_save(
            override=HolidayOverride(region="atlantis", date=D(2027, 1, 11), name="Nowhere")
        )

    request_issued.refresh_from_db()
    assert request_issued.due_on == DUE
    assert not HolidayOverride.objects.exists()
    assert not DueDateChange.objects.exists()


def test_a_holiday_moves_every_kind_of_open_clock_that_counts_working_days(
    area, officer, osc_officer
):
    from scrutiny.casework.models import Recommendation, Referral, Topic

    topic = services.topic_raise(
        by=officer,
        title="Stroke services",
        summary="Referred to the committee",
        partnership=area.partnership,
        lead_body=area.network,
        source=Topic.Source.REFERRAL,
        referred_on=ISSUED,
    )
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    link_rec = services.recommendation_draft(
        topic=topic, by=officer, recipient=area.trust, text="Keep the unit"
    )
    agree_recommendations(topic)
    services.topic_make_recommendations(topic=topic, by=officer, on=ISSUED)
    osc_topic = services.topic_raise(
        by=osc_officer,
        title="Ambulance waits",
        summary="Handover delays",
        partnership=area.partnership,
        lead_body=area.committee,
    )
    osc_topic = services.topic_prioritise(topic=osc_topic, by=osc_officer, scores=SCORES)
    osc_rec = services.recommendation_draft(
        topic=osc_topic, by=osc_officer, recipient=area.trust, text="Publish handover times"
    )
    agree_recommendations(osc_topic)
    services.topic_make_recommendations(topic=osc_topic, by=osc_officer, on=ISSUED)
    referral = Referral.objects.get(topic=topic)
    link_rec, osc_rec = (Recommendation.all_objects.get(pk=r.pk) for r in (link_rec, osc_rec))
    assert (referral.due_rule.slug, referral.due_on) == ("referral-acknowledgement", D(2027, 1, 19))
    assert (link_rec.due_rule.slug, link_rec.due_on) == ("link-recommendation-response", DUE)
    assert (osc_rec.due_rule.slug, osc_rec.due_on) == (
        "osc-recommendation-response",
        D(2027, 1, 15),
    )

    moved = holiday_override_save(
        override=HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="Extra")
    )

    for obj in (referral, link_rec, osc_rec):
        obj.refresh_from_db()
    assert referral.due_on == D(2027, 1, 20)
    assert referral.due_explanation == (
        "20 working days beginning with Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan, 11 Jan: "
        "Wed 20 Jan 2027"
    )
    assert link_rec.due_on == D(2027, 1, 21)
    assert osc_rec.due_on == D(2027, 1, 15)  # 28 calendar days: holidays do not count
    assert sorted((c.content_type.model, c.new_due_on) for c in moved) == [
        ("recommendation", D(2027, 1, 21)),
        ("referral", D(2027, 1, 20)),
    ]


def test_a_second_override_for_the_same_day_is_refused(request_issued):
    from django.core.exceptions import ValidationError

    holiday_override_save(
        override=HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="Extra")
    )

    with pytest.raises(ValidationError):
        holiday_override_save(
            override=HolidayOverride(
                region="england-and-wales",
                date=D(2027, 1, 11),
                action=HolidayOverride.Action.REMOVE,
                name="Again",
            )
        )

    assert HolidayOverride.objects.count() == 1
    assert DueDateChange.objects.count() == 1


# --- rules ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("after_the_issue_dates")
def test_changing_a_rule_recomputes_only_open_clocks_of_that_rule(area, officer, responder):
    answered, still_open = issue_requests(area, officer, count=2)
    services.provider_response_record(
        subject=answered, by=responder, channel="api", text="40 beds", outcome="answered"
    )
    rec = services.recommendation_draft(
        topic=still_open.topic, by=officer, recipient=area.trust, text="Keep the unit"
    )
    agree_recommendations(still_open.topic)
    services.topic_make_recommendations(topic=still_open.topic, by=officer, on=ISSUED)
    rec.refresh_from_db()
    assert rec.due_rule.slug == "link-recommendation-response"
    rec_due = (rec.due_on, rec.due_explanation)
    assert rec_due == (DUE, DUE_EXPLANATION)

    rule = DeadlineRule.objects.get(slug="link-information-request")
    rule.period = 25
    moved = deadline_rule_save(rule=rule, correction=True)

    still_open.refresh_from_db()
    answered.refresh_from_db()
    rec.refresh_from_db()
    assert still_open.due_on == D(2027, 1, 27)
    assert still_open.due_explanation == (
        "25 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 27 Jan 2027"
    )
    assert (answered.due_on, answered.due_explanation) == (DUE, DUE_EXPLANATION)
    assert (rec.due_on, rec.due_explanation) == rec_due  # another rule: untouched
    (change,) = moved
    assert (change.object_id, change.old_due_on, change.new_due_on) == (
        still_open.pk,
        DUE,
        D(2027, 1, 27),
    )
    assert change.reason == "deadline rule 'link-information-request' corrected"
    assert DueDateChange.objects.count() == 1


def test_making_a_rule_begin_with_the_start_day_moves_it_a_day_earlier(request_issued):
    rule = DeadlineRule.objects.get(slug="link-information-request")
    rule.start_day_counts = True

    deadline_rule_save(rule=rule, correction=True)

    request_issued.refresh_from_db()
    assert request_issued.due_on == D(2027, 1, 19)
    assert request_issued.due_explanation == (
        "20 working days beginning with Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: "
        "Tue 19 Jan 2027"
    )


def test_saving_a_rule_unchanged_records_nothing(request_issued):
    rule = DeadlineRule.objects.get(slug="link-information-request")

    assert deadline_rule_save(rule=rule, correction=True) == []
    assert not DueDateChange.objects.exists()


def test_an_invalid_rule_change_is_refused_whole(request_issued):
    from django.core.exceptions import ValidationError

    rule = DeadlineRule.objects.get(slug="link-information-request")
    rule.kind = DeadlineRule.Kind.CLEAR_DAYS_BEFORE
    rule.unit = DeadlineRule.Unit.MONTHS  # clear days are counted in working days only

    with pytest.raises(ValidationError):
        deadline_rule_save(rule=rule, correction=True)

    rule.refresh_from_db()
    request_issued.refresh_from_db()
    assert (rule.kind, rule.unit) == ("period", "working_days")
    assert request_issued.due_on == DUE
    assert not DueDateChange.objects.exists()


def test_a_rules_region_change_recomputes_with_the_new_holidays(area, officer):
    (req,) = issue_requests(area, officer, on=D(2025, 12, 31))
    assert req.due_on == D(2026, 1, 29)

    rule = DeadlineRule.objects.get(slug="link-information-request")
    rule.region = "scotland"
    deadline_rule_save(rule=rule, correction=True)

    req.refresh_from_db()
    assert req.due_on == D(2026, 1, 30)
    assert req.due_explanation == (
        "20 working days after Wed 31 Dec 2025, skipping 1 Jan, 2 Jan: Fri 30 Jan 2026"
    )


def test_recompute_reads_the_holiday_overrides_once_per_region(area, officer):
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 6):
        issue_requests(area, officer, count=size)
        with CaptureQueriesContext(connection) as ctx:
            clocks_recompute(reason="nothing changed")
        counts.append(len(ctx.captured_queries))
    # Nothing moved, so the work must not grow with the number of open clocks.
    assert counts[0] == counts[1]


# --- append-only records --------------------------------------------------------------------


@pytest.fixture
def change(request_issued):
    holiday_override_save(
        override=HolidayOverride(region="england-and-wales", date=D(2027, 1, 11), name="Extra")
    )
    return DueDateChange.objects.get()


@pytest.fixture
def log_row(request_issued):
    return AuditEvent.objects.filter(event_type=EventType.INFORMATION_REQUEST_ISSUED).get()


@pytest.fixture(params=["change", "log_row"])
def record(request):
    return request.getfixturevalue(request.param)


def test_an_append_only_record_refuses_to_be_saved_again(record):
    original = record.at
    record.at = original + dt.timedelta(days=1)

    with pytest.raises(AppendOnlyError, match="append-only; they cannot be updated"):
        record.save()

    assert type(record).objects.get(pk=record.pk).at == original


def test_an_append_only_record_refuses_delete(record):
    with pytest.raises(AppendOnlyError, match="append-only; they cannot be deleted"):
        record.delete()

    assert type(record).objects.filter(pk=record.pk).exists()


def test_an_append_only_queryset_refuses_update_and_delete(record):
    model = type(record)
    qs = model.objects.filter(pk=record.pk)

    with pytest.raises(AppendOnlyError, match="cannot be updated"):
        qs.update(at=record.at + dt.timedelta(days=1))
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        qs.delete()
    # bulk_update runs inside atomic(savepoint=False): give it a savepoint of its own.
    with pytest.raises(AppendOnlyError, match="cannot be updated"), transaction.atomic():
        model.objects.bulk_update([record], ["at"])

    fresh = model.objects.get(pk=record.pk)
    assert fresh.at == record.at


def test_a_new_record_cannot_reuse_an_existing_id_to_overwrite_it(record):
    """Saving an unsaved instance with an existing pk makes Django try an UPDATE first; the
    model's guard does not see it (the instance is 'adding'), the database trigger refuses it."""
    model = type(record)
    count = model.objects.count()
    copy = model.objects.get(pk=record.pk)
    copy._state.adding = True
    copy.at = record.at + dt.timedelta(days=1)

    with pytest.raises((AppendOnlyError, *DB_REFUSALS)), transaction.atomic():
        copy.save()

    assert model.objects.get(pk=record.pk).at == record.at
    assert model.objects.count() == count


def _table_and_column(record):
    if isinstance(record, DueDateChange):
        return "workflows_duedatechange", "reason"
    return "workflows_auditevent", "note"


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


DB_REFUSALS = (IntegrityError, InternalError, OperationalError)


def test_the_database_refuses_a_raw_update(record):
    """SQLite and PostgreSQL both carry a trigger refusing UPDATE on the append-only tables."""
    table, column = _table_and_column(record)
    before = getattr(record, column)

    with pytest.raises(DB_REFUSALS, match="append-only table"):
        _raw(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', ["tampered", record.pk])

    assert getattr(type(record).objects.get(pk=record.pk), column) == before


@pytest.mark.postgres
def test_postgresql_refuses_a_raw_delete(record):
    """On SQLite a raw DELETE is not refused (the test flush needs it); on PostgreSQL it is."""
    assert connection.vendor == "postgresql"
    table, _column = _table_and_column(record)

    with pytest.raises(DB_REFUSALS, match="append-only table"):
        _raw(f'DELETE FROM "{table}" WHERE id = %s', [record.pk])

    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.postgres
def test_postgresql_refuses_a_raw_update_of_any_column(record):
    assert connection.vendor == "postgresql"
    table, _column = _table_and_column(record)

    with pytest.raises(DB_REFUSALS, match="append-only table"):
        _raw(f'UPDATE "{table}" SET "object_id" = "object_id" + 1 WHERE id = %s', [record.pk])

    assert type(record).objects.get(pk=record.pk).object_id == record.object_id
