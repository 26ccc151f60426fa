"""Build, solve and read back the CP-SAT model, one receiving service at a time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

import constraints
from constraints import max_new_per_week
from allocator.plan import Assignment, Plan
from allocator.problem import AllocationProblem, Request
from allocator.solver.context import ServiceModel
from allocator.solver.meetings import assign_meetings

STATUS_NAMES = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
                cp_model.INFEASIBLE: "INFEASIBLE", cp_model.MODEL_INVALID: "MODEL_INVALID",
                cp_model.UNKNOWN: "UNKNOWN"}


@dataclass
class SolveResult:
    """What the solver found: the plan, status, objective and bound, term by term."""

    plan: Plan
    status: str  # OPTIMAL when every service solved to optimality
    objective: int
    bound: int
    terms: dict[str, int]
    build_seconds: float
    solve_seconds: float
    service_status: dict[str, str] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)  # why no plan exists, in words
    blocked: dict[str, dict[str, str]] = field(default_factory=dict)  # request -> worker -> rule

    @property
    def gap(self) -> float:
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) / max(1, abs(self.objective))


def build_service_model(problem: AllocationProblem, service: str,
                        meeting_teams: frozenset[str] | None = None,
                        limited_workers: frozenset[str] | None = None) -> ServiceModel:
    """The CP-SAT model of one service with every registered constraint applied.

    ``meeting_teams`` and ``limited_workers`` say whose meeting slots and weekly limits are
    modelled; None models them all.
    """
    everyone = problem.service_workers.get(service, ())
    if meeting_teams is None:
        meeting_teams = frozenset(problem.workers[w].team for w in everyone)
    if limited_workers is None:
        limited_workers = frozenset(everyone)
    ctx = ServiceModel(problem, service, meeting_teams, limited_workers)
    for module in constraints.HARD:
        module.restrict(ctx)
    ctx.create_variables()
    for module in constraints.REGISTRY:
        module.add(ctx)
    ctx.model.Minimize(sum(t.weight * t.expr for t in ctx.terms))
    ctx.model.AddAssumptions([lit for lit, _ in ctx.assumptions])
    return ctx


@dataclass
class ServiceSolve:
    """One service's solve: its plan part, objective, bound and terms, or why none."""

    status: str
    assignments: list[Assignment]
    objective: int
    bound: int
    terms: dict[str, int]
    blocked: dict[str, dict[str, str]]
    conflicts: list[str]
    build_seconds: float
    solve_seconds: float


LAZY_ROUNDS = 3  # rounds of lazily added limits before everything is modelled


def solve_service(problem: AllocationProblem, service: str, seed: int,
                  time_limit: float) -> ServiceSolve:
    """Solve one service, adding meeting slots and weekly limits only where they bind.

    Both rarely bind and are costly to model for every worker. A solve without them is a
    relaxation; if its plan already meets them (meetings are then given after the solve),
    it is optimal for the full model. Otherwise the teams and workers concerned are
    modelled and the service is solved again; after ``LAZY_ROUNDS`` everything is.
    """
    everyone = problem.service_workers.get(service, ())
    all_teams = frozenset(problem.workers[w].team for w in everyone)
    teams: frozenset[str] = frozenset()
    limited: frozenset[str] = frozenset()
    build_s = solve_s = 0.0
    for round_ in range(LAZY_ROUNDS + 1):
        if round_ == LAZY_ROUNDS:
            teams, limited = all_teams, frozenset(everyone)
        t0 = time.perf_counter()
        ctx = build_service_model(problem, service, teams, limited)
        t1 = time.perf_counter()
        solver = _solver(seed, time_limit)
        status = solver.Solve(ctx.model)
        build_s += t1 - t0
        solve_s += time.perf_counter() - t1
        name = STATUS_NAMES.get(status, str(status))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            conflicts = _conflicts(ctx, solver) if status == cp_model.INFEASIBLE else []
            return ServiceSolve(name, [], 0, 0, {}, ctx.blocked, conflicts, build_s, solve_s)
        assignments, late_teams = assign_meetings(problem, _read_assignments(ctx, solver), teams)
        over = max_new_per_week.over_limit(Plan(tuple(assignments)), problem) - limited
        if not late_teams and not over:
            terms = {t.name: 0 for t in ctx.terms}
            for term in ctx.terms:
                terms[term.name] += term.weight * solver.Value(term.expr)
            return ServiceSolve(name, assignments, round(solver.ObjectiveValue()),
                                round(solver.BestObjectiveBound()), terms, ctx.blocked, [],
                                build_s, solve_s)
        teams, limited = teams | frozenset(late_teams), limited | frozenset(over)
    raise AssertionError("unreachable: the last round models everything")


