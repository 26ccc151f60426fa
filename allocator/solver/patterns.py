"""A bound over whole caseloads: column generation over worker patterns.

The Lagrangian bound of allocator.solver.lagrangian_rows takes its prices from a linear
programme whose columns are single (request, worker) pairs: a worker may hold a fraction
of a child, and a family may be spread over workers at a fraction of a split. Here the
master programme's columns are **patterns**: a set of children for one worker, each with
its date and meeting day, costing their own terms, the worker's load cost for all of
them together and one split for each family the worker holds part of (Dantzig-Wolfe).
Each worker takes at most one pattern; each request one pattern or none; slots and weekly
limits as before. Its optimal duals are the prices at which the Lagrangian whose
per-worker problem is that knapsack with families is highest.

The pricing problem is the same function that bounds: at any prices (one per request,
slot and weekly limit), each worker's cheapest pattern is found exactly (dynamic
programming over points added, a family's options being the subsets of its children,
:func:`cheapest_patterns`), and ``sum pi + sum min(0, U - pi) + sum_w min(0, pattern_w)
- split per family - what the row prices pay`` is a lower bound on the full model
(:func:`pattern_value`). So the bound holds wherever the generation stops, and
neither HiGHS' tolerances nor a round limit can make it invalid. A family is charged a
split per worker holding any of it, less one: what any plan pays, or less where none of
it is allocated.

Kelley's cutting planes converge slowly from poor duals, so the master is stabilised:
its duals are kept inside a box around the best prices so far (artificial columns price
leaving it), the box moving to each better point and doubling when it holds no better
one. It starts from the row-priced programme's prices with each family's split shared
among its children's prices, where the plain Lagrangian's value already stands.

On the 12,000-child week: the disability service's bound rose from 4,870 to 5,027 (its
optimum is 5,030), safeguarding from 20,080 to 20,220, assessment from 25,840 to 25,930;
at 30,000 children the care service's from 4,360 to 5,610; on the 3,000-child
re-allocation's safeguarding service from 209,251 to 215,157 in 60 re-solves.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from allocator.solver import lagrangian as lag
from allocator.solver.knapsack_kernel import fill_tables, taken_options
from allocator.solver.lagrangian_rows import RowPricing, rows_paid
from allocator.solver.options_kernel import make_options
from allocator.solver.row_lp import add_columns, priced_columns, quiet_highs

ROUNDS = 400  # master re-solves at most; a deterministic limit, so the same input, same bound
# A re-allocation's patterns are whole caseloads, each re-solve's tables far larger. On the
# 3,000-child safeguarding service 150 re-solves in a box of 0.01 take the bound from
# 209,251 to 216,789 in 9 s (216,237 after 60; in a box of 0.05, 215,157; let run,
# 216,819 after about 250); on the 1,000-child one 150 re-solves reach 49,376 against 47,684
# after 60. On the 12,000-child one each re-solve's tables have 70 to 110 million cells
# (0.4 s to price, 0.3 to 0.6 s to re-solve the master): generation stops once its tables
# have had REALLOCATION_WORK cells in all, there after about 130 re-solves and two minutes
# (617,177 to 648,508; 6 billion cells stopped it after about 70, at 639,332).
# A box of 0.005 converged faster there (646,982 against 646,056 after 100 re-solves) but
# slower on the smaller services (1,000 children: 48,561 against 49,376; 3,000: 216,674
# against 216,776).
REALLOCATION_ROUNDS = 150
REALLOCATION_BOX = 0.01
REALLOCATION_WORK = 12_000_000_000
REALLOCATION_CELLS = 200_000_000  # a re-solve's table: 12,000 children's reach 110 million

BOX = 0.05  # the stabilisation box's half-width, as a share of each price (plus BOX_FLOOR)
BOX_FLOOR = 10.0
NEGLIGIBLE = 1e-6  # a child saving at most this at a worker is counted as taken free
# A family of more children than this is taken as single children with no split (a
# relaxation, so still a bound): its subsets would be too many options.
FAMILY_WIDTH_UP_TO = 6
# Past this many cells (steps x workers x loads) the dynamic programme is not made.
CELLS_UP_TO = 100_000_000
# A pattern out of the master's basis for this many re-solves in a row is dropped, once
# this many are (:meth:`_Master.forget_idle`). On the 12,000-child re-allocation's
# safeguarding service the master then holds about 34,000 columns rather than 49,000 after
# 150 re-solves, which take 150 s rather than 210 s, for the same bound within 0.02%
# (649,501 against 649,607); the 3,000-child one's bound is unchanged (216,789).
IDLE_ROUNDS = 20
FORGET_AT_LEAST = 2_000
# The combined plan's integer programme (:meth:`_Master.combined`) searches its root node
# only; the wall-clock limit is a backstop far beyond what the root takes (3.3 s on the
# 12,000-child week's assessment service, 6.8 s on the 12,000-child re-allocation's
# safeguarding service), so it never decides the plan in practice.
COMBINE_NODES = 1
COMBINE_BACKSTOP_SECONDS = 120.0
# A master of at least this many requests is re-solved by the dual simplex, smaller ones by
# the primal. Added columns and a moved box keep the basis primal feasible, and on the
# weekly services the primal re-solves in tens of iterations (the 12,000-child week's
# assessment service: 0.2 s for 76 re-solves, against 4.0 s for the dual). On the
# 12,000-child re-allocation's safeguarding service (5,270 requests) the primal took
# 2,600 iterations a re-solve and 72 s in all; the dual 1,300 and 23 s, so 142 re-solves
# rather than 134 fitted the same table cells (the bound 652,082 against 648,508) in 91 s
# rather than 142. On the smaller masters the dual was no faster (generation in all: the
# same re-allocation's assessment, 1,949 requests, 72 s against 68; care, 3,036, 41
# against 31; the 3,000-child re-allocation's services within a second of the primal).
DUAL_FROM_REQUESTS = 4_000


@dataclass(frozen=True)
class Limits:
    """How far generation goes: re-solves, table cells in all and in one re-solve's
    tables, and the box's half-width."""

    rounds: int = ROUNDS
    work: float = math.inf
    box: float = BOX
    cells: int = CELLS_UP_TO


