"""The working-day calendar, hand-checked against GOV.UK's bank holiday list. No database.

England and Wales bank holidays (https://www.gov.uk/bank-holidays):
2026: Thu 1 Jan, Fri 3 Apr (Good Friday), Mon 6 Apr (Easter Monday), Mon 4 May, Mon 25 May,
      Mon 31 Aug, Fri 25 Dec, Mon 28 Dec (Boxing Day, substitute: 26 Dec is a Saturday).
2027: Fri 1 Jan, Fri 26 Mar (Good Friday), Mon 29 Mar (Easter Monday), Mon 3 May, Mon 31 May,
      Mon 30 Aug, Mon 27 Dec and Tue 28 Dec (substitutes: 25 and 26 Dec are a Saturday and a
      Sunday).
"""

import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.calendar import REGIONS, WorkingCalendar, describe_skipped, fmt

D = dt.date
EW = WorkingCalendar()

ENGLAND_AND_WALES = {
    2026: [D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
           D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
    2027: [D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31),
           D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28)],
}  # fmt: skip


# --- bank holidays -------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2026, 2027])
def test_england_and_wales_has_exactly_the_eight_govuk_bank_holidays(year):
    days = [day for day, _name in EW.bank_holidays(year)]

    assert days == ENGLAND_AND_WALES[year]
    assert len(days) == 8


def test_the_package_lists_weekend_christmas_2027_but_the_calendar_counts_substitutes_only():
    listed = holidays.country_holidays("GB", subdiv="ENG", years=2027)
    # The package names the weekend dates and their observed substitutes: ten entries.
    assert D(2027, 12, 25) in listed
    assert D(2027, 12, 26) in listed
    assert len(listed) == 10

    names = dict(EW.bank_holidays(2027))
    assert D(2027, 12, 25) not in names
    assert D(2027, 12, 26) not in names
    assert names[D(2027, 12, 27)] == "Christmas Day (observed)"
    assert names[D(2027, 12, 28)] == "Boxing Day (observed)"
    assert EW.holiday_name(D(2027, 12, 25)) is None  # a Saturday: not a working day anyway


def test_bank_holiday_names_come_from_the_package():
    names = dict(EW.bank_holidays(2026))

    assert names[D(2026, 4, 3)] == "Good Friday"
    assert names[D(2026, 12, 28)] == "Boxing Day (observed)"


# --- working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 12, 24), True),  # Thu, Christmas Eve is not a bank holiday
        (D(2026, 12, 25), False),  # Fri, Christmas Day
        (D(2026, 12, 26), False),  # Sat
        (D(2026, 12, 27), False),  # Sun
        (D(2026, 12, 28), False),  # Mon, Boxing Day substitute
        (D(2026, 12, 29), True),
        (D(2027, 1, 1), False),  # Fri, New Year's Day
        (D(2026, 1, 2), True),  # a holiday in Scotland only
        (D(2026, 4, 2), True),  # Maundy Thursday
        (D(2026, 4, 3), False),  # Good Friday
        (D(2026, 4, 6), False),  # Easter Monday
        (D(2026, 4, 7), True),
        (D(2027, 3, 26), False),  # Good Friday 2027
        (D(2027, 3, 29), False),  # Easter Monday 2027
        (D(2027, 12, 27), False),
        (D(2027, 12, 28), False),
        (D(2027, 12, 29), True),
    ],
)
def test_is_working_day(day, working):
    assert EW.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 12, 24), D(2026, 12, 24)),
        (D(2026, 12, 25), D(2026, 12, 29)),
        (D(2026, 4, 3), D(2026, 4, 7)),
        (D(2027, 12, 24), D(2027, 12, 24)),
        (D(2027, 12, 25), D(2027, 12, 29)),
    ],
)
def test_next_working_day(day, expected):
    assert EW.next_working_day(day) == expected


# start, count, start_counts, expected
ADD_CASES = [
    # The day after is day 1.
    (D(2026, 12, 18), 1, False, D(2026, 12, 21)),  # Fri: day 1 is Mon
    (D(2026, 12, 18), 4, False, D(2026, 12, 24)),
    (D(2026, 12, 18), 5, False, D(2026, 12, 29)),  # over 25-28 Dec
    (D(2026, 12, 18), 20, False, D(2027, 1, 20)),
    (D(2026, 12, 19), 1, False, D(2026, 12, 21)),  # a Saturday start
    (D(2026, 12, 19), 20, False, D(2027, 1, 20)),
    (D(2026, 12, 25), 1, False, D(2026, 12, 29)),  # a holiday start
    (D(2026, 12, 25), 20, False, D(2027, 1, 26)),
    (D(2026, 4, 2), 1, False, D(2026, 4, 7)),  # Maundy Thursday: day 1 after Easter
    (D(2026, 4, 2), 20, False, D(2026, 5, 5)),  # and over the May Day holiday
    (D(2027, 3, 25), 20, False, D(2027, 4, 26)),
    # Beginning with the start day: it is day 1 when it is a working day.
    (D(2026, 12, 18), 1, True, D(2026, 12, 18)),
    (D(2026, 12, 18), 20, True, D(2027, 1, 19)),
    (D(2026, 12, 19), 1, True, D(2026, 12, 21)),  # Saturday: day 1 is the Monday
    (D(2026, 12, 19), 20, True, D(2027, 1, 20)),
    (D(2026, 12, 25), 1, True, D(2026, 12, 29)),  # Christmas Day: day 1 is Tue 29 Dec
    (D(2026, 12, 25), 20, True, D(2027, 1, 26)),
    (D(2026, 4, 3), 1, True, D(2026, 4, 7)),  # Good Friday
    (D(2027, 3, 25), 20, True, D(2027, 4, 23)),
]


