"""Every default deadline rule across Christmas-New Year 2026/27 and Easter 2026 and 2027.

Each expected date was counted by hand on a calendar against GOV.UK's England and Wales list
(2026: 1 Jan, 3 Apr, 6 Apr, 4 May, 25 May, 31 Aug, 25 Dec, 28 Dec; 2027: 1 Jan, 26 Mar, 29 Mar,
3 May, 31 May, 30 Aug, 27 Dec, 28 Dec; 2028 begins with Mon 3 Jan, New Year's Day substitute).
The rules are the ones the migration creates; custom periods use unsaved DeadlineRule objects.
"""

import datetime as dt

import pytest

from workflows.calendar import WorkingCalendar
from workflows.clocks import calendar_for, compute_due, working_days_late
from workflows.models import DeadlineRule, HolidayOverride

D = dt.date
pytestmark = pytest.mark.django_db


def test_the_migration_creates_the_default_rules():
    rules = {
        r.slug: (r.kind, r.period, r.unit, r.start_day_counts, r.region)
        for r in DeadlineRule.objects.all()
    }

    assert rules == {
        "osc-recommendation-response": ("period", 28, "calendar_days", False, ""),
        "link-information-request": ("period", 20, "working_days", False, ""),
        "link-recommendation-response": ("period", 20, "working_days", False, ""),
        "referral-acknowledgement": ("period", 20, "working_days", True, ""),
        "agenda-publication": ("clear_days_before", 5, "working_days", False, ""),
        "council-executive-response": ("period", 2, "months", False, ""),
        "relevant-decision-publication": ("period", 10, "working_days", False, ""),
        "enter-and-view-accuracy-check": ("period", 10, "working_days", False, ""),
        "enter-and-view-response": ("period", 20, "working_days", False, ""),
        "consultation-comments-agenda": ("clear_days_before", 5, "working_days", False, ""),
        "call-in-decision": ("period", 6, "months", True, ""),
    }
    assert all(r.source for r in DeadlineRule.objects.all())


