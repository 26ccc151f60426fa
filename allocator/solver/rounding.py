"""A re-allocation's first plan from the bound's worker patterns.

The bound's master programme (allocator.solver.patterns) chooses whole caseloads: a set of
children for each worker, priced with the worker's load cost and the families' splits.
At its optimum most workers hold one pattern at full weight, so rounding it (each
worker's heaviest pattern, :meth:`patterns._Master.rounded`) gives a plan that costs
little more than the bound where generation nearly converged, far closer to the optimum
than a start that keeps every child with their current worker: on the 3,000-child
re-allocation's safeguarding service, made a full plan as below and polished, 224,000
against a bound of 216,789 (the greedy start polished: 230,910); on the 12,000-child one
694,650 against 648,508 (715,610), and the neighbourhood search from it ends at 670,520
(from the greedy start, with a bound of fewer re-solves: 699,050).

The master leaves out what only a full plan can say: managers' pins, the lead/co-worker
rule and the week's own transfers' meetings and limits. So only re-allocated children
the managers did not pin take the rounded worker; everyone else keeps their place in the
start plan, as do both of a child's requests where the rounding would give lead and
co-worker to one worker. The result is polished and then priced and checked like any
plan; the planner starts from it only if it passes and costs less.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from allocator.plan import Assignment
from allocator.problem import AllocationProblem


def rounded_plan(problem: AllocationProblem, service: str, start: list[Assignment],
                 rounded: np.ndarray) -> list[Assignment]:
    """``start`` (a complete plan of ``service``) with each re-allocated, unpinned child at
    the worker ``rounded`` gives it (a column of the service's workers per request, in the
    service's request order; -1 keeps the start's place)."""
    requests = problem.requests_in(service)
    workers = problem.service_workers.get(service, ())
    pinned = {o.request_id for o in problem.overrides if o.action != "forbid_worker"}
    was = {a.request_id: a for a in start}
    placed = dict(was)
    for r, column in zip(requests, rounded.tolist()):
        if not r.restructure or r.id in pinned or column < 0:
            continue
        worker = problem.workers[workers[column]]
        placed[r.id] = replace(was[r.id], worker=worker.id, team=worker.team,
                               on=r.handover_date(worker), meeting=None, blocked_by=())
    by_child: dict[str, list[str]] = {}
    for r in requests:
        by_child.setdefault(r.child_id, []).append(r.id)
    for ids in by_child.values():
        if len(ids) > 1 and _shared(placed, ids):
            for i in ids:  # the start gave them different workers
                placed[i] = was[i]
    return [placed[a.request_id] for a in start]


def _shared(placed: dict[str, Assignment], ids: list[str]) -> bool:
    """Whether two of one child's requests (lead and co-worker) share a worker."""
    held = [placed[i].worker for i in ids if placed[i].worker is not None]
    return len(held) != len(set(held))