@pytest.mark.parametrize(("start", "count", "start_counts", "expected"), ADD_CASES)
def test_add_working_days(start, count, start_counts, expected):
    assert EW.add_working_days(start, count, start_counts=start_counts) == expected


@pytest.mark.parametrize("count", [0, -1])
def test_add_working_days_refuses_an_empty_period(count):
    with pytest.raises(ValueError, match="at least 1 day"):
        EW.add_working_days(D(2026, 12, 18), count)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 12, 18), D(2027, 1, 20), 20),
        (D(2026, 12, 24), D(2026, 12, 29), 1),  # 25-28 Dec do not count
        (D(2026, 12, 18), D(2026, 12, 20), 0),  # a weekend
        (D(2026, 12, 18), D(2026, 12, 18), 0),
        (D(2027, 1, 20), D(2026, 12, 18), 0),  # end before start
        (D(2026, 4, 2), D(2026, 4, 7), 1),
        (D(2027, 3, 25), D(2027, 3, 30), 1),
    ],
)
def test_working_days_between(start, end, expected):
    assert EW.working_days_between(start, end) == expected


dates = st.dates(min_value=D(2025, 1, 1), max_value=D(2029, 12, 31))


@given(start=dates, count=st.integers(min_value=1, max_value=70))
def test_adding_and_counting_working_days_agree(start, count):
    due = EW.add_working_days(start, count)

    assert EW.is_working_day(due)
    assert EW.working_days_between(start, due) == count
    # "Beginning with" a day is the same as "after" the day before it.
    began = EW.add_working_days(start, count, start_counts=True)
    assert began == EW.add_working_days(start - dt.timedelta(days=1), count)


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        # Published Monday => meeting no earlier than the following Tuesday (Elitestone).
        (D(2026, 6, 23), D(2026, 6, 15)),
        # A Monday meeting needs publication by the Friday ten days before.
        (D(2026, 6, 22), D(2026, 6, 12)),
        # Easter 2026: Good Friday and Easter Monday are not clear days, nor days to publish on.
        (D(2026, 4, 14), D(2026, 4, 2)),
        (D(2026, 4, 9), D(2026, 3, 30)),
        # Easter 2027.
        (D(2027, 3, 30), D(2027, 3, 18)),
        # Christmas-New Year 2026/27.
        (D(2027, 1, 4), D(2026, 12, 22)),
        (D(2027, 1, 5), D(2026, 12, 23)),
    ],
)
def test_latest_day_before_clear_days(meeting, expected):
    published = EW.latest_day_before_clear_days(meeting, 5)

    assert published == expected
    assert EW.is_working_day(published)
    clear = EW.working_days_between(published, meeting - dt.timedelta(days=1))
    assert clear == 5
    # Publishing one working day later would leave fewer than five clear days.
    later = EW.next_working_day(published + dt.timedelta(days=1))
    assert EW.working_days_between(later, meeting - dt.timedelta(days=1)) == 4


@given(meeting=dates, clear_days=st.integers(min_value=1, max_value=15))
def test_clear_days_publication_is_the_latest_that_works(meeting, clear_days):
    published = EW.latest_day_before_clear_days(meeting, clear_days)
    day_before_meeting = meeting - dt.timedelta(days=1)

    assert EW.is_working_day(published)
    assert EW.working_days_between(published, day_before_meeting) >= clear_days
    later = EW.next_working_day(published + dt.timedelta(days=1))
    assert later >= meeting or EW.working_days_between(later, day_before_meeting) < clear_days


def test_holidays_between_is_inclusive_and_weekdays_only():
    assert EW.holidays_between(D(2026, 12, 25), D(2027, 1, 1)) == [
        D(2026, 12, 25),
        D(2026, 12, 28),
        D(2027, 1, 1),
    ]
    assert EW.holidays_between(D(2027, 12, 24), D(2027, 12, 31)) == [
        D(2027, 12, 27),
        D(2027, 12, 28),
    ]
    assert EW.holidays_between(D(2026, 12, 29), D(2026, 12, 31)) == []


# --- regions ----------------------------------------------------------------------------------


