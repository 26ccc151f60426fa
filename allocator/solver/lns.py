"""Deterministic large-neighbourhood search over one service's CP-SAT model.

On a large service (a hundred or more moving children among hundreds of workers) one
CP-SAT search thread finds the first plan quickly and proves a good bound from the root
LP, but then improves the plan very slowly: each search node solves an LP over every
worker. Most of the plan is already right, so the search is better spent re-solving small
parts of it exactly: free a few dozen requests (those held by a few teams, or a random
handful), fix every other request's worker and date to the incumbent plan, and let CP-SAT
solve what is left to optimality. A better part replaces the incumbent.

Every sub-model is the full model with some variables' domains fixed, so any plan it
finds is a plan of the full model, priced by the same terms. Neighbourhoods come from a
seeded generator and each sub-solve is limited in deterministic time, so the same model and
seed give the same plan on any machine and under any load.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from allocator.plan import Plan
from allocator.problem import Request, Worker
from allocator.solver.context import ServiceModel

# Deterministic seconds per neighbourhood: a week's (a few dozen transfers, their workers,
# dates and meetings) and a re-allocation's (children placed afresh among many workers).
# Measured (seed 1): weekly 0.15 against 0.3 took the 12,000-child week from 67,770 to
# 66,940 and the 30,000-child week from 183,550 to 168,840 (0.1 and 0.5 were worse); the
# re-allocations did better at 0.3 (3,000 children 326,710 against 327,800 at 0.15).
SUB_SOLVE_WEEKLY = 0.15
SUB_SOLVE_REALLOCATION = 0.3
# Stop after this many neighbourhoods in a row without a better plan, or, on a service
# larger than this many neighbourhoods cover, after as many as cover it once: 25 random
# neighbourhoods touch a fifth of a 5,000-child re-allocation, and stopped the
# 12,000-child safeguarding search with a third of its budget left (682,280 against
# 680,200 where it ran on; the 3,000-child re-allocation's gap went from 1.0% to 0.3%).
STALL_ITERATIONS = 25
# ... or after this many whose sub-solve found nothing at all: on a model too large to
# presolve in a sub-solve's limit, each costs memory and time and cannot help.
UNSOLVED_ITERATIONS = 3
FREE_REQUESTS = 25  # requests freed per neighbourhood, to start with
MIN_FREE, MAX_FREE = 8, 80
COMPLETE_DETERMINISTIC_SECONDS = 5.0  # to solve the auxiliary variables of a fixed plan


@dataclass
class Incumbent:
    """The best plan so far: the solver whose last response holds it, and its objective.

    Sub-models are clones of the service model with the same variable indices, so the
    solver's response can be read with the service model's own variables and terms.
    """

    solver: cp_model.CpSolver
    objective: int


@dataclass
class SearchFigures:
    """What the search did, for the benchmark and the performance page."""

    iterations: int = 0
    improvements: int = 0
    deterministic_seconds: float = 0.0


def request_variables(ctx: ServiceModel, request: Request) -> list[cp_model.IntVar]:
    """The variables that say where and when a request goes: fixing them fixes it."""
    out = [ctx.u[request.id]] + [x for _, x in ctx.worker_vars(request)]
    if ctx.is_dated(request):
        out += [ctx.day[request.id, t] for t in request.dates]
    return out


def meeting_variables(ctx: ServiceModel, request: Request) -> list[cp_model.IntVar]:
    """The request's modelled meeting literals (one per team and meeting day), if any."""
    if not request.dates or not request.needs_meeting or not ctx.meeting:
        return []
    teams = sorted({w.team for w, _ in ctx.worker_vars(request)})
    return [v for team in teams for _, v in ctx.meeting.get((request.id, team), ())]


SolverFor = Callable[[int, float], cp_model.CpSolver]  # (seed, deterministic seconds) -> solver