@dataclass(frozen=True)
class PairItems:
    """Every (request, worker) pair at some row prices: its cheapest date and meeting."""

    true: np.ndarray  # (R, W) the pair's own cost there (inf: forbidden)
    priced: np.ndarray  # (R, W) with the row prices of its slot and week added
    slot: np.ndarray  # (R, W) its slot row (team * J + meeting day) or -1
    week: np.ndarray  # (R, W) its limit row (worker * weeks + week) or -1


def pair_items(arrays: lag.ServiceArrays, pricing: RowPricing | None, mu: np.ndarray,
               nu: np.ndarray) -> PairItems:
    """Each pair's cheapest column at ``mu`` and ``nu``, as allocator.solver.row_lp prices it."""
    true = arrays.cost.copy()
    slot = np.full(true.shape, -1)
    week = np.full(true.shape, -1)
    if pricing is None:
        return PairItems(true, true, slot, week)
    columns = priced_columns(arrays, pricing, mu, nu, None)
    true[pricing.rows] = np.inf
    true[columns.row, columns.worker] = columns.cost
    slot[columns.row, columns.worker] = columns.slot
    week[columns.row, columns.worker] = columns.week
    priced = true + np.where(slot >= 0, mu.reshape(-1)[np.maximum(slot, 0)], 0.0) \
        + np.where(week >= 0, nu.reshape(-1)[np.maximum(week, 0)], 0.0)
    return PairItems(true, priced, slot, week)


@dataclass(frozen=True)
class Patterns:
    """Each worker's cheapest pattern at some prices."""

    value: np.ndarray  # (W,) its reduced cost (at most 0: the empty pattern)
    worker: np.ndarray  # (N,) worker of each chosen (worker, request) pair
    row: np.ndarray  # (N,) request of each
    free: np.ndarray  # (W,) savings counted free (negligible ones), already in ``value``
    spread: float  # magnitude of what was summed, for the float-error margin
    cells: int = 0  # the dynamic programme's size: steps x workers x loads, over buckets


