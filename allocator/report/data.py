"""What the workbook and the HTML report show, gathered once from a checked run.

Every figure comes from the rows the CSVs are written from (:class:`PlanRows`), the plan's
summary or the independent checker's penalties, so the reports can never disagree with the
CSV and JSON outputs. Only grouping and counting happens here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from allocator import __version__
from allocator import domain as d
from allocator.io.writer import DRAFT, PlanRows
from allocator.pipeline import PlanRun
from allocator.summary import Summary, summarise

UNALLOCATED = "UNALLOCATED"


@dataclass(frozen=True)
class TeamLoad:
    """A team's weighted points: the sum over its case-holding workers."""

    team: str
    name: str
    service: str
    workers: int
    capacity: int
    load_before: int
    load_after: int
    over_capacity: int  # workers in the team above capacity after the plan


@dataclass(frozen=True)
class Pair:
    """One figure before and after the plan, for the comparison chart."""

    label: str
    before: int
    after: int


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, in the order a manager reads it."""

    draft: str
    council: str
    pack_id: str
    pack_title: str
    week: date
    seed: int
    version: str
    summary: Summary
    override_cost: int | None
    rows: PlanRows
    team_names: dict[str, str]
    service_names: dict[str, str]
    worker_names: dict[str, str]
    teams: list[TeamLoad]
    transfers_by_day: list[tuple[date, int]]
    sibling_groups: int  # families with two or more children placed in one service
    sibling_groups_split: int
    known_worker_requests: int  # requests with a worker who already knows the child
    known_worker_not_kept: int
    before_after: list[Pair]
    exceptions: list[dict[str, object]]


def report_data(run: PlanRun, rows: PlanRows) -> ReportData:
    """Gather the report's figures from a checked run and its output rows."""
    summary = summarise(run)
    team_names = {t.dept_team_id: t.dept_team_name for t in run.caseload.rows(d.Department)}
    continuity_broken = sum(1 for p in run.check.penalties if p.term == "continuity")
    return ReportData(
        draft=DRAFT, council=run.caseload.manifest.council, pack_id=run.pack.pack.id,
        pack_title=run.pack.pack.title, week=run.week, seed=run.seed, version=__version__,
        summary=summary, override_cost=run.override_cost, rows=rows,
        team_names=team_names,
        service_names={s.id: s.name for s in run.pack.services},
        worker_names={str(r["worker_id"]): str(r["worker_name"]) for r in rows.capacity},
        teams=team_loads(rows.capacity, team_names),
        transfers_by_day=transfers_by_day(rows.roster),
        sibling_groups=sibling_groups(rows.roster),
        sibling_groups_split=summary.sibling_groups_split,
        known_worker_requests=sum(1 for r in run.problem.requests if r.preferred),
        known_worker_not_kept=continuity_broken,
        before_after=before_after(rows.capacity, rows.roster),
        exceptions=exception_rows(run, rows),
    )


def headline_figures(data: ReportData) -> list[tuple[str, object]]:
    """The summary's figures with their labels, most urgent first."""
    s = data.summary
    figures: list[tuple[str, object]] = [
        ("Statutory children unallocated", s.unallocated_statutory),
        ("Children unallocated", s.unallocated),
        ("Manager decisions needed", s.manager_decisions),
        ("Workers over capacity after the plan", s.workers_over_capacity),
        ("Sibling groups split", s.sibling_groups_split),
        ("Children moving or allocated this plan", s.moving),
        ("Allocated", s.allocated),
        ("Open children", s.open_children),
        ("CP/looked-after children led by an ASYE", s.statutory_led_by_asye),
        ("Hard violations (independent check)", s.hard_violations),
        ("Objective / bound", f"{s.objective} / {s.bound} ({s.solver_status})"),
    ]
    if data.override_cost is not None:
        figures.append(("Cost of manager overrides", data.override_cost))
    return figures


def team_loads(capacity: list[dict[str, object]], names: dict[str, str]) -> list[TeamLoad]:
    """Per team, the sums of its workers' capacity rows."""
    by_team: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in capacity:
        by_team[str(row["team"])].append(row)
    out = []
    for team, members in by_team.items():  # capacity rows are already in service, team order
        out.append(TeamLoad(
            team=team, name=names.get(team, team), service=str(members[0]["service"]),
            workers=len(members), capacity=sum(_int(r["capacity"]) for r in members),
            load_before=sum(_int(r["load_before"]) for r in members),
            load_after=sum(_int(r["load_after"]) for r in members),
            over_capacity=sum(1 for r in members if _int(r["over_capacity"]) > 0)))
    return out