def improve(ctx: ServiceModel, start: Incumbent, bound: int, seed: int, budget: float,
            solver_for: SolverFor) -> tuple[Incumbent, SearchFigures]:
    """Improve ``start`` by re-solving neighbourhoods until the budget (deterministic
    seconds) is spent, the search stalls, or the plan meets the bound."""
    rng = random.Random(seed)
    figures = SearchFigures()
    best = start
    layout = _Layout(ctx, with_meetings=True)
    values = layout.values(best.solver)
    fixed = _Fixed(layout, values)
    teams = sorted({w.team for w in ctx.workers})
    reallocating = ctx.problem.reallocates(ctx.service)
    per_solve = SUB_SOLVE_REALLOCATION if reallocating else SUB_SOLVE_WEEKLY
    free_target = FREE_REQUESTS
    stall = 0
    stall_limit = max(STALL_ITERATIONS, math.ceil(len(ctx.requests) / FREE_REQUESTS))
    unsolved = 0  # neighbourhoods in a row whose sub-solve ran out of time with nothing
    while figures.deterministic_seconds < budget and best.objective > bound \
            and stall < stall_limit and unsolved < UNSOLVED_ITERATIONS \
            and len(ctx.requests) > MIN_FREE:
        free = _neighbourhood(layout, values, teams, rng, free_target, figures.iterations,
                              reallocating)
        model = fixed.freeing(free)
        limit = min(per_solve, budget - figures.deterministic_seconds)
        solver = solver_for(rng.randrange(1 << 30), max(0.05, limit))
        status = solver.Solve(model)
        figures.iterations += 1
        figures.deterministic_seconds += solver.deterministic_time
        if status == cp_model.OPTIMAL:
            free_target = min(MAX_FREE, free_target + 2)  # room to look wider
        else:
            free_target = max(MIN_FREE, free_target - 4)
        unsolved = 0 if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else unsolved + 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) \
                and round(solver.ObjectiveValue()) < best.objective:
            best = Incumbent(solver, round(solver.ObjectiveValue()))
            values = layout.values(solver, values, free)
            fixed.update(values, free)
            figures.improvements += 1
            stall = 0
        else:
            stall += 1
    return best, figures


def plan_values(ctx: ServiceModel, plan: Plan) -> dict[str, list[int]]:
    """Each request's variable values (in ``request_variables`` order) that say the plan."""
    chosen = plan.by_request()
    values: dict[str, list[int]] = {}
    for r in ctx.requests:
        a = chosen.get(r.id)
        worker = a.worker if a is not None else None
        row = [int(worker is None or (r.id, worker) not in ctx.x)]
        row += [int(w.id == worker) for w, _ in ctx.worker_vars(r)]
        if ctx.is_dated(r):
            row += [int(worker is not None and a is not None and a.on == t) for t in r.dates]
        values[r.id] = row
    return values


def meeting_values(ctx: ServiceModel, plan: Plan) -> list[tuple[cp_model.IntVar, int]]:
    """The modelled meeting variables with the values that say the plan's meetings."""
    chosen = plan.by_request()
    out = []
    for (rid, team), meets in ctx.meeting.items():
        a = chosen.get(rid)
        out += [(v, int(a is not None and a.team == team and a.meeting == t)) for t, v in meets]
    return out


def complete(ctx: ServiceModel, plan: Plan, seed: int,
             solver_for: SolverFor) -> Incumbent | None:
    """The plan as a solution of the whole model: every request fixed to the plan, the
    rest (loads, meetings, terms) solved for; None if the plan is not a solution.

    CP-SAT's own hint search can give up on a large model whose hint leaves the auxiliary
    variables open; with the requests fixed, what is left is solved at once.
    """
    model = _Fixed(_Layout(ctx, with_meetings=False), plan_values(ctx, plan)).model  # once
    for v, value in meeting_values(ctx, plan):  # the plan's meetings, as a hint
        model.AddHint(model.GetBoolVarFromProtoIndex(v.Index()), value)
    solver = solver_for(seed, COMPLETE_DETERMINISTIC_SECONDS)
    if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return Incumbent(solver, round(solver.ObjectiveValue()))


