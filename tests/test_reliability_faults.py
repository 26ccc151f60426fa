"""Never a wrong plan: faults injected into a valid plan are all caught, and a plan that is
not checked is never written.

Every hard constraint in ``constraints.HARD`` gets at least one fault of its kind injected
into the demo council's checked plan; the independent checker must report each one under
that constraint's name (the figure in docs/reliability.md is caught / injected, 100%). The
command-level tests replace the solver or the checker in-process and assert that a solve
ending UNKNOWN or MODEL_INVALID (what a time limit without a plan gives), or a plan failing
its check, exits 4 and leaves the output folder exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import constraints
from allocator import pipeline
from allocator.checker import CheckReport, check_plan
from allocator.overrides import ResolvedOverride
from allocator.pipeline import PlanRun, run_plan
from allocator.plan import Assignment, Plan, Violation
from allocator.problem import AllocationProblem
from allocator.solver.model import SolveResult
from cli import EXIT_PLAN_REJECTED, app, shipped_demo

runner = CliRunner()
Fault = Callable[[Plan, AllocationProblem], tuple[Plan, AllocationProblem]]


@pytest.fixture(scope="module")
def demo_run() -> PlanRun:
    """The shipped demo's checked plan: the valid plan every fault is injected into."""
    run = run_plan(shipped_demo(), time_limit=30)
    assert check_plan(run.result.plan, run.problem).ok
    return run


def _allocated(plan: Plan) -> list[Assignment]:
    return [a for a in plan.assignments if a.worker is not None]


def _swap(plan: Plan, old: Assignment, new: Assignment) -> Plan:
    return Plan(tuple(new if a is old else a for a in plan.assignments))


def _first(plan: Plan, problem: AllocationProblem,
           keep: Callable[[Assignment], bool] = lambda a: True) -> Assignment:
    return next(a for a in _allocated(plan) if keep(a))


