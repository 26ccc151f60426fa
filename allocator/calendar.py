"""Working days, England's bank holidays and the date arithmetic policies use.

Every timescale in a transfer policy ("within 10 working days", "at least 7 days' notice",
"whichever is sooner") is computed here, so one definition of a working day holds everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable, Iterator

import holidays

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@lru_cache(maxsize=64)
def _england_bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_bank_holiday(day: date) -> bool:
    """True on England's bank holidays, substitute days included."""
    return day in _england_bank_holidays(day.year)


@lru_cache(maxsize=None)
def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return day.weekday() < 5 and not is_bank_holiday(day)


_EPOCH = date(1990, 1, 1)


@lru_cache(maxsize=64)
def _year_counts(year: int) -> tuple[int, ...]:
    """Working days in ``year`` up to and including each day of it (index: day of year - 1)."""
    counts, n = [], 0
    day = date(year, 1, 1)
    while day.year == year:
        n += is_working_day(day)
        counts.append(n)
        day += timedelta(days=1)
    return tuple(counts)


@lru_cache(maxsize=64)
def _before_year(year: int) -> int:
    """Working days from the epoch up to the end of the year before ``year``."""
    if year <= _EPOCH.year:
        return 0
    return _before_year(year - 1) + _year_counts(year - 1)[-1]


def working_day_number(day: date) -> int:
    """Working days from 1 January 1990 to ``day`` inclusive: differences of these numbers
    count working days without walking the calendar day by day."""
    return _number_of(day)


@lru_cache(maxsize=None)
def _number_of(day: date) -> int:
    return _before_year(day.year) + _year_counts(day.year)[(day - date(day.year, 1, 1)).days]


def next_working_day(day: date) -> date:
    """The first working day on or after ``day``."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The last working day on or before ``day``."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


@lru_cache(maxsize=65536)
def add_working_days(day: date, n: int) -> date:
    """The date ``n`` working days after ``day`` (before it when ``n`` is negative).

    ``add_working_days(d, 0)`` is ``d`` itself when ``d`` is a working day, else the next one:
    "on the day of the event" moves off a weekend to the next day the office is open.
    """
    if n == 0:
        return next_working_day(day)
    step = 1 if n > 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open interval (start, end]; negative when end < start."""
    return working_day_number(end) - working_day_number(start)


def iter_days(start: date, end: date) -> Iterator[date]:
    """Every calendar day from ``start`` to ``end`` inclusive."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def working_days_in(start: date, end: date) -> list[date]:
    """The working days from ``start`` to ``end`` inclusive, in order."""
    return list(_working_days_in(start, end))


@lru_cache(maxsize=4096)
def _working_days_in(start: date, end: date) -> tuple[date, ...]:
    return tuple(d for d in iter_days(start, end) if is_working_day(d))


def whichever_sooner(candidates: Iterable[date | None]) -> date | None:
    """The earliest of the dates that exist; None when none does."""
    present = [d for d in candidates if d is not None]
    return min(present) if present else None


def birthday(dob: date, age: int) -> date:
    """The date a person born on ``dob`` reaches ``age``.

    A person born on 29 February reaches an age on 1 March in a common year: in England
    and Wales the age is attained at the start of the anniversary, and a common year has
    no 29 February, so the anniversary falls the day after 28 February.
    """
    year = dob.year + age
    try:
        return dob.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def age_on(dob: date, day: date) -> int:
    """Completed years of age on ``day``."""
    years = day.year - dob.year
    return years if birthday(dob, years) <= day else years - 1


def week_start(day: date) -> date:
    """The Monday of the week containing ``day``."""
    return day - timedelta(days=day.weekday())


def parse_weekdays(text: str) -> frozenset[int]:
    """Parse a working pattern such as ``"Mon,Tue,Thu"`` into weekday numbers (Mon = 0)."""
    days: set[int] = set()
    for part in text.replace(";", ",").split(","):
        name = part.strip()[:3].title()
        if not name:
            continue
        if name not in WEEKDAY_NAMES:
            raise ValueError(f"unknown weekday {part.strip()!r}; use Mon, Tue, Wed, Thu, Fri")
        days.add(WEEKDAY_NAMES.index(name))
    return frozenset(days)
