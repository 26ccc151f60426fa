"""Strict cell parsing and guarded file reading shared by every importer."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.importers.cells import (
    CellError,
    clean,
    parse_date,
    parse_id,
    parse_number,
    parse_optional_date,
    parse_yes_no,
    slug,
)
from allocator.importers.mappings import code_token, load_mappings
from allocator.importers.report import ImportFailed, ImportReport
from allocator.importers.sources import read_csv


@pytest.mark.parametrize("text, expected", [
    ("05/04/2020", date(2020, 4, 5)),  # UK order: day first
    ("5/4/2020", date(2020, 4, 5)),
    ("2020-04-05", date(2020, 4, 5)),
    ("2020-04-05 00:00:00.000", date(2020, 4, 5)),  # SQL Server extract
    (" 29/02/2024 ", date(2024, 2, 29)),
])
def test_dates_are_read_uk_or_iso(text, expected):
    assert parse_date(text, "DECOM") == expected


@pytest.mark.parametrize("text", ["31/02/2020", "2020-02-31", "04-05-2020", "05/04/20",
                                  "43921", "April 5 2020", "2020-04-05 13:45:00", ""])
def test_anything_else_is_refused_never_guessed(text):
    with pytest.raises(CellError) as err:
        parse_date(text, "DECOM")
    assert err.value.code == "BAD_DATE" and err.value.column == "DECOM"


def test_blank_optional_date_is_none():
    assert parse_optional_date("  ", "DEC") is None


def test_ids_keep_leading_zeros_and_refuse_decimals():
    assert parse_id(" 000123 ", "CHILD") == "000123"
    with pytest.raises(CellError):
        parse_id("123.0", "CHILD")
    with pytest.raises(CellError):
        parse_id("x" * 65, "CHILD")


def test_non_breaking_and_stray_spaces_are_tidied_and_flagged():
    cleaned = clean("  Dustin\u00a0 Hazlett ")
    assert cleaned.text == "Dustin Hazlett" and cleaned.had_nbsp
    assert clean(" Team ").had_stray_space and not clean("Team").had_stray_space


def test_yes_no_as_returns_write_it():
    assert parse_yes_no("a) Yes", "UASC") is True
    assert parse_yes_no("b) No", "UASC") is False
    assert parse_yes_no("", "UASC") is None
    with pytest.raises(CellError):
        parse_yes_no("maybe", "UASC")


def test_numbers_are_bounded():
    assert parse_number("0.8", "fte", 0.01, 1) == 0.8
    for bad in ("1.5", "abc", "1e3"):
        with pytest.raises(CellError):
            parse_number(bad, "fte", 0.01, 1)


def test_code_tokens_and_shipped_mappings():
    assert code_token("f) U6: Foster placement - not FFA") == "U6"
    assert code_token("N1 - Abuse or Neglect") == "N1"
    mappings = load_mappings(None, None)
    assert mappings.code("legal_status", "C2: FCO") == "C2"
    assert mappings.code("legal_status", "Z9: Not a code") is None
    assert mappings.code("placement_flags", "P1: Placed with own parents") == "placed_with_parents"


def test_team_slug_is_an_id():
    assert slug("Children in Care Team 1") == "children-in-care-team-1"


def test_csv_with_bom_is_read_and_the_bom_reported(tmp_path):
    path = tmp_path / "header.csv"
    path.write_bytes(b"\xef\xbb\xbfCHILD,DOB\r\n007,01/02/2010\r\n")
    report = ImportReport("ssda903", "x")
    table = read_csv(path, report)
    assert table.header == ["CHILD", "DOB"] and table.rows == [(2, {"CHILD": "007", "DOB": "01/02/2010"})]
    assert any("byte-order mark" in n for n in report.notes)


@pytest.mark.parametrize("content, code", [
    (b"", "EMPTY"),
    (b"CHILD,DOB\n\xff\xfe1,2\n", "NOT_UTF8"),
    (b"PK\x03\x04rest-of-a-zip", "NOT_CSV"),
    (b"CHILD,CHILD\n1,2\n", "DUPLICATE_COLUMN"),
    (b'CHILD,DOB\n"1,2\n', "NOT_CSV"),
])
def test_unreadable_csv_stops_with_a_located_problem(tmp_path, content, code):
    path = tmp_path / "episodes.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as err:
        read_csv(path, ImportReport("ssda903", "x"))
    assert [i.code for i in err.value.issues] == [code]
    assert err.value.issues[0].file == "episodes.csv"


def test_size_cap_refuses_before_reading(tmp_path, monkeypatch):
    from allocator.importers import sources

    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 10)
    path = tmp_path / "header.csv"
    path.write_text("CHILD,DOB\n1,01/01/2010\n")
    with pytest.raises(ImportFailed) as err:
        read_csv(path, ImportReport("ssda903", "x"))
    assert err.value.issues[0].code == "TOO_LARGE"


@given(st.text(max_size=40))
def test_cell_parsers_raise_only_cell_errors(text):
    for parse in (lambda t: parse_date(t, "c"), lambda t: parse_id(t, "c"),
                  lambda t: parse_number(t, "c", 0, 1), lambda t: parse_yes_no(t, "c")):
        try:
            parse(text)
        except CellError:
            pass
