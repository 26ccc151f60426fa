"""Working days, bank holidays, whichever-is-sooner and leap-day birthdays."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.calendar import (
    add_working_days, age_on, birthday, is_working_day, iter_days, parse_weekdays,
    whichever_sooner, working_days_between, working_days_in,
)


def test_christmas_and_boxing_day_observed_are_not_working_days():
    # 2026: Christmas Friday 25th, Boxing Day Saturday 26th observed Monday 28th.
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert is_working_day(date(2026, 12, 29))


def test_ten_working_days_skip_weekends_and_bank_holidays():
    # From Friday 18 Dec 2026: 21,22,23,24 (4), skip 25-28, 29,30,31 (7), skip 1 Jan, 4,5,6 (10).
    assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 6)
    assert working_days_between(date(2026, 12, 18), date(2027, 1, 6)) == 10


def test_zero_working_days_moves_a_weekend_to_monday():
    assert add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 23)


def test_negative_working_days_count_back():
    assert add_working_days(date(2026, 11, 23), -1) == date(2026, 11, 20)


def test_whichever_is_sooner_ignores_missing_dates():
    assert whichever_sooner([None, date(2026, 12, 3), date(2026, 12, 1)]) == date(2026, 12, 1)
    assert whichever_sooner([None, None]) is None


def test_leap_day_birthday_falls_on_first_of_march_in_common_years():
    dob = date(2008, 2, 29)
    assert birthday(dob, 18) == date(2026, 3, 1)
    assert birthday(dob, 16) == date(2024, 2, 29)
    assert age_on(dob, date(2026, 2, 28)) == 17
    assert age_on(dob, date(2026, 3, 1)) == 18


def test_working_days_in_a_week_with_a_bank_holiday():
    # Late Summer bank holiday Monday 31 Aug 2026.
    assert len(working_days_in(date(2026, 8, 31), date(2026, 9, 4))) == 4


def test_parse_weekdays():
    assert parse_weekdays("Mon, tue,THU") == frozenset({0, 1, 3})


@settings(max_examples=300)
@given(a=st.dates(date(1995, 1, 1), date(2035, 12, 31)),
       b=st.dates(date(1995, 1, 1), date(2035, 12, 31)))
def test_counting_by_working_day_numbers_equals_walking_the_calendar(a, b):
    lo, hi = min(a, b), max(a, b)
    walked = sum(1 for d in iter_days(lo + timedelta(days=1), hi) if is_working_day(d))
    assert working_days_between(a, b) == (walked if a <= b else -walked)
