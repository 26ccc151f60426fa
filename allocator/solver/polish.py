"""Local moves that polish a re-allocation's plan: a child, or a whole family, to another
worker whenever that lowers the plan's cost.

A full re-allocation places thousands of children in one service. CP-SAT's neighbourhood
search re-solves a few dozen at a time and each sub-solve presolves the whole model, so
at that size it runs out of time with easy improvements left: a child on a worker far
over capacity who would cost less with a colleague who has room. Re-allocated children
have no meeting and no weekly limit (allocator.restructure), so the cost of moving one is
exact and local: the two workers' load costs, the child's own continuity, locality and
date terms, and the family's split. This module makes every such move that lowers the
cost, in a fixed order, until none is left. Only re-allocated children move; the week's
own transfers, and children a manager pinned, keep the places the model gave them.

Every option of a move is priced at once with numpy: a child's own terms at each worker
come from the Lagrangian bound's pair costs (allocator.solver.lagrangian, the same terms
the model prices), the load costs from the workers' loads as arrays. The result is priced
and checked by the caller like any plan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import numpy as np

from allocator.plan import Assignment
from allocator.problem import AllocationProblem, Request
from allocator.solver.lagrangian import service_arrays
from constraints.balance import busy_line, load_costs

MAX_PASSES = 50  # each pass tries every move once; most plans settle in a handful


@dataclass(frozen=True)
class _Options:
    """The workers a child or family may move to (columns, in worker id order) and what
    their own terms cost there."""

    columns: np.ndarray
    own: np.ndarray


def polish(problem: AllocationProblem, service: str, assignments: list[Assignment],
           candidates: dict[str, frozenset[str]] | None) -> list[Assignment]:
    """``assignments`` with re-allocated children moved while a move lowers the cost.

    ``candidates`` limits the workers tried for a request (a shortlist); None tries every
    worker of the service.
    """
    requests = {r.id: r for r in problem.requests_in(service)}
    pinned = {o.request_id for o in problem.overrides if o.action != "forbid_worker"}
    movable = [a.request_id for a in assignments if a.worker
               and requests[a.request_id].restructure and a.request_id not in pinned]
    if not movable:
        return assignments
    state = _State(problem, service, assignments, requests)
    options = {i: state.options(requests[i], candidates) for i in movable}
    families: dict[str, list[str]] = defaultdict(list)
    for i in movable:
        if requests[i].role == "lead":
            families[requests[i].family_id].append(i)
    groups = []
    for _, ids in sorted(families.items()):
        if len(ids) > 1:
            common = options[ids[0]].columns
            for i in ids[1:]:
                common = common[np.isin(common, options[i].columns)]
            groups.append((ids, _Options(common, sum(state.own[state.row[i], common]
                                                     for i in ids))))
    for _ in range(MAX_PASSES):
        moved = False
        for i in movable:
            moved |= state.best_move([i], options[i])
        for ids, common in groups:
            moved |= state.best_move(ids, common)
        if not moved:
            break
    return [state.assignment(a) for a in assignments]


class _State:
    """Where each request is, each worker's load and each family's workers, with the exact
    change in cost of a move."""

    def __init__(self, problem: AllocationProblem, service: str,
                 assignments: list[Assignment], requests: dict[str, Request]):
        self.problem = problem
        self.weights = problem.config.weights
        self.requests = requests
        self.ids = list(problem.service_workers.get(service, ()))
        self.column = {w: j for j, w in enumerate(self.ids)}
        self.row = {r.id: i for i, r in enumerate(problem.requests_in(service))}
        # Each pair's own terms (continuity, locality, handover date); inf where a hard
        # rule forbids it. Exact integers, as the model's terms are.
        self.own = service_arrays(problem, service).cost
        workers = [problem.workers[w] for w in self.ids]
        self.load = np.array([x.base_load for x in workers], dtype=np.int64)
        self.full = np.array([max(x.capacity, x.base_load) for x in workers], dtype=np.int64)
        self.busy = np.array([busy_line(x.capacity, x.base_load) for x in workers],
                             dtype=np.int64)
        self.worker: dict[str, int | None] = {}
        self.family: dict[str, Counter[int]] = defaultdict(Counter)
        self.co_workers: dict[str, set[str]] = defaultdict(set)
        for a in assignments:
            r = requests[a.request_id]
            self.worker[r.id] = None if a.worker is None else self.column[a.worker]
            if a.worker is None:
                continue
            self.load[self.column[a.worker]] += r.points
            if r.role == "lead":
                self.family[r.family_id][self.column[a.worker]] += 1
            else:
                self.co_workers[r.child_id].add(a.worker)

    def options(self, r: Request, candidates: dict[str, frozenset[str]] | None) -> _Options:
        """The workers ``r`` may go to: its hard rules met, not the child's co-worker, and
        on its shortlist if there is one."""
        ids = self.ids if candidates is None else candidates.get(r.id, self.ids)
        allowed = [w for w in sorted(ids) if w in self.column
                   and w not in self.co_workers.get(r.child_id, ())]
        columns = np.array([self.column[w] for w in allowed], dtype=np.int64)
        own = self.own[self.row[r.id], columns] if len(columns) else np.zeros(0)
        keep = np.isfinite(own)
        return _Options(columns[keep], own[keep].astype(np.int64))

    def _load_cost(self, columns: np.ndarray | int, load: np.ndarray | int) -> np.ndarray:
        return load_costs(self.weights, np.asarray(load), self.busy[columns], self.full[columns])

    def best_move(self, ids: list[str], options: _Options) -> bool:
        """Move the requests ``ids`` (all on one worker) to the option that lowers the cost
        most (the first such in worker order), if any does."""
        here = {self.worker[i] for i in ids}
        if len(here) != 1 or None in here or len(options.columns) == 0:
            return False
        source = here.pop()
        assert source is not None
        rs = [self.requests[i] for i in ids]
        points = sum(r.points for r in rs)
        leaving = int(self._load_cost(source, self.load[source] - points)
                      - self._load_cost(source, self.load[source]))
        here_own = self.own[[self.row[r.id] for r in rs], source]
        if not np.isfinite(here_own).all():
            return False  # not a place the pair costs price (never so for the model's plans)
        stay = int(here_own.sum())
        load = self.load[options.columns]
        delta = (leaving - stay + options.own + self._load_cost(options.columns, load + points)
                 - self._load_cost(options.columns, load))
        leads = [r for r in rs if r.role == "lead"]
        if leads:  # the family's split: one worker fewer if all leave, one more if new
            fam = self.family[leads[0].family_id]
            gone = int(fam.get(source, 0) == len(leads))
            joins = ~np.isin(options.columns, list(fam))
            delta = delta + self.weights.sibling_split * (joins.astype(np.int64) - gone)
        delta[options.columns == source] = 0
        k = int(np.argmin(delta))
        if delta[k] >= 0:
            return False
        target = int(options.columns[k])
        for r in rs:
            self.worker[r.id] = target
            if r.role == "lead":
                fam = self.family[r.family_id]
                fam[source] -= 1
                if not fam[source]:
                    del fam[source]
                fam[target] += 1
        self.load[source] -= points
        self.load[target] += points
        return True

    def assignment(self, a: Assignment) -> Assignment:
        column = self.worker[a.request_id]
        if column is None or self.ids[column] == a.worker:
            return a
        worker = self.problem.workers[self.ids[column]]
        r = self.requests[a.request_id]
        return replace(a, worker=worker.id, team=worker.team, on=r.handover_date(worker),
                       meeting=None)
