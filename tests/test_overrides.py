"""Manager overrides: honoured, costed, and named when they cannot be honoured."""

import csv
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.errors import InputError, NoPlanError
from allocator.pipeline import run_plan
from cli import EXIT_BAD_INPUT, app
from factory import sfs_council

COLUMNS = ["over_override_id", "over_person_id", "over_action", "over_professional_id",
           "over_date", "over_reason", "over_by"]


def _overrides(path: Path, *rows: dict) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({"over_reason": "manager knows the family", **row})
    return path


@pytest.fixture
def council(tmp_path) -> Path:
    # C1 (CP plan) moves A&I -> SFS at a conference on Tue 8 Dec. SFS has W1, W2 (empty,
    # experienced) and the ASYE WQ. Unpinned, W1 or W2 takes C1 on 8 Dec at cost 0.
    c = sfs_council()
    c.child("C1", date(2020, 1, 1), "TA", "WA", family="F1").cp_plan("C1")
    c.event("C1", "icpc", date(2026, 12, 8))
    return c.write(tmp_path / "in")


def test_a_pinned_worker_is_used_and_the_cost_reported(council, tmp_path):
    run = run_plan(council, overrides=_overrides(tmp_path / "o.csv", {
        "over_override_id": "O1", "over_person_id": "C1", "over_action": "pin_worker",
        "over_professional_id": "W2"}))
    [a] = run.result.plan.assignments
    assert a.worker == "W2" and run.check.ok
    assert run.override_cost == 0  # W2 was as good as W1


def test_a_forbidden_worker_is_not_used_and_costs_what_it_forces(council, tmp_path):
    run = run_plan(council, overrides=_overrides(
        tmp_path / "o.csv",
        {"over_override_id": "O1", "over_person_id": "C1", "over_action": "forbid_worker",
         "over_professional_id": "W1"},
        {"over_override_id": "O2", "over_person_id": "C1", "over_action": "forbid_worker",
         "over_professional_id": "W2"}))
    # Only the ASYE is left, and an ASYE may not lead a CP child: C1 is listed unallocated.
    [a] = run.result.plan.assignments
    assert a.worker is None and any("manager_overrides" in b for b in a.blocked_by)
    assert run.override_cost == 1_000_000


def test_pinning_an_asye_to_a_cp_child_names_the_override_and_the_rule(council, tmp_path):
    with pytest.raises(NoPlanError) as info:
        run_plan(council, overrides=_overrides(tmp_path / "o.csv", {
            "over_override_id": "O1", "over_person_id": "C1", "over_action": "pin_worker",
            "over_professional_id": "WQ"}))
    assert info.value.conflicts == [
        "manager override O1 (row 2) pins child C1 to worker WQ, but hard rule "
        "asye_never_leads rules that worker out"]


def test_a_pinned_date_outside_the_window_is_named(council, tmp_path):
    with pytest.raises(NoPlanError) as info:
        run_plan(council, overrides=_overrides(tmp_path / "o.csv", {
            "over_override_id": "O1", "over_person_id": "C1", "over_action": "pin_date",
            "over_date": "2026-12-09"}))
    assert info.value.conflicts == [
        "manager override O1 (row 2) pins child C1's transfer to 2026-12-09"]


def test_pins_that_together_break_a_hard_rule_name_the_rule(tmp_path):
    # Three children move to SFS at conferences on the same day; W1 takes at most 2 new
    # children a week. Pinning all three to W1 conflicts with max_new_per_week.
    c = sfs_council()
    c.worker("W3", "TS", max_new=2)
    rows = []
    for i in (1, 2, 3):
        c.child(f"C{i}", date(2018, 1, i), "TA", "WA").event(f"C{i}", "icpc", date(2026, 12, 8))
        rows.append({"over_override_id": f"O{i}", "over_person_id": f"C{i}",
                     "over_action": "pin_worker", "over_professional_id": "W3"})
    with pytest.raises(NoPlanError) as info:
        run_plan(c.write(tmp_path / "in"), overrides=_overrides(tmp_path / "o.csv", *rows))
    assert any("hard rule max_new_per_week" in line for line in info.value.conflicts)
    assert sum("manager override" in line for line in info.value.conflicts) == 3


def test_an_override_for_a_child_not_moving_is_an_input_error(council, tmp_path):
    with pytest.raises(InputError) as info:
        run_plan(council, overrides=_overrides(tmp_path / "o.csv", {
            "over_override_id": "O1", "over_person_id": "NOBODY", "over_action": "pin_worker",
            "over_professional_id": "W1"}))
    assert [str(p) for p in info.value.problems] == [
        "o.csv, row 2, field over_person_id: child is not moving or awaiting allocation "
        "this week"]


def test_an_override_needs_a_reason(council, tmp_path):
    path = _overrides(tmp_path / "o.csv", {
        "over_override_id": "O1", "over_person_id": "C1", "over_action": "pin_worker",
        "over_professional_id": "W1", "over_reason": ""})
    with pytest.raises(InputError) as info:
        run_plan(council, overrides=path)
    assert [p.field for p in info.value.problems] == ["over_reason"]


def test_cli_reports_the_conflict_and_writes_nothing(council, tmp_path):
    path = _overrides(tmp_path / "o.csv", {
        "over_override_id": "O1", "over_person_id": "C1", "over_action": "pin_worker",
        "over_professional_id": "WQ"})
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["plan", "--input", str(council), "--out", str(out),
                                      "--overrides", str(path)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "asye_never_leads rules that worker out" in result.output
    assert not out.exists()
