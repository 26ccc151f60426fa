"""Prices on meeting slots and weekly limits for the Lagrangian bound.

The relaxation of allocator.solver.lagrangian drops two families of rows: a team holds at
most its slots of transfer meetings on a meeting day, and a worker takes at most their
weekly limit of new children in a week. Where they bind (a conference fixes many children
to one day, a team meets once a week) the relaxation prices every meeting on the team's
first meeting day and its bound is far below the optimum.

Here those rows are priced instead of dropped: ``mu[team, day] >= 0`` per meeting slot and
``nu[worker, week] >= 0`` per new child. For any such prices, each pair's cheapest date and
meeting day including the prices, minus ``mu * slots`` and ``nu * limit`` summed, is again
a lower bound (weak duality: a plan that keeps the rows pays no more than its cost there).
The prices are the optimal duals of the relaxation's linear programme (allocator.solver.
row_lp); where it reaches no optimum, they are searched by projected subgradient steps on
how far the relaxation's plan oversubscribes each row, each step re-pricing the pairs and
re-solving the relaxation from the last point prices. Either way the bound never relies on
the prices being good, only on their being non-negative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from allocator.calendar import week_start, working_days_between
from allocator.problem import AllocationProblem, last_meeting_day
from allocator.solver import lagrangian as lag

if TYPE_CHECKING:
    from allocator.solver.patterns import Limits
    from allocator.solver.row_lp import RowPrices

# Subgradient steps on the row prices, at most ... (the 12,000-child week's assessment
# service: 24,580 at 300, 25,090 at 600, 25,109 at 1,000; its safeguarding service
# converges before 300)
STEPS = 600
STEP_WORK = 1.7e8  # ... and fewer on a huge service: steps times (request option, worker) cells
INNER = 40  # point-price steps per row-price step, warm-started
PATIENCE = 20  # steps without progress before the step size is halved
# A search that has not raised the bound at all in this many steps is given up: where the
# rows do not bind at the relaxation's plans no price raises it (the 12,000-child week's
# care service: 600 steps, none raising it), and where they do the first rise comes within
# 12-56 steps on the services measured.
GIVE_UP = 100


@dataclass
class RowPricing:
    """The pairs whose cost the row prices change (weekly transfers: a meeting, a new
    child) and the rows themselves.

    Each request's date options are listed one after another, a row per option (most
    requests have one date, a few up to a dozen: padding every request to the longest would
    make most of the work padding). Prices are ``mu``, (T, J): team t's j-th meeting day
    (columns past a team's last day are padding, never chosen), and ``nu``, (W, weeks)."""

    rows: np.ndarray  # (R,) rows of ServiceArrays these requests are
    extra: np.ndarray  # (R, W) continuity and locality; inf where a hard rule forbids
    first: np.ndarray  # (R,) each request's first option; its options follow in date order
    of: np.ndarray  # (N,) the request (0..R-1) of each option
    delay: np.ndarray  # (N,) date-delay cost of each option
    day: np.ndarray  # (N,) working-day number of each option
    usable: np.ndarray  # (N, W) the worker is at work on the option's day
    week: np.ndarray  # (N,) week index of each option
    new: np.ndarray  # (R, W) giving the request to the worker adds a new child
    needs: np.ndarray  # (R,) the request needs a transfer meeting
    last: np.ndarray  # (R,) working-day number of the last day its meeting may be held
    team_of: np.ndarray  # (W,) team index of each worker
    meeting_days: np.ndarray  # (T, J) working-day numbers of each team's meeting days; inf pads
    slots: np.ndarray  # (T,) meetings a team holds a meeting day
    limit: np.ndarray  # (W,) new children a worker takes a week
    weeks: int
    late: float  # late_meeting weight per working day

    def __post_init__(self) -> None:
        # Options share few (transfer day, last meeting day) pairs: each pair's meeting is
        # priced once per team, then looked up.
        pairs = np.stack([self.day, self.last[self.of]], axis=1)
        unique, self.pair_of = np.unique(pairs, axis=0, return_inverse=True)
        self.pair_of = self.pair_of.reshape(-1)
        self.pair_day, self.pair_last = unique[:, 0], unique[:, 1]
        self.option_new = self.new[self.of].astype(float)
        self.option_needs = self.needs[self.of]
        self.index = np.arange(len(self.of))

    def zero_prices(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.meeting_days.shape), np.zeros((len(self.limit), self.weeks))

    def costs(self, mu: np.ndarray, nu: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(R, W) each pair's cheapest cost at these prices, with the option (row of the
        option arrays) and the meeting day (column of ``mu``; -1: no meeting) that attain
        it: the earliest option where several do."""
        days = self.meeting_days[None]  # (1, T, J)
        late = self.late * np.maximum(0.0, days - self.pair_day[:, None, None])
        price = np.where(days <= self.pair_last[:, None, None], late + mu[None],
                         np.inf)  # (pairs, T, J)
        table_pick = np.argmin(price, axis=2)
        table_cost = np.take_along_axis(price, table_pick[..., None], axis=2)[..., 0]
        meeting = np.where(self.option_needs[:, None],
                           table_cost[self.pair_of][:, self.team_of], 0.0)  # (N, W)
        total = self.delay[:, None] + meeting + nu.T[self.week] * self.option_new
        total = np.where(self.usable, total, np.inf)
        best = np.minimum.reduceat(total, self.first, axis=0)
        hit = np.where(total == best[self.of], self.index[:, None], len(self.of))
        # Where no option is usable every option "attains" inf: the first is taken.
        option = np.minimum.reduceat(hit, self.first, axis=0)
        picked = np.where(self.needs[:, None],
                          table_pick[self.pair_of[option], self.team_of[None, :]], -1)
        return best + self.extra, option, picked


def row_pricing(problem: AllocationProblem, service: str,
                arrays: lag.ServiceArrays) -> RowPricing | None:
    """The service's weekly transfers as option arrays, or None if it has none (a
    re-allocation's handovers take no meeting and no limit, so their pairs' costs never
    change)."""
    requests = problem.requests_in(service)
    workers = [problem.workers[w] for w in problem.service_workers.get(service, ())]
    rows = [i for i, r in enumerate(requests) if r.dates and (r.needs_meeting or r.counts_as_new)]
    if not rows or not workers:
        return None
    picked = [requests[i] for i in rows]
    dated, exempt = lag.date_costs(problem, picked, workers)
    base = arrays.cost[rows]
    finite = np.isfinite(base) & np.isfinite(dated)
    extra = np.full(base.shape, np.inf)
    extra[finite] = base[finite] - np.where(exempt, 0.0, dated)[finite]
    weights = problem.config.weights
    mondays = sorted({week_start(t) for r in picked for t in r.dates})
    week_index = {m: k for k, m in enumerate(mondays)}
    options = [(i, k, t) for i, r in enumerate(picked) for k, t in enumerate(r.dates)]
    new = np.array([[r.new_to(w.id) for w in workers] for r in picked], dtype=bool)
    teams = sorted({w.team for w in workers})
    latest = max(last_meeting_day(r) for r in picked)
    numbers = [[working_days_between(problem.plan_date, t)
                for t in problem.meeting_days(team, latest)] for team in teams]
    meeting_days = np.full((len(teams), max(1, max(len(n) for n in numbers))), np.inf)
    for t, n in enumerate(numbers):
        meeting_days[t, :len(n)] = n
    return RowPricing(
        rows=np.array(rows, dtype=int), extra=extra,
        first=np.cumsum([0] + [len(r.dates) for r in picked[:-1]]),
        of=np.array([i for i, _, _ in options], dtype=int),
        delay=np.array([weights.date_delay * k for _, k, _ in options], dtype=float),
        day=np.array([working_days_between(problem.plan_date, t) for _, _, t in options],
                     dtype=float),
        usable=np.array([[t in w.available for w in workers] for _, _, t in options],
                        dtype=bool).reshape(len(options), len(workers)),
        week=np.array([week_index[week_start(t)] for _, _, t in options], dtype=int),
        new=new, needs=np.array([r.needs_meeting for r in picked], dtype=bool),
        last=np.array([working_days_between(problem.plan_date, last_meeting_day(r))
                       for r in picked], dtype=float),
        team_of=np.array([teams.index(w.team) for w in workers], dtype=int),
        meeting_days=meeting_days,
        slots=np.array([problem.teams[t].meeting_slots for t in teams], dtype=float),
        limit=np.array([w.max_new_per_week for w in workers], dtype=float),
        weeks=len(mondays), late=float(weights.late_meeting))


# Each search's steps aim at the plan's cost times one of these. Aiming at the plan itself
# takes steps too short where the bound starts far below it; aiming far above overshoots.
# Any aim gives a valid bound: the best of the searches is kept. Against aiming at 1.0 and
# 1.2, these two were as good or better on every service measured (the 12,000-child week's
# assessment service, planned at 26,890: 24,603 against 24,180; the 3,000-child week's
# assessment and safeguarding services at their optima: 8,352 and 1,895 against 8,049 and
# 1,881; equal on the others), for up to a third more time.
AIMS = (1.2, 1.4)
# The search is sensitive to its aim: on the 12,000-child week's safeguarding service
# (bound 15,982 before row prices), planned at 20,460 / 20,860 / 21,500, aims of 1.2 and
# 1.4 gave 19,351 / 17,773 / 19,532. Where they leave the bound less than RETRY_BELOW of
# the way from where it started to the plan, one more search is made: aiming RETRY times
# the plan (17,773 became 19,056 there) or, where the plan is so far above the bound that
# every aim taken from it overshoots, FALLBACK_AIM times the starting bound (on the
# 30,000-child week's assessment service, plan 54,780, that raised 21,353 to 27,322).
RETRY_BELOW = 0.5
RETRY = 1.1
FALLBACK_AIM = 1.6


def priced_rows_bound(arrays: lag.ServiceArrays, pricing: RowPricing, prices: np.ndarray,
                      start: float, target: float, search: bool = True,
                      pattern_limits: Limits | None = None,
                      rounding: bool = False) -> lag.Bound:
    """The best Lagrangian value found with prices on the slot and limit rows (at least
    ``start``, the value without them), less its float-error margin; with ``rounding``,
    the worker patterns' rounded plan too; where patterns were generated, the bound keeps
    their master.

    The prices are the relaxation's linear programme's optimal duals (allocator.solver.
    row_lp), at which children are then taken whole and siblings kept; where that
    programme's plan splits a family and the families have few enough pairs, a second
    programme with sibling rows prices the splits too. Then worker patterns are generated
    from the first programme's prices within ``pattern_limits`` (allocator.solver.
    patterns): whole caseloads, families' splits and the rows priced together.
    Where the first programme reaches no optimum, subgradient searches from zero prices
    are made instead (:func:`searched_bound`), if ``search``.
    """
    from allocator.solver.row_lp import SIBLING_PAIRS_UP_TO, lp_prices

    found = lp_prices(arrays, pricing)
    if found is None or not found.optimal:
        return lag.Bound(searched_bound(arrays, pricing, prices, start, target) if search
                         else start)
    here = priced_arrays(arrays, pricing, found.mu, found.nu)
    best = max(start, _value(here, found.pi, found.per_point, None)
               - rows_paid(pricing, found.mu, found.nu))
    members = arrays.family[arrays.family >= 0]
    if math.ceil(best) < target and len(members) \
            and np.isfinite(arrays.cost[members]).sum() <= SIBLING_PAIRS_UP_TO \
            and _splits_families(here, found):
        split = lp_prices(arrays, pricing, siblings=True)
        if split is not None and split.optimal:
            best = max(best, value_at(arrays, pricing, split.pi, split.mu, split.nu,
                                      split.per_point, split.sigma))
    if pattern_limits is not None and math.ceil(best) < target:
        from allocator.solver.patterns import generate_patterns

        generated = generate_patterns(arrays, pricing, found.pi, found.mu, found.nu, target,
                                      pattern_limits, rounding)
        if generated is not None:
            return lag.Bound(max(best, generated.value), generated.rounded,
                             generated.master)
    return lag.Bound(best)


def priced_arrays(arrays: lag.ServiceArrays, pricing: RowPricing, mu: np.ndarray,
                  nu: np.ndarray) -> lag.ServiceArrays:
    """The service's arrays with each priced pair at its cheapest date and meeting
    including the row prices."""
    here = replace(arrays, cost=arrays.cost.copy())
    here.cost[pricing.rows] = pricing.costs(mu, nu)[0]
    return here


def value_at(arrays: lag.ServiceArrays, pricing: RowPricing, pi: np.ndarray, mu: np.ndarray,
             nu: np.ndarray, per_point: np.ndarray, sigma: np.ndarray | None = None) -> float:
    """The bound at these prices, less what the row prices paid: the better of children
    taken whole at ``pi`` and siblings kept at ``per_point`` (lag.family_dual); with
    ``sigma``, the sibling rows' prices too (:func:`sibling_rows_value`)."""
    return _value(priced_arrays(arrays, pricing, mu, nu), pi, per_point, sigma) \
        - rows_paid(pricing, mu, nu)