# slug, start (meeting date for agenda-publication), due, explanation
CASES = [
    # NHS body answers an OSC: 28 calendar days after the request; holidays do not matter.
    (
        "osc-recommendation-response",
        D(2026, 12, 18),
        D(2027, 1, 15),
        "28 days after Fri 18 Dec 2026: Fri 15 Jan 2027",
    ),
    (
        "osc-recommendation-response",
        D(2026, 12, 24),
        D(2027, 1, 21),
        "28 days after Thu 24 Dec 2026: Thu 21 Jan 2027",
    ),
    (
        "osc-recommendation-response",
        D(2026, 12, 26),
        D(2027, 1, 23),  # calendar days: a due date may be a Saturday
        "28 days after Sat 26 Dec 2026: Sat 23 Jan 2027",
    ),
    (
        "osc-recommendation-response",
        D(2026, 4, 2),
        D(2026, 4, 30),
        "28 days after Thu 2 Apr 2026: Thu 30 Apr 2026",
    ),
    (
        "osc-recommendation-response",
        D(2027, 3, 25),
        D(2027, 4, 22),
        "28 days after Thu 25 Mar 2027: Thu 22 Apr 2027",
    ),
    # Health body answers a LINk request: 20 working days, the day after receipt is day 1.
    (
        "link-information-request",
        D(2026, 12, 18),
        D(2027, 1, 20),
        "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 20 Jan 2027",
    ),
    (
        "link-information-request",
        D(2026, 12, 24),
        D(2027, 1, 26),
        "20 working days after Thu 24 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Tue 26 Jan 2027",
    ),
    (
        "link-information-request",
        D(2026, 12, 26),  # received on a Saturday: day 1 is Tue 29 Dec
        D(2027, 1, 26),
        "20 working days after Sat 26 Dec 2026, skipping 28 Dec, 1 Jan: Tue 26 Jan 2027",
    ),
    (
        "link-information-request",
        D(2026, 12, 31),
        D(2027, 1, 29),
        "20 working days after Thu 31 Dec 2026, skipping 1 Jan: Fri 29 Jan 2027",
    ),
    (
        "link-information-request",
        D(2026, 4, 2),
        D(2026, 5, 5),
        "20 working days after Thu 2 Apr 2026, skipping 3 Apr, 6 Apr, 4 May: Tue 5 May 2026",
    ),
    (
        "link-information-request",
        D(2027, 3, 25),
        D(2027, 4, 26),
        "20 working days after Thu 25 Mar 2027, skipping 26 Mar, 29 Mar: Mon 26 Apr 2027",
    ),
    (
        "link-information-request",
        D(2027, 12, 24),  # Christmas 2027 (substitutes 27 and 28 Dec) and 3 Jan 2028
        D(2028, 1, 26),
        "20 working days after Fri 24 Dec 2027, skipping 27 Dec, 28 Dec, 3 Jan: Wed 26 Jan 2028",
    ),
    # Health body answers a LINk recommendation: the same count.
    (
        "link-recommendation-response",
        D(2026, 12, 18),
        D(2027, 1, 20),
        "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 20 Jan 2027",
    ),
    (
        "link-recommendation-response",
        D(2026, 4, 3),  # received on Good Friday
        D(2026, 5, 5),
        "20 working days after Fri 3 Apr 2026, skipping 6 Apr, 4 May: Tue 5 May 2026",
    ),
    (
        "link-recommendation-response",
        D(2027, 3, 26),
        D(2027, 4, 26),
        "20 working days after Fri 26 Mar 2027, skipping 29 Mar: Mon 26 Apr 2027",
    ),
    # Enter and View: the provider checks the draft report (10 working days after it is sent),
    # then responds to the published report (20 working days after publication).
    (
        "enter-and-view-accuracy-check",
        D(2026, 12, 18),
        D(2027, 1, 6),
        "10 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 6 Jan 2027",
    ),
    (
        "enter-and-view-accuracy-check",
        D(2027, 3, 22),
        D(2027, 4, 7),
        "10 working days after Mon 22 Mar 2027, skipping 26 Mar, 29 Mar: Wed 7 Apr 2027",
    ),
    (
        "enter-and-view-response",
        D(2026, 12, 24),
        D(2027, 1, 26),
        "20 working days after Thu 24 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Tue 26 Jan 2027",
    ),
    (
        "enter-and-view-response",
        D(2026, 4, 2),  # published the day before Good Friday 2026
        D(2026, 5, 5),
        "20 working days after Thu 2 Apr 2026, skipping 3 Apr, 6 Apr, 4 May: Tue 5 May 2026",
    ),
    # OSC acknowledges a referral: 20 working days beginning with the referral date.
    (
        "referral-acknowledgement",
        D(2026, 12, 18),
        D(2027, 1, 19),
        "20 working days beginning with Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: "
        "Tue 19 Jan 2027",
    ),
    (
        "referral-acknowledgement",
        D(2026, 12, 25),
        D(2027, 1, 26),
        "20 working days beginning with Fri 25 Dec 2026 (not a working day, so day 1 is "
        "Tue 29 Dec 2026), skipping 25 Dec, 28 Dec, 1 Jan: Tue 26 Jan 2027",
    ),
    (
        "referral-acknowledgement",
        D(2027, 1, 1),
        D(2027, 1, 29),
        "20 working days beginning with Fri 1 Jan 2027 (not a working day, so day 1 is "
        "Mon 4 Jan 2027), skipping 1 Jan: Fri 29 Jan 2027",
    ),
    (
        "referral-acknowledgement",
        D(2026, 4, 2),
        D(2026, 5, 1),
        "20 working days beginning with Thu 2 Apr 2026, skipping 3 Apr, 6 Apr: Fri 1 May 2026",
    ),
    (
        "referral-acknowledgement",
        D(2026, 4, 6),
        D(2026, 5, 5),
        "20 working days beginning with Mon 6 Apr 2026 (not a working day, so day 1 is "
        "Tue 7 Apr 2026), skipping 6 Apr, 4 May: Tue 5 May 2026",
    ),
    (
        "referral-acknowledgement",
        D(2027, 3, 25),
        D(2027, 4, 23),
        "20 working days beginning with Thu 25 Mar 2027, skipping 26 Mar, 29 Mar: Fri 23 Apr 2027",
    ),
    # Agenda publication: the latest working day leaving 5 clear working days before a meeting.
    (
        "agenda-publication",
        D(2026, 6, 23),  # published Monday => meeting no earlier than the following Tuesday
        D(2026, 6, 15),
        "5 clear working days before Tue 23 Jun 2026: publish by Mon 15 Jun 2026",
    ),
    (
        "agenda-publication",
        D(2026, 4, 14),
        D(2026, 4, 2),
        "5 clear working days before Tue 14 Apr 2026, skipping 3 Apr, 6 Apr: "
        "publish by Thu 2 Apr 2026",
    ),
    (
        "agenda-publication",
        D(2027, 3, 30),
        D(2027, 3, 18),
        "5 clear working days before Tue 30 Mar 2027, skipping 26 Mar, 29 Mar: "
        "publish by Thu 18 Mar 2027",
    ),
    (
        "agenda-publication",
        D(2027, 1, 4),
        D(2026, 12, 22),
        "5 clear working days before Mon 4 Jan 2027, skipping 25 Dec, 28 Dec, 1 Jan: "
        "publish by Tue 22 Dec 2026",
    ),
    (
        "agenda-publication",
        D(2026, 12, 31),
        D(2026, 12, 21),
        "5 clear working days before Thu 31 Dec 2026, skipping 25 Dec, 28 Dec: "
        "publish by Mon 21 Dec 2026",
    ),
    # Council executive answers an OSC report: 2 months from receipt.
    (
        "council-executive-response",
        D(2026, 12, 18),
        D(2027, 2, 18),
        "2 months after Fri 18 Dec 2026: Thu 18 Feb 2027",
    ),
    (
        "council-executive-response",
        D(2026, 12, 31),
        D(2027, 2, 28),  # no 31 Feb: the last day of the month
        "2 months after Thu 31 Dec 2026: Sun 28 Feb 2027",
    ),
    (
        "council-executive-response",
        D(2026, 4, 3),
        D(2026, 6, 3),
        "2 months after Fri 3 Apr 2026: Wed 3 Jun 2026",
    ),
    (
        "council-executive-response",
        D(2027, 3, 25),
        D(2027, 5, 25),
        "2 months after Thu 25 Mar 2027: Tue 25 May 2027",
    ),
    # A consultation's comments are agreed at a meeting held by the comments-due date: its
    # agenda is published 5 clear working days before (the start is the comments-due date).
    (
        "consultation-comments-agenda",
        D(2026, 12, 30),
        D(2026, 12, 18),
        "5 clear working days before Wed 30 Dec 2026, skipping 25 Dec, 28 Dec: "
        "publish by Fri 18 Dec 2026",
    ),
    (
        "consultation-comments-agenda",
        D(2027, 4, 1),
        D(2027, 3, 22),
        "5 clear working days before Thu 1 Apr 2027, skipping 26 Mar, 29 Mar: "
        "publish by Mon 22 Mar 2027",
    ),
    # The Secretary of State decides a called-in proposal within 6 months beginning with the
    # date of the direction: calendar months, holidays do not matter.
    (
        "call-in-decision",
        D(2026, 12, 24),
        D(2027, 6, 23),
        "6 months beginning with Thu 24 Dec 2026: Wed 23 Jun 2027",
    ),
    (
        "call-in-decision",
        D(2027, 3, 26),
        D(2027, 9, 25),
        "6 months beginning with Fri 26 Mar 2027: Sat 25 Sep 2027",
    ),
]