def test_scotland_has_2_january_and_no_easter_monday():
    scotland = WorkingCalendar("scotland")

    assert not scotland.is_working_day(D(2026, 1, 2))
    assert scotland.is_working_day(D(2026, 4, 6))  # Easter Monday is not a Scottish holiday
    assert not scotland.is_working_day(D(2026, 4, 3))  # Good Friday is
    assert scotland.holiday_name(D(2026, 1, 2)) == "New Year Holiday"
    days = [day for day, _name in scotland.bank_holidays(2026)]
    assert D(2026, 1, 2) in days
    assert D(2026, 4, 6) not in days
    assert D(2026, 8, 3) in days  # Summer bank holiday: first Monday in August
    assert D(2026, 8, 31) not in days
    assert D(2026, 11, 30) in days  # St Andrew's Day
    # 2 Jan 2027 is a Saturday: Scotland's substitute is Mon 4 Jan.
    assert not scotland.is_working_day(D(2027, 1, 4))
    assert EW.is_working_day(D(2027, 1, 4))


def test_the_same_clock_differs_by_region():
    # 20 working days after 31 Dec 2025: England and Wales skip 1 Jan; Scotland 1 and 2 Jan.
    assert EW.add_working_days(D(2025, 12, 31), 20) == D(2026, 1, 29)
    assert WorkingCalendar("scotland").add_working_days(D(2025, 12, 31), 20) == D(2026, 1, 30)


@pytest.mark.parametrize("year", [2026, 2027])
def test_united_kingdom_is_the_union_of_its_parts(year):
    def days(region):
        return {day for day, _name in WorkingCalendar(region).bank_holidays(year)}

    union = days("united-kingdom")

    assert union == days("england-and-wales") | days("scotland") | days("northern-ireland")
    assert len(union) > 8


def test_united_kingdom_counts_a_holiday_in_any_part():
    uk = WorkingCalendar("united-kingdom")

    for day in [
        D(2026, 1, 2),  # Scotland
        D(2026, 3, 17),  # Northern Ireland: St Patrick's Day
        D(2026, 4, 6),  # England, Wales and Northern Ireland: Easter Monday
        D(2026, 7, 13),  # Northern Ireland: Battle of the Boyne (observed)
        D(2026, 8, 3),  # Scotland: Summer bank holiday
        D(2026, 8, 31),  # England, Wales and Northern Ireland
    ]:
        assert not uk.is_working_day(day), day
    assert uk.is_working_day(D(2026, 1, 5))


@pytest.mark.parametrize("region", ["wales", "ENG", "", "England-and-Wales"])
def test_unknown_region_is_refused(region):
    with pytest.raises(ValueError, match="Unknown holiday region") as excinfo:
        WorkingCalendar(region)
    for known in REGIONS:
        assert known in str(excinfo.value)


# --- administrator overrides ------------------------------------------------------------------

PROCLAIMED = D(2026, 9, 21)  # a Monday


def test_an_added_holiday_is_not_a_working_day_and_moves_clocks():
    cal = WorkingCalendar(added={PROCLAIMED: "State funeral"})

    assert not cal.is_working_day(PROCLAIMED)
    assert cal.holiday_name(PROCLAIMED) == "State funeral"
    assert len(cal.bank_holidays(2026)) == 9
    assert (PROCLAIMED, "State funeral") in cal.bank_holidays(2026)
    assert len(cal.bank_holidays(2027)) == 8
    # 20 working days after Fri 11 Sep 2026: Fri 9 Oct normally, Mon 12 Oct with the holiday.
    assert EW.add_working_days(D(2026, 9, 11), 20) == D(2026, 10, 9)
    assert cal.add_working_days(D(2026, 9, 11), 20) == D(2026, 10, 12)


def test_a_removed_holiday_becomes_a_working_day():
    cal = WorkingCalendar(removed=frozenset({D(2026, 12, 28)}))

    assert cal.is_working_day(D(2026, 12, 28))
    assert cal.holiday_name(D(2026, 12, 28)) is None
    days = [day for day, _name in cal.bank_holidays(2026)]
    assert len(days) == 7
    assert D(2026, 12, 28) not in days
    assert cal.add_working_days(D(2026, 12, 18), 20) == D(2027, 1, 19)


def test_an_added_weekend_day_changes_nothing():
    saturday = D(2026, 9, 19)
    cal = WorkingCalendar(added={saturday: "Proclaimed on a Saturday"})

    assert cal.holiday_name(saturday) is None
    assert len(cal.bank_holidays(2026)) == 8
    assert cal.add_working_days(D(2026, 9, 11), 20) == D(2026, 10, 9)


def test_overrides_apply_in_other_regions_too():
    cal = WorkingCalendar("scotland", added={PROCLAIMED: "State funeral"})

    assert not cal.is_working_day(PROCLAIMED)
    assert len(cal.bank_holidays(2026)) == len(WorkingCalendar("scotland").bank_holidays(2026)) + 1


# --- wording ------------------------------------------------------------------------------------


def test_dates_are_written_without_leading_zeros():
    assert fmt(D(2026, 12, 18)) == "Fri 18 Dec 2026"
    assert fmt(D(2027, 1, 1)) == "Fri 1 Jan 2027"


def test_describe_skipped():
    assert describe_skipped([]) == ""
    assert describe_skipped([D(2026, 12, 25), D(2026, 12, 28), D(2027, 1, 1)]) == (
        ", skipping 25 Dec, 28 Dec, 1 Jan"
    )