@dataclass(frozen=True)
class Caseload:
    """Children for one worker, as a column of the master: the requests' rows (in order),
    each one's slot row and limit row (-1: none), and what their own terms cost there
    (continuity, locality, date and the meeting's lateness). The column's cost adds the
    worker's load cost and the families' splits (:meth:`_Master._add_columns`)."""

    worker: int
    rows: np.ndarray
    slot: np.ndarray
    week: np.ndarray
    own: float


def families_kept(arrays: lag.ServiceArrays) -> np.ndarray:
    """(F, K) the families whose split the patterns price: those of at most
    :data:`FAMILY_WIDTH_UP_TO` children (wider ones are taken as single children)."""
    family = arrays.family
    if family.size == 0:
        return np.zeros((0, 1), dtype=int)
    width = (family >= 0).sum(axis=1)
    kept = family[width <= FAMILY_WIDTH_UP_TO]
    keep = max(1, int((kept >= 0).sum(axis=1).max())) if len(kept) else 1
    return kept[:, :keep]


def cheapest_patterns(arrays: lag.ServiceArrays, priced: np.ndarray, pi: np.ndarray,
                      families: np.ndarray, cells_up_to: int = CELLS_UP_TO
                      ) -> Patterns | None:
    """Every worker's cheapest pattern at request prices ``pi`` and pair costs ``priced``:
    minimise the load cost of the points taken plus, over the children taken, ``priced -
    pi``, plus one split per family (rows of ``families``) the worker takes part of.

    Exact, by dynamic programming over points added (compiled:
    allocator.solver.knapsack_kernel), one group per step: a single child (take it or not)
    or a family (take one of the subsets of its children that save at this worker, or
    none). As in lag._whole_knapsacks, some best
    pattern stops within one child of the load where the cost's slope reaches the largest
    saving per point (the split only adds to what dropping a child saves), and of single
    children of the same points a best pattern takes those saving most. None where points
    are not whole numbers or the table would pass ``cells_up_to`` cells.
    """
    points = arrays.points
    if not np.array_equal(points, np.round(points)):
        return None
    rows_n, workers_n = priced.shape
    with np.errstate(invalid="ignore"):
        saving = pi[:, None] - priced  # (R, W); -inf forbidden, nan never (pi finite)
    saving = np.where(np.isfinite(saving), saving, -np.inf)
    free_pair = (saving > 0) & ((points[:, None] == 0) | (saving <= NEGLIGIBLE))
    free = np.where(free_pair, saving, 0.0).sum(axis=0)
    useful = (saving > 0) & ~free_pair
    in_family = np.zeros(rows_n, dtype=bool)
    in_family[families[families >= 0]] = True
    # The options, worker by worker, in the order the table takes them (compiled:
    # allocator.solver.options_kernel). A single child saving at least what its points
    # cost at the steepest slope belongs to some best pattern whatever else it holds
    # (adding it never costs more than it saves): counted in from the start, its points the
    # table's starting load. In a re-allocation a worker's own children, worth their
    # continuity, mostly are. Past a kink of the load cost, an option saving less per point
    # than the slope there is dropped at no loss as long as the load stays past the kink,
    # so some best pattern stops short of the kink plus the points of the groups saving
    # more ("steep") plus the largest option's (lag._whole_cap's argument, over options):
    # that is each worker's cap, and of single children of the same points, those saving
    # most are kept as far as it allows.
    busy, full = arrays.busy, arrays.full
    kinks = (np.maximum(busy, full), np.minimum(busy, full), np.zeros(workers_n))
    slopes = np.stack([arrays.balance * (busy <= kink) + arrays.overload * (full <= kink)
                       for kink in kinks]).astype(np.float64)
    rounded_kinks = np.stack([np.ceil(kink) for kink in kinks]).astype(np.int64)
    sure, base, base_gain, ow, og, op, ogain, omask, cap, total = make_options(
        np.ascontiguousarray(saving, dtype=np.float64), np.ascontiguousarray(useful),
        points.astype(np.int64), in_family, families.astype(np.int64),
        float(arrays.split), float(arrays.balance + arrays.overload), slopes, rounded_kinks)
    sure_groups, sure_workers = np.nonzero(sure)
    sure_masks = np.ones(len(sure_groups), dtype=np.int64)

    # Each worker's groups in order, a group's options side by side, packed for the
    # compiled programme (allocator.solver.knapsack_kernel).
    group_start = np.r_[True, (ow[1:] != ow[:-1]) | (og[1:] != og[:-1])][:len(ow)]
    g_first = np.flatnonzero(group_start)
    groups = np.bincount(ow[g_first], minlength=workers_n)
    worker_groups = np.r_[0, np.cumsum(groups)].astype(np.int64)
    group_options = np.r_[g_first, len(ow)].astype(np.int64)
    top = np.minimum(cap, total)
    # The work counted: workers in buckets of like table widths, each bucket as wide as its
    # widest worker and as long as its longest (a deterministic measure of the programme's
    # size, for its limits).
    bucket = np.ceil(np.log2(top + 1.0)).astype(int)
    cells = sum(max(1, int(groups[bucket == b].max())) * int((bucket == b).sum())
                * (int(top[bucket == b].max()) + 1) for b in np.unique(bucket))
    if cells > cells_up_to:
        return None
    most, choice = fill_tables(worker_groups, group_options, op, ogain, top)
    value = -free
    spread = float(free.sum())
    loads = np.zeros(workers_n, dtype=np.int64)
    for b in np.unique(bucket):
        who = np.flatnonzero(bucket == b)
        load = np.arange(int(top[who].max()) + 1)
        cost = lag._load_cost(arrays, base[who][:, None] + load[None, :], who)
        held = most[who][:, :len(load)]
        net = cost - held  # +inf where no set adds exactly that many points
        at = np.argmin(net, axis=1)
        each = np.arange(len(who))
        value[who] += net[each, at] - base_gain[who]
        spread += float((cost[each, at] + np.abs(held[each, at])).sum()
                        + base_gain[who].sum())
        loads[who] = at
    taker, place, picked = taken_options(worker_groups, group_options, op, top, choice, loads)
    # Bucket by bucket, later groups first, as the columns were first made.
    picked = picked[np.lexsort((taker, -place, bucket[taker]))]
    worker = np.concatenate([ow[picked], sure_workers])
    group = np.concatenate([og[picked], sure_groups])
    mask = np.concatenate([omask[picked], sure_masks])
    row, owner = _option_rows(group, mask, worker, families, rows_n)
    return Patterns(value, owner, row, free, spread, cells)


