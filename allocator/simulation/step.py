"""One simulated week: changes, demand, the real weekly plan, its moves, the figures.

The plan is made by :func:`allocator.pipeline.run_plan` on the world written out as an input
folder, with the same model, rules and independent check as any council's plan. Moves dated
inside the week are recorded in the world (the involvement rows change); every move is
recorded in the transfer tracker, agreed, and pinned in later plans until it is made
(:mod:`allocator.simulation.tracking`).
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from allocator import domain as d
from allocator.pipeline import PlanRun
from allocator.plan import Assignment
from allocator.simulation.tracking import SimulatedTracker
from allocator.simulation.world import World, is_open


def end_leavers(world: World, on: date) -> int:
    """End the involvements of workers gone by ``on``; their children wait in the leaver's
    team (the open referral names it) for the plan to allocate them. Returns children."""
    gone = {r["wcap_professional_id"]: r["wcap_leaving_date"] for r in world.rows(d.WorkerCapacity)
            if r["wcap_leaving_date"] and date.fromisoformat(r["wcap_leaving_date"]) <= on}
    teams: dict[str, str] = {}
    for r in world.rows(d.Involvement):
        left = gone.get(r["invo_professional_id"])
        if left and is_open(r["invo_involvement_start_date"], r["invo_involvement_end_date"],
                            date.fromisoformat(left) - timedelta(days=1)):
            r["invo_involvement_end_date"] = max(left, r["invo_involvement_start_date"])
            if r["invo_professional_role_id"] == d.LEAD_ROLE:
                teams[r["invo_person_id"]] = r["invo_professional_team"]
    for r in world.rows(d.CinEpisode):
        if r["cine_person_id"] in teams and is_open(r["cine_referral_date"], r["cine_close_date"], on):
            r["cine_referral_team"] = teams[r["cine_person_id"]]
    return len(teams)


def plan_week(world: World, week: date, pack: str | None, seed: int, time_limit: float,
              tracker: SimulatedTracker) -> PlanRun:
    """The real weekly plan on the world as it stands, with the agreed moves the tracker
    holds pinned (as few left out as the week needs), recorded in the tracker."""
    with tempfile.TemporaryDirectory(prefix="caseload-sim-") as tmp:
        folder = Path(tmp)
        world.write(folder, week - timedelta(days=3))
        return tracker.plan_and_record(folder, week, pack, seed, time_limit)


def apply_plan(world: World, run: PlanRun, week_end: date) -> list[Assignment]:
    """Record the plan's moves dated before ``week_end`` in the world; later ones stay
    agreed in the tracker for next week's plan. Returns the moves made."""
    requests = {r.id: r for r in run.problem.requests}
    made: list[Assignment] = []
    for a in sorted(run.result.plan.assignments, key=lambda a: a.request_id):
        if a.worker is None or a.on is None or a.team is None or a.on >= week_end:
            continue
        move(world, a, requests[a.request_id].demoted_asye)
        made.append(a)
    return made


def move(world: World, a: Assignment, demoted_asye: str | None) -> None:
    """The involvement rows a move writes: the old lead ends, the new one starts; an ASYE
    replaced as lead stays on as co-worker."""
    assert a.on is not None, "only dated moves are recorded"
    role = d.LEAD_ROLE if a.role == "lead" else d.CO_WORKER_ROLE
    on = a.on.isoformat()
    if a.role == "lead":
        for r in world.rows(d.Involvement):
            if r["invo_person_id"] == a.child_id and r["invo_professional_role_id"] == d.LEAD_ROLE \
                    and is_open(r["invo_involvement_start_date"], r["invo_involvement_end_date"], a.on):
                r["invo_involvement_end_date"] = max(on, r["invo_involvement_start_date"])
    world.add(d.Involvement, {"invo_involvements_id": world.new_id("I"),
                              "invo_professional_id": a.worker or "",
                              "invo_professional_role_id": role,
                              "invo_professional_team": a.team or "",
                              "invo_involvement_start_date": on, "invo_person_id": a.child_id})
    if demoted_asye and a.role == "lead":
        team = world.worker_team().get(demoted_asye, a.team or "")
        world.add(d.Involvement, {"invo_involvements_id": world.new_id("I"),
                                  "invo_professional_id": demoted_asye,
                                  "invo_professional_role_id": d.CO_WORKER_ROLE,
                                  "invo_professional_team": team,
                                  "invo_involvement_start_date": on, "invo_person_id": a.child_id})


def front_teams(world: World, run_pack_front: str) -> list[str]:
    """Teams of the pack's front-door service, where new referrals arrive."""
    teams = sorted(t for t, s in world.team_service().items() if s == run_pack_front)
    return teams or sorted(world.team_service())


def rng_for(seed: int, week_index: int, stream: str) -> random.Random:
    """One generator per week and purpose, so a change to one stream (say, leavers drawn)
    does not shift another's draws (arrivals)."""
    return random.Random(f"{seed}:{week_index}:{stream}")