def _value(here: lag.ServiceArrays, pi: np.ndarray, per_point: np.ndarray,
           sigma: np.ndarray | None) -> float:
    """:func:`value_at` on arrays already priced, before what the row prices paid."""
    siblings = lag.family_dual(here, per_point)
    if sigma is None or not len(here.family):
        return max(lag.lagrangian_whole(here, pi), siblings)
    whole = lag.lagrangian_whole(replace(here, cost=here.cost + sigma), pi) \
        + sibling_rows_value(here, sigma)
    return max(whole, siblings)


def sibling_rows_value(arrays: lag.ServiceArrays, sigma: np.ndarray) -> float:
    """What the sibling rows of allocator.solver.row_lp add to the bound at prices
    ``sigma`` (R, W), less its float-error margin (each pair then costs ``sigma`` more).

    A family spread over workers pays one split per worker ``z`` marks, less one, so for
    any ``sigma >= 0`` each family and worker adds ``min(0, split - sum of sigma)`` (``z``
    between 0 and 1 at its cheapest), less one split per family. A family with no child
    allocated is charged -1 split there, below its true 0: a bound all the same.
    """
    padded = np.vstack([sigma, np.zeros((1, sigma.shape[1]))])
    spread = padded[arrays.family].sum(axis=1)  # (F, W); -1 pads index the zero row
    z = np.minimum(0.0, arrays.split - spread)
    families = arrays.split * len(arrays.family)
    return float(z.sum()) - families - lag.SAFETY * (float(np.abs(z).sum()) + families + 1.0)