def _option_rows(group: np.ndarray, mask: np.ndarray, worker: np.ndarray,
                 families: np.ndarray, rows_n: int) -> tuple[np.ndarray, np.ndarray]:
    """The children (rows) of the options taken, and each one's worker."""
    single = group < rows_n
    rows, owners = [group[single]], [worker[single]]
    if len(families):
        f = group[~single] - rows_n
        bits = (mask[~single, None] >> np.arange(families.shape[1])) & 1
        k = np.nonzero(bits)
        rows.append(families[f[k[0]], k[1]])
        owners.append(worker[~single][k[0]])
    return np.concatenate(rows).astype(int), np.concatenate(owners).astype(int)


def pattern_value(arrays: lag.ServiceArrays, pi: np.ndarray, patterns: Patterns,
                  families: int, paid: float) -> float:
    """The bound at these prices, less its float-error margin: ``sum pi + sum min(0, U -
    pi) + sum_w pattern_w - split x families - paid`` (``paid``: what the row prices pay
    at full slots and limits, with its own margin)."""
    unallocated = np.minimum(0.0, arrays.unallocated - pi)
    splits = arrays.split * families
    value = float(pi.sum() + unallocated.sum() + patterns.value.sum()) - splits - paid
    scale = float(np.abs(pi).sum() + np.abs(unallocated).sum()) + patterns.spread + splits + 1.0
    return value - lag.SAFETY * scale


