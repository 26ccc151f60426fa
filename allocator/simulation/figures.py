"""The week's figures, each computed from the world or the week's checked plan.

Statutory here means on a child protection plan or looked after (an open plan or period on
the day), the children who must never wait and never be led by an ASYE.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from allocator import domain as d
from allocator.pipeline import PlanRun
from allocator.plan import Assignment
from allocator.simulation.demand import DemandDraw, open_children
from allocator.simulation.tracking import WeekTracking
from allocator.simulation.world import World, is_open
from allocator.summary import summarise


@dataclass(frozen=True)
class WeekFigures:
    week: str
    open_children: int
    workers: int  # case-holding workers at work on the Monday
    arrivals: int
    closures: int
    unallocated_child_days: int  # open children without a lead, summed over the 7 days
    unallocated_child_days_statutory: int
    asye_leading_statutory: int  # in the plan: must stay 0
    workers_over_capacity: int
    worker_changes: int  # children given a lead other than their last one (not first allocations)
    worker_changes_per_100_children: float
    transfers_late: int  # moves made after the policy window, or still waiting past it
    sibling_groups_split: int
    plan_status: str
    # From the transfer tracker (allocator.simulation.tracking):
    items_escalated: int = 0  # on the Sunday: delayed, overdue, statutory children waiting
    statutory_escalated: int = 0  # CP / looked-after children awaiting allocation
    agreed_moves_not_held: int = 0  # agreed moves the week's plan could not keep
    pins_dropped: int = 0  # of those, pins left out so that the week had a (checked) plan

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


FIGURES = [  # (field, heading) in report order
    ("unallocated_child_days", "Unallocated child-days"),
    ("unallocated_child_days_statutory", "Unallocated child-days (CP / looked after)"),
    ("asye_leading_statutory", "CP / looked-after children led by an ASYE"),
    ("workers_over_capacity", "Workers over capacity"),
    ("worker_changes_per_100_children", "Worker changes per 100 children"),
    ("transfers_late", "Transfers late against the policy window"),
    ("sibling_groups_split", "Sibling groups split"),
    ("items_escalated", "Tracker items escalated at the week's end"),
    ("statutory_escalated", "CP / looked-after children escalated, awaiting allocation"),
    ("agreed_moves_not_held", "Agreed moves that could not hold"),
    ("open_children", "Open children"),
    ("workers", "Case-holding workers"),
]


def week_figures(world: World, week: date, run: PlanRun, made: list[Assignment],
                 draw: DemandDraw, leads_before: dict[str, str],
                 tracking: WeekTracking) -> WeekFigures:
    """The figures for the week beginning ``week``, after its moves are recorded and the
    tracker has reviewed the week."""
    summary = summarise(run)
    days = [week + timedelta(days=i) for i in range(7)]
    waiting = [_unallocated(world, day) for day in days]
    statutory_days = sum(len(w & _statutory(world, day)) for w, day in zip(waiting, days))
    open_now = len(open_children(world, week))
    changes = sum(1 for a in made if a.role == "lead" and leads_before.get(a.child_id)
                  and leads_before[a.child_id] != a.worker)
    return WeekFigures(
        week=week.isoformat(), open_children=open_now, workers=_workers(world, week),
        arrivals=draw.arrivals, closures=draw.closures,
        unallocated_child_days=sum(len(w) for w in waiting),
        unallocated_child_days_statutory=statutory_days,
        asye_leading_statutory=summary.statutory_led_by_asye,
        workers_over_capacity=summary.workers_over_capacity,
        worker_changes=changes,
        worker_changes_per_100_children=round(100 * changes / open_now, 2) if open_now else 0.0,
        transfers_late=_late(run, made, week + timedelta(days=7)),
        sibling_groups_split=summary.sibling_groups_split, plan_status=run.result.status,
        items_escalated=tracking.items_escalated,
        statutory_escalated=tracking.statutory_escalated,
        agreed_moves_not_held=tracking.agreed_moves_not_held,
        pins_dropped=tracking.pins_dropped)


def leads(world: World, on: date) -> dict[str, str]:
    """Each child's lead worker on ``on``."""
    return {r["invo_person_id"]: r["invo_professional_id"] for r in world.rows(d.Involvement)
            if r["invo_professional_role_id"] == d.LEAD_ROLE
            and is_open(r["invo_involvement_start_date"], r["invo_involvement_end_date"], on)}


def last_leads(world: World, on: date) -> dict[str, str]:
    """Each child's most recent lead worker up to ``on``, even if that involvement has
    ended (a leaver's child re-allocated is a change of worker, not a first allocation)."""
    latest: dict[str, tuple[str, str]] = {}
    for r in world.rows(d.Involvement):
        start = r["invo_involvement_start_date"]
        if r["invo_professional_role_id"] != d.LEAD_ROLE or start > on.isoformat():
            continue
        if r["invo_person_id"] not in latest or start >= latest[r["invo_person_id"]][0]:
            latest[r["invo_person_id"]] = (start, r["invo_professional_id"])
    return {c: w for c, (_, w) in latest.items()}


def _unallocated(world: World, on: date) -> set[str]:
    return set(open_children(world, on)) - set(leads(world, on))


def _statutory(world: World, on: date) -> set[str]:
    out = {r["cppl_person_id"] for r in world.rows(d.CpPlan)
           if is_open(r["cppl_cp_plan_start_date"], r["cppl_cp_plan_end_date"], on)}
    return out | {r["clae_person_id"] for r in world.rows(d.ClaEpisode)
                  if is_open(r["clae_cla_episode_start_date"], r["clae_cla_episode_ceased_date"], on)}


def _workers(world: World, on: date) -> int:
    return sum(1 for r in world.rows(d.WorkerCapacity) if r.get("wcap_case_holding", "Y") != "N"
               and is_open(r["wcap_start_date"], r["wcap_leaving_date"], on))


def _late(run: PlanRun, made: list[Assignment], week_end: date) -> int:
    """Moves made after their window's last day, plus children the plan leaves waiting
    whose window has closed by the week's end."""
    latest = {r.id: r.decision.latest for r in run.problem.requests}
    late = 0
    for a in made:
        last = latest[a.request_id]
        late += int(a.on is not None and last is not None and a.on > last)
    for a in run.result.plan.unallocated:
        last = latest[a.request_id]
        late += int(last is not None and last < week_end)
    return late
