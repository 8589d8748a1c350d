"""Reminders before, on and after due dates, across bank holidays, with time travel."""

import datetime as dt

import pytest
import time_machine

from scrutiny.casework import services
from scrutiny.casework.models import RecommendationOutcome
from tests.factories import agree_recommendations
from tests.workflows.deadline_helpers import at, issued_requests, people
from workflows.calendar import WorkingCalendar
from workflows.models import Notification, NotificationKind, NotificationPreference, SweepMark
from workflows.sweep import sweep_run, working_days_before

D = dt.date


@pytest.mark.parametrize(
    ("due", "reminder"),
    [
        # 14, 15, 18, 19, 20 Jan are the last five working days.
        (D(2027, 1, 20), D(2027, 1, 13)),
        # Back across New Year's Day, the Boxing Day substitute and Christmas Day.
        (D(2027, 1, 5), D(2026, 12, 24)),
        # Back across the Easter Monday and Good Friday of 2026.
        (D(2026, 4, 9), D(2026, 3, 31)),
        # A plain week.
        (D(2026, 6, 12), D(2026, 6, 5)),
    ],
)
def test_the_reminder_day_is_five_working_days_before_the_due_date(due, reminder):
    cal = WorkingCalendar("england-and-wales")
    assert working_days_before(cal, due, 5) == reminder
    assert cal.working_days_between(reminder, due) == 5


def _sweep(day, hour=8):
    with time_machine.travel(at(day, hour), tick=False):
        return sweep_run()


def _sent(kind, user=None):
    qs = Notification.objects.filter(kind=kind)
    if user is not None:
        qs = qs.filter(recipient=user)
    return list(qs)


@pytest.mark.django_db
def test_reminders_before_on_and_after_a_due_date_across_bank_holidays(area):
    who = people(area)
    # Issued Fri 18 Dec 2026: 20 working days skipping 25 Dec, 28 Dec and 1 Jan.
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))
    assert request.due_on == D(2027, 1, 20)

    _sweep(D(2027, 1, 12))
    assert _sent(NotificationKind.REMINDER_BEFORE) == []

    _sweep(D(2027, 1, 13))
    (before,) = _sent(NotificationKind.REMINDER_BEFORE)
    assert before.recipient == who.responder
    assert before.to_email == "trust-responder@example.org"
    assert before.subject.startswith("Due Wed 20 Jan 2027: Request for information to Northby")
    assert f"/topics/{request.topic_id}/#request-{request.pk}" in before.body_text
    assert "skipping 25 Dec, 28 Dec, 1 Jan" in before.body_text

    _sweep(D(2027, 1, 14))
    _sweep(D(2027, 1, 19))
    assert len(_sent(NotificationKind.REMINDER_BEFORE)) == 1
    assert _sent(NotificationKind.REMINDER_DUE) == []

    _sweep(D(2027, 1, 20))
    (due,) = _sent(NotificationKind.REMINDER_DUE)
    assert due.recipient == who.responder
    assert due.subject.startswith("Due today:")
    assert not SweepMark.objects.exists()

    _sweep(D(2027, 1, 21))
    (overdue,) = _sent(NotificationKind.REMINDER_OVERDUE)
    assert overdue.recipient == who.responder
    assert "1 working day late" in overdue.body_text
    mark = SweepMark.objects.get()
    assert (mark.level, mark.due_on, mark.marked_on, mark.kind) == (
        "overdue",
        D(2027, 1, 20),
        D(2027, 1, 21),
        "information_request",
    )
    # Nobody else's responder hears of it; no escalation yet.
    assert not Notification.objects.filter(recipient=who.other_responder).exists()
    assert _sent(NotificationKind.ESCALATION) == []


