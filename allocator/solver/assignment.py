"""A generic assignment core: items to capacitated agents at least total cost.

Agents have capacities; each (agent, item) pair that is allowed has a weight and a cost; every
item goes to exactly one agent (or, where a penalty is given, may stay unassigned at that
penalty), no agent's items weigh more than its capacity, and the total cost is minimised.
This is the Generalized Assignment Problem; the public GAP instances (``benchmarks/gap.py``)
measure this core against the best plans known.

The search is deterministic: the same problem, seed and time limit give the same answer on
any machine, because every limit is counted in CP-SAT's deterministic time (a wall-clock
limit is only a backstop, far beyond it on an ordinary machine). It runs in three
steps, each there because the one before it stalls on the hard instances:

1. a start: the problem's Dantzig-Wolfe master solved by column generation and dived to a
   plan (allocator.solver.assignment_dive), which also proves a bound tighter than the
   LP's; where that takes too long, a regret start (the item whose best agent it would
   cost most to lose goes first). It is given to CP-SAT as a hint;
2. CP-SAT on the whole model for a small share of the time, which proves the lower bound
   and improves the start (where it finds no plan there from a start that leaves items
   out, a plan of the hard rules alone, found in a fraction of the time, is the start);
3. a large-neighbourhood search: most items stay where they are, a window is freed and
   re-solved exactly by CP-SAT, and the plan kept if no worse. A window is a few agents
   that the LP relaxation says could trade items cheaply (its reduced costs), with all
   their items, and only over the core: the pairs the LP prices cheaply, plus the pairs
   the plan uses. Small exact models close the fraction of a percent that one search over
   the whole model reaches only slowly, and the core makes them small enough to span
   half the agents. Of a window's cheapest answers the one that leaves its roomiest agent
   the most room is kept, so the plan moves across plateaus of equal cost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp  # type: ignore[import-untyped]
from ortools.sat.python import cp_model

UNASSIGNED = -1  # agent_of value of an item left unassigned

STATUS_NAMES = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
                cp_model.INFEASIBLE: "INFEASIBLE", cp_model.MODEL_INVALID: "MODEL_INVALID",
                cp_model.UNKNOWN: "UNKNOWN"}


@dataclass(frozen=True, eq=False)
class AssignmentProblem:
    """Agents (rows) by items (columns): integer cost and weight, capacities per agent.

    ``allowed[a, i]`` is False where the pair is forbidden (a pair heavier than the agent's
    whole capacity is forbidden too). ``penalty[i]`` is the cost of leaving item ``i``
    unassigned; None means every item must be assigned.
    """

    cost: np.ndarray
    weight: np.ndarray
    capacity: np.ndarray
    allowed: np.ndarray
    penalty: np.ndarray | None = None

    def __post_init__(self) -> None:
        m, n = self.cost.shape
        if self.weight.shape != (m, n) or self.allowed.shape != (m, n):
            raise ValueError("cost, weight and allowed must all be agents x items")
        if self.capacity.shape != (m,):
            raise ValueError(f"capacity must have one entry per agent ({m})")
        if self.penalty is not None and self.penalty.shape != (n,):
            raise ValueError(f"penalty must have one entry per item ({n})")
        if (self.weight[self.allowed] < 0).any():
            raise ValueError("weights must not be negative")

    @property
    def agents(self) -> int:
        return int(self.cost.shape[0])

    @property
    def items(self) -> int:
        return int(self.cost.shape[1])

    @classmethod
    def dense(cls, cost: np.ndarray, weight: np.ndarray, capacity: np.ndarray,
              penalty: np.ndarray | None = None) -> AssignmentProblem:
        """Every pair allowed (unless heavier than the agent's capacity)."""
        cost, weight = np.asarray(cost, np.int64), np.asarray(weight, np.int64)
        capacity = np.asarray(capacity, np.int64)
        allowed = weight <= capacity[:, None]
        return cls(cost, weight, capacity, allowed,
                   None if penalty is None else np.asarray(penalty, np.int64))

    @classmethod
    def from_pairs(cls, capacity: list[int], items: int,
                   pairs: Mapping[tuple[int, int], tuple[int, int]],
                   penalty: list[int] | None = None) -> AssignmentProblem:
        """From ``{(agent, item): (weight, cost)}``; absent pairs are forbidden."""
        m = len(capacity)
        cost = np.zeros((m, items), np.int64)
        weight = np.zeros((m, items), np.int64)
        allowed = np.zeros((m, items), bool)
        for (a, i), (w, c) in pairs.items():
            weight[a, i], cost[a, i], allowed[a, i] = w, c, True
        cap = np.asarray(capacity, np.int64)
        allowed &= weight <= cap[:, None]
        return cls(cost, weight, cap, allowed,
                   None if penalty is None else np.asarray(penalty, np.int64))

    def objective(self, agent_of: np.ndarray) -> int:
        """Total cost of an assignment (penalties for unassigned items included)."""
        agent_of = np.asarray(agent_of)
        placed = agent_of != UNASSIGNED
        total = int(self.cost[agent_of[placed], np.flatnonzero(placed)].sum())
        if self.penalty is not None:
            total += int(self.penalty[~placed].sum())
        return total

    def violations(self, agent_of: np.ndarray) -> list[str]:
        """Why an assignment is not feasible, in words; empty when it is."""
        agent_of = np.asarray(agent_of)
        out = []
        for i in np.flatnonzero(agent_of == UNASSIGNED):
            if self.penalty is None:
                out.append(f"item {i} is unassigned")
        placed = np.flatnonzero(agent_of != UNASSIGNED)
        for i in placed:
            if not self.allowed[agent_of[i], i]:
                out.append(f"item {i} is given to agent {agent_of[i]}, a forbidden pair")
        for a, load in enumerate(self.loads(agent_of)):
            if load > self.capacity[a]:
                out.append(f"agent {a} carries {load}, above its capacity {self.capacity[a]}")
        return out

    def loads(self, agent_of: np.ndarray) -> np.ndarray:
        agent_of = np.asarray(agent_of)
        placed = np.flatnonzero(agent_of != UNASSIGNED)
        return np.bincount(agent_of[placed], self.weight[agent_of[placed], placed],
                           minlength=self.agents).astype(np.int64)


@dataclass(frozen=True)
class AssignmentResult:
    """What the search found: the agent of every item (``UNASSIGNED`` = -1), the objective,
    the proven lower bound, the status and the time taken."""

    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN (no assignment found in time)
    agent_of: tuple[int, ...]
    objective: int | None
    bound: int | None
    seconds: float
    deterministic_seconds: float
    log: dict[str, int] = field(default_factory=dict)  # neighbourhoods tried and improved

    @property
    def gap(self) -> float | None:
        """(objective - bound) / objective, the proven distance from optimal."""
        if self.objective is None or self.bound is None:
            return None
        return (self.objective - self.bound) / max(1, abs(self.objective))


def regret_start(problem: AssignmentProblem, given: np.ndarray | None = None) -> np.ndarray:
    """A greedy assignment by regret (Martello and Toth's desirability), completing
    ``given`` (a partial assignment) where one is passed.

    Repeatedly the item that would lose most by missing its cheapest agent with room goes to
    that agent. Items no agent has room for stay ``UNASSIGNED`` (the hint is then partial).
    """
    m, n = problem.agents, problem.items
    agent_of = np.full(n, UNASSIGNED, np.int64) if given is None else given.astype(np.int64)
    room = problem.capacity.astype(np.int64) - problem.loads(agent_of)
    open_items = agent_of == UNASSIGNED
    while open_items.any() and m:
        fits = problem.allowed & (problem.weight <= room[:, None]) & open_items[None, :]
        priced = np.where(fits, problem.cost, np.inf)
        ranked = np.sort(priced, axis=0)
        best = ranked[0]
        placeable = np.isfinite(best)
        if not placeable.any():
            break
        second = ranked[1] if m > 1 else np.full(n, np.inf)
        # An item with one agent left goes first: losing it would leave the item nowhere.
        regret = np.where(np.isfinite(second), second - np.where(placeable, best, 0), np.inf)
        regret = np.where(placeable, regret, -np.inf)
        i = int(np.argmax(regret))
        a = int(np.argmin(priced[:, i]))
        agent_of[i] = a
        room[a] -= problem.weight[a, i]
        open_items[i] = False
    return agent_of


def parameters(solver: cp_model.CpSolver, seed: int, time_limit: float, wall_seconds: float,
               workers: int = 1) -> None:
    """Deterministic CP-SAT: same model and seed, same answer, whatever the machine's load.

    The limit is CP-SAT's deterministic time; ``wall_seconds`` is only a backstop (a search
    stopped by it is the one thing that can differ between runs). Several workers are
    interleaved in one thread of control, never raced.
    """
    p = solver.parameters
    p.random_seed = seed
    p.num_workers = workers
    p.interleave_search = workers > 1
    p.max_deterministic_time = max(0.01, time_limit)
    p.max_time_in_seconds = max(0.01, wall_seconds)


@dataclass
class _Model:
    """A CP-SAT model of an assignment over some items and agents (a whole problem or a
    window of one); ``x`` holds (agent, item, literal) for every allowed pair."""

    model: cp_model.CpModel
    x: list[tuple[int, int, cp_model.IntVar]]
    u: dict[int, cp_model.IntVar]


def _build(problem: AssignmentProblem, items: np.ndarray, agents: np.ndarray,
           room: np.ndarray, allowed: np.ndarray | None = None,
           emptied: int | None = None) -> _Model:
    """The model of assigning ``items`` to ``agents`` with ``room`` left on each agent,
    over the problem's allowed pairs or over ``allowed`` (a subset of them).

    Per item an exactly-one row, per agent a capacity row: together they are the LP
    relaxation CP-SAT starts from. With ``emptied``, ties on cost are broken by the load
    given to that agent (the least wins): the cost is scaled so that no load outweighs one
    unit of it.
    """
    model = cp_model.CpModel()
    allowed = problem.allowed if allowed is None else allowed
    sub_allowed = allowed[np.ix_(agents, items)] & (
        problem.weight[np.ix_(agents, items)] <= room[agents][:, None])
    a_idx, i_idx = np.nonzero(sub_allowed)
    lits = [model.new_bool_var("") for _ in range(len(a_idx))]
    x = [(int(agents[a]), int(items[i]), v) for a, i, v in zip(a_idx, i_idx, lits)]
    by_item: dict[int, list[cp_model.IntVar]] = {int(i): [] for i in items}
    by_agent: dict[int, list[tuple[int, cp_model.IntVar]]] = {int(a): [] for a in agents}
    for a, i, v in x:
        by_item[i].append(v)
        by_agent[a].append((int(problem.weight[a, i]), v))
    u: dict[int, cp_model.IntVar] = {}
    scale = 1 if emptied is None else int(room[emptied]) + 1
    obj_vars: list[cp_model.IntVar] = list(lits)
    obj_coef = [scale * int(problem.cost[a, i])
                + (int(problem.weight[a, i]) if a == emptied else 0) for a, i, _ in x]
    for i, vs in by_item.items():
        if problem.penalty is not None:
            u[i] = model.new_bool_var("")
            model.add_exactly_one(vs + [u[i]])
            obj_vars.append(u[i])
            obj_coef.append(scale * int(problem.penalty[i]))
        else:
            model.add_exactly_one(vs)
    for a, pairs in by_agent.items():
        if pairs and sum(w for w, _ in pairs) > room[a]:
            model.add(cp_model.LinearExpr.weighted_sum([v for _, v in pairs],
                                                      [w for w, _ in pairs]) <= int(room[a]))
    model.minimize(cp_model.LinearExpr.weighted_sum(obj_vars, obj_coef))
    return _Model(model, x, u)


def _hint(built: _Model, agent_of: np.ndarray) -> None:
    for a, i, v in built.x:
        built.model.add_hint(v, bool(agent_of[i] == a))
    for i, v in built.u.items():
        built.model.add_hint(v, bool(agent_of[i] == UNASSIGNED))


def _read(built: _Model, solver: cp_model.CpSolver, agent_of: np.ndarray) -> np.ndarray:
    out = agent_of.copy()
    for i in built.u:
        out[i] = UNASSIGNED
    for a, i, v in built.x:
        if solver.boolean_value(v):
            out[i] = a
    return out


WALL_BACKSTOP = 3.0  # default wall-clock backstop, as a multiple of the deterministic limit
# The start from column generation (allocator.solver.assignment_dive) may take this share
# of the time, and its root this share: on the 100-item instances the root converges in
# 0.3 to 0.8 deterministic seconds, on the 200-item ones in 6 to 26, so there it stops
# at the root's share and the search goes on from the regret start.
DIVE_SHARE = 0.4
ROOT_SHARE = 0.08
FULL_SHARE = 0.05  # share of the time CP-SAT searches the whole model before the windows
WINDOW_LIMIT = 0.05  # deterministic seconds for one window's exact solve
WINDOW_ITEMS = 60  # items freed per window at first; grows while windows solve quickly
BUILD_SECONDS_PER_PAIR = 2e-5  # a window's model building, charged as deterministic time
WINDOW_SETUP_SECONDS = 0.005  # CP-SAT's setup of one window, which its own clock omits
RELATED_POWER = 3.0  # how sharply a window's next agent follows the LP's pull (1 = in
# proportion to it); sharper windows hold more of the exchanges an improvement needs
LP_SECONDS_PER_PAIR = 2e-5  # the LP relaxation that relates agents, charged likewise
PULL_SCALE = 0.3  # reduced costs are scaled by this share of their median
CORE_SHARE = 0.25  # a pair is in the core if its reduced cost is at most this share of
CORE_MIN = 2  # the median, or it is one of its item's this many cheapest by reduced cost


def solve_assignment(problem: AssignmentProblem, seed: int = 0, time_limit: float = 10.0,
                     workers: int = 1, wall_limit: float | None = None) -> AssignmentResult:
    """Assign every item to an agent at least cost; deterministic for a seed.

    ``time_limit`` is in CP-SAT's deterministic seconds (about wall seconds on an unloaded
    core); ``wall_limit`` is a backstop in wall seconds (default three times the limit);
    ``workers`` interleaved CP-SAT workers search the whole model.
    """
    from allocator.solver.assignment_dive import dive  # it builds on this module

    started = time.perf_counter()
    deadline = started + (WALL_BACKSTOP * time_limit if wall_limit is None else wall_limit)
    dived = dive(problem, DIVE_SHARE * time_limit, ROOT_SHARE * time_limit)
    spent = dived.seconds
    start = regret_start(problem)
    # The dive's plan is complete; the regret start may not be (then it is no plan at all
    # where every item must be placed, whatever it costs).
    regret_partial = problem.penalty is None and bool((start == UNASSIGNED).any())
    if dived.agent_of is not None and (
            regret_partial or problem.objective(dived.agent_of) < problem.objective(start)):
        start = dived.agent_of
    built = _build(problem, np.arange(problem.items), np.arange(problem.agents),
                   problem.capacity)
    _hint(built, start)
    solver = cp_model.CpSolver()
    # The whole model first, for its share.
    parameters(solver, seed, min(time_limit * FULL_SHARE, time_limit - spent),
               deadline - time.perf_counter(), workers)
    status = solver.solve(built.model)
    spent += solver.deterministic_time
    best = None
    if status == cp_model.UNKNOWN and problem.penalty is None \
            and bool((start == UNASSIGNED).any()) and time_limit - spent >= 0.01:
        # No plan yet, and the start places only some items: a plan from the hard rules
        # alone, which CP-SAT finds in a fraction of the time, and the windows from it.
        best, cost = _whole_start(built, start, seed, time_limit - spent,
                                  deadline - time.perf_counter())
        spent += cost
    if status == cp_model.UNKNOWN and best is None and time_limit - spent >= 0.01:
        # Still nothing: the whole model for all the time left.
        parameters(solver, seed, time_limit - spent, deadline - time.perf_counter(), workers)
        status = solver.solve(built.model)
        spent += solver.deterministic_time
    if best is not None:
        status = cp_model.FEASIBLE
        objective = problem.objective(best)
    elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = _read(built, solver, start)
        objective = round(solver.objective_value)
    name = STATUS_NAMES.get(status, str(status))
    if best is None:
        return AssignmentResult(name, tuple(int(a) for a in start), None, None,
                                time.perf_counter() - started, spent)
    bound = _proved_bound(solver.best_objective_bound, dived.bound)
    log: dict[str, int] = {}
    if status != cp_model.OPTIMAL:
        rc = _reduced_costs(problem)
        spent += LP_SECONDS_PER_PAIR * int(problem.allowed.sum())
        search = _Search(problem, bound, np.random.default_rng(seed), time_limit, deadline,
                         _pull(problem, rc), core_pairs(problem, rc))
        best, objective, spent, log = search.run(best, objective, spent)
        name = "OPTIMAL" if objective == bound else "FEASIBLE"
    return AssignmentResult(name, tuple(int(a) for a in best), objective,
                            None if bound == NO_BOUND else bound,
                            time.perf_counter() - started, spent, log)


NO_BOUND = -(1 << 62)  # neither CP-SAT nor the dive proved a finite bound


def _proved_bound(searched: float, dived: float) -> int:
    """The better of CP-SAT's bound (integral: every cost is an integer) and the dive's
    (rounded up), or :data:`NO_BOUND` if neither is finite."""
    bounds = []
    if math.isfinite(searched):
        bounds.append(round(searched))
    if math.isfinite(dived):
        bounds.append(math.ceil(dived))
    return max(bounds, default=NO_BOUND)


def _whole_start(built: _Model, start: np.ndarray, seed: int, time_limit: float,
                 wall_seconds: float) -> tuple[np.ndarray | None, float]:
    """A complete assignment from the model with its objective set aside (the hard rules
    alone), hinted with ``start``, and the deterministic seconds it took; None if none is
    found in ``time_limit``.

    On a tight instance whose regret start leaves items out, the whole model's search may
    find no plan in its share (d20200 given 8 seconds: none in 0.4, then 12,400 after all
    7 left, 1.27% above the best known, with no time for the windows). With the objective
    set aside CP-SAT finds a plan in under 0.1 deterministic seconds, a poor one (16,249
    there), which the windows improve (12,333 in the same 8 seconds)."""
    rules_only = built.model.clone()  # the same variables, so ``built`` reads its answer
    rules_only.clear_objective()
    solver = cp_model.CpSolver()
    parameters(solver, seed, time_limit, wall_seconds)
    status = solver.solve(rules_only)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    return _read(built, solver, start), solver.deterministic_time


@dataclass
class _Search:
    """The large-neighbourhood search: windows of items re-solved exactly, the plan kept
    whenever a window's answer is no worse (so the search also walks across plateaus)."""

    problem: AssignmentProblem
    bound: int
    rng: np.random.Generator
    time_limit: float
    deadline: float  # wall-clock backstop
    pull: np.ndarray | None = None  # (agents, items): how cheaply each item could move there
    core: np.ndarray | None = None  # (agents, items): the pairs windows may use

    def run(self, best: np.ndarray, objective: int,
            spent: float) -> tuple[np.ndarray, int, float, dict[str, int]]:
        size = WINDOW_ITEMS
        log = {"windows": 0, "improved": 0}
        while (spent < self.time_limit and objective > self.bound
               and time.perf_counter() < self.deadline):
            cand, status, cost = self.solve_window(best, size, self.time_limit - spent)
            spent += cost
            log["windows"] += 1
            if cand is not None:
                value = self.problem.objective(cand)
                log["improved"] += value < objective
                if value <= objective:
                    best, objective = cand, value
            # Windows proved quickly grow; windows cut short by their limit shrink.
            if status == cp_model.OPTIMAL:
                size = min(self.problem.items, size + 2)
            else:
                size = max(10, size - 4)
        return best, objective, spent, log

    def solve_window(self, best: np.ndarray, size: int,
                     left: float) -> tuple[np.ndarray | None, int, float]:
        """One window's exact re-solve: the new assignment (or None), status and the
        deterministic seconds it cost (model building and setup included).

        The window's items may go to the window's agents over core pairs only, and to the
        agent each holds now, so the current plan is always one of the window's answers.

        Of its cheapest answers the window keeps the one that leaves its roomiest agent the
        most room. On tight capacities many answers tie on cost and the hinted one (the
        plan as it is) would come back every time; gathering spare capacity on one agent
        instead lets later windows place there an item that no exchange among full agents
        can (scattering it over two agents, or filling one, did worse).
        """
        problem = self.problem
        items, agents = _window(problem, best, self.rng, size, self.pull)
        fixed = np.where(np.isin(np.arange(problem.items), items), UNASSIGNED, best)
        allowed = None
        if self.core is not None:
            allowed = self.core.copy()
            placed = np.flatnonzero(best != UNASSIGNED)
            allowed[best[placed], placed] = True
        spare = problem.capacity - problem.loads(best)
        built = _build(problem, items, agents, problem.capacity - problem.loads(fixed),
                       allowed, emptied=int(agents[np.argmax(spare[agents])]))
        _hint(built, best)
        solver = cp_model.CpSolver()
        parameters(solver, int(self.rng.integers(1 << 30)), min(WINDOW_LIMIT, left),
                   self.deadline - time.perf_counter())
        status = int(solver.solve(built.model))
        cost = (solver.deterministic_time + BUILD_SECONDS_PER_PAIR * len(built.x)
                + WINDOW_SETUP_SECONDS)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, status, cost
        return _read(built, solver, best), status, cost


def _reduced_costs(problem: AssignmentProblem) -> np.ndarray | None:
    """The LP relaxation's reduced cost of every pair (inf where forbidden), or None when
    the LP has no optimum."""
    m, n = problem.agents, problem.items
    lp = pywraplp.Solver.CreateSolver("GLOP")
    one = [lp.Constraint(1, 1) for _ in range(n)]
    cap = [lp.Constraint(-lp.infinity(), float(c)) for c in problem.capacity]
    objective = lp.Objective()
    pairs = list(zip(*np.nonzero(problem.allowed)))
    xs = []
    for a, i in pairs:
        x = lp.NumVar(0, 1, "")
        one[i].SetCoefficient(x, 1)
        cap[a].SetCoefficient(x, float(problem.weight[a, i]))
        objective.SetCoefficient(x, float(problem.cost[a, i]))
        xs.append(x)
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    rc = np.full((m, n), np.inf)
    for (a, i), x in zip(pairs, xs):
        rc[a, i] = max(0.0, x.reduced_cost())
    return rc


def _median_finite(rc: np.ndarray) -> float:
    finite = rc[np.isfinite(rc)]
    return max(1e-9, float(np.median(finite)) if finite.size else 1.0)


def _pull(problem: AssignmentProblem, rc: np.ndarray | None) -> np.ndarray:
    """How cheaply each item could move to each agent, by the LP relaxation: exp(-reduced
    cost / scale), near 1 for a move the LP prices at nothing, near 0 for a dear one.

    Windows built from agents that pull each other's items hold the exchanges an
    improvement needs; random agents mostly hold none.
    """
    if rc is None:
        return np.ones((problem.agents, problem.items))  # no guidance: all equally related
    return np.exp(-rc / (PULL_SCALE * _median_finite(rc)))


def core_pairs(problem: AssignmentProblem, rc: np.ndarray | None) -> np.ndarray | None:
    """The pairs the windows search: those the LP relaxation prices cheaply (reduced cost
    at most ``CORE_SHARE`` of the median), and each item's ``CORE_MIN`` cheapest.

    On tight instances a good plan sends nearly every item to one of its few cheapest
    agents by reduced cost. Windows over those pairs alone have a fraction of the
    variables, so windows of twice as many agents are still solved exactly in the time.
    None (every allowed pair) when there are no reduced costs.
    """
    if rc is None:
        return None
    rank = np.argsort(np.argsort(rc, axis=0, kind="stable"), axis=0, kind="stable")
    cheap = (rc <= CORE_SHARE * _median_finite(rc)) | (rank < CORE_MIN)
    return problem.allowed & cheap


def _window(problem: AssignmentProblem, agent_of: np.ndarray, rng: np.random.Generator,
            size: int, pull: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The items to free and the agents they may go to.

    A few agents that the LP relaxation says could trade items cheaply, with all their
    items, re-shared among them: on tight capacities an improvement needs items to leave
    and enter the same agents together. (With two agents or fewer, items scattered over
    every agent.)
    """
    m, n = problem.agents, problem.items
    if m <= 2:
        return np.sort(rng.choice(n, size=min(size, n), replace=False)), np.arange(m)
    k = int(min(m, max(2, round(size / max(1.0, n / m)))))
    if pull is None:
        agents = np.sort(rng.choice(m, size=k, replace=False))
    else:
        agents = _related_agents(pull, agent_of, rng, k)
    return np.flatnonzero(np.isin(agent_of, agents)), agents


def _related_agents(pull: np.ndarray, agent_of: np.ndarray, rng: np.random.Generator,
                    k: int) -> np.ndarray:
    """``k`` agents grown from a random one, each next agent drawn by how strongly the
    LP pulls items between it and those already chosen, raised to ``RELATED_POWER``.

    Drawing in plain proportion to the pull fills windows with weakly related agents whose
    items cannot trade; the sharper draw keeps windows on agents that can, while still
    varying from one window to the next.
    """
    m = pull.shape[0]
    placed = agent_of != UNASSIGNED
    flow = np.zeros((m, m))
    np.add.at(flow, agent_of[placed], pull[:, placed].T)
    flow = flow + flow.T
    np.fill_diagonal(flow, 0.0)
    chosen = [int(rng.integers(m))]
    for _ in range(k - 1):
        weight = flow[chosen].sum(axis=0) ** RELATED_POWER + 1e-3
        weight[chosen] = 0.0
        chosen.append(int(rng.choice(m, p=weight / weight.sum())))
    return np.sort(np.array(chosen))