def _splits_families(here: lag.ServiceArrays, found: RowPrices) -> bool:
    """Whether the programme's plan splits a family: siblings kept at its prices bound
    above its own (continuous) value. Where it does not, a programme with sibling rows has
    the same optimum (the 12,000-child week's assessment service: 3.2 s for nothing);
    where it does, it raised the 3,000-child re-allocation's assessment service from 41,980
    to 42,960 and the 30,000-child week's disability service from 4,302 to 5,020."""
    return lag.family_dual(here, found.per_point) > lag.lagrangian(here, found.pi) + 0.5


def rows_paid(pricing: RowPricing, mu: np.ndarray, nu: np.ndarray) -> float:
    """What the row prices pay at full slots and limits, with its float-error margin."""
    paid = float(mu.sum(axis=1) @ pricing.slots) + float(nu.sum(axis=1) @ pricing.limit)
    return paid + lag.SAFETY * (paid + 1.0)


def searched_bound(arrays: lag.ServiceArrays, pricing: RowPricing, prices: np.ndarray,
                   start: float, target: float) -> float:
    """The best value of subgradient searches of the row prices from zero (at least
    ``start``), less its float-error margin."""
    best = start
    for aim in AIMS:
        if math.ceil(best) >= target:
            break
        best = max(best, _search(arrays, pricing, prices, start, target, aim))
    fallback = FALLBACK_AIM * start / max(1.0, target)  # as a multiple of the plan's cost
    if math.ceil(best) < target and best < start + RETRY_BELOW * (target - start):
        aim = fallback if fallback < AIMS[0] else RETRY
        best = max(best, _search(arrays, pricing, prices, start, target, aim))
    return best