def generate_patterns(arrays: lag.ServiceArrays, pricing: RowPricing | None, pi: np.ndarray,
                      mu: np.ndarray, nu: np.ndarray, target: float,
                      limits: Limits = Limits(), rounding: bool = False) -> lag.Bound | None:
    """The best bound found by generating worker patterns from prices ``pi``, ``mu`` and
    ``nu`` (a request's price, each meeting slot's and each worker week's), stopping at the
    master's optimum, at ``target`` (a plan's cost) or at ``limits``; with ``rounding``,
    the master's last programme rounded to a worker per request (:meth:`_Master.rounded`).
    The bound keeps the master, through which complete plans can then be combined
    (allocator.solver.combine). None if the pricing problem cannot be made
    (:func:`cheapest_patterns`)."""
    import highspy

    master = _Master(arrays, pricing, limits.box, limits.cells)
    pi = _families_share_split(arrays, master.families, pi)
    value, patterns, items = master.price(pi, mu, nu)
    if patterns is None:
        return None
    best = value
    spent = patterns.cells
    master.add(patterns, items)
    master.centre(pi, patterns, mu, nu)
    for _ in range(limits.rounds):
        if math.ceil(best) >= target or spent >= limits.work:
            break
        master.h.run()
        if master.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        pi, mu, nu = master.duals()
        inside = master.inside_box()
        master.forget_idle()
        value, patterns, items = master.price(pi, mu, nu)
        if patterns is None:
            break
        spent += patterns.cells
        added = master.add(patterns, items)
        if value > best:
            best = value
            master.centre(pi, patterns, mu, nu)
        if not added:
            if inside:
                break  # no pattern prices out at the master's optimum: converged
            master.widen()
    return lag.Bound(best, master.rounded() if rounding else None, master)


def pattern_limits(weekly: bool) -> Limits:
    """The limits for a weekly service's patterns, or a re-allocation's."""
    if weekly:
        return Limits()
    return Limits(REALLOCATION_ROUNDS, REALLOCATION_WORK, REALLOCATION_BOX,
                  REALLOCATION_CELLS)


def _families_share_split(arrays: lag.ServiceArrays, families: np.ndarray,
                          pi: np.ndarray) -> np.ndarray:
    """Each family child's price raised by its share of one split. At prices from a
    programme without families a family's children save nothing at their cheapest
    worker, so no worker would take them and every family would count its split less one
    against the bound; with the split shared out, the family taken whole at its
    cheapest worker saves just that, and the value starts where the plain one stood."""
    pi = pi.copy()
    for members in families:
        members = members[members >= 0]
        pi[members] += arrays.split / len(members)
    return pi


def _column_key(c: Caseload) -> tuple:
    """What makes a column: its worker and each child's row, slot row and limit row."""
    return (c.worker, tuple(c.rows.tolist()), tuple(c.slot.tolist()), tuple(c.week.tolist()))