def solve(problem: AllocationProblem, seed: int = 0, time_limit: float = 30.0) -> SolveResult:
    """Solve every service's model; deterministic for the same problem and seed.

    The time limit is shared among services in proportion to their requests.
    """
    assignments: list[Assignment] = []
    terms: dict[str, int] = {}
    objective = bound = 0
    build_s = solve_s = 0.0
    statuses: dict[str, str] = {}
    blocked: dict[str, dict[str, str]] = {}
    total = max(1, len(problem.requests))
    for service in problem.services:
        share = time_limit * len(problem.requests_in(service)) / total
        part = solve_service(problem, service, seed, share)
        build_s += part.build_seconds
        solve_s += part.solve_seconds
        statuses[service] = part.status
        blocked.update(part.blocked)
        if part.status not in ("OPTIMAL", "FEASIBLE"):
            return SolveResult(Plan(()), part.status, 0, 0, {}, build_s, solve_s, statuses,
                               part.conflicts, blocked)
        assignments += part.assignments
        for name, value in part.terms.items():
            terms[name] = terms.get(name, 0) + value
        objective += part.objective
        bound += part.bound
    overall = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses.values()) else "FEASIBLE"
    plan = Plan(tuple(sorted(assignments, key=lambda a: a.request_id)))
    return SolveResult(plan, overall, objective, bound, terms, build_s, solve_s, statuses,
                       blocked=blocked)


def _conflicts(ctx: ServiceModel, solver: cp_model.CpSolver) -> list[str]:
    """The overrides and hard-rule groups that together admit no plan, in words.

    CP-SAT's sufficient assumptions need not be minimal; each is dropped in turn while the
    rest stay infeasible, so every one named is needed for the conflict.
    """
    label = {lit.Index(): text for lit, text in ctx.assumptions}
    lits = {lit.Index(): lit for lit, _ in ctx.assumptions}
    core = [i for i in solver.SufficientAssumptionsForInfeasibility() if i in label]
    for i in list(core):
        rest = [j for j in core if j != i]
        ctx.model.ClearAssumptions()
        ctx.model.AddAssumptions([lits[j] for j in rest])
        probe = _solver(0, 10.0)
        if probe.Solve(ctx.model) == cp_model.INFEASIBLE:
            core = rest
    found = sorted(label[i] for i in core)
    return found or [f"service {ctx.service}: the hard rules cannot all hold"]


def _solver(seed: int, time_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.random_seed = seed
    p.num_workers = 1  # one worker searches deterministically: same input, same plan
    p.max_time_in_seconds = max(1.0, time_limit)
    return solver


def _read_assignments(ctx: ServiceModel, solver: cp_model.CpSolver) -> list[Assignment]:
    out = []
    for r in ctx.requests:
        worker = next((w for w, x in ctx.worker_vars(r) if solver.BooleanValue(x)), None)
        day = next((t for t in r.dates if solver.BooleanValue(ctx.day[r.id, t])), None)
        blocked = () if worker else _blocked_reasons(ctx, r)
        meeting = None
        if worker is not None:
            meets = ctx.meeting.get((r.id, worker.team), [])
            meeting = next((t for t, v in meets if solver.BooleanValue(v)), None)
        out.append(Assignment(
            request_id=r.id, child_id=r.child_id, role=r.role, service=r.service,
            worker=worker.id if worker else None, team=worker.team if worker else None,
            on=day if worker else None, blocked_by=blocked, meeting=meeting))
    return out


def _blocked_reasons(ctx: ServiceModel, request: Request) -> tuple[str, ...]:
    """Why a request is unallocated, in words, by the constraints that ruled workers out."""
    if not ctx.workers:
        return (f"no case-holding worker exists in service '{request.service}'",)
    if not request.dates:
        return ("no usable transfer date in the plan's horizon",)
    counts: dict[str, int] = {}
    for constraint in ctx.blocked[request.id].values():
        counts[constraint] = counts.get(constraint, 0) + 1
    reasons = [f"{name}: rules out {n} of {len(ctx.workers)} workers"
               for name, n in sorted(counts.items())]
    left = len(ctx.workers) - len(ctx.blocked[request.id])
    if left:
        reasons.append(f"max_new_per_week: the {left} remaining eligible workers are at their "
                       "weekly limit of new children")
    return tuple(reasons)
