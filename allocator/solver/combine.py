"""Plans combined through the bound's master programme.

The neighbourhood search re-solves a few dozen children at a time, so it keeps whatever
is right in most of the plan and ends in a plan no such re-solve improves. The bound's
master programme (allocator.solver.patterns) holds whole caseloads instead: the patterns
generated for the bound, one column per worker per pattern. Given complete plans (the
searched plan and its starts), each worker's children in each plan become a column
too, and the master solved as an integer programme picks one column per worker: a plan
that may take one worker's caseload from the search, another's from the start and a third
from a pattern. It is at least as good as the best plan given, by the master's prices.

The master leaves out the lead/co-worker rule and managers' pins, and prices each meeting
at the day its column names; so the combined plan takes only each request's worker. Its
meetings and dates are then given as a relaxed round's are (allocator.solver.model:
meetings earliest deadline first, each child's cheapest date after), the plan is moved
locally (allocator.solver.relocate; in a re-allocation, polished too), priced and checked,
and kept only if it passes and costs less. On the 12,000-child week's assessment service
the searched plan went from 26,200 to 25,980 against a bound of 25,930; on the
12,000-child re-allocation's safeguarding service from 670,520 to 664,260.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from allocator.calendar import working_days_between
from allocator.plan import Assignment, Plan
from allocator.problem import AllocationProblem
from allocator.solver import lagrangian as lag
from allocator.solver.lagrangian_rows import RowPricing
from allocator.solver.patterns import Caseload

log = logging.getLogger(__name__)  # service names and counts only, never a child's details


def combined_plan(problem: AllocationProblem, service: str, bound: lag.Bound,
                  plans: Sequence[Plan]) -> list[Assignment] | None:
    """``plans`` (complete plans of ``service``, the first the one to improve) combined
    through ``bound``'s master: each request at the worker the master's integer programme
    chooses, meetings and dates still to give (:func:`combined_assignments`). None where
    the bound generated no patterns or HiGHS found no plan at the root."""
    master = bound.master
    if master is None or not plans:
        return None
    held = [caseloads(problem, service, master.arrays, master.pricing, plan) for plan in plans]
    master.add_caseloads([c for columns in held for c in columns])
    workers = master.combined(held[0])
    if workers is None:
        return None
    return combined_assignments(problem, service, plans[0], workers)


def caseloads(problem: AllocationProblem, service: str, arrays: lag.ServiceArrays,
              pricing: RowPricing | None, plan: Plan) -> list[Caseload]:
    """Each worker's children in ``plan`` as a column of the master, priced as the master
    prices its patterns (each child's option at the plan's date and meeting). Empty if
    some child's place is one the master cannot state (a pair it rules out, a meeting
    day outside its slot rows): the plan then adds nothing to the combination."""
    requests = problem.requests_in(service)
    row_of = {r.id: i for i, r in enumerate(requests)}
    column_of = {w: j for j, w in enumerate(problem.service_workers.get(service, ()))}
    priced = {} if pricing is None else {int(row): i for i, row in enumerate(pricing.rows)}
    held: dict[int, list[tuple[int, int, int, float]]] = {}
    for a in plan.assignments:
        if a.worker is None or a.request_id not in row_of:
            continue
        row, w = row_of[a.request_id], column_of[a.worker]
        i = priced.get(row)
        if i is None:
            place = (row, -1, -1, float(arrays.cost[row, w]))
        else:
            place = _priced_place(problem, pricing, i, row, w, requests[row].dates, a)
        if place is None or not np.isfinite(place[3]):
            log.debug("service %s: a plan the master cannot state is left out of the "
                      "combination", service)
            return []
        held.setdefault(w, []).append(place)
    out = []
    for w, places in sorted(held.items()):
        places.sort()
        out.append(Caseload(w, np.array([p[0] for p in places], dtype=np.int64),
                            np.array([p[1] for p in places], dtype=np.int64),
                            np.array([p[2] for p in places], dtype=np.int64),
                            float(sum(p[3] for p in places))))
    return out


def _priced_place(problem: AllocationProblem, pricing: RowPricing, i: int, row: int, w: int,
                  dates: tuple[date, ...], a: Assignment
                  ) -> tuple[int, int, int, float] | None:
    """A weekly transfer's (row, slot row, limit row, own cost) at the plan's date and
    meeting, as allocator.solver.row_lp's columns price it; None if the master has no
    such column."""
    if a.on not in dates:
        return None
    option = int(pricing.first[i]) + dates.index(a.on)
    own = float(pricing.extra[i, w] + pricing.delay[option])
    slot = -1
    if pricing.needs[i]:
        if a.meeting is None:
            return None
        team = int(pricing.team_of[w])
        number = working_days_between(problem.plan_date, a.meeting)
        days = np.flatnonzero(pricing.meeting_days[team] == number)
        if len(days) != 1:
            return None
        slot = team * pricing.meeting_days.shape[1] + int(days[0])
        own += pricing.late * max(0.0, number - float(pricing.day[option]))
    week = w * pricing.weeks + int(pricing.week[option]) if pricing.new[i, w] else -1
    return row, slot, week, own


def combined_assignments(problem: AllocationProblem, service: str, plan: Plan,
                         workers: np.ndarray) -> list[Assignment]:
    """``plan`` with each request at the worker ``workers`` gives it (a column of the
    service's workers per request, in the service's request order; -1: none), on the
    worker's first day at work in its window and with no meeting yet: the caller gives
    meetings and dates. Pinned requests keep their place in ``plan``."""
    ids = problem.service_workers.get(service, ())
    pinned = {o.request_id for o in problem.overrides if o.action != "forbid_worker"}
    chosen = plan.by_request()
    out = []
    for r, column in zip(problem.requests_in(service), workers.tolist()):
        a = chosen[r.id]
        if r.id in pinned or not r.dates:
            out.append(a)
        elif column < 0:
            out.append(replace(a, worker=None, team=None, on=None, meeting=None))
        else:
            worker = problem.workers[ids[column]]
            on = r.handover_date(worker) if r.restructure else next(
                (t for t in r.dates if t in worker.available), r.dates[0])
            out.append(replace(a, worker=worker.id, team=worker.team, on=on, meeting=None,
                               blocked_by=()))
    return out