CASES += [
    # A LINk publishes a relevant decision's statement: 10 working days after the decision
    # (SI 2008/528 reg 2(1)(d) says "within a reasonable time"; the period is the deployment's).
    (
        "relevant-decision-publication",
        D(2026, 12, 22),
        D(2027, 1, 8),
        "10 working days after Tue 22 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Fri 8 Jan 2027",
    ),
    (
        "relevant-decision-publication",
        D(2027, 3, 24),
        D(2027, 4, 9),
        "10 working days after Wed 24 Mar 2027, skipping 26 Mar, 29 Mar: Fri 9 Apr 2027",
    ),
]


@pytest.mark.parametrize(("slug", "start", "due", "explanation"), CASES)
def test_default_rules(slug, start, due, explanation):
    result = compute_due(DeadlineRule.objects.get(slug=slug), start)

    assert result.date == due
    assert result.explanation == explanation


def test_every_default_rule_is_checked():
    assert {slug for slug, *_ in CASES} == set(DeadlineRule.objects.values_list("slug", flat=True))


def test_agenda_published_on_monday_means_a_meeting_no_earlier_than_the_following_tuesday():
    rule = DeadlineRule.objects.get(slug="agenda-publication")
    monday = D(2026, 6, 15)

    for meeting in [D(2026, 6, 23), D(2026, 6, 24), D(2026, 7, 1)]:
        assert compute_due(rule, meeting).date >= monday
    # A meeting on the Monday after needs publishing by the Friday before.
    assert compute_due(rule, D(2026, 6, 22)).date == D(2026, 6, 12)