def transfers_by_day(roster: list[dict[str, object]]) -> list[tuple[date, int]]:
    """Children moving to a new worker on each transfer date, in date order."""
    days = Counter(r["transfer_date"] for r in roster
                   if r["to_worker"] != UNALLOCATED and isinstance(r["transfer_date"], date))
    return sorted(days.items())


def sibling_groups(roster: list[dict[str, object]]) -> int:
    """Families with two or more children given a lead worker in one service by this plan:
    the groups the siblings-together rule applies to."""
    children = Counter((r["family_id"], r["to_service"]) for r in roster
                       if r["role"] == "lead" and r["to_worker"] != UNALLOCATED)
    return sum(1 for n in children.values() if n > 1)


def before_after(capacity: list[dict[str, object]],
                 roster: list[dict[str, object]]) -> list[Pair]:
    """Workers by how full they are, and children waiting for a worker, before and after.
    Over capacity means load above capacity, as in the summary; 75% is the balance line."""
    def band(load: int, cap: int) -> str:
        if load > cap:
            return "over"
        return "busy" if 4 * load >= 3 * cap else "under"

    def count(key: str, name: str) -> int:
        return sum(1 for r in capacity if band(_int(r[key]), _int(r["capacity"])) == name)

    pairs = [Pair(label, count("load_before", name), count("load_after", name))
             for label, name in (("Workers over capacity", "over"),
                                 ("Workers 75% to 100% full", "busy"),
                                 ("Workers under 75% full", "under"))]
    waiting = sum(1 for r in roster if r["role"] == "lead" and not r["from_worker"])
    left = sum(1 for r in roster if r["role"] == "lead" and r["to_worker"] == UNALLOCATED)
    pairs.append(Pair("Children in the plan with no lead worker", waiting, left))
    return pairs


def exception_rows(run: PlanRun, rows: PlanRows) -> list[dict[str, object]]:
    """What a manager must look at: unallocated children, manager decisions, overdue
    transfers, sibling groups split, and overrides with their cost."""
    out: list[dict[str, object]] = []
    for r in rows.roster:
        if r["to_worker"] == UNALLOCATED:
            out.append(_exception("Unallocated", r, r["flags"], r["clause"]))
        elif "late" in _tuple(r["flags"]):
            out.append(_exception("Overdue transfer", r, r["transfer_point"], r["clause"]))
    for r in rows.decisions:
        if r["outcome"] == "manager_decision":
            out.append(_exception("Manager decision needed", r, r["reason"], r["clause"]))
    for p in run.check.penalties:
        if p.term == "siblings_together":
            out.append({"kind": "Sibling group split", "child_id": None, "family_id": p.ids[0],
                        "team": None, "detail": p.detail, "clause": None, "cost": p.cost})
    for o in run.problem.overrides:
        what = {"pin_worker": f"pinned to worker {o.worker}", "pin_date": f"pinned to {o.on}",
                "forbid_worker": f"worker {o.worker} forbidden"}.get(o.action, o.action)
        out.append({"kind": "Manager override", "child_id": o.child_id, "family_id": None,
                    "team": None, "detail": f"{what}: {o.reason}" + (f" ({o.by})" if o.by else ""),
                    "clause": o.id, "cost": None})
    if run.override_cost is not None:
        out.append({"kind": "Cost of all overrides", "child_id": None, "family_id": None,
                    "team": None, "detail": "objective with the overrides minus without",
                    "clause": None, "cost": run.override_cost})
    return out


def _exception(kind: str, row: dict[str, object], detail: object,
               clause: object) -> dict[str, object]:
    return {"kind": kind, "child_id": row["child_id"], "family_id": row["family_id"],
            "team": row.get("to_team") or row.get("from_team"), "detail": detail,
            "clause": clause, "cost": None}


def _tuple(value: object) -> tuple[object, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else ()


def _int(value: object) -> int:
    return int(value) if isinstance(value, (int, float)) else 0
