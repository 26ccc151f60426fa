"""Why each child got their worker: what ruled others out, what the choice costs, and the
best alternative the model turned down, priced by the independent checker.

For each allocated request, the most promising other workers in the receiving service that
no hard rule ruled out (``ALTERNATIVES_TRIED`` of them) are tried in its place (same date if they are at work, else their first usable
date; the team's first meeting day with a free slot). The plan with that one change is
re-checked on its service alone; the cheapest alternative that breaks no hard rule is the
"best rejected alternative", and the terms that rise say why it lost.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
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


PARALLEL_FROM_REQUESTS = 2_000  # below this, starting processes costs more than it saves


def explain_plan(problem: AllocationProblem, plan: Plan,
                 blocked: dict[str, dict[str, str]]) -> dict[str, Explanation]:
    """An explanation for every request in ``plan``.

    Each explanation depends only on its service's problem and plan, so a large plan (a
    re-allocation explains every open child) is explained in one process per core, in
    parts of a service; the explanations are the same as one by one."""
    parts = []
    cores = os.cpu_count() or 1
    split = cores if cores > 1 and len(problem.requests) >= PARALLEL_FROM_REQUESTS else 1
    for service in problem.services:
        sub = service_problem(problem, service)
        ids = {r.id for r in sub.requests}
        sub_plan = Plan(tuple(a for a in plan.assignments if a.request_id in ids))
        sub_blocked = {r: blocked[r] for r in ids if r in blocked}
        pieces = split if len(sub.requests) >= PARALLEL_FROM_REQUESTS // 2 else 1
        for k in range(pieces):
            parts.append((sub, sub_plan, sub_blocked, k, pieces))
    if split == 1:
        explained = [_explain_part(*part) for part in parts]
    else:
        with ProcessPoolExecutor(max_workers=split) as pool:
            explained = list(pool.map(_explain_part, *zip(*parts)))
    out: dict[str, Explanation] = {}
    for part in explained:
        out.update(part)
    return {r.id: out[r.id] for r in problem.requests if r.id in out}


def _explain_part(sub: AllocationProblem, plan: Plan, blocked: dict[str, dict[str, str]],
                  part: int, parts: int) -> dict[str, Explanation]:
    """Explanations for the ``part``-th of ``parts`` shares of one service's requests.

    The shares go by the worker each child was given (every ``parts``-th worker), so that
    the children who share cuts (see :class:`_Cut`) are explained in one process."""
    index = _Index(sub, plan, check_plan(plan, sub))
    return {r.id: _explain(sub, index, r, blocked.get(r.id, {}))
            for i, r in enumerate(sub.requests) if _share(index, r.id, i, parts) == part}


def _share(index: _Index, request_id: str, position: int, parts: int) -> int:
    """The share a request is explained in: its worker's, or by position if unallocated."""
    worker = index.by_request[request_id].worker
    if worker in index.worker_order:
        return index.worker_order[worker] % parts
    return position % parts


class _Cut:
    """A service cut around one move (see :func:`_near`) and the plan's check on it, made
    once: every child a worker holds alone in their family cuts the same problem for the
    same other worker, so in a re-allocation most cuts and "before" checks repeat."""

    def __init__(self, problem: AllocationProblem, plan: Plan):
        self.problem = problem
        self.plan = plan
        self._before: CheckReport | None = None

    @property
    def before(self) -> CheckReport:
        """The unchanged plan checked on the cut (computed on first use)."""
        if self._before is None:
            self._before = check_plan(self.plan, self.problem)
        return self._before


class _Index:
    """One service's plan looked up by request, worker, team and family, and its priced
    terms by the ids they name: explaining thousands of children (a re-allocation) must
    not scan the whole plan for each."""

    def __init__(self, sub: AllocationProblem, plan: Plan, base: CheckReport):
        self.plan = plan
        self.by_request = plan.by_request()
        self.position = {x.request_id: i for i, x in enumerate(plan.assignments)}
        self.order = {q.id: i for i, q in enumerate(sub.requests)}
        self.by_worker: dict[str | None, set[str]] = defaultdict(set)
        self.by_team: dict[str | None, set[str]] = defaultdict(set)  # those meeting there
        meets = {q.id for q in sub.requests if q.needs_meeting}
        for x in plan.assignments:
            self.by_worker[x.worker].add(x.request_id)
            if x.request_id in meets:  # a team matters only through its meeting slots
                self.by_team[x.team].add(x.request_id)
        self.worker_order = {k: i for i, k in enumerate(sub.workers)}
        self.lead_order = {c: i for i, c in enumerate(sub.current_lead)}
        self.due_order = {c: i for i, c in enumerate(sub.due_children)}
        self.by_family: dict[str, set[str]] = defaultdict(set)
        for q in sub.requests:
            self.by_family[q.family_id].add(q.id)
        self.penalties = base.penalties
        self.penalties_naming: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(base.penalties):
            for name in set(p.ids):
                self.penalties_naming[name].append(i)
        self.cuts: dict[tuple[frozenset[str], str | None, str], _Cut] = {}

    def terms(self, *names: str | None) -> tuple[Penalty, ...]:
        """The priced terms naming any of ``names``, in the report's order."""
        found = sorted({i for n in names if n for i in self.penalties_naming.get(n, ())})
        return tuple(self.penalties[i] for i in found)


