"""Hard: a manager's overrides are honoured: a child pinned to a worker or a date, or a
worker forbidden for a child. Each pin is an assumption literal, so an override that
cannot be honoured is named, with the rule it collides with, instead of being dropped."""

from __future__ import annotations

from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "manager_overrides"
KIND = "hard"
RULE = "Manager overrides (pins and exclusions) are honoured."


def _targets(ctx: ServiceModel):
    by_request = {r.id: r for r in ctx.requests}
    for o in ctx.problem.overrides:
        request = by_request.get(o.request_id)
        if request is not None:
            yield o, request


def restrict(ctx: ServiceModel) -> None:
    workers = {w.id: w for w in ctx.workers}
    for o, r in _targets(ctx):
        if o.action == "forbid_worker" and o.worker in workers:
            ctx.forbid(r, workers[o.worker], NAME)


def add(ctx: ServiceModel) -> None:
    m = ctx.model
    for o, r in _targets(ctx):
        if o.action == "forbid_worker":
            continue
        lit = ctx.assume(o.describe(ctx.blocked[r.id]))
        rows = [m.Add(ctx.u[r.id] == 0)]
        if o.action == "pin_worker":
            x = ctx.x.get((r.id, o.worker or ""))
            rows.append(m.Add(x == 1) if x is not None else m.AddBoolOr([]))  # ruled out
        else:
            day = ctx.day.get((r.id, o.on)) if o.on else None
            rows.append(m.Add(day == 1) if day is not None else m.AddBoolOr([]))  # unusable
        if lit is not None:
            for row in rows:
                row.OnlyEnforceIf(lit)


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    by_request = {a.request_id: a for a in plan.assignments}
    out = []
    for o in problem.overrides:
        a = by_request.get(o.request_id)
        if a is None and o.action == "forbid_worker":
            continue  # nothing to break; one_worker reports a missing request
        if a is None:
            out.append(Violation(NAME, (o.id,), "override's child is not in the plan"))
        elif o.action == "pin_worker" and a.worker != o.worker:
            out.append(Violation(NAME, (o.id, o.request_id), "pinned worker not used"))
        elif o.action == "pin_date" and a.on != o.on:
            out.append(Violation(NAME, (o.id, o.request_id), "pinned date not used"))
        elif o.action == "forbid_worker" and a.worker == o.worker:
            out.append(Violation(NAME, (o.id, o.request_id), "forbidden worker used"))
    return out
