"""Never a lost child: every child and every row is accounted for, on random councils.

For random generated councils (size, seed and policy pack drawn by Hypothesis) a full plan
run must give one decision for every open child read, and a worker or an unallocated
listing (with its reasons) for every child who needs allocation. For random corruptions
of a council's tables, every row read must be either accepted or rejected with a problem
naming its row: rows read = rows accepted + rows rejected, table by table. The ``ci``
profile (``HYPOTHESIS_PROFILE=ci``) runs 1,000 examples per property; the default profile
a few dozen. The importers' own balance (rows read = imported + rejected) is fuzzed in
tests/test_import_fuzz.py.
"""

from __future__ import annotations

import functools
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator import domain as d
from allocator.demo import generate_demo, write_demo
from allocator.errors import InputError
from allocator.io import reader
from allocator.io.writer import decision_rows, roster_rows
from allocator.pipeline import run_plan
from allocator.rules.pack import available_packs

PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                          HealthCheck.function_scoped_fixture])


@PROPERTY
@given(children=st.integers(100, 160), seed=st.integers(0, 10_000),
       pack=st.sampled_from(available_packs()), week_offset=st.integers(0, 3))
def test_every_child_in_has_a_decision_and_every_due_child_a_worker_or_a_listing(
        children, seed, pack, week_offset):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_demo(Path(tmp) / "c", children, seed, date(2026, 11, 20), pack=pack)
        week = date(2026, 11, 23 + 7 * week_offset) if week_offset < 2 else \
            date(2026, 12, 7 + 7 * (week_offset - 2))
        run = run_plan(folder, week=week, seed=0, time_limit=10)
    people = {p.pers_person_id for p in run.caseload.rows(d.Person)}
    open_children = [s.child_id for s in run.states]
    decided = [dec.child_id for dec in run.decisions]
    # children in = children with a decision: the same ids, none twice, none invented
    assert Counter(decided) == Counter(open_children)
    assert len(set(decided)) == len(decided) and set(decided) <= people
    assert len(list(decision_rows(run))) == len(open_children)
    # children needing allocation = allocated + listed unallocated
    due = {dec.child_id for dec in run.decisions
           if dec.needs_allocation and dec.to_service is not None}
    plan = run.result.plan
    assert {a.child_id for a in plan.assignments} == due
    allocated = [a for a in plan.assignments if a.worker is not None]
    assert len(allocated) + len(plan.unallocated) == len(plan.assignments) \
        == len(run.problem.requests)
    assert sorted(a.request_id for a in plan.assignments) == \
        sorted(r.id for r in run.problem.requests)
    assert all(a.blocked_by for a in plan.unallocated)
    assert len(list(roster_rows(run))) == len(plan.assignments)


@functools.cache
def council_tables() -> dict[str, reader.RawTable]:
    """A small generated council's tables as the reader holds them before parsing."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_demo(Path(tmp) / "c", 100, 5, date(2026, 11, 20))
        _, raw, problems = reader._read_folder(folder)
    assert not problems
    return raw


NASTY = st.one_of(
    st.sampled_from(["", " ", "31/02/2026", "2026-02-31", "2026-13-01", "=HYPERLINK(\"x\")",
                     "Y", "N", "maybe", "-1", "1e9", "NaN", "P000001", "W0001", "T001",
                     "x" * 1001, "\u00a0", "Mon,Funday", "2026-11-20"]),
    st.text(max_size=15),
)


@st.composite
def corruptions(draw, tables: dict[str, reader.RawTable]):
    """Up to six cell edits, row deletions of a cell, or duplicated rows."""
    raw = {name: (file, header, [(n, list(cells)) for n, cells in body])
           for name, (file, header, body) in tables.items()}
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(sorted(raw)))
        body = raw[name][2]
        if not body:
            continue
        i = draw(st.integers(0, len(body) - 1))
        row_no, cells = body[i]
        kind = draw(st.sampled_from(["cell", "short", "long", "duplicate"]))
        if kind == "cell":
            cells[draw(st.integers(0, len(cells) - 1))] = draw(NASTY)
        elif kind == "short":
            body[i] = (row_no, cells[:-1])
        elif kind == "long":
            body[i] = (row_no, cells + ["extra"])
        else:
            body.append((body[-1][0] + 1, list(cells)))
    return raw


def _accounted(raw: dict[str, reader.RawTable]) -> None:
    tables, row_numbers, problems = reader._parse_tables(raw)
    rejected_rows: dict[str, set[int]] = {}
    for p in problems:
        if p.row is not None:
            rejected_rows.setdefault(p.file, set()).add(p.row)
    for name, (file, _, body) in raw.items():
        read = {n for n, _ in body}
        rejected = rejected_rows.get(file, set()) & read
        accepted = set(row_numbers.get(name, ())) - rejected
        assert len(read) == len(accepted) + len(rejected), name  # no row lost
        assert accepted | rejected == read
        assert len(tables[name]) == len(row_numbers[name])


@PROPERTY
@given(raw=st.deferred(lambda: corruptions(council_tables())))
def test_rows_read_equal_rows_accepted_plus_rejected(raw):
    _accounted(raw)


def test_a_corrupted_folder_is_refused_whole(tmp_path):
    """What the property counts is what the command sees: any rejected row stops the run."""
    file = council_tables()["ssd_person"][0]
    folder = tmp_path / "c"
    write_demo(folder, 100, 5, date(2026, 11, 20))
    lines = (folder / file).read_text().splitlines()
    lines[3] = lines[3].split(",")[0] + ",31/02/2020,"
    (folder / file).write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as exc:
        reader.read_caseload(folder)
    assert [(p.file, p.row, p.field) for p in exc.value.problems] == \
        [(file, 4, "pers_dob")]


def test_generated_council_rows_match_what_is_read():
    council = generate_demo(100, 9, date(2026, 11, 20))
    with tempfile.TemporaryDirectory() as tmp:
        caseload = reader.read_caseload(write_demo(Path(tmp) / "c", 100, 9, date(2026, 11, 20)))
    for name, rows in council.tables.items():
        assert caseload.count(d.TABLE_BY_NAME[name]) == len(rows), name
