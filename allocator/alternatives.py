"""Why each child got their worker: what ruled others out, what the choice costs, and the
best alternative the model turned down, priced by the independent checker.

For each allocated request, the most promising other workers in the receiving service that
no hard rule ruled out (``ALTERNATIVES_TRIED`` of them) are tried in its place (same date if they are at work, else their first usable
date; the team's first meeting day with a free slot). The plan with that one change is
re-checked on its service alone; the cheapest alternative that breaks no hard rule is the
"best rejected alternative", and the terms that rise say why it lost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from allocator.checker import CheckReport, check_plan
from allocator.plan import Assignment, Penalty, Plan
from allocator.problem import AllocationProblem, Request, Worker
from allocator.problem import last_meeting_day


@dataclass(frozen=True)
class Alternative:
    worker: str
    team: str
    on: object
    extra_cost: int
    rises: tuple[tuple[str, int], ...]  # (term, increase), largest first


@dataclass(frozen=True)
class Explanation:
    request_id: str
    child_id: str
    assignment: Assignment
    ruled_out: tuple[tuple[str, int], ...]  # (hard rule, workers it ruled out)
    terms: tuple[Penalty, ...]  # objective terms naming this request
    alternative: Alternative | None
    candidates: int  # workers no hard rule ruled out


def service_problem(problem: AllocationProblem, service: str) -> AllocationProblem:
    """The problem cut down to one receiving service (terms never cross services)."""
    requests = tuple(r for r in problem.requests if r.service == service)
    children = {r.child_id for r in requests}
    workers = {w: problem.workers[w] for w in problem.service_workers.get(service, ())}
    return replace(problem, requests=requests, workers=workers,
                   service_workers={service: tuple(sorted(workers))},
                   current_lead={c: w for c, w in problem.current_lead.items() if c in children},
                   due_children=tuple(c for c in problem.due_children if c in children),
                   overrides=tuple(o for o in problem.overrides
                                   if o.request_id in {r.id for r in requests}))


def explain_plan(problem: AllocationProblem, plan: Plan,
                 blocked: dict[str, dict[str, str]]) -> dict[str, Explanation]:
    """An explanation for every request in ``plan``."""
    out: dict[str, Explanation] = {}
    for service in problem.services:
        sub = service_problem(problem, service)
        ids = {r.id for r in sub.requests}
        sub_plan = Plan(tuple(a for a in plan.assignments if a.request_id in ids))
        base = check_plan(sub_plan, sub)
        for r in sub.requests:
            out[r.id] = _explain(sub, sub_plan, base, r, blocked.get(r.id, {}))
    return out


def _explain(sub: AllocationProblem, plan: Plan, base: CheckReport, r: Request,
             blocked: dict[str, str]) -> Explanation:
    a = plan.by_request()[r.id]
    ruled = Counter(blocked.values())
    candidates = [w for w in sub.workers.values() if w.id not in blocked]
    terms = tuple(p for p in base.penalties if r.id in p.ids or (a.worker and a.worker in p.ids)
                  or r.family_id in p.ids)
    best = None
    if a.worker is not None:
        for w in _most_promising(sub, r, candidates, a.worker):
            moved = _move(sub, plan, a, r, w)
            if moved is None:
                continue
            near, near_plan, near_moved = _near(sub, plan, moved, r, a, w)
            before, report = check_plan(near_plan, near), check_plan(near_moved, near)
            if not report.ok:
                continue
            extra = report.objective - before.objective
            if best is None or (extra, w.id) < (best.extra_cost, best.worker):
                after, base_terms = report.terms, before.terms
                rises = sorted(((t, after.get(t, 0) - base_terms.get(t, 0))
                                for t in set(after) | set(base_terms)),
                               key=lambda tv: (-tv[1], tv[0]))
                best = Alternative(w.id, w.team, moved.by_request()[r.id].on, extra,
                                   tuple((t, v) for t, v in rises if v > 0))
    return Explanation(r.id, r.child_id, a, tuple(sorted(ruled.items())), terms, best,
                       len(candidates))


def _near(sub: AllocationProblem, plan: Plan, moved: Plan, r: Request, a: Assignment,
          w: Worker) -> tuple[AllocationProblem, Plan, Plan]:
    """The problem and both plans cut down to what a move of ``r`` from ``a``'s worker to
    ``w`` can change: the child's family, everything the two workers hold, and everything
    the two teams meet about. Every term and hard rule is per request, worker, family or
    team day, so the difference in cost and any new violation are the same as on the whole
    service, at a fraction of the work on a large one."""
    workers, teams = {a.worker, w.id}, {a.team, w.team}
    ids = {x.request_id for x in plan.assignments if x.worker in workers or x.team in teams}
    ids |= {q.id for q in sub.requests if q.family_id == r.family_id}
    ids.add(r.id)
    requests = tuple(q for q in sub.requests if q.id in ids)
    children = {q.child_id for q in requests}
    held = {x.worker for x in plan.assignments if x.request_id in ids} | workers
    near = replace(sub, requests=requests,
                   workers={k: v for k, v in sub.workers.items() if k in held},
                   current_lead={c: x for c, x in sub.current_lead.items() if c in children},
                   due_children=tuple(c for c in sub.due_children if c in children),
                   overrides=tuple(o for o in sub.overrides if o.request_id in ids))

    def cut(p: Plan) -> Plan:
        return Plan(tuple(x for x in p.assignments if x.request_id in ids))

    return near, cut(plan), cut(moved)


ALTERNATIVES_TRIED = 8  # per child: the most promising other workers, priced in full


def _most_promising(sub: AllocationProblem, r: Request, candidates: list[Worker],
                    chosen: str | None) -> list[Worker]:
    """Other eligible workers, best first by what the child alone would cost them: a worker
    who knows the child, then same locality, then room before the busy line."""
    from constraints.balance import busy_line

    def score(w: Worker) -> tuple[object, ...]:
        room = busy_line(w.capacity, w.base_load) - w.base_load - r.points
        return (w.id not in r.preferred, r.locality is not None and w.locality != r.locality,
                -room, w.id)

    others = [w for w in candidates if w.id != chosen]
    return sorted(others, key=score)[:ALTERNATIVES_TRIED]


def _move(sub: AllocationProblem, plan: Plan, a: Assignment, r: Request,
          w: Worker) -> Plan | None:
    """The plan with ``r`` given to ``w``: same date if possible, a free meeting slot."""
    days = [t for t in r.dates if t in w.available]
    if not days:
        return None
    on = a.on if a.on in days else days[0]
    used = Counter((x.team, x.meeting) for x in plan.assignments if x.request_id != r.id)
    team = sub.teams[w.team]
    meetings = [t for t in sub.meeting_days(w.team, last_meeting_day(r))
                if used[w.team, t] < team.meeting_slots]
    if not meetings:
        return None
    before = [t for t in meetings if t <= on]
    meeting = before[-1] if before else meetings[0]
    new = replace(a, worker=w.id, team=w.team, on=on, meeting=meeting)
    return Plan(tuple(new if x.request_id == r.id else x for x in plan.assignments))
