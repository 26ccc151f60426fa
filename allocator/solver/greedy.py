"""A greedy allocation: what a manager does by hand, in the order a manager would.

Children are taken statutory first, then by their first usable date, families together. A
child goes to the sibling's worker if one already took a sibling, else to the least-loaded
eligible worker (relative to capacity) in the receiving service, on that worker's first
usable date. It respects the hard rules the model does, so its plan is a feasible start
(a hint) for CP-SAT, and the baseline the benchmarks compare the model with.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from allocator.calendar import week_start
from allocator.plan import Assignment, Plan
from allocator.problem import AllocationProblem, Request, Worker, last_meeting_day


def eligible(problem: AllocationProblem, r: Request, w: Worker) -> bool:
    """The hard rules on one worker for one request, as the model's restrictions state them."""
    if w.service != r.service or w.id in r.not_worker:
        return False
    if r.role == "lead" and r.statutory and w.asye:
        return False
    for o in problem.overrides:
        if o.request_id == r.id and o.action == "forbid_worker" and o.worker == w.id:
            return False
    if r.restructure and r.keeps(w.id):
        return bool(r.dates)  # kept: nobody moves, whatever the worker's diary
    return any(t in w.available for t in r.dates)


def greedy_plan(problem: AllocationProblem, service: str | None = None) -> Plan:
    """A feasible plan (meetings included) built one child at a time."""
    requests = [r for r in problem.requests if service is None or r.service == service]
    order = sorted(requests, key=lambda r: (not r.statutory, r.dates[0] if r.dates else date.max,
                                            r.family_id, r.id))
    load = {w.id: w.base_load for w in problem.workers.values()}
    new: Counter[tuple[str, date]] = Counter()
    family_worker: dict[tuple[str, str], str] = {}
    pins = {o.request_id: o for o in problem.overrides if o.action != "forbid_worker"}
    meetings: Counter[tuple[str, date]] = Counter()
    out: list[Assignment] = []
    for r in order:
        choice = _choose(problem, r, load, new, family_worker, pins.get(r.id), meetings)
        if choice is None:
            out.append(Assignment(r.id, r.child_id, r.role, r.service, None, None, None,
                                  ("greedy: no eligible worker had room",)))
            continue
        w, on, meeting = choice
        load[w.id] += r.points
        if meeting is not None:
            meetings[w.team, meeting] += 1
        if r.new_to(w.id):
            new[w.id, week_start(on)] += 1
        if r.role == "lead":
            family_worker.setdefault((r.family_id, r.service), w.id)
        out.append(Assignment(r.id, r.child_id, r.role, r.service, w.id, w.team, on,
                              meeting=meeting))
    return Plan(tuple(sorted(out, key=lambda a: a.request_id)))


def _choose(problem: AllocationProblem, r: Request, load: dict[str, int],
            new: Counter[tuple[str, date]], family_worker: dict[tuple[str, str], str],
            pin: object,
            meetings: Counter[tuple[str, date]]) -> tuple[Worker, date, date | None] | None:
    pinned_worker = getattr(pin, "worker", None) if getattr(pin, "action", "") == "pin_worker" \
        else None
    pinned_date = getattr(pin, "on", None) if getattr(pin, "action", "") == "pin_date" else None
    options: list[tuple[tuple[object, ...], Worker, date, date]] = []
    sibling = family_worker.get((r.family_id, r.service))
    for wid in problem.service_workers.get(r.service, ()):
        w = problem.workers[wid]
        if not eligible(problem, r, w) or (pinned_worker and wid != pinned_worker):
            continue
        kept = r.restructure and r.keeps(wid)
        days = [t for t in r.dates if (t in w.available or kept)
                and (pinned_date is None or t == pinned_date)
                and (not r.new_to(wid) or new[w.id, week_start(t)] < w.max_new_per_week)]
        slots = problem.teams[w.team].meeting_slots
        free: list[date | None] = [None] if not r.needs_meeting else [
            t for t in problem.meeting_days(w.team, last_meeting_day(r))
            if meetings[w.team, t] < slots]
        if not days or not free:
            continue
        rank = (wid != sibling, wid not in r.preferred,
                (load[wid] + r.points) / max(1, w.capacity), wid)
        options.append((rank, w, days[0], free[0]))
    if not options:
        return None
    _, w, on, meeting = min(options, key=lambda o: o[0])
    return w, on, meeting
