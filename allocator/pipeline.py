"""The plan pipeline: load -> validate -> decide transfers -> optimise -> check.

Writing is separate (:mod:`allocator.io.writer`) so nothing reaches disk before the
independent check has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
import time

from allocator import domain as d
from allocator.caseload import Caseload
from allocator.checker import CheckReport, check_plan
from allocator.config import PlanConfig
from allocator.errors import InputError, InputProblem, NoPlanError, PlanCheckError
from allocator.overrides import resolve_overrides
from allocator.io.reader import read_caseload
from allocator.problem import AllocationProblem, ProblemBuilder, demote_asye_leads
from allocator.restructure import reallocate_all
from allocator.rules.engine import Decision, Engine
from allocator.rules.pack import Pack, load_pack
from allocator.solver.model import SolveResult, solve
from allocator.state import ChildState, child_states


@dataclass(frozen=True)
class PlanRun:
    """Everything one plan run produced, in pipeline order."""

    caseload: Caseload
    pack: Pack
    week: date
    seed: int
    states: list[ChildState]
    decisions: list[Decision]
    problem: AllocationProblem
    result: SolveResult
    check: CheckReport
    timings: dict[str, float]
    override_cost: int | None = None  # objective with overrides minus without; None if none

    @property
    def statutory_unallocated(self) -> list[str]:
        requests = {r.id: r for r in self.problem.requests}
        return [a.child_id for a in self.result.plan.unallocated
                if requests[a.request_id].statutory]


def default_week(caseload: Caseload) -> date:
    """The Monday after the extract date: the coming week for the data in hand."""
    extract = caseload.manifest.extract_date
    return extract + timedelta(days=7 - extract.weekday())


def pack_problems(caseload: Caseload, pack: Pack) -> list[InputProblem]:
    """Teams whose service the pack does not declare, located by row."""
    services = {s.id for s in pack.services}
    out = []
    for i, row in enumerate(caseload.rows(d.TeamProfile)):
        if row.tpro_service not in services:
            out.append(InputProblem(caseload.file_name(d.TeamProfile),
                                    caseload.row_number(d.TeamProfile, i), "tpro_service",
                                    f"service is not in the '{pack.pack.id}' pack; it has "
                                    + ", ".join(sorted(services))))
    return out


def decide(caseload: Caseload, pack: Pack, week: date,
           reallocate: bool = False) -> tuple[list[ChildState], list[Decision], Engine]:
    """Every open child's state and transfer decision for the week starting ``week``;
    with ``reallocate``, every other open child placed afresh (allocator.restructure)."""
    engine = Engine(pack, week)
    states = child_states(caseload, pack, engine.plan_date)
    decisions = engine.decide_all(states)
    asye = {w.wcap_professional_id for w in caseload.rows(d.WorkerCapacity) if w.wcap_asye}
    decisions = demote_asye_leads(decisions, {s.child_id: s for s in states}, asye,
                                  engine.plan_date, pack.timescales.default_window_working_days)
    if reallocate:
        decisions = reallocate_all(decisions, {s.child_id: s for s in states}, engine.plan_date,
                                   case_holding_services(caseload))
    return states, decisions, engine


def case_holding_services(caseload: Caseload) -> set[str]:
    """Services with at least one case-holding worker."""
    service = {t.tpro_team_id: t.tpro_service for t in caseload.rows(d.TeamProfile)}
    team = {p.prof_professional_id: p.prof_professional_department
            for p in caseload.rows(d.Professional)}
    return {service[team[w.wcap_professional_id]] for w in caseload.rows(d.WorkerCapacity)
            if w.wcap_case_holding and team.get(w.wcap_professional_id) in service}


def run_plan(source: Path, week: date | None = None, pack_name: str | None = None,
             seed: int = 0, time_limit: float = 30.0, config: PlanConfig | None = None,
             overrides: Path | None = None,
             pins: Callable[[str, AllocationProblem], Sequence[d.Override]] | None = None,
             progress: Callable[[str], None] | None = None,
             reallocate: bool = False) -> PlanRun:
    """Run the whole pipeline.

    ``progress`` is told the name of each stage as it starts (load and validate, decide
    transfers, optimise, check), so a caller can show where a long run is.

    ``pins`` supplies standing overrides for the week's requests (the transfer tracker's
    agreed items, given the council's name and the problem); they are honoured like a
    manager's and form the baseline the cost of ``overrides`` is measured against.

    Raises InputError for bad input (overrides included), NoPlanError when overrides cannot
    all be honoured (naming them and the rules they collide with), PlanCheckError when the
    solver's plan fails the independent check.
    """
    timings: dict[str, float] = {}
    stage = progress or (lambda name: None)
    stage("load and validate")
    t = time.perf_counter()
    caseload = read_caseload(source)
    timings["load_validate"] = time.perf_counter() - t
    pack = load_pack(pack_name or caseload.manifest.pack)
    problems = pack_problems(caseload, pack)
    if problems:
        raise InputError(problems)
    week = week or default_week(caseload)
    config = config or PlanConfig()
    stage("decide transfers")
    t = time.perf_counter()
    states, decisions, engine = decide(caseload, pack, week, reallocate)
    problem = ProblemBuilder(caseload, pack, config, engine.plan_date,
                             engine.horizon_end).build(states, decisions)
    timings["rules"] = time.perf_counter() - t
    if pins is not None:
        problem = attach_overrides(problem, pins(caseload.manifest.council, problem), "tracker")
    free_problem = problem
    if overrides is not None:
        problem = with_overrides(problem, overrides)
    stage(f"optimise ({len(problem.requests)} requests)")
    result = solve(problem, seed=seed, time_limit=time_limit)
    timings["model_build"] = result.build_seconds
    timings["solve"] = result.solve_seconds
    if result.status == "INFEASIBLE":
        raise NoPlanError(result.conflicts)
    if result.status not in ("OPTIMAL", "FEASIBLE"):
        raise PlanCheckError([f"solver ended {result.status} without a plan"])
    override_cost = None
    if problem.overrides != free_problem.overrides:  # a manager's overrides: cost them
        override_cost = result.objective - solve(free_problem, seed, time_limit).objective
    stage("independent check")
    t = time.perf_counter()
    report = check_plan(result.plan, problem)
    timings["check"] = time.perf_counter() - t
    if not report.ok:
        raise PlanCheckError([str(v) for v in report.violations])
    mismatched = term_mismatches(result.terms, report.terms)
    if mismatched or report.objective != result.objective:
        raise PlanCheckError([f"checker objective {report.objective} differs from the "
                              f"solver's {result.objective}"] + mismatched)
    return PlanRun(caseload, pack, engine.plan_date, seed, states, decisions, problem, result,
                   report, timings, override_cost)


def term_mismatches(solver_terms: dict[str, int], checker_terms: dict[str, int]) -> list[str]:
    """Objective terms on which the solver and the independent checker disagree."""
    names = sorted(set(solver_terms) | set(checker_terms))
    return [f"term {n}: solver {solver_terms.get(n, 0)}, checker {checker_terms.get(n, 0)}"
            for n in names if solver_terms.get(n, 0) != checker_terms.get(n, 0)]


def with_overrides(problem: AllocationProblem, path: Path) -> AllocationProblem:
    """The problem with a manager's overrides file read, checked and attached."""
    from allocator.io.reader import read_table

    return attach_overrides(problem, read_table(path, d.Override), Path(path).name)


def attach_overrides(problem: AllocationProblem, rows: Sequence[d.Row],
                     file: str) -> AllocationProblem:
    """The problem with override rows resolved and added. A child these rows name loses the
    overrides attached before (a manager's word this week replaces a tracker's pin)."""
    from dataclasses import replace

    request_ids: dict[str, list[str]] = {}
    for r in problem.requests:
        request_ids.setdefault(r.child_id, []).append(r.id)
    resolved, problems = resolve_overrides(tuple(rows), request_ids, set(problem.workers), file)
    if problems:
        raise InputError(problems)
    named = {o.child_id for o in resolved}
    kept = tuple(o for o in problem.overrides if o.child_id not in named)
    return replace(problem, overrides=kept + tuple(resolved))