class _Master:
    """The restricted master programme in HiGHS.

    Rows: a request's patterns and its ``u`` sum to 1; a worker's patterns to at most 1;
    each meeting day's meetings at most its slots; each worker week's new children at most
    its limit. Columns: ``u`` per request, two artificial columns per row (the box), then
    the patterns.
    """

    def __init__(self, arrays: lag.ServiceArrays, pricing: RowPricing | None, box: float,
                 cells_up_to: int = CELLS_UP_TO):
        self.arrays, self.pricing, self.box = arrays, pricing, box
        self.cells_up_to = cells_up_to
        self.families = families_kept(arrays)
        self.family_of = np.full(len(arrays.points), -1)
        for f, members in enumerate(self.families):
            self.family_of[members[members >= 0]] = f
        self.rows_n, self.workers_n = arrays.cost.shape
        self.slots_n = pricing.meeting_days.size if pricing is not None else 0
        self.weeks = pricing.weeks if pricing is not None else 0
        n = self.rows_n + self.workers_n + self.slots_n + self.workers_n * self.weeks
        self.n = n
        self.h = h = quiet_highs()
        h.setOptionValue("simplex_strategy", 1 if self.rows_n >= DUAL_FROM_REQUESTS else 4)
        upper = [np.ones(self.rows_n), np.ones(self.workers_n)]
        if pricing is not None:
            upper += [np.repeat(pricing.slots, pricing.meeting_days.shape[1]),
                      np.repeat(pricing.limit, pricing.weeks)]
        lower = np.concatenate([np.ones(self.rows_n), np.full(n - self.rows_n, -np.inf)])
        h.addRows(n, lower, np.concatenate(upper), 0, np.zeros(n, dtype=np.int32),
                  np.zeros(0, dtype=np.int32), np.zeros(0))
        add_columns(h, arrays.unallocated.astype(float), [[r] for r in range(self.rows_n)],
                    [[1.0]] * self.rows_n)
        self.box_first = h.getNumCol()
        add_columns(h, np.zeros(2 * n), [[i] for i in range(n)] * 2, [[1.0]] * n + [[-1.0]] * n)
        self.seen: set[tuple] = set()
        self.patterns: list[tuple[int, np.ndarray]] = []  # (worker, requests) per column
        self.keys: list[tuple] = []  # each column's key in ``seen``
        self.idle = np.zeros(0, dtype=np.int64)  # re-solves since each column was last used
        self.width = np.zeros(n)
        self.middle = np.zeros(n)

    def price(self, pi: np.ndarray, mu: np.ndarray, nu: np.ndarray
              ) -> tuple[float, Patterns | None, PairItems]:
        """The bound at these prices, each worker's cheapest pattern and the pairs' items."""
        items = pair_items(self.arrays, self.pricing, mu, nu)
        patterns = cheapest_patterns(self.arrays, items.priced, pi, self.families,
                                     self.cells_up_to)
        if patterns is None:
            return -math.inf, None, items
        paid = 0.0 if self.pricing is None else rows_paid(self.pricing, mu, nu)
        return pattern_value(self.arrays, pi, patterns, len(self.families), paid), patterns, items

    def add(self, patterns: Patterns, items: PairItems) -> int:
        """Add each worker's pattern that prices out and is new; how many were added."""
        order = np.argsort(patterns.worker, kind="stable")
        worker, row = patterns.worker[order], patterns.row[order]
        columns = []
        for w in np.unique(worker):
            if patterns.value[w] + patterns.free[w] > -1e-9:
                continue  # only negligible savings: nothing to add
            rows = np.sort(row[worker == w])
            columns.append(Caseload(int(w), rows, items.slot[rows, w], items.week[rows, w],
                                    float(items.true[rows, w].sum())))
        return self._add_columns(columns)

    def add_caseloads(self, caseloads: Sequence[Caseload]) -> int:
        """Add plans' caseloads as columns (those not already there; rows in order, with
        their slot and limit rows alongside); how many were added."""
        return self._add_columns(list(caseloads))

    def _add_columns(self, columns: list[Caseload]) -> int:
        """Add the columns not already held, each costing its children's own terms, the
        worker's load cost and a split per family it holds part of."""
        costs, index, value = [], [], []
        base = self.rows_n + self.workers_n
        for c in columns:
            key = _column_key(c)
            if key in self.seen:
                continue
            self.seen.add(key)
            load = float(self.arrays.points[c.rows].sum())
            splits = len({int(f) for f in self.family_of[c.rows] if f >= 0})
            cost = c.own + self.arrays.split * splits + float(
                lag._load_cost(self.arrays, np.array([[load]]), np.array([c.worker]))[0, 0])
            entries: dict[int, float] = {c.worker + self.rows_n: 1.0}
            for r in c.rows:
                entries[int(r)] = entries.get(int(r), 0.0) + 1.0
            for s in c.slot[c.slot >= 0]:
                entries[base + int(s)] = entries.get(base + int(s), 0.0) + 1.0
            for k in c.week[c.week >= 0]:
                key_k = base + self.slots_n + int(k)
                entries[key_k] = entries.get(key_k, 0.0) + 1.0
            keys = sorted(entries)
            self.patterns.append((c.worker, c.rows))
            self.keys.append(key)
            costs.append(cost)
            index.append(keys)
            value.append([entries[k] for k in keys])
        if costs:
            add_columns(self.h, np.array(costs), index, value)
            self.idle = np.concatenate([self.idle, np.zeros(len(costs), dtype=np.int64)])
        return len(costs)

    def forget_idle(self) -> None:
        """After a re-solve: drop the patterns that have been out of the basis, at a
        positive reduced cost, for ``IDLE_ROUNDS`` re-solves in a row, once there are
        ``FORGET_AT_LEAST`` of them. A re-solve then works on a smaller programme; a
        dropped pattern can come back, as its key leaves ``seen`` and pricing it out again
        adds it again. The bound is unaffected: it comes from pricing over every pattern."""
        first = self.box_first + 2 * self.n
        # A basic column's reduced cost is zero, so a positive one says "out of the basis".
        reduced = np.asarray(self.h.getSolution().col_dual)[first:]
        self.idle = np.where(reduced > 1e-9, self.idle + 1, 0)
        drop = np.flatnonzero(self.idle >= IDLE_ROUNDS)
        if drop.size < FORGET_AT_LEAST:
            return
        self.h.deleteCols(int(drop.size), (first + drop).astype(np.int32))
        keep = self.idle < IDLE_ROUNDS
        self.patterns = [c for c, k in zip(self.patterns, keep) if k]
        self.keys = [c for c, k in zip(self.keys, keep) if k]
        self.seen = set(self.keys)
        self.idle = self.idle[keep]

    def rounded(self) -> np.ndarray | None:
        """(R,) a worker per request (-1: none), from the master's last programme, box and
        all: each worker's heaviest pattern, a request in two of them going to the heavier
        (the first, at equal weights). None if HiGHS finds no optimum.

        The programme's optimum is near the bound, and its patterns are whole caseloads,
        so where generation nearly converged most workers hold one pattern at weight 1 and
        the rounded plan costs little more than the bound (allocator.solver.rounding has
        the figures). The box stays:
        without it the programme's re-solve took 30 s on the 12,000-child re-allocation's
        safeguarding service, against 0.4 s, and its rounded plan, made and polished as
        the start is, came to 712,970 against 698,400 with it after 70 re-solves (3,000
        children: 223,900 against 224,000)."""
        import highspy

        h = self.h
        h.run()  # the columns added since the last re-solve
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.asarray(h.getSolution().col_value)[self.box_first + 2 * self.n:]
        heaviest: dict[int, int] = {}
        for j, (w, _) in enumerate(self.patterns):
            if x[j] > 1e-6 and (w not in heaviest or x[j] > x[heaviest[w]]):
                heaviest[w] = j
        worker = np.full(self.rows_n, -1)
        weight = np.zeros(self.rows_n)
        for w, j in sorted(heaviest.items()):
            rows = self.patterns[j][1]
            take = rows[x[j] > weight[rows]]
            worker[take], weight[take] = w, x[j]
        return worker

    def combined(self, start: Sequence[Caseload] = ()) -> np.ndarray | None:
        """(R,) a worker per request (-1: none) from the master solved as an integer
        programme over the columns it holds, the box taken away: the patterns generated
        and the caseloads added, each worker taking one whole column. None if HiGHS finds
        no plan within its root node. ``start``: the caseloads of a plan to start from (see
        :meth:`_start_from`). The master stays an integer programme: columns added later
        (the caseloads of a later plan) join it, and it can combine again.

        Generated patterns alone rarely fit together (the 12,000-child week's assessment
        service: a plan leaving most children out); with plans' caseloads among them (the
        searched plan and its starts) the programme mixes the best caseloads of
        each and of the patterns. Only the root node is searched (:data:`COMBINE_NODES`): a
        limit in nodes, not seconds, so the same input gives the same plan; the
        assessment service's root found the optimum of this programme's integer solutions
        near enough (26,040 against 26,030 after 9 nodes)."""
        import highspy

        h = self.h
        first = self.box_first + 2 * self.n
        box = np.arange(self.box_first, first, dtype=np.int32)
        h.changeColsBounds(len(box), box, np.zeros(len(box)), np.zeros(len(box)))
        whole = np.concatenate([np.arange(self.box_first),
                                np.arange(first, h.getNumCol())]).astype(np.int32)
        h.changeColsIntegrality(len(whole), whole,
                                np.full(len(whole), highspy.HighsVarType.kInteger))
        h.setOptionValue("mip_max_nodes", COMBINE_NODES)
        # Its plans come from HiGHS' sub-MIP heuristics at the root; presolving the whole
        # programme first only delays them (the assessment service: 6.0 s against 3.3 s,
        # for a plan of the same cost).
        h.setOptionValue("presolve", "off")
        h.setOptionValue("time_limit", COMBINE_BACKSTOP_SECONDS)
        if start:
            self._start_from(start)
        h.run()
        if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        x = np.asarray(h.getSolution().col_value)[first:]
        worker = np.full(self.rows_n, -1)
        for j in np.flatnonzero(x > 0.5):
            w, rows = self.patterns[j]
            worker[rows] = w
        return worker

    def _start_from(self, start: Sequence[Caseload]) -> None:
        """Give HiGHS the plan whose caseloads are ``start`` (columns the master holds) as
        its first incumbent, so the root's heuristics work from it and the combination is
        never worse. Without it, on the 12,000-child re-allocation's assessment service, the
        root took 27 s and found nothing better than the plan given; with it, 21 s and
        182,590 against 182,650. Nothing is given if a caseload is not held."""
        import highspy

        index = {key: j for j, key in enumerate(self.keys)}
        first = self.box_first + 2 * self.n
        x = np.zeros(self.h.getNumCol())
        covered = np.zeros(self.rows_n, dtype=bool)
        for c in start:
            j = index.get(_column_key(c))
            if j is None:
                return
            x[first + j] = 1.0
            covered[c.rows] = True
        x[:self.rows_n] = ~covered
        solution = highspy.HighsSolution()
        solution.col_value = x.tolist()
        solution.value_valid = True
        self.h.setSolution(solution)

    def duals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The master's duals as prices: per request, per slot (>= 0), per worker week."""
        y = np.asarray(self.h.getSolution().row_dual)
        r, w, s = self.rows_n, self.workers_n, self.slots_n
        pi = y[:r].copy()
        if self.pricing is None:
            return pi, np.zeros((0, 0)), np.zeros((w, 0))
        mu = np.maximum(0.0, -y[r + w:r + w + s]).reshape(self.pricing.meeting_days.shape)
        nu = np.maximum(0.0, -y[r + w + s:]).reshape(w, self.weeks)
        return pi, mu, nu

    def centre(self, pi: np.ndarray, patterns: Patterns, mu: np.ndarray,
               nu: np.ndarray) -> None:
        """Move the box to these prices (the workers' rows at their patterns' values)."""
        self.middle = np.concatenate([pi, np.minimum(0.0, patterns.value),
                                      -mu.reshape(-1), -nu.reshape(-1)])
        self.width = self.box * (np.abs(self.middle) + BOX_FLOOR)
        self._set_box()

    def widen(self) -> None:
        self.width = 2.0 * self.width
        self._set_box()

    def inside_box(self) -> bool:
        """Whether the optimum uses no artificial column (its duals are the master's own)."""
        x = np.asarray(self.h.getSolution().col_value)
        return float(x[self.box_first:self.box_first + 2 * self.n].sum()) <= 1e-9

    def _set_box(self) -> None:
        # +e_i at middle + width bounds the row's dual above; -e_i at -(middle - width),
        # below.
        index = np.arange(self.box_first, self.box_first + 2 * self.n, dtype=np.int32)
        self.h.changeColsCost(2 * self.n, index, np.concatenate(
            [self.middle + self.width, -(self.middle - self.width)]))