def _search(arrays: lag.ServiceArrays, pricing: RowPricing, prices: np.ndarray,
            start: float, target: float, aim: float) -> float:
    """One projected subgradient search of the row prices, from zero, its steps aiming at
    ``aim`` times the plan's cost ``target``."""
    mu, nu = pricing.zero_prices()
    steps = max(30, min(STEPS, int(STEP_WORK / max(1, pricing.usable.size))))
    best, step, stale = start, 1.0, 0
    at_best = None  # (mu, nu, pi, what the row prices paid) at the best value
    here = replace(arrays, cost=arrays.cost.copy())  # only the priced rows change, each step
    for taken in range(steps):
        if math.ceil(best) >= target or (taken == GIVE_UP and best == start):
            break
        cost, option, meeting = pricing.costs(mu, nu)
        here.cost[pricing.rows] = cost
        prices = lag.ascend_prices(here, prices, INNER, aim * target)
        pi = lag.request_prices(here, prices)
        paid = rows_paid(pricing, mu, nu)
        # Siblings at the same prices (lag.family_dual) are a bound too, and the steps
        # follow the better of the two: the 30,000-child week's assessment service 32,730
        # -> 38,130, its disability service 3,894 -> 4,576 (35,078 and 4,515 with the
        # siblings' value only kept, not followed); on the 12,000-child week within 0.1%.
        value = max(lag.lagrangian(here, pi), lag.family_dual(here, prices)) - paid
        if value > best:
            best, stale = value, 0
            at_best = (mu, nu, pi, paid)
        elif (stale := stale + 1) >= PATIENCE:
            step, stale = step / 2, 0
        slot_use, new_use = _usage(here, pricing, prices, option, meeting)
        grad_mu = np.where(np.isfinite(pricing.meeting_days),
                           slot_use - pricing.slots[:, None], 0.0)
        grad_nu = new_use - pricing.limit[:, None]
        # A price at zero with spare room cannot fall: its component is no direction.
        grad_mu = np.where((mu <= 0) & (grad_mu < 0), 0.0, grad_mu)
        grad_nu = np.where((nu <= 0) & (grad_nu < 0), 0.0, grad_nu)
        norm = float((grad_mu * grad_mu).sum()) + float((grad_nu * grad_nu).sum())
        if norm == 0 or step < 1e-3:
            break
        size = step * (aim * target - value) / norm  # Polyak's step
        mu = np.maximum(0.0, mu + size * grad_mu)
        nu = np.maximum(0.0, nu + size * grad_nu)
    if at_best is None:
        return best
    # The steps follow the continuous values, whose subgradient they use; at the best
    # prices, children taken whole (lagrangian_whole) bound higher: on the 12,000-child
    # week (before the steps followed siblings), assessment 24,740 -> 25,455 and
    # safeguarding 19,312 -> 19,791. Taken at every step instead, the same figures for
    # fifteen times the time.
    mu, nu, pi, paid = at_best
    here.cost[pricing.rows] = pricing.costs(mu, nu)[0]
    return max(best, lag.lagrangian_whole(here, pi) - paid)


def _usage(arrays: lag.ServiceArrays, pricing: RowPricing, prices: np.ndarray,
           option: np.ndarray, meeting: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many meetings each team day and new children each worker week the relaxation's
    plan at these point prices gives (each request at its cheapest worker, or none)."""
    priced = arrays.cost[pricing.rows] + np.outer(arrays.points[pricing.rows], prices)
    choice = np.argmin(priced, axis=1)
    held = np.take_along_axis(priced, choice[:, None], axis=1)[:, 0] < \
        arrays.unallocated[pricing.rows]
    rows = np.nonzero(held)[0]
    cols = choice[rows]
    slot_use = np.zeros(pricing.meeting_days.shape)
    met = meeting[rows, cols] >= 0
    np.add.at(slot_use, (pricing.team_of[cols[met]], meeting[rows[met], cols[met]]), 1.0)
    new_use = np.zeros((len(pricing.limit), pricing.weeks))
    fresh = pricing.new[rows, cols]
    np.add.at(new_use, (cols[fresh], pricing.week[option[rows[fresh], cols[fresh]]]), 1.0)
    return slot_use, new_use