def test_agenda_publication_across_easter_2026_leaves_five_clear_working_days():
    rule = DeadlineRule.objects.get(slug="agenda-publication")
    meeting = D(2026, 4, 9)  # Thu after Easter: Good Friday and Easter Monday are not clear days

    published = compute_due(rule, meeting)

    assert published.date == D(2026, 3, 30)
    clear = [D(2026, 3, 31), D(2026, 4, 1), D(2026, 4, 2), D(2026, 4, 7), D(2026, 4, 8)]
    cal = WorkingCalendar()
    assert [
        d
        for d in (published.date + dt.timedelta(days=n) for n in range(1, 10))
        if d < meeting and cal.is_working_day(d)
    ] == clear
    assert published.explanation == (
        "5 clear working days before Thu 9 Apr 2026, skipping 3 Apr, 6 Apr: "
        "publish by Mon 30 Mar 2026"
    )


# --- custom rules ---------------------------------------------------------------------------


def rule(**fields):
    defaults = {"slug": "custom", "name": "A custom clock", "kind": DeadlineRule.Kind.PERIOD}
    return DeadlineRule(**(defaults | fields))


@pytest.mark.parametrize(
    ("fields", "start", "due", "explanation"),
    [
        (
            {"period": 10, "unit": DeadlineRule.Unit.WORKING_DAYS},
            D(2026, 12, 18),
            D(2027, 1, 6),
            "10 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 6 Jan 2027",
        ),
        (
            {"period": 2, "unit": DeadlineRule.Unit.WORKING_DAYS, "start_day_counts": True},
            D(2026, 4, 3),
            D(2026, 4, 8),
            "2 working days beginning with Fri 3 Apr 2026 (not a working day, so day 1 is "
            "Tue 7 Apr 2026), skipping 3 Apr, 6 Apr: Wed 8 Apr 2026",
        ),
        (
            {"period": 28, "unit": DeadlineRule.Unit.CALENDAR_DAYS, "start_day_counts": True},
            D(2026, 12, 18),
            D(2027, 1, 14),
            "28 days beginning with Fri 18 Dec 2026: Thu 14 Jan 2027",
        ),
        (
            {"period": 1, "unit": DeadlineRule.Unit.MONTHS},
            D(2027, 1, 31),
            D(2027, 2, 28),
            "1 month after Sun 31 Jan 2027: Sun 28 Feb 2027",
        ),
        (
            {"period": 1, "unit": DeadlineRule.Unit.MONTHS, "start_day_counts": True},
            D(2026, 12, 18),
            D(2027, 1, 17),
            "1 month beginning with Fri 18 Dec 2026: Sun 17 Jan 2027",
        ),
        (
            {
                "period": 3,
                "kind": DeadlineRule.Kind.CLEAR_DAYS_BEFORE,
                "unit": DeadlineRule.Unit.WORKING_DAYS,
            },
            D(2026, 4, 14),
            D(2026, 4, 8),
            "3 clear working days before Tue 14 Apr 2026: publish by Wed 8 Apr 2026",
        ),
        (
            {"period": 20, "unit": DeadlineRule.Unit.WORKING_DAYS, "region": "scotland"},
            D(2025, 12, 31),
            D(2026, 1, 30),
            "20 working days after Wed 31 Dec 2025, skipping 1 Jan, 2 Jan: Fri 30 Jan 2026",
        ),
        (
            {"period": 20, "unit": DeadlineRule.Unit.WORKING_DAYS, "region": "united-kingdom"},
            D(2026, 3, 13),
            D(2026, 4, 15),
            "20 working days after Fri 13 Mar 2026, skipping 17 Mar, 3 Apr, 6 Apr: Wed 15 Apr 2026",
        ),
    ],
)
def test_custom_rules(fields, start, due, explanation):
    result = compute_due(rule(**fields), start)

    assert (result.date, result.explanation) == (due, explanation)


