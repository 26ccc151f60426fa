"""Bad input: every malformed input in the corpus (tests/bad_inputs.py) gives a clear error
naming the file (and row and field where there is one) and a non-zero exit, from both
`caseload validate` and `caseload plan`; never a traceback, and nothing is written.

The corpus has at least 50 cases; the readers are also fuzzed (tests/test_import_fuzz.py
and the row-accounting property in tests/test_reliability_properties.py) for the
Hypothesis profile's budget.
"""

from __future__ import annotations

import pytest
from bad_inputs import BadInput, corpus, with_shared_strings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import EXIT_BAD_INPUT, app

runner = CliRunner()


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, BadInput]:
    return {c.name: c for c in corpus(tmp_path_factory.mktemp("bad"))}


def test_the_corpus_has_at_least_fifty_cases(cases):
    assert len(cases) >= 50


def _clean_failure(output: str, exit_code: int, case: BadInput) -> None:
    assert exit_code == EXIT_BAD_INPUT, (case.name, exit_code, output)
    assert "Traceback" not in output and "Internal error" not in output, output
    assert case.where in output, (case.name, case.where, output)
    assert len(output) < 20_000, case.name  # a huge cell is never echoed back


def test_validate_refuses_each_bad_input_cleanly(cases):
    failures = []
    for case in cases.values():
        result = runner.invoke(app, ["validate", str(case.path)])
        try:
            _clean_failure(result.output, result.exit_code, case)
        except AssertionError as exc:
            failures.append(str(exc)[:400])
        assert result.exception is None or isinstance(result.exception, SystemExit), case.name
    assert not failures, "\n".join(failures)


def test_plan_refuses_each_bad_input_cleanly_and_writes_nothing(cases, tmp_path):
    failures = []
    for case in cases.values():
        out = tmp_path / case.name
        result = runner.invoke(app, ["plan", "--input", str(case.path), "--out", str(out)])
        try:
            _clean_failure(result.output, result.exit_code, case)
            assert not out.exists(), case.name
        except AssertionError as exc:
            failures.append(str(exc)[:400])
    assert not failures, "\n".join(failures)


def test_the_valid_council_and_its_workbook_pass(tmp_path):
    from bad_inputs import to_workbook, valid_council

    folder = valid_council(tmp_path)
    assert runner.invoke(app, ["validate", str(folder)]).exit_code == 0
    book = to_workbook(folder, tmp_path / "good.xlsx")
    result = runner.invoke(app, ["validate", str(book)])
    assert result.exit_code == 0, result.output
    # The shared-strings part the bombs ride in is read fine when it holds no DTD.
    plain = with_shared_strings(book, tmp_path / "shared.xlsx", "", "key")
    result = runner.invoke(app, ["validate", str(plain)])
    assert result.exit_code == 0, result.output


def test_a_formula_in_free_text_is_neutralised_in_every_csv_output(tmp_path):
    """A formula is not bad input in a name (it is text), but it must never run in Excel."""
    from bad_inputs import set_cell, valid_council

    folder = valid_council(tmp_path)
    set_cell("ssd_professionals", "prof_professional_name", "=HYPERLINK(\"http://x\",\"y\")")(folder)
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", "--input", str(folder), "--out", str(out)])
    assert result.exit_code in (0, 3), result.output
    capacity = (out / "capacity.csv").read_text()
    assert "'=HYPERLINK" in capacity and ",=HYPERLINK" not in capacity


def test_defusedxml_is_what_refuses_the_entity_expansion(cases):
    """The bomb is refused by defusedxml before any entity is expanded, not by luck."""
    import openpyxl
    from defusedxml import EntitiesForbidden

    with pytest.raises(ValueError) as exc:
        openpyxl.load_workbook(cases["xlsx_bomb_shared_strings"].path, read_only=True)
    chain, err = [], exc.value
    while err is not None:
        chain.append(err)
        err = err.__cause__ or err.__context__
    assert any(isinstance(e, EntitiesForbidden) for e in chain)


# --- fuzzing the reader: whatever the bytes, only InputError escapes ----------------------

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.function_scoped_fixture])
HEADERS = [b"pers_person_id,pers_dob,pers_expected_dob\n",
           b"wcap_professional_id,wcap_asye,wcap_capacity_points,wcap_working_days\n", b""]
CSVISH = st.lists(st.sampled_from([b",", b"\"", b"\n", b"\r\n", b"P1", b"2020-02-31", b"Y",
                                   b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"=1+1", b"Mon,Tue",
                                   b"x" * 1001, b"", b" ", b"\xa3"]), max_size=40).map(b"".join)


@FUZZ
@given(header=st.sampled_from(HEADERS), body=st.one_of(st.binary(max_size=400), CSVISH),
       table=st.sampled_from(["ssd_person", "csl_worker_capacity"]))
def test_reader_refuses_arbitrary_bytes_with_input_errors_only(tmp_path_factory, header, body,
                                                                table):
    from allocator.errors import InputError
    from allocator.io.reader import read_caseload

    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "caseload.json").write_text('{"council": "D", "pack": "southwark", '
                                          '"extract_date": "2026-11-20"}')
    (folder / f"{table}.csv").write_bytes(header + body)
    with pytest.raises(InputError) as exc:  # required tables are missing: never valid
        read_caseload(folder)
    assert all(p.file and p.message for p in exc.value.problems)
