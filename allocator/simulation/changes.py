"""Staff, structure and policy changes falling due in a week, applied to the world.

Each change is written as the council's case management system would record it: a leaving
date, a new professional and capacity row, a team profile row. A leaver's children are not
moved here: on the leaving date their involvement ends and they wait in the leaver's team
for the weekly plan to allocate them, as they would in practice.
"""

from __future__ import annotations

import random
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from allocator import domain as d
from allocator.simulation.model import Leavers, Merge, NewTeam, PolicyChange, Scenario, Starters
from allocator.simulation.world import World, is_open


def due(on: date, start: date) -> bool:
    """A change dated ``on`` falls in the week beginning ``start``."""
    return start <= on < start + timedelta(days=7)


def apply_changes(world: World, scenario: Scenario, week: date, rng: random.Random,
                  pack: str) -> str:
    """Apply every change due in the week; return the pack in force after them."""
    for t in scenario.structure.new_teams:
        if due(t.on, week):
            add_team(world, t)
    for leavers in scenario.staff.leavers:
        if due(leavers.on, week):
            for wid in choose_leavers(world, leavers, rng):
                _capacity(world, wid)["wcap_leaving_date"] = leavers.on.isoformat()
    for s in scenario.staff.starters:
        if due(s.on, week):
            add_starters(world, s)
    for f in scenario.staff.fte:
        if due(f.on, week):
            change_fte(world, f.worker, f.fte)
    for m in scenario.structure.merges:
        if due(m.on, week):
            merge_teams(world, m)
    for p in scenario.policy:
        if due(p.on, week):
            apply_policy(world, p)
            if p.pack and p.pack != pack:
                switch_pack(world, pack, p.pack)
                pack = p.pack
    return pack


def switch_pack(world: World, old: str, new: str) -> None:
    """Each team's service becomes the new pack's service for the same kind of work (the
    service role), as the demo council generator places cases: another council's policy
    names its services differently but covers the same work."""
    from allocator.demo import ROLE_CHAINS, role_services
    from allocator.rules.pack import load_pack

    role_of = {s.id: s.role for s in load_pack(old).services}
    target = load_pack(new)
    placed = role_services(target)
    same_role: dict[str, str] = {}
    for s in target.services:
        same_role.setdefault(s.role, s.id)
    fallback = target.front_door.id if target.front_door else target.services[0].id
    for r in world.rows(d.TeamProfile):
        role = role_of.get(r["tpro_service"], "")
        r["tpro_service"] = (placed[role, "in_need"] if role in ROLE_CHAINS
                             else same_role.get(role, fallback))
    world.manifest["pack"] = new


def choose_leavers(world: World, leavers: Leavers, rng: random.Random) -> list[str]:
    """The named workers, or ``count`` drawn (seeded) from those still at work who match."""
    if leavers.workers:
        return list(leavers.workers)
    teams = world.worker_team()
    services = world.team_service()
    pool = sorted(
        r["wcap_professional_id"] for r in world.rows(d.WorkerCapacity)
        if not r["wcap_leaving_date"] and r.get("wcap_case_holding", "Y") != "N"
        and (not leavers.experienced or r["wcap_asye"] != "Y")
        and (leavers.team is None or teams.get(r["wcap_professional_id"]) == leavers.team)
        and (leavers.service is None
             or services.get(teams.get(r["wcap_professional_id"], "")) == leavers.service))
    return rng.sample(pool, min(leavers.count, len(pool)))


def add_starters(world: World, s: Starters) -> None:
    for _ in range(s.count):
        wid = world.new_id("W")
        title = "Agency Social Worker" if s.agency else (
            "Newly Qualified Social Worker" if s.asye else "Social Worker")
        world.add(d.Professional, {
            "prof_professional_id": wid, "prof_professional_name": f"Worker {wid}",
            "prof_professional_job_title": title, "prof_professional_department": s.team,
            "prof_full_time_equivalency": str(s.fte),
            "prof_agency_worker_flag": "Y" if s.agency else "N"})
        world.add(d.WorkerCapacity, {
            "wcap_professional_id": wid, "wcap_asye": "Y" if s.asye else "N",
            "wcap_capacity_points": str(round(s.capacity_points * s.fte)),
            "wcap_working_days": "Mon,Tue,Wed,Thu,Fri", "wcap_start_date": s.on.isoformat(),
            "wcap_leaving_date": s.until.isoformat() if s.until else "",
            "wcap_max_new_per_week": str(s.max_new_per_week), "wcap_case_holding": "Y"})