def test_a_rule_without_a_region_uses_the_deployments_setting(settings):
    custom = rule(period=20, unit=DeadlineRule.Unit.WORKING_DAYS)
    start = D(2025, 12, 31)

    settings.CF_HOLIDAY_REGION = "england-and-wales"
    assert compute_due(custom, start).date == D(2026, 1, 29)
    settings.CF_HOLIDAY_REGION = "scotland"
    assert custom.effective_region == "scotland"
    assert compute_due(custom, start).date == D(2026, 1, 30)


def test_a_calendar_passed_in_wins_over_the_rules_region():
    scottish = rule(period=20, unit=DeadlineRule.Unit.WORKING_DAYS, region="scotland")

    due = compute_due(scottish, D(2025, 12, 31), calendar=WorkingCalendar("england-and-wales"))

    assert due.date == D(2026, 1, 29)


def test_a_holiday_override_in_the_database_counts():
    HolidayOverride.objects.create(
        region="england-and-wales", date=D(2027, 1, 11), name="Proclaimed holiday"
    )
    HolidayOverride.objects.create(
        region="england-and-wales",
        date=D(2026, 12, 28),
        action=HolidayOverride.Action.REMOVE,
        name="Not kept",
    )
    HolidayOverride.objects.create(region="scotland", date=D(2027, 1, 12), name="Scotland only")

    due = compute_due(DeadlineRule.objects.get(slug="link-information-request"), D(2026, 12, 18))

    assert due.date == D(2027, 1, 20)  # one day added, one removed
    assert due.explanation == (
        "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 1 Jan, 11 Jan: Wed 20 Jan 2027"
    )
    assert len(calendar_for("england-and-wales").bank_holidays(2027)) == 9
    assert len(calendar_for("england-and-wales").bank_holidays(2026)) == 7


def test_a_holiday_added_for_one_part_counts_in_the_united_kingdom_calendar():
    HolidayOverride.objects.create(
        region="england-and-wales", date=D(2027, 1, 11), name="Proclaimed holiday"
    )

    assert not calendar_for("united-kingdom").is_working_day(D(2027, 1, 11))
    assert calendar_for("scotland").is_working_day(D(2027, 1, 11))  # parts stay apart