def _explain(sub: AllocationProblem, index: _Index, r: Request,
             blocked: dict[str, str]) -> Explanation:
    a = index.by_request[r.id]
    ruled = Counter(blocked.values())
    candidates = [w for w in sub.workers.values() if w.id not in blocked]
    terms = index.terms(r.id, a.worker, r.family_id)
    best = None
    if a.worker is not None:
        for w in _most_promising(sub, r, candidates, a.worker):
            cut = _near(sub, index, r, a, w)
            near_moved = _move(cut.problem, cut.plan, a, r, w)
            if near_moved is None:
                continue
            report = check_plan(near_moved, cut.problem)
            if not report.ok:
                continue
            before = cut.before
            extra = report.objective - before.objective
            if best is None or (extra, w.id) < (best.extra_cost, best.worker):
                after, base_terms = report.terms, before.terms
                rises = sorted(((t, after.get(t, 0) - base_terms.get(t, 0))
                                for t in set(after) | set(base_terms)),
                               key=lambda tv: (-tv[1], tv[0]))
                best = Alternative(w.id, w.team, near_moved.by_request()[r.id].on, extra,
                                   tuple((t, v) for t, v in rises if v > 0))
    return Explanation(r.id, r.child_id, a, tuple(sorted(ruled.items())), terms, best,
                       len(candidates))


def _near(sub: AllocationProblem, index: _Index, r: Request, a: Assignment,
          w: Worker) -> _Cut:
    """The problem and the plan cut down to what a move of ``r`` from ``a``'s worker to
    ``w`` can change: the child's family, everything the two workers hold, and everything
    the two teams meet about. Every term and hard rule is per request, worker, family or
    team day, so the difference in cost and any new violation are the same as on the whole
    service, at a fraction of the work on a large one."""
    ids = set(index.by_family[r.family_id]) | {r.id}
    ids |= index.by_worker.get(a.worker, set()) | index.by_worker.get(w.id, set())
    ids |= index.by_team.get(a.team, set()) | index.by_team.get(w.team, set())
    # The cut depends on nothing else: the same ids and workers give the same cut.
    key = (frozenset(ids), a.worker, w.id)
    cut = index.cuts.get(key)
    if cut is None:
        cut = index.cuts[key] = _cut(sub, index, ids, a, w)
    return cut


def _cut(sub: AllocationProblem, index: _Index, ids: set[str], a: Assignment,
         w: Worker) -> _Cut:
    """The problem and plan restricted to ``ids`` and the workers they involve."""
    requests = tuple(sub.requests[i] for i in sorted(index.order[q] for q in ids))
    children = {q.child_id for q in requests}
    plan = Plan(tuple(index.plan.assignments[i]
                      for i in sorted(index.position[q] for q in ids if q in index.position)))
    held = {x.worker for x in plan.assignments} | {a.worker, w.id}
    # Each cut keeps the service's order, found through the index rather than a scan.
    workers = sorted((k for k in held if k in index.worker_order), key=index.worker_order.get)
    leads = sorted((c for c in children if c in index.lead_order), key=index.lead_order.get)
    due = sorted((c for c in children if c in index.due_order), key=index.due_order.get)
    near = replace(sub, requests=requests,
                   workers={k: sub.workers[k] for k in workers},
                   current_lead={c: sub.current_lead[c] for c in leads},
                   due_children=tuple(due),
                   overrides=tuple(o for o in sub.overrides if o.request_id in ids))
    return _Cut(near, plan)


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
    """The plan with ``r`` given to ``w``: same date if possible, a free meeting slot (a
    re-allocated child needs none: they are handed over on ``w``'s first day at work)."""
    days = [t for t in r.dates if t in w.available]
    if not days:
        return None
    on = a.on if a.on in days else days[0]
    if not r.needs_meeting:
        new = replace(a, worker=w.id, team=w.team, on=r.handover_date(w), meeting=None)
        return Plan(tuple(new if x.request_id == r.id else x for x in plan.assignments))
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
