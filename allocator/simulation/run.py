"""The rolling simulation: a scenario's horizon, one real weekly plan after another."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from allocator import domain as d
from allocator.rules.pack import load_pack
from allocator.simulation.changes import (
    apply_changes,
    notice_in_force,
    switch_pack,
    with_notice,
)
from allocator.simulation.demand import baseline_rate, draw_week, open_children
from allocator.simulation.figures import WeekFigures, last_leads, week_figures
from allocator.simulation.model import Scenario, ScenarioError
from allocator.simulation.step import apply_plan, end_leavers, front_teams, plan_week, rng_for
from allocator.simulation.tracking import SimulatedTracker
from allocator.simulation.world import World, load_world


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's figures week by week, with the seed they came from."""

    name: str
    seed: int
    weeks: tuple[WeekFigures, ...]

    def totals(self) -> dict[str, float]:
        """Sums over the horizon (peaks for counts that are states, not flows)."""
        w = self.weeks
        return {
            "unallocated_child_days": sum(x.unallocated_child_days for x in w),
            "unallocated_child_days_statutory": sum(x.unallocated_child_days_statutory for x in w),
            "asye_leading_statutory_max": max((x.asye_leading_statutory for x in w), default=0),
            "workers_over_capacity_mean": round(sum(x.workers_over_capacity for x in w) / max(len(w), 1), 2),
            "worker_changes": sum(x.worker_changes for x in w),
            "worker_changes_per_child": round(sum(x.worker_changes for x in w)
                                              / max(w[-1].open_children if w else 1, 1), 3),
            "transfers_late": sum(x.transfers_late for x in w),
            "sibling_groups_split": sum(x.sibling_groups_split for x in w),
            "items_escalated_mean": _mean([x.items_escalated for x in w]),
            "statutory_escalated_max": max((x.statutory_escalated for x in w), default=0),
            "statutory_escalated_mean": _mean([x.statutory_escalated for x in w]),
            "agreed_moves_not_held": sum(x.agreed_moves_not_held for x in w),
            "pins_dropped": sum(x.pins_dropped for x in w),
        }


def _mean(values: list[int]) -> float:
    return round(sum(values) / max(len(values), 1), 2)


def check_references(scenario: Scenario, world: World, file: str = "<scenario>") -> None:
    """Every team, worker and service the scenario names exists (or is created before)."""
    teams = set(world.team_service()) | {t.id for t in scenario.structure.new_teams}
    workers = {r["wcap_professional_id"] for r in world.rows(d.WorkerCapacity)}
    pack = load_pack(scenario.pack or world.manifest["pack"])
    services = {s.id for s in pack.services}
    problems: list[str] = []

    def need(ok: bool, field: str, what: str) -> None:
        if not ok:
            problems.append(f"{file}: {field}: {what}")

    for i, lv in enumerate(scenario.staff.leavers):
        for w in lv.workers:
            need(w in workers, f"staff.leavers[{i}].workers", f"unknown worker {w}")
        need(lv.team is None or lv.team in teams, f"staff.leavers[{i}].team", f"unknown team {lv.team}")
        need(lv.service is None or lv.service in services, f"staff.leavers[{i}].service",
             f"unknown service {lv.service}")
    for i, st in enumerate(scenario.staff.starters):
        need(st.team in teams, f"staff.starters[{i}].team", f"unknown team {st.team}")
    for i, f in enumerate(scenario.staff.fte):
        need(f.worker in workers, f"staff.fte[{i}].worker", f"unknown worker {f.worker}")
    for i, m in enumerate(scenario.structure.merges):
        for t in (*m.teams, m.into):
            need(t in teams, f"structure.merges[{i}]", f"unknown team {t}")
    for i, nt in enumerate(scenario.structure.new_teams):
        need(nt.service in services, f"structure.new_teams[{i}].service",
             f"unknown service {nt.service}")
    if problems:
        raise ScenarioError(problems)


def run_scenario(scenario: Scenario, seed: int | None = None,
                 progress: Callable[[str], None] | None = None,
                 world: World | None = None, tracker: Path | None = None) -> ScenarioResult:
    """Simulate the scenario's horizon week by week from its start date.

    ``seed`` overrides the file's (a sweep runs one scenario under many seeds); the same
    scenario and seed give the same figures, on any machine and in any process.
    ``tracker`` is the SQLite file the weeks' transfer tracker is kept in (replaced if
    present); without it a temporary one is used and removed at the end.
    """
    seed = scenario.seed if seed is None else seed
    world = world or load_world(scenario.council)
    check_references(scenario, world)
    pack = world.manifest["pack"]
    if scenario.pack and scenario.pack != pack:
        switch_pack(world, pack, scenario.pack)
        pack = scenario.pack
    rate = baseline_rate(scenario.demand, len(open_children(world, scenario.start)))
    store, out = SimulatedTracker(tracker), []
    try:
        for i in range(scenario.weeks):
            week = scenario.start + timedelta(weeks=i)
            out.append(_week(scenario, world, store, seed, rate, i, week, pack))
            pack = world.manifest["pack"]  # a pack switch in the week records the new one
            if progress:
                progress(f"{scenario.name}: week {i + 1}/{scenario.weeks} ({week})")
    finally:
        store.close()
    return ScenarioResult(scenario.name, seed, tuple(out))


def _week(scenario: Scenario, world: World, store: SimulatedTracker, seed: int, rate: float,
          i: int, week: date, pack: str) -> WeekFigures:
    """One week: changes, leavers, demand, the tracked plan, its moves, the figures."""
    pack = apply_changes(world, scenario, week, rng_for(seed, i, "staff"), pack)
    end_leavers(world, week)
    front = front_teams(world, _front_service(pack))
    draw = draw_week(world, scenario.demand, rate, week, front, rng_for(seed, i, "demand"))
    before = last_leads(world, week + timedelta(days=6))
    in_force = with_notice(pack, notice_in_force(scenario, week))
    run = plan_week(world, week, in_force, seed, scenario.time_limit, store)
    made = apply_plan(world, run, week + timedelta(days=7))
    council = run.caseload.manifest.council
    store.complete_moves(council, made)
    end_leavers(world, week + timedelta(days=6))
    tracking = store.end_week(council, week, pack)
    return week_figures(world, week, run, made, draw, before, tracking)


def _front_service(pack: str) -> str:
    p = load_pack(pack)
    front = p.front_door
    return front.id if front else p.services[0].id


def first_monday(on: date) -> date:
    return on + timedelta(days=(7 - on.weekday()) % 7)
