"""Soft: siblings moving into a service go to the same worker, not only the same team."""

from __future__ import annotations

from collections import defaultdict

from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "siblings_together"
KIND = "soft"
RULE = "Siblings are allocated to the same worker wherever possible."


def add(ctx: ServiceModel) -> None:
    weight = ctx.problem.config.weights.sibling_split
    families: dict[str, list] = defaultdict(list)
    for r in ctx.requests:
        if r.role == "lead":
            families[r.family_id].append(r)
    for family, reqs in sorted(families.items()):
        if len(reqs) < 2:
            continue
        at: dict[str, list] = defaultdict(list)  # worker -> the siblings' literals
        for r in reqs:
            for w, x in ctx.worker_vars(r):
                at[w.id].append(x)
        used = []
        for wid in sorted(at, key=ctx.worker_order.__getitem__):
            xs = at[wid]
            z = ctx.model.NewBoolVar(f"fam[{family},{wid}]")
            ctx.model.AddMaxEquality(z, xs)  # z is exactly "w takes one of the siblings"
            used.append(z)
        split = ctx.model.NewIntVar(0, max(0, len(reqs) - 1), f"split[{family}]")
        ctx.model.AddMaxEquality(split, [0, sum(used) - 1])
        ctx.add_term(NAME, weight, split, (family,))


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    weight = problem.config.weights.sibling_split
    requests = {r.id: r for r in problem.requests}
    workers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in plan.assignments:
        r = requests[a.request_id]
        if r.role == "lead" and a.worker is not None:
            workers[r.family_id, r.service].add(a.worker)
    return [Penalty(NAME, (family,), weight * (len(ws) - 1), f"split across {len(ws)} workers")
            for (family, _), ws in sorted(workers.items()) if len(ws) > 1]
