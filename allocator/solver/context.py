"""The CP-SAT model of one receiving service, with the variables constraints share.

Decomposition by receiving service is exact: a worker belongs to one service, and every
request names its receiving service, so no variable links two services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ortools.sat.python import cp_model

from allocator.problem import AllocationProblem, Request, Worker


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
                 limited_workers: frozenset[str] = frozenset()):
        self.problem = problem
        self.service = service
        self.model = cp_model.CpModel()
        self.requests: list[Request] = problem.requests_in(service)
        self.workers: list[Worker] = [problem.workers[w]
                                      for w in problem.service_workers.get(service, ())]
        self.blocked: dict[str, dict[str, str]] = {r.id: {} for r in self.requests}
        self.x: dict[tuple[str, str], cp_model.IntVar] = {}
        self.day: dict[tuple[str, date], cp_model.IntVar] = {}
        self.u: dict[str, cp_model.IntVar] = {}
        # (request, team) -> [(meeting day, var)]: filled by constraints.transfer_meeting
        self.meeting: dict[tuple[str, str], list[tuple[date, cp_model.IntVar]]] = {}
        self.meeting_teams = meeting_teams  # teams whose meeting slots are modelled exactly
        self.limited_workers = limited_workers  # workers whose weekly limit is modelled
        self.terms: list[Term] = []
        # assumption literals, each with the words that name it if the model is infeasible
        self.assumptions: list[tuple[cp_model.IntVar, str]] = []
        self._guards: dict[str, cp_model.IntVar] = {}

    def assume(self, label: str) -> cp_model.IntVar:
        """A new literal the solve assumes true; named in an infeasibility explanation."""
        lit = self.model.NewBoolVar(f"assume[{label}]")
        self.assumptions.append((lit, label))
        return lit

    def guard(self, constraint: str, rule: str) -> cp_model.IntVar:
        """The one enforcement literal of a hard-constraint group (see ``assume``)."""
        if constraint not in self._guards:
            self._guards[constraint] = self.assume(f"hard rule {constraint}: {rule}")
        return self._guards[constraint]

    def forbid(self, request: Request, worker: Worker, constraint: str) -> None:
        """Rule out ``worker`` for ``request``; the first constraint to do so is recorded."""
        self.blocked[request.id].setdefault(worker.id, constraint)

    def candidates(self, request: Request) -> list[Worker]:
        blocked = self.blocked[request.id]
        return [w for w in self.workers if w.id not in blocked]

    def create_variables(self) -> None:
        m = self.model
        for r in self.requests:
            self.u[r.id] = m.NewBoolVar(f"u[{r.id}]")
            for w in self.candidates(r):
                self.x[r.id, w.id] = m.NewBoolVar(f"x[{r.id},{w.id}]")
            for t in r.dates:
                self.day[r.id, t] = m.NewBoolVar(f"d[{r.id},{t}]")

    def worker_vars(self, request: Request) -> list[tuple[Worker, cp_model.IntVar]]:
        return [(w, self.x[request.id, w.id]) for w in self.workers
                if (request.id, w.id) in self.x]

    def request_vars(self, worker: Worker) -> list[tuple[Request, cp_model.IntVar]]:
        return [(r, self.x[r.id, worker.id]) for r in self.requests
                if (r.id, worker.id) in self.x]

    def load_expr(self, worker: Worker) -> cp_model.LinearExprT:
        """Weighted points the worker holds after the plan."""
        return worker.base_load + sum(r.points * v for r, v in self.request_vars(worker))

    def add_term(self, name: str, weight: int, expr: cp_model.LinearExprT,
                 ids: tuple[str, ...]) -> None:
        self.terms.append(Term(name, weight, expr, ids))
