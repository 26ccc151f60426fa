"""Build, solve and read back the CP-SAT model, one receiving service at a time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

import constraints
from allocator.plan import Assignment, Plan
from allocator.problem import AllocationProblem, Request
from allocator.solver.context import ServiceModel

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


def build_service_model(problem: AllocationProblem, service: str) -> ServiceModel:
    """The CP-SAT model of one service with every registered constraint applied."""
    ctx = ServiceModel(problem, service)
    for module in constraints.HARD:
        module.restrict(ctx)
    ctx.create_variables()
    for module in constraints.REGISTRY:
        module.add(ctx)
    ctx.model.Minimize(sum(t.weight * t.expr for t in ctx.terms))
    ctx.model.AddAssumptions([lit for lit, _ in ctx.assumptions])
    return ctx


def solve(problem: AllocationProblem, seed: int = 0, time_limit: float = 30.0) -> SolveResult:
    """Solve every service's model; deterministic for the same problem and seed."""
    assignments: list[Assignment] = []
    terms: dict[str, int] = {}
    objective = bound = 0
    build_s = solve_s = 0.0
    statuses: dict[str, str] = {}
    blocked: dict[str, dict[str, str]] = {}
    services = problem.services
    for service in services:
        t0 = time.perf_counter()
        ctx = build_service_model(problem, service)
        t1 = time.perf_counter()
        solver = _solver(seed, time_limit / max(1, len(services)))
        status = solver.Solve(ctx.model)
        t2 = time.perf_counter()
        build_s += t1 - t0
        solve_s += t2 - t1
        statuses[service] = STATUS_NAMES.get(status, str(status))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            conflicts = _conflicts(ctx, solver) if status == cp_model.INFEASIBLE else []
            return SolveResult(Plan(()), statuses[service], 0, 0, {}, build_s, solve_s, statuses,
                               conflicts)
        assignments += _read_assignments(ctx, solver)
        blocked.update(ctx.blocked)
        for term in ctx.terms:
            terms[term.name] = terms.get(term.name, 0) + term.weight * solver.Value(term.expr)
        objective += round(solver.ObjectiveValue())
        bound += round(solver.BestObjectiveBound())
    overall = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses.values()) else "FEASIBLE"
    plan = Plan(tuple(sorted(assignments, key=lambda a: a.request_id)))
    return SolveResult(plan, overall, objective, bound, terms, build_s, solve_s, statuses,
                       blocked=blocked)


def _conflicts(ctx: ServiceModel, solver: cp_model.CpSolver) -> list[str]:
    """The assumptions that together cannot hold: overrides and hard-rule groups, in words."""
    index = {lit.Index(): label for lit, label in ctx.assumptions}
    found = [index[i] for i in solver.SufficientAssumptionsForInfeasibility() if i in index]
    return sorted(found) or [f"service {ctx.service}: the hard rules cannot all hold"]


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