def change_fte(world: World, worker: str, fte: float) -> None:
    """New hours; capacity scales with them."""
    prof = next(r for r in world.rows(d.Professional) if r["prof_professional_id"] == worker)
    old = float(prof["prof_full_time_equivalency"])
    prof["prof_full_time_equivalency"] = str(fte)
    cap = _capacity(world, worker)
    cap["wcap_capacity_points"] = str(round(int(cap["wcap_capacity_points"]) * fte / old))


def add_team(world: World, t: NewTeam) -> None:
    world.add(d.Department, {"dept_team_id": t.id, "dept_team_name": t.name})
    world.add(d.TeamProfile, {"tpro_team_id": t.id, "tpro_service": t.service,
                              "tpro_locality": t.locality or "",
                              "tpro_meeting_days": t.meeting_days,
                              "tpro_meeting_slots": str(t.meeting_slots)})


def merge_teams(world: World, m: Merge) -> None:
    """Workers, open referrals and open involvements of the merged teams move to ``into``.
    An involvement is ended and reopened in the new team, so history stays true."""
    gone = set(m.teams) - {m.into}
    for r in world.rows(d.Professional):
        if r["prof_professional_department"] in gone:
            r["prof_professional_department"] = m.into
    for r in world.rows(d.CinEpisode):
        if r["cine_referral_team"] in gone and is_open(r["cine_referral_date"], r["cine_close_date"], m.on):
            r["cine_referral_team"] = m.into
    for r in list(world.rows(d.Involvement)):
        if r["invo_professional_team"] in gone and is_open(
                r["invo_involvement_start_date"], r["invo_involvement_end_date"], m.on):
            if r["invo_involvement_start_date"] == m.on.isoformat():
                r["invo_professional_team"] = m.into
                continue
            r["invo_involvement_end_date"] = m.on.isoformat()
            world.add(d.Involvement, dict(r, invo_involvements_id=world.new_id("I"),
                                          invo_professional_team=m.into,
                                          invo_involvement_start_date=m.on.isoformat(),
                                          invo_involvement_end_date=""))


def apply_policy(world: World, p: PolicyChange) -> None:
    """A capacity rule applies to every worker, scaled by their FTE."""
    fte = {r["prof_professional_id"]: float(r["prof_full_time_equivalency"])
           for r in world.rows(d.Professional)}
    for r in world.rows(d.WorkerCapacity):
        if p.capacity_points is not None:
            r["wcap_capacity_points"] = str(round(p.capacity_points * fte.get(r["wcap_professional_id"], 1.0)))
        if p.max_new_per_week is not None:
            r["wcap_max_new_per_week"] = str(p.max_new_per_week)


def _capacity(world: World, worker: str) -> dict[str, str]:
    return next(r for r in world.rows(d.WorkerCapacity) if r["wcap_professional_id"] == worker)


def notice_in_force(scenario: Scenario, week: date) -> int | None:
    """The notice period a policy change has set by the end of ``week``, if any (the
    latest change wins)."""
    dated = sorted((p.on, i, p.notice_working_days) for i, p in enumerate(scenario.policy)
                   if p.notice_working_days is not None and p.on < week + timedelta(days=7))
    return dated[-1][2] if dated else None


_NOTICE = re.compile(r"^(notice_working_days\s*=\s*)\d+", re.MULTILINE)


def with_notice(pack: str, notice: int | None) -> str:
    """``pack``, or a copy of it whose notice period is ``notice`` working days.

    The copy is the pack's own TOML with the one line of its ``[timescales]`` table changed,
    written once to a folder of such copies (it holds policy text only, nothing about a
    child) and named by its path, which every command that loads a pack accepts.
    """
    if notice is None:
        return pack
    from importlib import resources

    text = (resources.files("allocator.policies") / f"{pack}.toml").read_text(encoding="utf-8")
    head, sep, rest = text.partition("[timescales]")
    table, nxt, tail = rest.partition("\n[")
    if not sep or not _NOTICE.search(table):
        raise ValueError(f"pack '{pack}' states no notice period to change")
    changed = head + sep + _NOTICE.sub(lambda m: f"{m.group(1)}{notice}", table, count=1) \
        + nxt + tail
    folder = Path(tempfile.gettempdir()) / "caseload-scenario-packs"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{pack}-notice-{notice}.toml"
    if not path.exists() or path.read_text(encoding="utf-8") != changed:
        part = path.with_suffix(".part")
        part.write_text(changed, encoding="utf-8")
        part.replace(path)
    return str(path)
