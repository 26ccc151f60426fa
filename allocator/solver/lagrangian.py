"""A proven lower bound on one service's optimum, computed without CP-SAT.

A large re-allocation is searched over a shortlist of workers, so CP-SAT's own bound there
holds for the shortlist only; this bound holds for the full model of the service, every
worker included, and costs a few seconds of numpy.

The relaxation keeps every hard restriction on a (request, worker) pair, each request's
choice of one worker or none (fractional), each pair's cheapest possible continuity,
locality, date and late-meeting cost, and each worker's convex load cost (capacity and
balance). It drops sibling splits (a cost, never negative), meeting slots, weekly limits of
new children, the lead/co-worker coupling and managers' pins: each dropped piece is a
constraint or a non-negative cost, so the relaxation's optimum is at most the model's.

The bound is the Lagrangian dual of the one-worker rows, ``L(pi)``: any ``pi`` gives a
valid bound, and its best value equals the relaxation's LP optimum. ``pi`` is searched
through one price per point for each worker (``pi_r`` is then the request's cheapest
worker at those prices, or none), a space of one number per worker rather than one per
request: first by deflected subgradient steps, then by exact moves of one worker's price
at a time. Managers' forbidden workers are kept; their pins are dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from allocator.calendar import working_days_between
from allocator.problem import AllocationProblem, Request, Worker, last_meeting_day
from constraints.balance import busy_line

if TYPE_CHECKING:  # patterns builds on this module, so only its type is named here
    from allocator.solver.patterns import _Master

# The margin taken off L(pi) before rounding, relative to the magnitudes summed: each term
# is a few float operations and the sums are at most millions of terms, so the float error
# is below 1e-16 * (10 + terms) of those magnitudes, at most about 1e-10 at 5,000 x 350
# pairs but, as numpy sums pairwise, in practice below 1e-14; SAFETY is ten times the first
# figure, and takes under one point off the bound at that size.
SAFETY = 1e-9
DEFLECT = 1.5  # deflection factor of the subgradient steps
PATIENCE = 40  # steps without progress before the step is halved
SWEEPS = 3  # at most this many rounds of exact one-worker price moves at the end
NEGLIGIBLE_SAVING = 1e-6  # a whole child saving at most this is not tried in the table
# Past this many cells (children tried x workers x loads) the whole-children table gives way
# to the continuous knapsack: at a linear programme's prices on the 12,000-child
# re-allocation's safeguarding service, where a child over a full worker saves something
# at almost every other, it took 120 s for 1% more than the continuous value.
WHOLE_CELLS = 200_000_000


@dataclass(frozen=True)
class ServiceArrays:
    """One service as arrays: requests are rows, workers columns."""

    cost: np.ndarray  # (R, W) cheapest cost of each pair; inf where a hard rule forbids it
    points: np.ndarray  # (R,) points a request adds to its worker's load
    unallocated: np.ndarray  # (R,) what listing the request unallocated costs
    busy: np.ndarray  # (W,) points a worker may take before the balance term prices them
    full: np.ndarray  # (W,) points a worker may take before the capacity term prices them
    balance: float  # per point above ``busy``
    overload: float  # per point above ``full``
    # (F, K) the rows of each family of two or more lead requests (-1 pads), and what a
    # family split over two workers costs: see :func:`_siblings`.
    family: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=int))
    split: float = 0.0

    @cached_property
    def kinks(self) -> tuple[np.ndarray, np.ndarray]:
        """(3, W) each worker's load cost's kinks (0, ``busy``, ``full``) and (3, W) its
        cost at them: what every conjugate is taken over, computed once."""
        at = np.stack([np.zeros_like(self.busy), self.busy, self.full])
        return at, np.stack([_load_cost(self, k) for k in at])


@dataclass(frozen=True)
class Bound:
    """A lower bound and, where worker patterns were generated, their master programme
    (allocator.solver.patterns), kept so that complete plans can be combined through it
    (allocator.solver.combine), and where rounding was asked for its rounded plan: a
    worker column per request of the service, -1 for none."""

    value: float
    rounded: np.ndarray | None = None
    master: _Master | None = None


def service_lower_bound(problem: AllocationProblem, service: str, *, iterations: int = 500,
                        upper: int | None = None, with_rows: bool = True) -> int:
    """A proven lower bound on the optimal objective of ``service``'s full model: the
    objective the independent checker computes for the service's best plan.

    ``iterations`` caps the subgradient steps, each one pass over the (requests, workers)
    table. ``upper``, the objective of any plan of the service, is a target for the step
    sizes (and the search stops once it is reached). Given ``upper``, ``with_rows`` then
    prices the meeting slots and weekly limits too (allocator.solver.lagrangian_rows),
    which the relaxation otherwise drops. The same input gives the same number.
    """
    return int(service_bound(problem, service, iterations=iterations, upper=upper,
                             with_rows=with_rows).value)


def service_bound(problem: AllocationProblem, service: str, *, iterations: int = 500,
                  upper: int | None = None, with_rows: bool = True,
                  rounding: bool = False) -> Bound:
    """:func:`service_lower_bound` as a :class:`Bound`, with the worker patterns' master
    and, if ``rounding``, their rounded plan, where patterns were generated."""
    arrays = service_arrays(problem, service)
    if len(arrays.points) == 0:
        return Bound(0)
    target = math.inf if upper is None else float(upper)
    rounded = master = None
    first = _load_cost(arrays, np.ones_like(arrays.busy)) - _load_cost(
        arrays, np.zeros_like(arrays.busy))  # the first point's price at each worker
    prices = ascend_prices(arrays, first, iterations, target)
    best = max(lagrangian(arrays, request_prices(arrays, prices)), family_dual(arrays, prices))
    if arrays.cost.shape[1] > 0:
        prices = _Coordinates(arrays, prices).ascend(SWEEPS)
        best = max(best, lagrangian_whole(arrays, request_prices(arrays, prices)),
                   family_dual(arrays, prices))
    if with_rows and upper is not None and math.ceil(best) < target:
        from allocator.solver.lagrangian_rows import priced_rows_bound, row_pricing
        from allocator.solver.patterns import generate_patterns, pattern_limits

        weekly = not problem.reallocates(service)
        limits = pattern_limits(weekly)
        pricing = row_pricing(problem, service, arrays)
        if pricing is not None:
            # A re-allocation's subgradient steps would each re-solve the relaxation of
            # every child: there the rows are priced only by the linear programme.
            found = priced_rows_bound(arrays, pricing, prices, best, target, search=weekly,
                                      pattern_limits=limits, rounding=rounding)
        else:
            # No rows to price: worker patterns start from the point prices' requests.
            found = generate_patterns(arrays, None, request_prices(arrays, prices),
                                      np.zeros((0, 0)), np.zeros((len(arrays.busy), 0)),
                                      target, limits, rounding)
        if found is not None:
            best, rounded, master = max(best, found.value), found.rounded, found.master
    # Every objective term is an integer, so the optimum is at least the next integer.
    return Bound(max(0, math.ceil(best)), rounded, master)


def lagrangian(arrays: ServiceArrays, pi: np.ndarray) -> float:
    """``L(pi)`` less its float-error margin: a lower bound on the relaxation for any ``pi``.

    ``L(pi) = sum pi + sum min(0, U - pi) + sum_w g_w(pi)``, where ``g_w`` is worker w's
    continuous knapsack with convex load cost (:func:`_knapsacks`). The margin makes the
    value a bound whatever the rounding.
    """
    return _dual_value(arrays, pi, *_knapsacks(arrays, pi))


def _dual_value(arrays: ServiceArrays, pi: np.ndarray, knapsack: float,
                spread: float) -> float:
    """``sum pi + sum min(0, U - pi)`` plus the workers' knapsacks, less the float-error
    margin over every magnitude summed (``spread``: the knapsacks' own)."""
    unallocated = np.minimum(0.0, arrays.unallocated - pi)
    value = float(pi.sum() + unallocated.sum()) + knapsack
    scale = float(np.abs(pi).sum() + np.abs(unallocated).sum()) + spread + 1.0
    return value - SAFETY * scale


def family_dual(arrays: ServiceArrays, prices: np.ndarray) -> float:
    """``D(prices)`` with siblings, less its float-error margin: a lower bound on the
    relaxation with the siblings' split cost kept, for any prices per point.

    ``D`` prices each worker's points at ``prices`` and each request at its cheapest
    worker or none; a family of lead requests is then either gathered on its cheapest
    common worker or, where its children's own choices leave it over two or more workers,
    pays at least one split (:func:`_siblings`). The split is a cost every plan pays for a
    split family, so this is a bound the plain relaxation, which drops it, cannot give:
    on the 3,000-child re-allocation's safeguarding service, at the same prices, 208,342
    against 206,743.
    """
    priced = np.hstack([arrays.cost + np.outer(arrays.points, prices),
                        arrays.unallocated[:, None]])
    choice = np.argmin(priced, axis=1)
    choice, paid = _siblings(arrays, priced, choice)
    chosen = priced[np.arange(len(choice)), choice]
    fstar = _conjugate(arrays, prices)[0]
    value = float(chosen.sum()) + paid - float(fstar.sum())
    scale = float(np.abs(chosen).sum() + np.abs(fstar).sum()) + paid + 1.0
    return value - SAFETY * scale


def _siblings(arrays: ServiceArrays, priced: np.ndarray,
              choice: np.ndarray) -> tuple[np.ndarray, float]:
    """Each request's choice (column of ``priced``: a worker, or the last column, none)
    with families kept in view, and the splits paid.

    Where a family's children, each at their own cheapest column, are with two or more
    workers, any plan either gathers them on one worker, at no less than their cheapest
    common worker's cost (each child there or unallocated, whichever is cheaper), or
    splits them, at no less than their own choices' cost plus one split. The cheaper of
    the two is taken: the choices move to the common worker, or one split is paid.
    """
    family = arrays.family
    if family.size == 0:
        return choice, 0.0
    workers = priced.shape[1] - 1
    valid = family >= 0
    rows = np.where(valid, family, 0)
    picks = choice[rows]
    held = valid & (picks < workers)
    one = np.where(held, picks, -1).max(axis=1)
    spread = (held & (picks != one[:, None])).any(axis=1)
    if not spread.any():
        return choice, 0.0
    rows, valid, picks = rows[spread], valid[spread], picks[spread]
    sub = priced[rows]  # (S, K, W + 1)
    each = np.where(valid[..., None], np.minimum(sub[..., :workers], sub[..., workers:]), 0.0)
    together = each.sum(axis=1)  # (S, W)
    at = np.argmin(together, axis=1)
    gathered = together[np.arange(len(at)), at]
    own = np.where(valid, np.take_along_axis(sub, picks[..., None], axis=2)[..., 0], 0.0)
    gather = gathered < own.sum(axis=1) + arrays.split
    choice = choice.copy()
    k = np.nonzero(gather[:, None] & valid)
    target = at[k[0]]
    keeps = sub[k[0], k[1], target] <= sub[k[0], k[1], workers]
    choice[rows[k]] = np.where(keeps, target, workers)
    return choice, arrays.split * float((~gather).sum())


def _knapsacks(arrays: ServiceArrays, pi: np.ndarray) -> tuple[float, float]:
    """``sum_w g_w(pi)``, and the magnitude of what was summed (for the float margin).

    ``g_w`` takes requests in order of reduced cost per point, most negative first, while
    the load cost's slope is below the request's saving per point: exact for a convex
    piecewise-linear cost. Only pairs with negative reduced cost can be taken, so only
    they are sorted. A request of no points is taken whole.
    """
    rows, cols = np.nonzero(arrays.cost < pi[:, None])
    saving = pi[rows] - arrays.cost[rows, cols]  # > 0
    points = arrays.points[rows]
    free = points == 0
    value, spread = -float(saving[free].sum()), float(saving[free].sum())
    cols, saving, points = cols[~free], saving[~free], points[~free]
    density = saving / points
    order = np.lexsort((-density, cols))
    cols, density, points = cols[order], density[order], points[order]
    end = np.cumsum(points)
    first = np.searchsorted(cols, cols, side="left")  # each worker's first item
    offset = np.concatenate(([0.0], end))[first]
    start, end = end - points - offset, end - offset  # load before and after each item
    for lo, hi, slope in _pieces(arrays, cols):
        # The points of each item on this piece, each saving ``density`` and costing ``slope``.
        overlap = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None)
        value += float((overlap * np.minimum(0.0, slope - density)).sum())
        spread += float((overlap * (slope + density)).sum())
    return value, spread


