"""Shortlists of workers for large services.

A model with a variable for every (request, worker) pair grows with the product of the
two: a 12,000-child council's safeguarding service has 143 children moving among 348
workers in a week, and a full re-allocation of it thousands of children. Most pairs are
hopeless: another locality, a worker already over capacity, a team that meets too late.
The shortlist keeps, for each request, the workers who know the child or family, any
worker a manager pinned, and the cheapest others; below :data:`SHORTLIST_FROM_PAIRS` pairs
(a weekly plan's service: :data:`WEEKLY_FROM_PAIRS`), or where a service is small enough to
be solved whole, every worker is kept.

A shortlisted model's own bound holds only for the shortlist: the bound the solver reports
for such a service comes from allocator.solver.lagrangian, which prices every worker.
"""

from __future__ import annotations

from collections import defaultdict

from allocator.calendar import working_days_between
from allocator.plan import Plan
from allocator.problem import AllocationProblem, Request, Worker, last_meeting_day
from allocator.solver.context import EXACT_UP_TO_REQUESTS
from allocator.solver.greedy import eligible
from constraints.balance import load_cost

SHORTLIST_FROM_PAIRS = 30_000  # (request, worker) pairs in a re-allocating service
SHORTLIST_SIZE = 12  # workers with room per re-allocated child, besides those who know them
# A weekly plan's service: shortlist from this many pairs. Measured at 12,000 children:
# the assessment service (114 requests, 126 workers) plans 26,890 shortlisted against
# 28,250 with every worker, in the same budget. A service small enough to be solved whole
# (allocator.solver.context.EXACT_UP_TO_REQUESTS) keeps every worker, so the bound its
# solve proves holds for the full model: the 12,000-child week's care service (34
# requests, 199 workers) plans the same 6,070 either way, proved optimal only unlisted
# (shortlisted, the bound was the Lagrangian 5,343).
WEEKLY_FROM_PAIRS = 5_000
WEEKLY_SIZE = 36  # cheapest workers per weekly request ...
PER_TEAM = 4  # ... at most this many from one team, so meeting slots have somewhere to go


def worker_shortlist(problem: AllocationProblem, service: str,
                          start: Plan | None = None) -> dict[str, frozenset[str]] | None:
    """Per re-allocated request, the workers its model considers; None: every worker.

    Kept: the child's current lead and every worker who knows the family (continuity), any
    worker a manager pinned, and the :data:`SHORTLIST_SIZE` workers with the most room
    (lowest load for their capacity) who may take the child, those in the child's locality
    first. Requests of the week's own transfers keep every worker.

    Each request also keeps its worker in ``start`` (the greedy plan the search starts
    from), so that plan stays a plan of the shortlisted model.
    """
    requests = problem.requests_in(service)
    workers = [problem.workers[w] for w in problem.service_workers.get(service, ())]
    pairs = len(requests) * len(workers)
    weekly = [r for r in requests if not r.restructure]
    if pairs < SHORTLIST_FROM_PAIRS and (len(weekly) < len(requests) or pairs < WEEKLY_FROM_PAIRS
                                         or len(requests) <= EXACT_UP_TO_REQUESTS):
        return None
    pinned: dict[str, set[str]] = defaultdict(set)
    for o in problem.overrides:
        if o.worker:
            pinned[o.request_id].add(o.worker)
    for a in start.assignments if start is not None else ():
        if a.worker:
            pinned[a.request_id].add(a.worker)
    ranked: dict[tuple[str | None, bool, tuple], list[Worker]] = {}
    out: dict[str, frozenset[str]] = {}
    if len(weekly) == len(requests):
        for r in weekly:
            out[r.id] = frozenset(set(r.preferred) | pinned[r.id]
                                  | {w.id for w in _cheapest(problem, r, workers)})
        return out
    for r in requests:
        if not r.restructure:
            continue
        key = (r.locality, r.role == "lead" and r.statutory, r.dates)
        if key not in ranked:
            ranked[key] = _with_room(workers, *key)
        keep = set(r.preferred) | pinned[r.id]
        if r.decision.from_worker:
            keep.add(r.decision.from_worker)
        keep.update(w.id for w in ranked[key] if w.id not in r.not_worker)
        out[r.id] = frozenset(keep)
    return out


def _with_room(workers: list[Worker], locality: str | None, statutory: bool,
               dates: tuple) -> list[Worker]:
    """The workers with most room who could take such a child, nearest first."""
    able = [w for w in workers if not (statutory and w.asye)
            and any(t in w.available for t in dates)]
    able.sort(key=lambda w: (w.locality != locality, w.load_before / max(1, w.capacity), w.id))
    return able[:SHORTLIST_SIZE + 2]  # room for a child's own worker among them


def _cheapest(problem: AllocationProblem, r: Request, workers: list[Worker]) -> list[Worker]:
    """The :data:`WEEKLY_SIZE` workers who could take ``r`` most cheaply, taken alone:
    continuity, locality, the earliest date at work, a meeting on the team's first meeting
    day, and what the child's points add to the worker's load cost."""
    weights = problem.config.weights
    start = problem.plan_date
    scored = []
    for w in workers:
        if not eligible(problem, r, w):
            continue
        days = problem.meeting_days(w.team, last_meeting_day(r)) if r.needs_meeting else ()
        if r.needs_meeting and not days:
            continue
        meet = working_days_between(start, days[0]) if days else 0
        usable = [(i, t) for i, t in enumerate(r.dates) if t in w.available]
        date_cost = min(weights.date_delay * i + weights.late_meeting
                        * max(0, meet - working_days_between(start, t)) for i, t in usable)
        cost = date_cost + load_cost(weights, w, w.base_load + r.points)
        if r.preferred and w.id not in r.preferred:
            cost += weights.continuity
        if r.locality and w.locality and w.locality != r.locality:
            cost += weights.locality
        scored.append((cost, w.id, w))
    scored.sort(key=lambda s: s[:2])
    out: list[Worker] = []
    per_team: dict[str, int] = defaultdict(int)
    for _, _, w in scored:
        if per_team[w.team] < PER_TEAM:
            out.append(w)
            per_team[w.team] += 1
            if len(out) == WEEKLY_SIZE:
                break
    return out