@pytest.mark.django_db
def test_a_request_due_after_new_year_is_reminded_on_christmas_eve(area):
    who = people(area)
    # Issued Thu 3 Dec 2026 → 20 working days after: Tue 5 Jan 2027.
    (request,) = issued_requests(area, who, on=D(2026, 12, 3))
    assert request.due_on == D(2027, 1, 5)
    _sweep(D(2026, 12, 23))
    assert _sent(NotificationKind.REMINDER_BEFORE) == []
    _sweep(D(2026, 12, 24))
    assert len(_sent(NotificationKind.REMINDER_BEFORE, who.responder)) == 1


@pytest.mark.django_db
def test_escalation_to_the_lead_bodys_chair_after_twenty_working_days(area):
    who = people(area)
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))

    _sweep(D(2027, 2, 16))  # 19 working days late
    assert _sent(NotificationKind.ESCALATION) == []
    assert SweepMark.objects.filter(level="very_overdue").count() == 0

    _sweep(D(2027, 2, 17))  # 20 working days late
    (escalation,) = _sent(NotificationKind.ESCALATION)
    # The committee leads the topic: its chair is told, not the LINk's chair.
    assert escalation.recipient == who.chair
    assert escalation.subject.startswith("Very overdue (20 working days):")
    assert "20 working days late" in escalation.body_text
    assert SweepMark.objects.filter(level="very_overdue", object_id=request.pk).count() == 1
    assert not Notification.objects.filter(recipient=who.link_chair).exists()


@pytest.mark.django_db
def test_a_missed_sweep_catches_up_with_only_what_is_still_true(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18))
    # No sweep ran for weeks: the first one sends the overdue notice, not stale reminders.
    _sweep(D(2027, 1, 25))
    assert _sent(NotificationKind.REMINDER_BEFORE) == []
    assert _sent(NotificationKind.REMINDER_DUE) == []
    assert len(_sent(NotificationKind.REMINDER_OVERDUE, who.responder)) == 1


@pytest.mark.django_db
def test_answered_requests_and_responded_recommendations_are_left_alone(area):
    who = people(area)
    (request,) = issued_requests(area, who, on=D(2026, 12, 18))
    with time_machine.travel(at(D(2027, 1, 14)), tick=False):
        services.provider_response_record(
            subject=request, by=who.responder, channel="api", text="40 beds", outcome="answered"
        )
    _sweep(D(2027, 1, 20))
    _sweep(D(2027, 2, 20))
    assert not Notification.objects.exclude(kind=NotificationKind.DIGEST).exists()
    assert not SweepMark.objects.exists()

    topic = request.topic
    rec = services.recommendation_draft(
        topic=topic, by=who.osc_officer, recipient=area.trust, text="Keep the unit"
    )
    agree_recommendations(topic)
    services.topic_make_recommendations(topic=topic, by=who.osc_officer, on=D(2027, 3, 1))
    rec.refresh_from_db()
    assert rec.due_on == D(2027, 3, 29)  # an OSC's recommendation: 28 calendar days
    _sweep(D(2027, 3, 22))
    (before,) = _sent(NotificationKind.REMINDER_BEFORE)
    assert before.subject.startswith("Due Mon 29 Mar 2027: Recommendation to Northby")
    # Answered after the recommendation was issued (1 Mar 2027), never before.
    with time_machine.travel(dt.datetime(2027, 3, 23, 12, tzinfo=dt.UTC), tick=False):
        services.provider_response_record(
            subject=rec,
            by=who.responder,
            channel="api",
            text="Agreed",
            outcome=RecommendationOutcome.ACCEPTED,
            action_plan=[{"action": "Keep", "owner": "COO", "target_date": "2027-06-01"}],
        )
    _sweep(D(2027, 3, 30))
    assert _sent(NotificationKind.REMINDER_OVERDUE) == []


