"""Hard: a worker takes at most their configured number of new children in any week."""

from __future__ import annotations

from collections import Counter

from allocator.calendar import week_start
from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem, Worker
from allocator.solver.context import ServiceModel

NAME = "max_new_per_week"
KIND = "hard"
RULE = "A worker takes at most wcap_max_new_per_week new children a week."


def restrict(ctx: ServiceModel) -> None:
    for r in ctx.requests:
        if not r.counts_as_new:
            continue
        for w in ctx.pool(r):
            if w.max_new_per_week == 0 and w.id not in r.preferred:
                ctx.forbid(r, w, NAME)


def add(ctx: ServiceModel) -> None:
    """Per worker and week: requests whose worker is w and whose date falls in that week.

    A request whose usable dates all fall in one week counts through ``x`` itself; only a
    request spanning weeks needs a ``new[r, w, week]`` literal (x and a date in that week).
    A request kept with the worker who already holds the child is not new to them. Only
    workers in ``ctx.limited_workers`` are modelled; the solver adds a worker once a solve
    without the limit gives them too many (see allocator.solver.model).
    """
    m = ctx.model
    for w in ctx.workers:
        pairs = [(r, x) for r, x in ctx.request_vars(w) if r.new_to(w.id)]
        if len(pairs) <= w.max_new_per_week:
            continue
        if w.id not in ctx.limited_workers:
            _add_week_counts(ctx, w, pairs)
            continue
        by_week: dict[object, list] = {}
        for r, x in pairs:
            if not ctx.is_dated(r):
                by_week.setdefault(week_start(ctx.implied_date(r, w)), []).append(x)
                continue
            weeks = sorted({week_start(t) for t in r.dates})
            for wk in weeks:
                if len(weeks) == 1:
                    by_week.setdefault(wk, []).append(x)
                    continue
                days = [ctx.day[r.id, t] for t in r.dates if week_start(t) == wk]
                both = m.NewBoolVar(f"new[{r.id},{w.id},{wk}]")
                m.Add(both >= x + sum(days) - 1)
                by_week.setdefault(wk, []).append(both)
        for wk, lits in by_week.items():
            if len(lits) > w.max_new_per_week:
                ctx.enforce(m.Add(sum(lits) <= w.max_new_per_week), NAME, RULE)


def _add_week_counts(ctx: ServiceModel, w: Worker, pairs: list) -> None:
    """For a worker whose limit is not modelled: for every run of consecutive weeks, the
    requests that can only fall inside it are at most the limit times its weeks.

    The full limit implies these rows (whatever dates the plan gives, those requests' new
    children land in those weeks), so a model with them is still a relaxation. They need no
    date variables, and where each request's weeks at the worker are a run, they are
    exactly what makes some choice of weeks meet the limit (Hall's condition on
    intervals), so the relaxation's plans can be dated within the limit afterwards.
    """
    weeks_of = []
    for r, x in pairs:
        weeks = sorted({week_start(t) for t in r.dates if t in w.available}) or \
            sorted({week_start(t) for t in r.dates})
        weeks_of.append((weeks[0], weeks[-1], x))
    all_weeks = sorted({wk for lo, hi, _ in weeks_of for wk in (lo, hi)})
    for i, lo in enumerate(all_weeks):
        for j in range(i, len(all_weeks)):
            hi = all_weeks[j]
            inside = [x for a, b, x in weeks_of if lo <= a and b <= hi]
            room = w.max_new_per_week * ((hi - lo).days // 7 + 1)
            if len(inside) > room:
                ctx.enforce(ctx.model.Add(sum(inside) <= room), NAME, RULE)


def over_limit(plan: Plan, problem: AllocationProblem) -> set[str]:
    """Workers given more new children in some week than they may take."""
    return {v.ids[0] for v in check(plan, problem)}


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    requests = {r.id: r for r in problem.requests}
    counts: Counter[tuple[str, object]] = Counter()
    for a in plan.assignments:
        if a.worker is None or a.on is None or a.request_id not in requests \
                or a.worker not in problem.workers:
            continue  # one_worker reports unknown requests and workers
        if not requests[a.request_id].new_to(a.worker):
            continue
        counts[a.worker, week_start(a.on)] += 1
    return [Violation(NAME, (w, str(wk)), f"{n} new children in one week")
            for (w, wk), n in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
            if n > problem.workers[w].max_new_per_week]
