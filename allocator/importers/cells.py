"""Strict parsing of one cell's text: dates, ids, numbers, yes/no, names.

Why it exists: national extracts come from spreadsheets and case-management systems that
pad cells with spaces and non-breaking spaces, write dates three ways and drop leading
zeros. Every importer parses through these functions so one rule holds everywhere: a value
is either read exactly or refused with a message a data officer can act on, never guessed.
Messages never quote the cell: it could be a child's name or date of birth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

NBSP = "\u00a0"
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
MAX_ID_CHARS = 64
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"})


class CellError(ValueError):
    """A cell that cannot be read as its column's type; ``code`` names the kind of problem."""

    def __init__(self, code: str, message: str, column: str | None = None):
        self.code = code
        self.column = column if column is not None else message.split(" ", 1)[0]
        super().__init__(message)


@dataclass(frozen=True)
class Cleaned:
    """A cell's text with surrounding and non-breaking spaces tidied, and what was tidied."""

    text: str
    had_nbsp: bool
    had_stray_space: bool


def clean(raw: str) -> Cleaned:
    """Trim the cell and fold runs of spaces (including non-breaking ones) to one space."""
    had_nbsp = NBSP in raw or "\u2007" in raw or "\u202f" in raw
    text = _SPACES.sub(" ", raw).strip()
    had_stray = text != raw and not had_nbsp
    return Cleaned(text, had_nbsp, had_stray)


def parse_date(text: str, column: str) -> date:
    """A UK ``dd/mm/yyyy`` or ISO ``yyyy-mm-dd`` date; anything else is refused.

    Both forms are unambiguous; US ``mm/dd/yyyy`` is not accepted because ``03/04/2020``
    would silently mean a different day. A time of midnight (SQL extracts) is allowed.
    """
    text = text.strip()
    uk = _UK_DATE.match(text)
    iso = _ISO_DATE.match(text)
    if uk:
        day, month, year = int(uk[1]), int(uk[2]), int(uk[3])
    elif iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
    else:
        raise CellError("BAD_DATE", f"{column} must be a date written dd/mm/yyyy", column)
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError("BAD_DATE", f"{column} is not a real calendar date", column) from None


def parse_optional_date(text: str, column: str) -> date | None:
    """A date as :func:`parse_date`, or None for a blank cell."""
    return None if not text.strip() else parse_date(text, column)


def parse_id(text: str, column: str) -> str:
    """An identifier kept as text (leading zeros survive); blank or over-long is refused."""
    text = text.strip()
    if not text:
        raise CellError("MISSING_VALUE", f"{column} is blank", column)
    if len(text) > MAX_ID_CHARS:
        raise CellError("BAD_ID", f"{column} is longer than {MAX_ID_CHARS} characters", column)
    if _CONTROL.search(text):
        raise CellError("BAD_ID", f"{column} contains control characters", column)
    if re.fullmatch(r"\d+\.\d+", text):
        raise CellError("BAD_ID", f"{column} looks like a decimal number; ids are whole "
                        "numbers or text (format the column as Text)", column)
    return text


def parse_number(text: str, column: str, low: float, high: float) -> float:
    """A plain decimal number within [low, high]."""
    text = text.strip()
    if not _NUMBER.match(text):
        raise CellError("BAD_NUMBER", f"{column} must be a number", column)
    value = float(text)
    if not low <= value <= high:
        raise CellError("BAD_NUMBER", f"{column} must be between {low:g} and {high:g}", column)
    return value


_YES = frozenset({"y", "yes", "a) yes", "true", "1"})
_NO = frozenset({"n", "no", "b) no", "false", "0"})


def parse_yes_no(text: str, column: str) -> bool | None:
    """Y/N as national returns write it (``Y``, ``Yes``, ``a) Yes``); None when blank."""
    key = text.strip().casefold()
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError("BAD_YES_NO", f"{column} must be Yes or No", column)


def name_key(text: str) -> str:
    """A name folded for matching: spaces tidied, case ignored."""
    return clean(text).text.casefold()


def slug(text: str, limit: int = 48) -> str:
    """A lower-case id made from a free-text name (team names are not personal data)."""
    out = re.sub(r"[^a-z0-9]+", "-", name_key(text)).strip("-")
    return out[:limit].rstrip("-") or "team"