def test_a_removal_for_one_part_leaves_the_united_kingdom_calendar_alone():
    # Easter Monday 2027 is not kept in England and Wales (say), but Northern Ireland keeps it.
    HolidayOverride.objects.create(
        region="england-and-wales",
        date=D(2027, 3, 29),
        action=HolidayOverride.Action.REMOVE,
        name="Not kept",
    )

    assert calendar_for("england-and-wales").is_working_day(D(2027, 3, 29))
    assert not calendar_for("united-kingdom").is_working_day(D(2027, 3, 29))

    HolidayOverride.objects.create(
        region="united-kingdom",
        date=D(2027, 3, 29),
        action=HolidayOverride.Action.REMOVE,
        name="Not kept anywhere",
    )
    assert calendar_for("united-kingdom").is_working_day(D(2027, 3, 29))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"period": 1, "unit": DeadlineRule.Unit.WORKING_DAYS},
            "1 working day after Fri 18 Dec 2026: Mon 21 Dec 2026",
        ),
        (
            {"period": 1, "unit": DeadlineRule.Unit.CALENDAR_DAYS},
            "1 day after Fri 18 Dec 2026: Sat 19 Dec 2026",
        ),
        (
            {
                "period": 1,
                "kind": DeadlineRule.Kind.CLEAR_DAYS_BEFORE,
                "unit": DeadlineRule.Unit.WORKING_DAYS,
            },
            "1 clear working day before Fri 18 Dec 2026: publish by Wed 16 Dec 2026",
        ),
    ],
)
def test_a_one_day_period_is_worded_in_the_singular(fields, expected):
    assert compute_due(rule(**fields), D(2026, 12, 18)).explanation == expected


@pytest.mark.parametrize("start", [dt.datetime(2026, 12, 18, 9, 0), "2026-12-18", None])
def test_a_clock_starts_on_a_date(start):
    with pytest.raises(TypeError, match="starts on a date"):
        compute_due(DeadlineRule.objects.get(slug="link-information-request"), start)


# --- lateness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "received", "late"),
    [
        (D(2026, 12, 18), D(2026, 12, 17), 0),
        (D(2026, 12, 18), D(2026, 12, 18), 0),
        (D(2026, 12, 18), D(2026, 12, 19), 1),  # Saturday: counts from Mon 21 Dec
        (D(2026, 12, 18), D(2026, 12, 20), 1),  # Sunday: likewise
        (D(2026, 12, 18), D(2026, 12, 21), 1),
        (D(2026, 12, 18), D(2026, 12, 24), 4),
        (D(2026, 12, 18), D(2026, 12, 25), 5),  # Christmas Day: counts from Tue 29 Dec
        (D(2026, 12, 18), D(2026, 12, 28), 5),
        (D(2026, 12, 18), D(2027, 1, 4), 8),
        (D(2026, 4, 2), D(2026, 4, 4), 1),  # Easter Saturday: counts from Tue 7 Apr
        (D(2026, 4, 2), D(2026, 4, 7), 1),
        (D(2027, 1, 20), D(2027, 1, 21), 1),
        (D(2027, 1, 23), D(2027, 1, 24), 1),  # due on a Saturday (calendar-day rule)
    ],
)
def test_working_days_late(due, received, late):
    assert working_days_late(due, received) == late


def test_working_days_late_counts_the_regions_holidays():
    # Due Wed 31 Dec 2025, received Mon 5 Jan 2026: 2 Jan is a working day in England only.
    assert working_days_late(D(2025, 12, 31), D(2026, 1, 5)) == 2
    assert working_days_late(D(2025, 12, 31), D(2026, 1, 5), region="scotland") == 1


def test_working_days_late_counts_holiday_overrides():
    HolidayOverride.objects.create(
        region="england-and-wales", date=D(2026, 12, 22), name="Proclaimed holiday"
    )

    assert working_days_late(D(2026, 12, 18), D(2026, 12, 24)) == 3
