"""The CP-SAT model of one receiving service, with the variables constraints share.

Decomposition by receiving service is exact: a worker belongs to one service, and every
request names its receiving service, so no variable links two services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from ortools.sat.python import cp_model

from allocator.calendar import working_days_between
from allocator.problem import AllocationProblem, Request, Worker, last_meeting_day


EXACT_UP_TO_REQUESTS = 40
"""A service with at most this many requests is solved exactly, round by round; a larger
one is searched by neighbourhoods from a relaxation that counts meeting slots."""


@dataclass
class Term:
    """A named objective term: ``weight * expr``, attributed to ``ids``."""

    name: str
    weight: int
    expr: cp_model.LinearExprT
    ids: tuple[str, ...]


class ServiceModel:
    """Variables: ``x[r, w]`` worker w takes request r; ``day[r, t]`` r moves on date t;
    ``u[r]`` r is listed unallocated. Constraints first forbid pairs (``forbid``), then
    variables are created for what is left, then each constraint adds its rows and terms.
    """

    def __init__(self, problem: AllocationProblem, service: str,
                 meeting_teams: frozenset[str] = frozenset(),
                 limited_workers: frozenset[str] = frozenset(), explaining: bool = False,
                 dated: frozenset[str] | None = None,
                 shortlist: dict[str, frozenset[str]] | None = None):
        self.problem = problem
        self.service = service
        self.model = cp_model.CpModel()
        self.requests: list[Request] = problem.requests_in(service)
        self.workers: list[Worker] = [problem.workers[w]
                                      for w in problem.service_workers.get(service, ())]
        self.worker_order = {w.id: i for i, w in enumerate(self.workers)}
        # request -> the workers the model considers for it; None: every worker. A large
        # re-allocation considers a shortlist (allocator.solver.shortlist) and proves its
        # bound over every worker by other means.
        self.shortlist = shortlist
        self.blocked: dict[str, dict[str, str]] = {r.id: {} for r in self.requests}
        self.x: dict[tuple[str, str], cp_model.IntVar] = {}
        self.day: dict[tuple[str, date], cp_model.IntVar] = {}
        self.u: dict[str, cp_model.IntVar] = {}
        # (request, team) -> [(meeting day, var)]: filled by constraints.transfer_meeting
        self.meeting: dict[tuple[str, str], list[tuple[date, cp_model.IntVar]]] = {}
        self.meeting_teams = meeting_teams  # teams whose meeting slots are modelled exactly
        self.limited_workers = limited_workers  # workers whose weekly limit is modelled
        self.explaining = explaining  # build with assumption literals to explain infeasibility
        # Requests with date variables; None: all. For the others the date follows from the
        # worker: their first usable day at work (``implied_date``).
        self.dated = frozenset(r.id for r in self.requests) if dated is None else dated
        self._by_request: dict[str, list[tuple[Worker, cp_model.IntVar]]] = {}
        self._by_worker: dict[str, list[tuple[Request, cp_model.IntVar]]] = {}
        self._implied: dict[tuple[str, str], date] = {}
        # per worker: (weight, var, threshold) for each convex load term (see model.py's cut)
        self.load_terms: dict[str, list[tuple[int, cp_model.IntVar, int]]] = {}
        self.terms: list[Term] = []
        # assumption literals, each with the words that name it if the model is infeasible
        self.assumptions: list[tuple[cp_model.IntVar, str]] = []
        self._guards: dict[str, cp_model.IntVar] = {}

    def assume(self, label: str) -> cp_model.IntVar | None:
        """In explaining mode, a new literal the solve assumes true, named in the explanation
        if the model is infeasible; otherwise None (the caller's row is simply enforced).

        Assumptions switch off CP-SAT's presolve reductions and parallel search, so a plan is
        solved without them and the model is rebuilt with them only to explain a failure.
        """
        if not self.explaining:
            return None
        lit = self.model.NewBoolVar(f"assume[{label}]")
        self.assumptions.append((lit, label))
        return lit

    def enforce(self, ct: cp_model.Constraint, constraint: str, rule: str) -> None:
        """Tie a hard row to its group's one assumption literal when explaining."""
        if not self.explaining:
            return
        if constraint not in self._guards:
            lit = self.assume(f"hard rule {constraint}: {rule}")
            assert lit is not None
            self._guards[constraint] = lit
        ct.OnlyEnforceIf(self._guards[constraint])

    def forbid(self, request: Request, worker: Worker, constraint: str) -> None:
        """Rule out ``worker`` for ``request``; the first constraint to do so is recorded."""
        self.blocked[request.id].setdefault(worker.id, constraint)

    def pool(self, request: Request) -> list[Worker]:
        """The workers considered for ``request``, before the hard rules rule any out."""
        if self.shortlist is None or request.id not in self.shortlist:
            return self.workers
        listed = self.shortlist[request.id]
        return [w for w in self.workers if w.id in listed]

    def candidates(self, request: Request) -> list[Worker]:
        blocked = self.blocked[request.id]
        return [w for w in self.pool(request) if w.id not in blocked]

    def create_variables(self) -> None:
        m = self.model
        for r in self.requests:
            self.u[r.id] = m.NewBoolVar(f"u[{r.id}]")
            pairs = []
            for w in self.candidates(r):
                x = m.NewBoolVar(f"x[{r.id},{w.id}]")
                self.x[r.id, w.id] = x
                pairs.append((w, x))
                self._by_worker.setdefault(w.id, []).append((r, x))
            self._by_request[r.id] = pairs
            if r.id in self.dated:
                for t in r.dates:
                    self.day[r.id, t] = m.NewBoolVar(f"d[{r.id},{t}]")

    def worker_vars(self, request: Request) -> list[tuple[Worker, cp_model.IntVar]]:
        return self._by_request.get(request.id, [])

    def request_vars(self, worker: Worker) -> list[tuple[Request, cp_model.IntVar]]:
        return self._by_worker.get(worker.id, [])

    @property
    def is_large(self) -> bool:
        return len(self.requests) > EXACT_UP_TO_REQUESTS

    def is_dated(self, request: Request) -> bool:
        return request.id in self.dated

    def implied_date(self, request: Request, worker: Worker) -> date:
        """An undated request's date with this worker (:func:`implied_date`), cached."""
        key = (request.id, worker.id)
        if key not in self._implied:
            self._implied[key] = implied_date(self.problem, request, worker)
        return self._implied[key]

    def date_terms(self, request: Request) -> list[tuple[date, cp_model.IntVar]]:
        """(date, literal) pairs whose literal is true when the request moves on that date.

        For a dated request the literals are its date variables; for an undated one, its
        worker variables, each carrying the date it implies.
        """
        if request.id in self.dated:
            return [(t, self.day[request.id, t]) for t in request.dates]
        return [(self.implied_date(request, w), x) for w, x in self.worker_vars(request)]

    def load_expr(self, worker: Worker) -> cp_model.LinearExprT:
        """Weighted points the worker holds after the plan."""
        return worker.base_load + sum(r.points * v for r, v in self.request_vars(worker))

    def add_points_above(self, name: str, weight: int, worker: Worker,
                         line: Callable[[Worker], int]) -> None:
        """Price the points the plan adds to ``worker`` above ``line(worker)``.

        The shared shape of the capacity and balance terms: an exact ``max(0, load - line)``
        variable (exact at any solution, not only an optimal one), weighted, and recorded
        for the load-cost cut.
        """
        pairs = self.request_vars(worker)
        limit = line(worker)
        top = worker.base_load + sum(r.points for r, _ in pairs)
        if not pairs or top <= limit:
            return
        var = self.model.NewIntVar(0, top - limit, f"{name}[{worker.id}]")
        self.model.AddMaxEquality(var, [0, self.load_expr(worker) - limit])
        self.add_term(name, weight, var, (worker.id,))
        self.load_terms.setdefault(worker.id, []).append((weight, var, limit))

    def add_term(self, name: str, weight: int, expr: cp_model.LinearExprT,
                 ids: tuple[str, ...]) -> None:
        self.terms.append(Term(name, weight, expr, ids))


def implied_date(problem: AllocationProblem, request: Request, worker: Worker) -> date:
    """An undated request's date with this worker: the cheapest usable day at work.

    Each day is priced as the date and late-meeting terms price it, the meeting on the
    team's first meeting day (slots aside); ties go to the earliest day. A re-allocated
    child's is their handover date (no meeting to wait for).
    """
    if request.restructure:
        return request.handover_date(worker)
    w = problem.config.weights
    start = problem.plan_date
    meet = working_days_between(
        start, problem.meeting_days(worker.team, last_meeting_day(request))[0])

    def cost(i_t: tuple[int, date]) -> tuple[int, int]:
        i, t = i_t
        late = max(0, meet - working_days_between(start, t))
        return w.date_delay * i + w.late_meeting * late, i

    usable = [(i, t) for i, t in enumerate(request.dates) if t in worker.available]
    return min(usable, key=cost)[1]