def worker_from_another_service(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    other = next(w for w in problem.workers.values() if w.service != a.service)
    return _swap(plan, a, replace(a, worker=other.id, team=other.team)), problem


def asye_leads_a_statutory_child(plan: Plan, problem: AllocationProblem):
    statutory = {r.id for r in problem.requests if r.statutory and r.role == "lead"}
    a = _first(plan, problem, lambda a: a.request_id in statutory)
    asye = next(w for w in problem.workers.values() if w.asye and w.service == a.service)
    return _swap(plan, a, replace(a, worker=asye.id, team=asye.team)), problem


def coworker_is_the_lead(plan: Plan, problem: AllocationProblem):
    co = _first(plan, problem, lambda a: a.role == "co")
    lead = next((a.worker for a in plan.assignments
                 if a.child_id == co.child_id and a.role == "lead" and a.worker), None)
    lead = lead or problem.current_lead[co.child_id]
    worker = problem.workers[lead]
    return _swap(plan, co, replace(co, worker=lead, team=worker.team)), problem


def worker_on_leave(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    worker = problem.workers[a.worker]
    # Take the worker off on the plan's date: leave on exactly the transfer date.
    away = replace(worker, available=worker.available - {a.on})
    return plan, replace(problem, workers={**problem.workers, worker.id: away})


def date_outside_window(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    return _swap(plan, a, replace(a, on=problem.plan_date - timedelta(days=7))), problem


def too_many_new_in_a_week(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    worker = problem.workers[a.worker]
    tight = replace(worker, max_new_per_week=0)  # one new child is now one too many
    return plan, replace(problem, workers={**problem.workers, worker.id: tight})


def meeting_on_a_non_meeting_day(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    days = problem.teams[a.team].meeting_days
    day = next(a.meeting + timedelta(days=k) for k in range(1, 8)
               if (a.meeting + timedelta(days=k)).weekday() not in days)
    return _swap(plan, a, replace(a, meeting=day)), problem


def meetings_over_the_slots(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    team = replace(problem.teams[a.team], meeting_slots=1)
    same_day = [b for b in _allocated(plan) if b.team == a.team and b.meeting == a.meeting]
    if len(same_day) < 2:
        other = next(b for b in _allocated(plan) if b.team == a.team and b is not a)
        plan = _swap(plan, other, replace(other, meeting=a.meeting))
    return plan, replace(problem, teams={**problem.teams, a.team: team})


def no_meeting(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    return _swap(plan, a, replace(a, meeting=None)), problem


def override_broken(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    other = next(w for w in problem.workers if w != a.worker)
    pin = ResolvedOverride("O-FAULT", 2, a.request_id, a.child_id, "pin_worker", other, None,
                           "injected pin the plan does not honour", None)
    return plan, replace(problem, overrides=problem.overrides + (pin,))


def forbidden_worker_used(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    ban = ResolvedOverride("O-FAULT", 2, a.request_id, a.child_id, "forbid_worker", a.worker,
                           None, "injected ban the plan breaks", None)
    return plan, replace(problem, overrides=problem.overrides + (ban,))


def child_dropped(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    return Plan(tuple(b for b in plan.assignments if b is not a)), problem


def child_twice(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    return Plan(plan.assignments + (a,)), problem


def unallocated_without_reason(plan: Plan, problem: AllocationProblem):
    a = _first(plan, problem)
    return _swap(plan, a, replace(a, worker=None, team=None, on=None, meeting=None)), problem


# (fault, the hard constraint that must report it)
FAULTS: list[tuple[Fault, str]] = [
    (worker_from_another_service, "one_worker"),
    (child_dropped, "one_worker"),
    (child_twice, "one_worker"),
    (unallocated_without_reason, "one_worker"),
    (asye_leads_a_statutory_child, "asye_never_leads"),
    (coworker_is_the_lead, "coworker_differs"),
    (worker_on_leave, "worker_available"),
    (date_outside_window, "date_in_window"),
    (too_many_new_in_a_week, "max_new_per_week"),
    (meeting_on_a_non_meeting_day, "transfer_meeting"),
    (meetings_over_the_slots, "transfer_meeting"),
    (no_meeting, "transfer_meeting"),
    (override_broken, "manager_overrides"),
    (forbidden_worker_used, "manager_overrides"),
]


def test_every_hard_constraint_has_an_injected_fault():
    assert {m.NAME for m in constraints.HARD} == {name for _, name in FAULTS}


@pytest.mark.parametrize("fault,constraint", FAULTS, ids=[f.__name__ for f, _ in FAULTS])
def test_injected_fault_is_caught_by_the_checker(demo_run, fault, constraint):
    plan, problem = fault(demo_run.result.plan, demo_run.problem)
    violations = check_plan(plan, problem).violations
    assert any(v.constraint == constraint for v in violations), violations


def test_every_fault_in_every_assignment_is_caught(demo_run):
    """The figure: each fault that edits one assignment, injected into every assignment of
    the demo plan it applies to, is caught every time (caught / injected = 100%)."""
    plan, problem = demo_run.result.plan, demo_run.problem
    injected = caught = 0
    for a in _allocated(plan):
        one = Plan((a,))
        for fault in (date_outside_window, no_meeting, meeting_on_a_non_meeting_day,
                      child_dropped, child_twice, worker_on_leave, too_many_new_in_a_week,
                      override_broken, forbidden_worker_used, worker_from_another_service):
            rest = Plan(tuple(b for b in plan.assignments if b is not a))
            bad, bad_problem = fault(one, problem)
            injected += 1
            caught += not check_plan(Plan(rest.assignments + bad.assignments), bad_problem).ok
    print(f"faults injected {injected}, caught {caught}")
    assert injected > 200 and caught == injected


# --- the command never writes a plan that is not checked ---------------------------------

def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def written_out(tmp_path) -> Path:
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _no_plan(status: str) -> Callable[..., SolveResult]:
    def fake_solve(problem, seed=0, time_limit=30.0):
        return SolveResult(Plan(()), status, 0, 0, {}, 0.0, 0.0)
    return fake_solve


@pytest.mark.parametrize("status", ["UNKNOWN", "MODEL_INVALID"])
def test_solve_without_a_plan_exits_4_and_writes_nothing(written_out, monkeypatch, status):
    before = _hashes(written_out)
    monkeypatch.setattr(pipeline, "solve", _no_plan(status))
    result = runner.invoke(app, ["plan", "--out", str(written_out)])
    assert result.exit_code == EXIT_PLAN_REJECTED, result.output
    assert status in result.output
    assert _hashes(written_out) == before


def test_plan_failing_its_check_exits_4_and_writes_nothing(written_out, monkeypatch):
    before = _hashes(written_out)

    def failing_check(plan, problem):
        real = check_plan(plan, problem)
        return CheckReport((Violation("one_worker", ("R1",), "injected"),), real.penalties)

    monkeypatch.setattr(pipeline, "check_plan", failing_check)
    result = runner.invoke(app, ["plan", "--out", str(written_out)])
    assert result.exit_code == EXIT_PLAN_REJECTED, result.output
    assert "NOT written" in result.output
    assert _hashes(written_out) == before


def test_objective_disagreement_exits_4_and_writes_nothing(written_out, monkeypatch):
    """A plan whose checker objective differs from the solver's is also refused."""
    before = _hashes(written_out)
    real_solve = pipeline.solve

    def off_by_one(problem, seed=0, time_limit=30.0):
        result = real_solve(problem, seed, time_limit)
        return replace(result, objective=result.objective + 1)

    monkeypatch.setattr(pipeline, "solve", off_by_one)
    result = runner.invoke(app, ["plan", "--out", str(written_out)])
    assert result.exit_code == EXIT_PLAN_REJECTED, result.output
    assert _hashes(written_out) == before


def test_a_fresh_output_folder_stays_empty_when_the_plan_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "solve", _no_plan("UNKNOWN"))
    out = tmp_path / "fresh"
    result = runner.invoke(app, ["plan", "--out", str(out)])
    assert result.exit_code == EXIT_PLAN_REJECTED
    assert not out.exists() or not any(out.iterdir())