def lagrangian_whole(arrays: ServiceArrays, pi: np.ndarray) -> float:
    """``L(pi)`` with each worker's children taken whole, less its float-error margin: a
    lower bound on the model for any ``pi``, and never below :func:`lagrangian`.

    The continuous knapsack of :func:`lagrangian` lets a worker with five points of room
    take five elevenths of an eleven-point child at no load cost; no plan can. Taking each
    child whole or not at all (:func:`_whole_knapsacks`) prices that room as it is.
    """
    return _dual_value(arrays, pi, *_whole_knapsacks(arrays, pi))


def _whole_knapsacks(arrays: ServiceArrays, pi: np.ndarray) -> tuple[float, float]:
    """``sum_w`` of worker w's 0/1 knapsack: the children with negative reduced cost it
    takes whole, minimising their reduced costs plus its load cost; and the magnitude of
    what was summed.

    Exact, by dynamic programming over the points added (whole numbers: a child's points),
    every worker at once, one child per step: ``most[w, p]`` is the largest saving of any
    set of w's children adding exactly p points. Two facts keep the table small. Past the
    load where the cost's slope reaches the largest saving per point among w's children,
    dropping any child saves at least what it brings, so some best set stops within one
    child of there (:func:`_whole_cap`). And of children with the same points a best set
    takes those saving most, so no more of them are tried than fit under that cap (a
    3,000-child re-allocation: about 500 children and 6,000 points a worker become about
    60 and 200). Points that are not whole numbers fall back to the continuous knapsack,
    which is a bound too.
    """
    rows, cols = np.nonzero(arrays.cost < pi[:, None])
    saving = pi[rows] - arrays.cost[rows, cols]  # > 0
    points = arrays.points[rows]
    if not np.array_equal(points, np.round(points)):
        return _knapsacks(arrays, pi)
    # A child of no points, or whose saving is negligible, is counted as taken at no load
    # cost: never less than it could bring to any set, so still a bound. At a linear
    # programme's optimal prices many pairs save nothing but float noise, and each would
    # widen the table (the 12,000-child re-allocation's safeguarding service: 120 s).
    free = (points == 0) | (saving <= NEGLIGIBLE_SAVING)
    value, spread = -float(saving[free].sum()), float(saving[free].sum())
    cols, saving, points = cols[~free], saving[~free], points[~free].astype(int)
    if len(cols) == 0:
        return value, spread
    workers, slot = np.unique(cols, return_inverse=True)
    cap = _whole_cap(arrays, workers, slot, saving, points)
    # Within each worker and size, most saving first; keep as many as fit under the cap.
    order = np.lexsort((-saving, points, slot))
    slot, saving, points = slot[order], saving[order], points[order]
    group = np.flatnonzero(np.r_[True, (slot[1:] != slot[:-1]) | (points[1:] != points[:-1])])
    rank = np.arange(len(slot)) - np.repeat(group, np.diff(np.r_[group, len(slot)]))
    keep = rank < cap[slot] // points
    slot, saving, points = slot[keep], saving[keep], points[keep]
    if len(slot) == 0:
        return value, spread
    first = np.searchsorted(slot, np.arange(len(workers)))
    step = np.arange(len(slot)) - first[slot]  # each child's place in its worker's list
    width = int(step.max()) + 1
    added = np.zeros((len(workers), width), dtype=int)  # 0 pads a worker's short list
    gain = np.zeros((len(workers), width))
    added[slot, step], gain[slot, step] = points, saving
    top = int(min(cap.max(), added.sum(axis=1).max()))
    if width * len(workers) * (top + 1) > WHOLE_CELLS:
        return _knapsacks(arrays, pi)  # a bound all the same, never below it
    load = np.arange(top + 1)
    most = np.full((len(workers), top + 1), -np.inf)
    most[:, 0] = 0.0
    for k in range(width):
        source = load[None, :] - added[:, k:k + 1]
        usable = (source >= 0) & (added[:, k:k + 1] > 0)
        taken = np.take_along_axis(most, np.maximum(source, 0), axis=1) + gain[:, k:k + 1]
        most = np.maximum(most, np.where(usable, taken, -np.inf))
    cost = _load_cost(arrays, load[None, :], workers)
    net = cost - most  # +inf where no set adds exactly that many points
    at = np.argmin(net, axis=1)
    chosen = np.arange(len(workers))
    value += float(net[chosen, at].sum())
    spread += float(cost[chosen, at].sum() + most[chosen, at].sum())
    return value, spread