def _neighbourhood(layout: _Layout, values: dict[str, list[int]], teams: list[str],
                   rng: random.Random, size: int, iteration: int,
                   reallocating: bool) -> set[str]:
    """The requests to free. Children the plan leaves unallocated come first, with the
    teams that could take them; otherwise, alternately, what a few random teams hold plus
    others that could go there (moves between teams), or random requests. Siblings are
    freed together."""
    ctx = layout.ctx
    requests = ctx.requests
    stuck = [r for r in requests if values[r.id][0] == 1 and layout.workers[r.id]]
    free: set[str] = set()
    # A re-allocation also rebalances between workers: a third of its neighbourhoods do.
    cycle = 3 if reallocating else 2
    if not stuck and iteration % cycle == 2:
        free = _load_neighbourhood(layout, values, rng, size)
    elif stuck or (iteration % cycle == 0 and len(teams) > 1):
        if stuck:
            first = stuck[rng.randrange(len(stuck))]
            free.update(r.id for r in stuck[:size // 2])
            options = sorted(layout.teams[first.id])
            chosen = set(rng.sample(options, min(len(options), 3)))
        else:
            chosen = set(rng.sample(teams, min(len(teams), 3)))
        held, could = [], []
        for r in requests:
            worker = layout.worker_of(values, r)
            if worker is not None and worker.team in chosen:
                held.append(r.id)
            elif not layout.teams[r.id].isdisjoint(chosen):
                could.append(r.id)
        rng.shuffle(held)
        rng.shuffle(could)
        free.update(held[:max(0, size - len(free))])
        free.update(could[:max(0, size - len(free))])
    else:
        order = list(range(len(requests)))
        rng.shuffle(order)
        free = {requests[i].id for i in order[:size]}
    families = {r.family_id for r in requests if r.id in free}
    free.update(r.id for r in requests if r.family_id in families)  # siblings move together
    return free


def _load_neighbourhood(layout: _Layout, values: dict[str, list[int]], rng: random.Random,
                        size: int) -> set[str]:
    """Moves from busy workers to workers with room: what one of the fullest workers holds
    and what a few workers who could take their children hold, as in a manager's
    rebalancing (most useful when many children are placed at once, as in a restructure)."""
    ctx = layout.ctx
    held: dict[str, list[str]] = {w.id: [] for w in ctx.workers}
    load = {w.id: w.base_load for w in ctx.workers}
    for r in ctx.requests:
        worker = layout.worker_of(values, r)
        if worker is not None:
            held[worker.id].append(r.id)
            load[worker.id] += r.points
    fullness = sorted(ctx.workers, key=lambda w: (-load[w.id] / max(1, w.capacity), w.id))
    busy = fullness[rng.randrange(min(5, len(fullness)))]
    others = sorted({w.id for rid in held[busy.id] for w in layout.workers[rid]} - {busy.id})
    room = sorted(others, key=lambda w: load[w] / max(1, ctx.workers[ctx.worker_order[w]].capacity))
    chosen = [busy.id] + rng.sample(room[:8], min(3, len(room[:8])))
    free: list[str] = []
    for w in chosen:
        ids = list(held[w])
        rng.shuffle(ids)
        free += ids[:max(1, size // len(chosen))]
    return set(free)


class _Layout:
    """Where each request's variables sit in the service model, worked out once per
    search: the proto indices of the variables that say where and when it goes (its
    modelled meetings too, ``with_meetings``), in the order of its values, and the worker
    and team of each of its worker variables.

    A re-allocation's model has tens of thousands of such variables; every neighbourhood
    reads the incumbent's workers and every sub-model fixes and frees some of them, so
    these are looked up here rather than walked through the model each time.
    """

    def __init__(self, ctx: ServiceModel, with_meetings: bool):
        self.ctx = ctx
        self.index: dict[str, list[int]] = {}
        self.workers: dict[str, tuple[Worker, ...]] = {}
        self.teams: dict[str, frozenset[str]] = {}
        for r in ctx.requests:
            variables = request_variables(ctx, r)
            if with_meetings:
                variables += meeting_variables(ctx, r)
            self.index[r.id] = [v.Index() for v in variables]
            self.workers[r.id] = tuple(w for w, _ in ctx.worker_vars(r))
            self.teams[r.id] = frozenset(w.team for w in self.workers[r.id])

    def worker_of(self, values: dict[str, list[int]], request: Request) -> Worker | None:
        """The worker ``values`` give the request; None if it is left unallocated."""
        workers = self.workers[request.id]
        try:
            return workers[values[request.id].index(1, 1, 1 + len(workers)) - 1]
        except ValueError:
            return None

    def values(self, solver: cp_model.CpSolver, last: dict[str, list[int]] | None = None,
               changed: set[str] | None = None) -> dict[str, list[int]]:
        """Each request's variable values in the solver's last plan, read from the
        response's solution. Given the ``last`` values and the requests that may have
        ``changed`` since (a sub-model fixes every other one), only those are read."""
        solution = solver.response_proto.solution
        if last is None or changed is None:
            every = list(solution)
            return {r.id: [every[i] for i in self.index[r.id]] for r in self.ctx.requests}
        out = dict(last)
        for rid in changed:
            out[rid] = [solution[i] for i in self.index[rid]]
        return out


class _Fixed:
    """The service model with every request's variables fixed to the incumbent plan.

    A neighbourhood's sub-model is a copy of it with a few dozen requests freed; when the
    incumbent improves, only the requests that were free can have changed, so only they are
    fixed afresh. On a re-allocation (tens of thousands of request variables) this is what
    keeps making sub-models cheap: each costs edits for the freed requests only. Every
    variable is fixed, not just those that are true, because CP-SAT then presolves the
    fixed part at once.

    Where the layout holds the modelled meetings, they are fixed too: a sub-model then
    re-plans the freed requests' meetings in the slots the others leave, instead of every
    meeting of the modelled teams.
    """

    def __init__(self, layout: _Layout, values: dict[str, list[int]]):
        self.layout = layout
        self.values = values
        self.position = {r.id: i for i, r in enumerate(layout.ctx.requests)}
        self.model = layout.ctx.model.clone()
        self.model.ClearHints()
        for r in layout.ctx.requests:
            self._fix(self.model, r)

    def _fix(self, model: cp_model.CpModel, r: Request) -> None:
        variables = model.proto.variables
        for i, value in zip(self.layout.index[r.id], self.values[r.id]):
            domain = variables[i].domain
            domain[0] = domain[1] = value

    def update(self, values: dict[str, list[int]], changed: set[str]) -> None:
        """The incumbent is now ``values``, which differ from the last only in ``changed``."""
        self.values = values
        for r in self._in_order(changed):
            self._fix(self.model, r)

    def freeing(self, free: set[str]) -> cp_model.CpModel:
        """A copy with the ``free`` requests' domains restored and their values hinted."""
        model = self.model.clone()
        variables, original = model.proto.variables, self.layout.ctx.model.proto.variables
        hinted: list[int] = []
        hints: list[int] = []
        for r in self._in_order(free):
            index = self.layout.index[r.id]
            for i in index:
                domain, start = variables[i].domain, original[i].domain
                domain[0], domain[1] = start[0], start[1]  # a literal's domain: two bounds
            hinted += index
            hints += self.values[r.id]
        hint = model.proto.solution_hint
        hint.vars.extend(hinted)
        hint.values.extend(hints)
        return model

    def _in_order(self, ids: set[str]) -> list[Request]:
        """The requests named, in the service's order (hints are added in that order)."""
        requests = self.layout.ctx.requests
        return [requests[i] for i in sorted(self.position[r] for r in ids)]