@pytest.mark.django_db
def test_referral_acknowledgement_reminds_the_committee_officers(area):
    who = people(area)
    topic = services.topic_raise(
        by=who.link_officer,
        title="Dental access",
        summary="No NHS dentist taking patients",
        partnership=area.partnership,
        lead_body=area.network,
        source="referral",
        referred_on=D(2027, 3, 1),
    )
    referral = topic.referral
    # The LINk publishes its decision to refer at once, so only the referral's clock runs.
    decision = topic.decisions.get()
    services.decision_edit(
        decision=decision, by=who.link_officer, statement=decision.statement, reasons="Waits"
    )
    services.decision_publish(decision=decision, by=who.link_officer)
    # 20 working days beginning with Mon 1 Mar 2027, skipping Good Friday and Easter Monday.
    assert referral.due_on == D(2027, 3, 30)
    _sweep(D(2027, 3, 19))
    (before,) = _sent(NotificationKind.REMINDER_BEFORE)
    assert before.recipient == who.osc_officer
    assert before.subject == "Due Tue 30 Mar 2027: Referral from Northby LINk: Dental access"
    assert "acknowledge the referral" in before.body_text
    _sweep(D(2027, 4, 26))  # 19 working days late
    assert _sent(NotificationKind.ESCALATION) == []
    _sweep(D(2027, 4, 27))  # very overdue: the lead body (the LINk) has a chair
    (escalation,) = _sent(NotificationKind.ESCALATION)
    assert escalation.recipient == who.link_chair


@pytest.mark.django_db
def test_people_choose_which_reminders_they_receive(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18))
    NotificationPreference.objects.create(user=who.responder, reminder_before=False)
    NotificationPreference.objects.create(user=who.link_officer, digest=False)
    _sweep(D(2027, 1, 13))
    assert _sent(NotificationKind.REMINDER_BEFORE) == []
    digests = _sent(NotificationKind.DIGEST)
    assert [n.recipient for n in digests] == [who.osc_officer]
    _sweep(D(2027, 1, 20))
    assert len(_sent(NotificationKind.REMINDER_DUE, who.responder)) == 1  # still on


@pytest.mark.django_db
def test_people_without_an_email_address_or_inactive_are_skipped(area):
    who = people(area)
    issued_requests(area, who, on=D(2026, 12, 18))
    who.responder.email = ""
    who.responder.save()
    who.osc_officer.is_active = False
    who.osc_officer.save()
    _sweep(D(2027, 1, 13))
    assert _sent(NotificationKind.REMINDER_BEFORE) == []
    assert [n.recipient for n in _sent(NotificationKind.DIGEST)] == [who.link_officer]


@pytest.mark.django_db
def test_the_officers_daily_digest(area):
    who = people(area)
    first = issued_requests(area, who, on=D(2026, 12, 18), title="Stroke")[0]  # due 20 Jan
    issued_requests(area, who, on=D(2026, 12, 21), title="Maternity")  # due 21 Jan
    issued_requests(area, who, on=D(2026, 12, 3), title="Dentistry")  # due 5 Jan: overdue

    _sweep(D(2027, 1, 20), hour=6)  # before the digest time: no digest yet
    assert _sent(NotificationKind.DIGEST) == []

    _sweep(D(2027, 1, 20), hour=7)
    digests = {n.recipient.username: n for n in _sent(NotificationKind.DIGEST)}
    assert set(digests) == {"link-officer", "osc-officer"}  # officers of the topic's bodies
    text = digests["osc-officer"].body_text
    assert digests["osc-officer"].subject == "Deadlines for Wed 20 Jan 2027: 3 items"
    assert text.index("Overdue (1)") < text.index("Due today (1)") < text.index("Due soon (1)")
    assert f"/topics/{first.topic_id}/#request-{first.pk}" in text

    _sweep(D(2027, 1, 20), hour=12)  # once a day
    assert len(_sent(NotificationKind.DIGEST)) == 2
    _sweep(D(2027, 1, 23), hour=9)  # a Saturday: no digest
    assert len(_sent(NotificationKind.DIGEST)) == 2
    assert not Notification.objects.filter(recipient=who.other_officer).exists()