def _whole_cap(arrays: ServiceArrays, workers: np.ndarray, slot: np.ndarray,
               saving: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Per worker, points within which some best whole set of its children lies.

    Where the load cost's slope is at least every child's saving per point (from the
    first kink, 0, ``busy`` or ``full``, where it is), a set that reaches one child's
    points past there can drop a child without costing more; so a best set stops short of
    that kink plus the largest child's points. Where no slope is that steep, every point.
    """
    n = len(workers)
    density = np.zeros(n)
    np.maximum.at(density, slot, saving / points)
    largest = np.zeros(n, dtype=int)
    np.maximum.at(largest, slot, points)
    total = np.bincount(slot, weights=points, minlength=n).astype(int)
    busy, full = arrays.busy[workers], arrays.full[workers]
    cap = total.copy()
    for kink in (np.maximum(busy, full), np.minimum(busy, full), np.zeros(n)):  # latest first
        slope = arrays.balance * (busy <= kink) + arrays.overload * (full <= kink)
        steep = slope >= density
        cap = np.where(steep, np.minimum(total, np.ceil(kink).astype(int) + largest - 1), cap)
    return cap


def _pieces(arrays: ServiceArrays,
            cols: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per item's worker, the three pieces of added load with the load cost's slope on each."""
    busy, full = arrays.busy[cols], arrays.full[cols]
    lo, hi = np.minimum(busy, full), np.maximum(busy, full)
    for a, b in ((np.zeros_like(lo), lo), (lo, hi), (hi, np.full_like(hi, np.inf))):
        yield a, b, arrays.balance * (busy <= a) + arrays.overload * (full <= a)


def _load_cost(arrays: ServiceArrays, added: np.ndarray,
               workers: np.ndarray | None = None) -> np.ndarray:
    """Each worker's capacity and balance cost for ``added`` points; with ``workers``,
    those workers' (rows) for each load in ``added`` (columns)."""
    busy, full = arrays.busy, arrays.full
    if workers is not None:
        busy, full = busy[workers, None], full[workers, None]
    return (arrays.balance * np.maximum(0.0, added - busy)
            + arrays.overload * np.maximum(0.0, added - full))


def _conjugate(arrays: ServiceArrays, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``f*(price) = max_s price*s - f(s)`` per worker, and the load ``s`` that attains it.

    For a convex piecewise-linear ``f`` the maximum is at 0 or a kink while the price is at
    most the steepest slope (prices are kept there).
    """
    kinks, kink_costs = arrays.kinks
    values = prices * kinks - kink_costs
    at = np.argmax(values, axis=0)
    cols = np.arange(len(prices))
    return values[at, cols], kinks[at, cols]


def request_prices(arrays: ServiceArrays, prices: np.ndarray) -> np.ndarray:
    """``pi_r``: the request's cheapest worker with each point priced, or none."""
    priced = arrays.cost + np.outer(arrays.points, prices)
    return np.minimum(arrays.unallocated, priced.min(axis=1, initial=np.inf))


class _Oracle:
    """``D(prices)`` with the choice behind it: each request at its cheapest worker (or
    none) at the given price per point.

    The choice is made in single precision, twice as fast over a (R, W) table; ``D`` and
    the plan's cost are then summed in double precision from the chosen pairs. ``D`` only
    steers the search: the bound itself is ``L`` (:func:`lagrangian`), in double precision.
    """

    def __init__(self, arrays: ServiceArrays):
        self.arrays = arrays
        self.rows = np.arange(len(arrays.points))
        self.workers = arrays.cost.shape[1]
        self.cost = np.hstack([arrays.cost, arrays.unallocated[:, None]])
        self.single = self.cost.astype(np.float32)
        self.points = arrays.points.astype(np.float32)
        self.priced = self.single.copy()
        self.extra = np.empty_like(self.single[:, :self.workers])

    def __call__(self, prices: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
        """``D``, the choice's cost before load costs, the load it gives each worker, and
        the load at which each worker's conjugate is attained (``D``'s gradient is the
        difference of the two)."""
        np.multiply.outer(self.points, prices.astype(np.float32), out=self.extra)
        np.add(self.single[:, :self.workers], self.extra, out=self.priced[:, :self.workers])
        choice, paid = _siblings(self.arrays, self.priced, np.argmin(self.priced, axis=1))
        held = choice < self.workers
        load = np.bincount(choice[held], weights=self.arrays.points[held],
                           minlength=self.workers)
        lin = float(self.cost[self.rows, choice].sum()) + paid
        fstar, attained = _conjugate(self.arrays, prices)
        value = lin + float(load @ prices) - float(fstar.sum())
        return value, lin, load, attained


def ascend_prices(arrays: ServiceArrays, prices: np.ndarray, iterations: int,
                   target: float) -> np.ndarray:
    """Prices per point that make ``D(prices)`` large.

    ``D(prices) = sum_r pi_r(prices) - sum_w f*_w(price_w)`` is at most ``L(pi(prices))``
    and has one variable per worker, so subgradient steps converge in few iterations.
    Polyak steps aim halfway from the best ``D`` to the lowest of ``target`` and the
    relaxation's own plans (every request at its cheapest worker, and a running mix of
    those plans: a mix of plans of the relaxation is one too, so its cost is no lower than
    the relaxation's optimum). The step is halved after a run of steps without progress.
    """
    top = arrays.balance + arrays.overload
    oracle = _Oracle(arrays)
    best, best_prices, step, stale = -math.inf, prices, 1.0, 0
    mix, direction = None, np.zeros_like(prices)
    for _ in range(iterations):
        value, lin, load, attained = oracle(prices)
        mix = (lin, load) if mix is None else (0.9 * mix[0] + 0.1 * lin,
                                               0.9 * mix[1] + 0.1 * load)
        target = min(target, lin + _load_cost(arrays, load).sum(),
                     mix[0] + _load_cost(arrays, mix[1]).sum())
        if value > best:
            best, best_prices, stale = value, prices, 0
        elif (stale := stale + 1) >= PATIENCE:
            step, stale = step / 2, 0
        aim = best + 0.5 * (target - best)
        if step < 1e-4 or math.ceil(best) >= target:
            break
        grad = load - attained
        grad[(prices >= top) & (grad > 0)] = 0.0  # the price may not rise above the top slope
        grad[(prices <= 0) & (grad < 0)] = 0.0
        direction = _deflect(grad, direction)
        norm = float(direction @ direction)
        if norm == 0:
            break
        prices = np.clip(prices + step * (aim - value) / norm * direction, 0.0, top)
    return best_prices


def _deflect(grad: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """The next direction (Camerini, Fratta and Maffioli): when the subgradient turns back
    on the last direction, keep part of that direction, which damps the zig-zag of plain
    subgradient steps."""
    turn = float(grad @ direction)
    if turn >= 0:
        return grad
    return grad - DEFLECT * turn / float(direction @ direction) * direction


class _Coordinates:
    """Exact maximisation of ``D`` over one worker's price at a time, the others held.

    Subgradient steps move every price a little; where one worker's price is far from its
    best (a worker whose known children all stay until their price passes the continuity
    weight, say), this moves it there at once. Each row keeps its two cheapest columns, so
    a move touches only the rows where the worker is or becomes one of them.
    """

    def __init__(self, arrays: ServiceArrays, prices: np.ndarray):
        self.arrays = arrays
        self.prices = prices.copy()
        self.priced = np.hstack([arrays.cost + np.outer(arrays.points, prices),
                                 arrays.unallocated[:, None]])
        rows = len(arrays.points)
        self.low = np.empty((rows, 2))  # cheapest and second cheapest price per row
        self.at = np.empty((rows, 2), dtype=int)  # and their columns
        self._refresh(np.arange(rows))

    def _refresh(self, rows: np.ndarray) -> None:
        sub = self.priced[rows]
        two = np.argpartition(sub, 1, axis=1)[:, :2]
        values = np.take_along_axis(sub, two, axis=1)
        order = np.argsort(values, axis=1, kind="stable")
        self.at[rows] = np.take_along_axis(two, order, axis=1)
        self.low[rows] = np.take_along_axis(values, order, axis=1)

    def ascend(self, sweeps: int) -> np.ndarray:
        """Prices after up to ``sweeps`` passes over the workers, stopping when one gains
        nothing."""
        value = self.value()
        for _ in range(sweeps):
            for w in range(len(self.prices)):
                self._move(w, self._best_price(w))
            value, last = self.value(), value
            if value <= last + 1e-9 * abs(last):
                break
        return self.prices

    def value(self) -> float:
        return float(self.low[:, 0].sum() - _conjugate(self.arrays, self.prices)[0].sum())

    def _best_price(self, w: int) -> float:
        """The price of worker w that maximises ``D``, the others held.

        A row with cost c at w and best alternative a pays ``min(a, c + price * points)``:
        it stays at w until the price passes ``(a - c) / points``. ``D`` is concave and
        piecewise linear in the price, so its maximum is at one of those thresholds or at a
        kink of the worker's load cost's conjugate (its slopes), or at 0 or the top.
        """
        a = self.arrays
        alt = np.where(self.at[:, 0] == w, self.low[:, 1], self.low[:, 0])
        cost, points = a.cost[:, w], a.points
        live = np.isfinite(cost) & (cost < alt) & (points > 0)
        fixed = np.where(np.isfinite(cost) & (points == 0), np.minimum(cost, alt), alt)
        leave = (alt[live] - cost[live]) / points[live]
        order = np.argsort(leave, kind="stable")
        leave, alt_l = leave[order], alt[live][order]
        cost_l, points_l = cost[live][order], points[live][order]
        top = a.balance + a.overload
        prices = np.unique(np.concatenate(([0.0, a.balance, a.overload, top],
                                           leave[leave < top])))
        gone = np.searchsorted(leave, prices, side="right")  # rows that have left by then
        sums = [np.concatenate(([0.0], np.cumsum(v))) for v in (alt_l, cost_l, points_l)]
        paid = (fixed.sum() - sums[0][-1] + sums[0][gone] + sums[1][-1] - sums[1][gone]
                + prices * (sums[2][-1] - sums[2][gone]))
        kinks = np.array([0.0, a.busy[w], a.full[w]])
        load_cost = (a.balance * np.maximum(0.0, kinks - a.busy[w])
                     + a.overload * np.maximum(0.0, kinks - a.full[w]))
        conjugate = (prices[:, None] * kinks - load_cost).max(axis=1)
        return float(prices[np.argmax(paid - conjugate)])

    def _move(self, w: int, price: float) -> None:
        a = self.arrays
        column = a.cost[:, w] + a.points * price
        self.priced[:, w] = column
        self.prices[w] = price
        touched = (self.at[:, 0] == w) | (self.at[:, 1] == w) | (column < self.low[:, 1])
        self._refresh(np.nonzero(touched)[0])


# --- the service as arrays -------------------------------------------------------------


def service_arrays(problem: AllocationProblem, service: str) -> ServiceArrays:
    """The relaxation's data for ``service``: pair costs, points and load lines."""
    requests = problem.requests_in(service)
    workers = [problem.workers[w] for w in problem.service_workers.get(service, ())]
    w = problem.config.weights
    allowed = eligibility(problem, requests, workers)
    dated, exempt = date_costs(problem, requests, workers)
    allowed &= np.isfinite(dated) | exempt
    known = _known(requests, workers)
    has_known = np.array([bool(r.preferred) for r in requests])
    cost = (np.where(exempt, 0.0, dated)
            + w.continuity * (has_known[:, None] & ~known)
            + w.locality * _away(requests, workers))
    unallocated = np.array([w.unallocated_statutory if r.statutory else w.unallocated
                            for r in requests], dtype=float) + w.continuity * has_known
    base = np.array([x.base_load for x in workers], dtype=float)
    busy = np.array([busy_line(x.capacity, x.base_load) for x in workers], dtype=float)
    full = np.array([max(x.capacity, x.base_load) for x in workers], dtype=float)  # capacity
    return ServiceArrays(
        cost=np.where(allowed, cost, np.inf).reshape(len(requests), len(workers)),
        points=np.array([r.points for r in requests], dtype=float), unallocated=unallocated,
        busy=busy - base, full=full - base, balance=float(w.balance_point),
        overload=float(w.overload_point), family=_families(requests),
        split=float(w.sibling_split))


def _families(requests: list[Request]) -> np.ndarray:
    """(F, K): the rows of each family of two or more lead requests, -1 padded (the
    siblings_together term counts lead requests only)."""
    rows: dict[str, list[int]] = {}
    for i, r in enumerate(requests):
        if r.role == "lead":
            rows.setdefault(r.family_id, []).append(i)
    groups = [g for _, g in sorted(rows.items()) if len(g) > 1]
    out = np.full((len(groups), max((len(g) for g in groups), default=0)), -1, dtype=int)
    for f, g in enumerate(groups):
        out[f, :len(g)] = g
    return out


def eligibility(problem: AllocationProblem, requests: list[Request],
                workers: list[Worker]) -> np.ndarray:
    """(R, W): pairs no hard restriction forbids, mirroring each constraint's ``restrict``
    (a worker's diary aside: that is :func:`date_costs`'s, as usable dates are priced there).
    """
    asye = np.array([x.asye for x in workers])
    statutory_lead = np.array([r.role == "lead" and r.statutory for r in requests])
    allowed = ~(statutory_lead[:, None] & asye[None, :])  # asye_never_leads
    column = {x.id: j for j, x in enumerate(workers)}
    for i, r in enumerate(requests):  # coworker_differs
        for wid in r.not_worker:
            if wid in column:
                allowed[i, column[wid]] = False
    no_new = np.array([x.max_new_per_week == 0 for x in workers])
    new = np.array([r.counts_as_new for r in requests])
    allowed &= ~(new[:, None] & no_new[None, :] & ~_known(requests, workers))  # max_new
    allowed &= ~_no_meeting(problem, requests, workers)  # transfer_meeting
    row = {r.id: i for i, r in enumerate(requests)}
    for o in problem.overrides:  # manager_overrides: a forbidden worker
        if o.action == "forbid_worker" and o.request_id in row and o.worker in column:
            allowed[row[o.request_id], column[o.worker]] = False
    return allowed


def _known(requests: list[Request], workers: list[Worker]) -> np.ndarray:
    """(R, W): the worker is one the request prefers (continuity)."""
    column = {x.id: j for j, x in enumerate(workers)}
    known = np.zeros((len(requests), len(workers)), dtype=bool)
    for i, r in enumerate(requests):
        for wid in r.preferred:
            if wid in column:
                known[i, column[wid]] = True
    return known


def _away(requests: list[Request], workers: list[Worker]) -> np.ndarray:
    """(R, W): both localities known and different (the locality term)."""
    places = {x.locality for x in workers} | {r.locality for r in requests}
    names = {name: k for k, name in enumerate(sorted(p for p in places if p))}
    here = np.array([names[r.locality] if r.locality else -1 for r in requests], dtype=int)
    there = np.array([names[x.locality] if x.locality else -1 for x in workers], dtype=int)
    return (here[:, None] >= 0) & (there[None, :] >= 0) & (here[:, None] != there[None, :])


def _meeting_grid(problem: AllocationProblem, requests: list[Request],
                  workers: list[Worker]) -> np.ndarray:
    """(R, W): working days from the plan date to the team's first meeting day for the
    request; -1 where the team has none in the request's window."""
    teams = sorted({x.team for x in workers})
    team_col = np.array([teams.index(x.team) for x in workers], dtype=int)
    lasts = sorted({last_meeting_day(r) for r in requests if r.dates})
    grid = np.full((len(lasts) + 1, len(teams)), -1, dtype=int)  # last row: no dates
    for g, last in enumerate(lasts):
        for t, team in enumerate(teams):
            days = problem.meeting_days(team, last)
            if days:
                grid[g, t] = working_days_between(problem.plan_date, days[0])
    group = {last: g for g, last in enumerate(lasts)}
    rows = np.array([group[last_meeting_day(r)] if r.dates else len(lasts) for r in requests],
                    dtype=int)
    return grid[rows][:, team_col]


def _no_meeting(problem: AllocationProblem, requests: list[Request],
                workers: list[Worker]) -> np.ndarray:
    """(R, W): a request that needs a meeting, at a team with no meeting day by its last."""
    needs = np.array([bool(r.dates) and r.needs_meeting for r in requests])
    return needs[:, None] & (_meeting_grid(problem, requests, workers) < 0)


def date_costs(problem: AllocationProblem, requests: list[Request],
               workers: list[Worker]) -> tuple[np.ndarray, np.ndarray]:
    """(R, W) cheapest date and late-meeting cost of each pair (inf: no usable date), and
    (R, W) the pairs exempt from the worker's diary (a re-allocated child kept with their
    lead, who does not move: cost 0).

    A pair on date index i pays ``date_delay * i`` and, for a weekly transfer, the meeting's
    lateness from the team's first meeting day: what ``ServiceModel.implied_date`` minimises.
    Any plan pays at least this: its date is a usable day, at least i working days after
    the first, and its meeting is on or after the team's first meeting day.
    """
    w = problem.config.weights
    days = sorted({t for r in requests for t in r.dates})
    index = {t: k for k, t in enumerate(days)}
    number = np.array([working_days_between(problem.plan_date, t) for t in days] + [0])
    at_work = np.array([[t in x.available for t in days] + [False] for x in workers],
                       dtype=bool).reshape(len(workers), len(days) + 1)
    width = max((len(r.dates) for r in requests), default=0)
    slot = np.full((len(requests), width), len(days), dtype=int)  # padding: nobody at work
    for i, r in enumerate(requests):
        slot[i, :len(r.dates)] = [index[t] for t in r.dates]
    meeting = _meeting_grid(problem, requests, workers)
    needs = np.array([r.needs_meeting for r in requests])[:, None]
    best = np.full((len(requests), len(workers)), np.inf)
    for k in range(width):
        late = np.maximum(0, meeting - number[slot[:, k]][:, None]) * needs
        cost = w.date_delay * k + w.late_meeting * late
        usable = at_work[:, slot[:, k]].T
        best = np.where(usable & (cost < best), cost, best)
    from_worker = {x.id: j for j, x in enumerate(workers)}
    exempt = np.zeros((len(requests), len(workers)), dtype=bool)
    for i, r in enumerate(requests):
        j = from_worker.get(r.decision.from_worker or "")
        if r.restructure and j is not None:
            exempt[i, j] = True
    return best, exempt
