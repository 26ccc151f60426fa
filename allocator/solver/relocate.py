"""Local moves on a complete weekly plan: a child, or a family, to the worker, transfer date
and meeting day that lower the plan's cost, given every other child where the plan put them.

CP-SAT's neighbourhood search re-solves a few dozen requests at a time, each sub-solve
costing close to a wall second on a large service, so it can end its budget with easy
improvements left: a child whose meeting waits for a slot another team has free that day, a
family on a worker far over the busy line while a colleague nearby has room. Each such move
is exact and local. Moving request ``r`` from worker ``v`` to worker ``w`` changes only
``r``'s own terms (continuity, locality, transfer date and the meeting's lateness), the load
cost of ``v`` and ``w``, and the split of ``r``'s family; its hard rules are those of the
pair (:func:`allocator.solver.greedy.eligible`), the worker's diary, a free meeting slot of
``w``'s team on a day of the request's window, room in ``w``'s week of new children, and a
co-worker who is not the child's lead. Given those, the best date and meeting at ``w`` are
found directly: the team's earliest free meeting day (a later one is never cheaper), and the
usable date that with it costs least.

When no single move pays, chains of two are tried: a child, or a family held whole, moves
on from a worker to make room (in the worker's week of new children or team's meeting day)
or lower the load for another child or family. A move that leaves the cost as it is but
one fewer worker over capacity is also made, as a manager would. Moves are made whenever
they lower the cost (or equal it with fewer workers over capacity), in a fixed order, until
none is left or the passes run out: the same plan in gives the same plan out. Requests a
manager pinned and the children of a re-allocation (allocator.solver.polish) stay where
they are. The result is priced and checked by the caller like any plan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

import numpy as np

from allocator.calendar import week_start, working_day_number, working_days_between
from allocator.plan import Assignment
from allocator.problem import AllocationProblem, Request, Worker, last_meeting_day
from allocator.solver.greedy import eligible
from constraints.balance import busy_line, lines_cost, load_costs

MAX_PASSES = 30  # each pass tries every move once; most plans settle in a few
CHAIN_WIDTH = 4  # workers tried for a child moved on to make room


def relocate(problem: AllocationProblem, service: str, assignments: list[Assignment],
             candidates: dict[str, frozenset[str]] | None = None) -> list[Assignment]:
    """``assignments`` (a complete plan of ``service``) with weekly requests moved while a
    move lowers the plan's cost.

    ``candidates`` limits the workers tried for a request (the model's shortlist, so that
    the plan stays one of the shortlisted model); None tries every worker of the service.
    """
    requests = {r.id: r for r in problem.requests_in(service)}
    pinned = {o.request_id for o in problem.overrides if o.action != "forbid_worker"}
    movable = sorted(a.request_id for a in assignments
                     if not requests[a.request_id].restructure
                     and a.request_id not in pinned and requests[a.request_id].dates)
    if not movable:
        return assignments
    state = _State(problem, service, assignments, requests)
    pool = [problem.workers[w] for w in sorted(problem.service_workers.get(service, ()))]
    options = {i: [w for w in pool if eligible(problem, requests[i], w) and (
        candidates is None or i not in candidates or w.id in candidates[i])] for i in movable}
    families: dict[str, list[str]] = defaultdict(list)
    for i in movable:
        if requests[i].role == "lead":
            families[requests[i].family_id].append(i)
    groups = [ids for _, ids in sorted(families.items()) if len(ids) > 1]
    singles = [([i], state.options([requests[i]], options[i])) for i in movable]
    allowed = {i: {w.id for w in options[i]} for i in movable}
    together = [(ids, state.options([requests[i] for i in ids], [
        w for w in options[ids[0]] if all(w.id in allowed[i] for i in ids[1:])]))
        for ids in groups]
    own = {ids[0]: opts for ids, opts in singles}
    family_of = {i: (ids, opts) for ids, opts in together for i in ids}
    for _ in range(MAX_PASSES):
        moved = False
        for ids, opts in singles + together:
            moved |= state.best_move(ids, opts)
        if moved:
            continue
        for ids, opts in singles + together:
            moved |= state.best_chain(ids, opts, own, family_of)
        if not moved:
            break
    return [state.assignment(a) for a in assignments]


@dataclass(frozen=True)
class _Options:
    """The workers a group of requests may move to, as the state's columns, and what each
    costs them in continuity and locality."""

    workers: list[Worker]
    columns: np.ndarray
    fixed: np.ndarray


class _State:
    """Where each request is (worker, date, meeting), each worker's load and weeks of new
    children, each team's used meeting slots and each family's workers."""

    def __init__(self, problem: AllocationProblem, service: str,
                 assignments: list[Assignment], requests: dict[str, Request]):
        self.problem = problem
        self.weights = problem.config.weights
        self.requests = requests
        self.place: dict[str, tuple[str | None, date | None, date | None]] = {
            a.request_id: (a.worker, a.on, a.meeting) for a in assignments}
        ids = sorted(problem.service_workers.get(service, ()))
        self.column = {w: j for j, w in enumerate(ids)}
        workers = [problem.workers[w] for w in ids]
        self.full = np.array([max(x.capacity, x.base_load) for x in workers], dtype=np.int64)
        self.busy = np.array([busy_line(x.capacity, x.base_load) for x in workers],
                             dtype=np.int64)
        # The same lines and each worker's team as plain values: the moves price one worker
        # at a time, hundreds of thousands of times on a large service.
        self.team = {x.id: x.team for x in workers}
        self.lines = {x.id: (self.column[x.id], int(self.full[j]), int(self.busy[j]))
                      for j, x in enumerate(workers)}
        self.new_to: dict[tuple[str, str], bool] = {}
        self.own_costs: dict[tuple[str, str | None, date | None, date | None], int] = {}
        self.meetings = {r.id: last_meeting_day(r) for r in requests.values()
                         if r.dates and r.needs_meeting}
        self.load = np.array([x.base_load for x in workers], dtype=np.int64)
        self.capacity = np.array([x.capacity for x in workers], dtype=np.int64)
        self.new: Counter[tuple[str, date]] = Counter()
        self.used: Counter[tuple[str, date]] = Counter()
        self.family: dict[str, Counter[str]] = defaultdict(Counter)
        self.lead: dict[str, str | None] = dict(problem.current_lead)
        self.co: dict[str, Counter[str]] = defaultdict(Counter)
        self.holding: dict[str, set[str]] = defaultdict(set)  # worker -> requests it takes
        # Each request's dates once: (day, its week, its date cost, its working-day number).
        self.dates = {r.id: [(t, week_start(t),
                              self.weights.date_delay * working_days_between(r.dates[0], t),
                              working_day_number(t)) for t in r.dates]
                      for r in requests.values() if r.dates}
        for a in assignments:
            if a.worker is not None:
                self._add(requests[a.request_id], a.worker, a.on, a.meeting)

    # --- the state's bookkeeping ---------------------------------------------------------

    def _add(self, r: Request, w: str, on: date | None, meeting: date | None) -> None:
        self.place[r.id] = (w, on, meeting)
        self.holding[w].add(r.id)
        self.load[self.column[w]] += r.points
        if on is not None and self._new(r, w):
            self.new[w, _monday(on)] += 1
        if meeting is not None:
            self.used[self.team[w], meeting] += 1
        if r.role == "lead":
            self.family[r.family_id][w] += 1
            self.lead[r.child_id] = w
        else:
            self.co[r.child_id][w] += 1

    def _remove(self, r: Request) -> None:
        w, on, meeting = self.place[r.id]
        if w is None:
            return
        self.place[r.id] = (None, None, None)
        self.holding[w].discard(r.id)
        self.load[self.column[w]] -= r.points
        if on is not None and self._new(r, w):
            self.new[w, _monday(on)] -= 1
        if meeting is not None:
            self.used[self.team[w], meeting] -= 1
        if r.role == "lead":
            self.family[r.family_id][w] -= 1
            if not self.family[r.family_id][w]:
                del self.family[r.family_id][w]
            self.lead[r.child_id] = self.problem.current_lead.get(r.child_id)
        else:
            self.co[r.child_id][w] -= 1

    def _new(self, r: Request, w: str) -> bool:
        """:meth:`Request.new_to`, once per pair."""
        key = (r.id, w)
        new = self.new_to.get(key)
        if new is None:
            new = self.new_to[key] = r.new_to(w)
        return new

    # --- prices --------------------------------------------------------------------------

    def _own_cost(self, r: Request) -> int:
        """``r``'s own terms where it is now: continuity, locality, date and lateness, or
        what leaving it unallocated costs."""
        key = (r.id, *self.place[r.id])
        cost = self.own_costs.get(key)
        if cost is None:
            cost = self.own_costs[key] = self._price_own(r)
        return cost

    def _price_own(self, r: Request) -> int:
        w, on, meeting = self.place[r.id]
        wt = self.weights
        if w is None:
            cost = wt.unallocated_statutory if r.statutory else wt.unallocated
            return cost + (wt.continuity if r.preferred else 0)
        worker = self.problem.workers[w]
        cost = 0
        if r.preferred and w not in r.preferred:
            cost += wt.continuity
        if r.locality and worker.locality and worker.locality != r.locality:
            cost += wt.locality
        if on is not None:
            cost += wt.date_delay * working_days_between(r.dates[0], on)
            if meeting is not None and meeting > on:
                cost += wt.late_meeting * working_days_between(on, meeting)
        return cost

    def _load_cost(self, w: str, added: int = 0) -> int:
        """:func:`constraints.balance.load_cost` of ``w`` holding ``added`` points more."""
        column, full, busy = self.lines[w]
        return lines_cost(self.weights, int(self.load[column]) + added, busy, full)

    def _load_costs(self, columns: np.ndarray, added: int) -> np.ndarray:
        return load_costs(self.weights, self.load[columns] + added, self.busy[columns],
                          self.full[columns])

    def _over(self, workers: set[str]) -> int:
        """How many of ``workers`` hold more than their capacity: moves of equal cost that
        leave fewer workers over it are taken too, as a manager would."""
        load, capacity, column = self.load, self.capacity, self.column
        return sum(1 for w in workers if load[column[w]] > capacity[column[w]])

    def _split(self, family: str) -> int:
        return self.weights.sibling_split * max(0, len(self.family[family]) - 1)

    def _local_cost(self, rs: list[Request], workers: set[str]) -> int:
        families = {r.family_id for r in rs if r.role == "lead"}
        return (sum(self._own_cost(r) for r in rs)
                + sum(self._load_cost(w) for w in workers)
                + sum(self._split(f) for f in families))

    # --- moves ---------------------------------------------------------------------------

    def _slot(self, r: Request, w: Worker) -> tuple[date, date | None] | None:
        """The cheapest (date, meeting) for ``r`` at ``w`` as the state stands, or None."""
        meeting = None
        if r.needs_meeting:
            slots = self.problem.teams[w.team].meeting_slots
            meeting = next((t for t in self.problem.meeting_days(w.team, self.meetings[r.id])
                            if self.used[w.team, t] < slots), None)
            if meeting is None:
                return None
        late = self.weights.late_meeting
        held = working_day_number(meeting) if meeting is not None else 0
        new = self._new(r, w.id)
        best, best_cost = None, 0
        for t, week, cost, number in self.dates[r.id]:
            if t not in w.available or (new and self.new[w.id, week] >= w.max_new_per_week):
                continue
            if meeting is not None and meeting > t:
                cost += late * (held - number)
            if best is None or cost < best_cost:
                best, best_cost = t, cost
        return None if best is None else (best, meeting)

    def _allowed(self, r: Request, w: str) -> bool:
        """The co-worker rule: a child's lead and co-worker are different workers."""
        if r.role == "lead":
            return not self.co[r.child_id][w]
        return self.lead.get(r.child_id) != w

    def _floor(self, rs: list[Request], source: str | None) -> int:
        """A lower bound on the change in cost of taking ``rs`` from ``source``: their own
        costs and the source's load saved, and their families' splits all mended."""
        families = {r.family_id for r in rs if r.role == "lead"}
        saved = sum(self._own_cost(r) for r in rs) + sum(self._split(f) for f in families)
        if source is not None:
            saved += self._load_cost(source) - self._load_cost(
                source, -sum(r.points for r in rs))
        return -saved

    def _worth_trying(self, rs: list[Request], source: str | None, options: _Options,
                      chain: bool = False) -> list[Worker]:
        """The options where the move might pay: what ``rs`` cost there at least
        (continuity, locality and the added load) is below what leaving ``source`` saves at
        most. Their own worker is always tried (a new date or meeting may pay)."""
        points = sum(r.points for r in rs)
        entry = options.fixed + self._load_costs(options.columns, points) \
            - self._load_costs(options.columns, 0)
        floor = entry + self._floor(rs, source)
        keep = floor < 0
        if chain:  # moving a child on lowers the target's load: its price is no floor there
            keep |= floor == 0
        elif source is not None and self._over({source}):  # one fewer over, at equal cost
            keep |= (floor == 0) & (self.load[options.columns] + points
                                    <= self.capacity[options.columns])
        return [w for w, k in zip(options.workers, keep)
                if k or w.id == source]

    def options(self, rs: list[Request], workers: list[Worker]) -> _Options:
        """``workers`` as a group's options, with the continuity and locality each costs."""
        wt = self.weights
        fixed = np.array([sum(
            (wt.continuity if r.preferred and w.id not in r.preferred else 0)
            + (wt.locality if r.locality and w.locality and w.locality != r.locality else 0)
            for r in rs) for w in workers], dtype=np.int64)
        columns = np.array([self.column[w.id] for w in workers], dtype=np.int64)
        return _Options(workers, columns, fixed)

    def best_move(self, ids: list[str], options: _Options) -> bool:
        """Move the requests ``ids`` (all with one worker, or all unallocated) to the option
        that lowers the cost most, if any does; a move to their own worker re-dates them."""
        here = {self.place[i][0] for i in ids}
        if len(here) != 1:
            return False
        source = here.pop()
        rs = [self.requests[i] for i in ids]
        places = {i: self.place[i] for i in ids}
        targets = self._worth_trying(rs, source, options)
        if not targets:
            return False
        home = {source} if source else set()
        # What the requests and their source cost now; each target's own load is added to
        # it, unchanged while the requests are lifted out.
        start = self._local_cost(rs, home), self._over(home)
        for r in rs:
            self._remove(r)
        best, best_delta = None, (0, 0)
        for target in targets:
            touched = home | {target.id}
            here_cost = 0 if target.id == source else self._load_cost(target.id)
            here_over = 0 if target.id == source else self._over({target.id})
            placed = self._place(rs, target)
            if placed is None:
                continue
            delta = (self._local_cost(rs, touched) - start[0] - here_cost,
                     self._over(touched) - start[1] - here_over)
            if delta < best_delta:
                best, best_delta = (target, placed), delta
            for r in rs:
                self._remove(r)
        if best is None:
            self._restore(places)
            return False
        target, placed = best
        for r, (on, meeting) in zip(rs, placed):
            self._add(r, target.id, on, meeting)
        return True

    def _restore(self, places: dict[str, tuple[str | None, date | None, date | None]]) -> None:
        for i in places:
            self._remove(self.requests[i])
        for i, (w, on, meeting) in places.items():
            if w is not None:
                self._add(self.requests[i], w, on, meeting)

    def _place(self, rs: list[Request], target: Worker) -> list[tuple[date, date | None]] | None:
        """Put ``rs`` (already removed) at ``target``, each at its cheapest date and meeting
        in turn; None (with nothing placed) if one has none."""
        placed = []
        for r in rs:
            slot = self._slot(r, target) if self._allowed(r, target.id) else None
            if slot is None:
                for done in rs[:len(placed)]:
                    self._remove(done)
                return None
            self._add(r, target.id, *slot)
            placed.append(slot)
        return placed

    def best_chain(self, ids: list[str], options: _Options, single: dict[str, _Options],
                   family_of: dict[str, tuple[list[str], _Options]]) -> bool:
        """Move the requests ``ids`` to a worker who takes them only once a child or a
        family they hold moves on (to make room in a week or a meeting day, or to lower
        the load): the chain of two moves that lowers the cost most, if any does.

        ``single`` holds each movable request's own options and ``family_of`` each family's
        (its requests and the options they share); what is moved on tries the
        :data:`CHAIN_WIDTH` cheapest of its options at first sight. A family moves on whole
        when all of it is with the worker, so that moving it on splits nobody."""
        here = {self.place[i][0] for i in ids}
        if len(here) != 1 or None in here:
            return False
        source = here.pop()
        assert source is not None
        rs = [self.requests[i] for i in ids]
        best, best_delta = None, (0, 0)
        for target in self._worth_trying(rs, source, options, chain=True):
            if target.id == source:
                continue
            for out, opts in self._moved_on(target.id, ids, single, family_of):
                ers = [self.requests[e] for e in out]
                places = {i: self.place[i] for i in ids + out}
                start = self._local_cost(rs + ers, {source, target.id})
                start_over = self._over({source, target.id})
                for r in ers + rs:
                    self._remove(r)
                placed = self._place(rs, target)
                if placed is not None:
                    # What stays put while ``ers`` tries each worker: ``rs``'s own terms.
                    own = sum(self._own_cost(r) for r in rs)
                    families = {r.family_id for r in rs + ers if r.role == "lead"}
                    points = sum(r.points for r in ers)
                    entry = opts.fixed + self._load_costs(opts.columns, points) \
                        - self._load_costs(opts.columns, 0)
                    order = np.argsort(entry, kind="stable")
                    # Dates, meetings and splits cost at least nothing, so no worker after
                    # one whose entry alone loses to the best chain so far can win.
                    floor = own + self._load_cost(source) + self._load_cost(target.id) - start
                    tried = 0
                    for k in order:
                        w2 = opts.workers[k]
                        if w2.id == target.id:
                            continue
                        if tried == CHAIN_WIDTH or floor + int(entry[k]) > best_delta[0]:
                            break
                        tried += 1
                        inside = w2.id in (source, target.id)
                        outside = 0 if inside else self._load_cost(w2.id)
                        over = 0 if inside else self._over({w2.id})
                        slots = self._place(ers, w2)
                        if slots is None:
                            continue
                        moved = (own + sum(self._own_cost(r) for r in ers)
                                 + sum(self._load_cost(w) for w in {source, target.id, w2.id})
                                 + sum(self._split(f) for f in families))
                        delta = (moved - start - outside,
                                 self._over({source, target.id, w2.id}) - start_over - over)
                        if delta < best_delta:
                            best, best_delta = (target, placed, ers, w2, slots), delta
                        for r in ers:
                            self._remove(r)
                self._restore(places)
        if best is None:
            return False
        target, placed, ers, w2, slots = best
        for r in ers + rs:
            self._remove(r)
        for r, (on, meeting) in zip(rs, placed):
            self._add(r, target.id, on, meeting)
        for r, (on, meeting) in zip(ers, slots):
            self._add(r, w2.id, on, meeting)
        return True

    def _moved_on(self, worker: str, ids: list[str], single: dict[str, _Options],
                  family_of: dict[str, tuple[list[str], _Options]]
                  ) -> list[tuple[list[str], _Options]]:
        """What may move on from ``worker`` to make room for ``ids``: each movable child it
        holds, and each family it holds whole, with their options."""
        out: list[tuple[list[str], _Options]] = []
        families: set[str] = set()
        for e in sorted(self.holding[worker]):
            if e not in single or e in ids:
                continue
            out.append(([e], single[e]))
            group = family_of.get(e)
            if group is None or group[0][0] in families or set(group[0]) & set(ids):
                continue
            families.add(group[0][0])
            if all(self.place[i][0] == worker for i in group[0]):
                out.append(group)
        return out

    def assignment(self, a: Assignment) -> Assignment:
        w, on, meeting = self.place[a.request_id]
        if (w, on, meeting) == (a.worker, a.on, a.meeting):
            return a
        worker = self.problem.workers[w] if w else None
        return replace(a, worker=w, team=worker.team if worker else None, on=on,
                       meeting=meeting, blocked_by=() if w else a.blocked_by)


@cache
def _monday(day: date) -> date:
    """:func:`week_start`, once per day."""
    return week_start(day)
