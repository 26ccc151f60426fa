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

The result is priced and checked by the caller like any plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from allocator.plan import Assignment
from allocator.problem import AllocationProblem, Request, Worker
from allocator.solver.greedy import eligible
from constraints.balance import load_cost

MAX_PASSES = 50  # each pass tries every move once; most plans settle in a handful


def polish(problem: AllocationProblem, service: str, assignments: list[Assignment],
           candidates: dict[str, frozenset[str]] | None) -> list[Assignment]:
    """``assignments`` with re-allocated children moved while a move lowers the cost.

    ``candidates`` limits the workers tried for a request (a shortlist); None tries every
    worker of the service.
    """
    requests = {r.id: r for r in problem.requests_in(service)}
    pinned = {o.request_id for o in problem.overrides if o.action != "forbid_worker"}
    movable = [a for a in assignments if a.worker and requests[a.request_id].restructure
               and a.request_id not in pinned]
    if not movable:
        return assignments
    state = _State(problem, service, assignments, requests)
    pool = {w: problem.workers[w] for w in problem.service_workers.get(service, ())}
    options: dict[str, list[Worker]] = {}
    for a in movable:
        r = requests[a.request_id]
        ids = candidates.get(r.id, pool) if candidates is not None else pool
        options[r.id] = [pool[w] for w in sorted(ids) if w in pool and eligible(problem, r, pool[w])
                         and w not in state.co_workers.get(r.child_id, ())]
    families: dict[str, list[str]] = defaultdict(list)
    for a in movable:
        if requests[a.request_id].role == "lead":
            families[requests[a.request_id].family_id].append(a.request_id)
    for _ in range(MAX_PASSES):
        moved = False
        for a in movable:
            moved |= state.best_move([a.request_id], options[a.request_id])
        for family, ids in sorted(families.items()):
            if len(ids) > 1:
                common = [w for w in options[ids[0]]
                          if all(w in options[i] for i in ids[1:])]
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
        self.worker: dict[str, str | None] = {a.request_id: a.worker for a in assignments}
        self.load: dict[str, int] = {w: problem.workers[w].base_load
                                     for w in problem.service_workers.get(service, ())}
        self.family: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.co_workers: dict[str, set[str]] = defaultdict(set)
        for a in assignments:
            r = requests[a.request_id]
            if a.worker is None:
                continue
            self.load[a.worker] += r.points
            if r.role == "lead":
                self.family[r.family_id][a.worker] += 1
            else:
                self.co_workers[r.child_id].add(a.worker)

    def load_cost(self, w: Worker, load: int) -> int:
        return load_cost(self.weights, w, load)

    def pair_cost(self, r: Request, w: Worker) -> int:
        cost = 0
        if r.preferred and w.id not in r.preferred:
            cost += self.weights.continuity
        if r.locality and w.locality and w.locality != r.locality:
            cost += self.weights.locality
        return cost + self.weights.date_delay * r.dates.index(r.handover_date(w))

    def best_move(self, ids: list[str], options: list[Worker]) -> bool:
        """Move the requests ``ids`` (all on one worker) to the option that lowers the cost
        most, if any does."""
        here = {self.worker[i] for i in ids}
        if len(here) != 1 or None in here:
            return False
        source = self.problem.workers[here.pop() or ""]
        rs = [self.requests[i] for i in ids]
        points = sum(r.points for r in rs)
        leaving = self.load_cost(source, self.load[source.id] - points) \
            - self.load_cost(source, self.load[source.id])
        stay = sum(self.pair_cost(r, source) for r in rs)
        best, best_delta = None, 0
        for target in options:
            if target.id == source.id:
                continue
            delta = leaving + sum(self.pair_cost(r, target) for r in rs) - stay
            delta += self.load_cost(target, self.load[target.id] + points) \
                - self.load_cost(target, self.load[target.id])
            delta += self.weights.sibling_split * self._split_change(rs, source.id, target.id)
            if delta < best_delta:
                best, best_delta = target, delta
        if best is None:
            return False
        for r in rs:
            self.worker[r.id] = best.id
            if r.role == "lead":
                fam = self.family[r.family_id]
                fam[source.id] -= 1
                if not fam[source.id]:
                    del fam[source.id]
                fam[best.id] += 1
        self.load[source.id] -= points
        self.load[best.id] += points
        return True

    def _split_change(self, rs: list[Request], source: str, target: str) -> int:
        leads = [r for r in rs if r.role == "lead"]
        if not leads:
            return 0
        fam = self.family[leads[0].family_id]
        before = len(fam)
        after = before - (fam.get(source, 0) == len(leads)) + (fam.get(target, 0) == 0)
        return after - before

    def assignment(self, a: Assignment) -> Assignment:
        w = self.worker[a.request_id]
        if w == a.worker or w is None:
            return a
        worker = self.problem.workers[w]
        r = self.requests[a.request_id]
        return replace(a, worker=w, team=worker.team, on=r.handover_date(worker), meeting=None)
