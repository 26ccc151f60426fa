"""Tiny councils for tests, written as real input folders and read back through validation.

``TinyCouncil`` holds rows as plain dicts, so a test states exactly the data it needs;
``write`` produces the same CSV folder a council would, so every test exercises the reader.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from allocator import domain as d

EXTRACT = date(2026, 11, 20)  # a Friday; the plan week starts Monday 2026-11-23
WEEK = date(2026, 11, 23)


@dataclass
class TinyCouncil:
    pack: str = "southwark"
    extract: date = EXTRACT
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, table: str, **cells: object) -> "TinyCouncil":
        self.tables.setdefault(table, []).append({k: _text(v) for k, v in cells.items()})
        return self

    def team(self, team_id: str, service: str, **profile: object) -> "TinyCouncil":
        self.add("ssd_department", dept_team_id=team_id, dept_team_name=f"Team {team_id}")
        return self.add("csl_team_profile", tpro_team_id=team_id, tpro_service=service, **profile)

    def worker(self, worker_id: str, team: str, asye: bool = False, capacity: int = 160,
               days: str = "Mon,Tue,Wed,Thu,Fri", fte: float = 1.0, max_new: int = 4,
               **extra: object) -> "TinyCouncil":
        self.add("ssd_professionals", prof_professional_id=worker_id,
                 prof_professional_department=team, prof_full_time_equivalency=fte)
        return self.add("csl_worker_capacity", wcap_professional_id=worker_id,
                        wcap_asye="Y" if asye else "N", wcap_capacity_points=capacity,
                        wcap_working_days=days, wcap_max_new_per_week=max_new, **extra)

    def child(self, child_id: str, dob: date | None, team: str | None, worker: str | None,
              family: str | None = None, referral_date: date = date(2026, 9, 1),
              role_team: str | None = None) -> "TinyCouncil":
        self.add("ssd_person", pers_person_id=child_id, pers_dob=dob,
                 **({} if dob else {"pers_expected_dob": date(2027, 1, 10)}))
        self.add("ssd_cin_episodes", cine_referral_id=f"R{child_id}", cine_person_id=child_id,
                 cine_referral_date=referral_date, cine_referral_team=team)
        if family:
            self.add("ssd_family", fami_table_id=f"F{child_id}", fami_family_id=family,
                     fami_person_id=child_id)
        if worker:
            self.add("ssd_involvements", invo_involvements_id=f"I{child_id}",
                     invo_professional_id=worker, invo_professional_role_id=d.LEAD_ROLE,
                     invo_professional_team=role_team or team,
                     invo_involvement_start_date=referral_date, invo_person_id=child_id)
        return self

    def cp_plan(self, child_id: str, start: date = date(2026, 10, 1)) -> "TinyCouncil":
        return self.add("ssd_cp_plans", cppl_cp_plan_id=f"CP{child_id}", cppl_person_id=child_id,
                        cppl_cp_plan_start_date=start)

    def looked_after(self, child_id: str, legal: str = "V2",
                     start: date = date(2026, 10, 1)) -> "TinyCouncil":
        self.add("ssd_cla_episodes", clae_cla_episode_id=f"E{child_id}", clae_person_id=child_id,
                 clae_cla_episode_start_date=start, clae_cla_id=f"CLA{child_id}")
        return self.add("ssd_legal_status", lega_legal_status_id=f"L{child_id}",
                        lega_person_id=child_id, lega_legal_status=legal,
                        lega_legal_status_start_date=start)

    def event(self, child_id: str, kind: str, on: date, status: str = "scheduled",
              original: date | None = None) -> "TinyCouncil":
        n = len(self.tables.get("csl_key_dates", []))
        return self.add("csl_key_dates", kdat_key_date_id=f"K{n}", kdat_person_id=child_id,
                        kdat_event_type=kind, kdat_event_date=on, kdat_status=status,
                        kdat_original_date=original)

    def flag(self, child_id: str, flag: str) -> "TinyCouncil":
        n = len(self.tables.get("csl_child_flags", []))
        return self.add("csl_child_flags", cfla_flag_id=f"G{n}", cfla_person_id=child_id,
                        cfla_flag=flag)

    def leave(self, worker_id: str, start: date, end: date) -> "TinyCouncil":
        n = len(self.tables.get("csl_worker_leave", []))
        return self.add("csl_worker_leave", wlea_leave_id=f"V{n}", wlea_professional_id=worker_id,
                        wlea_start_date=start, wlea_end_date=end)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        manifest = {"council": "Tiny Council", "pack": self.pack,
                    "extract_date": self.extract.isoformat()}
        (folder / "caseload.json").write_text(json.dumps(manifest), encoding="utf-8")
        for model in d.TABLES:
            rows = self.tables.get(model.TABLE)
            if rows is None and model.TABLE not in d.REQUIRED_TABLES:
                continue
            header = list(model.model_fields)
            with open(folder / f"{model.TABLE}.csv", "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                for row in rows or []:
                    writer.writerow([row.get(h, "") for h in header])
        return folder


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def pack_council(pack: str, teams: list[tuple[str, str]]) -> TinyCouncil:
    """A council on ``pack`` with one team per (team id, service) and in each one
    experienced worker named W<team id>: the smallest council to try a pack's rules on."""
    c = TinyCouncil(pack=pack)
    for team, service in teams:
        c.team(team, service)
        c.worker(f"W{team}", team)
    return c


def decide_children(council: TinyCouncil, pack: object, folder: Path,
                    week: date = WEEK) -> dict:
    """Every open child's decision for the plan week, by child id, read back through the
    same reader and validation a council's data goes through."""
    from allocator.io.reader import read_caseload
    from allocator.pipeline import decide

    caseload = read_caseload(council.write(folder / "in"))
    _, decisions, _ = decide(caseload, pack, week)
    return {dec.child_id: dec for dec in decisions}


def sfs_council() -> TinyCouncil:
    """One A&I team and one SFS team of two experienced workers and an ASYE: the smallest
    council where a child moves from assessment to safeguarding at a conference."""
    c = TinyCouncil()
    c.team("TA", "ai").team("TS", "sfs")
    c.worker("WA", "TA")
    c.worker("W1", "TS").worker("W2", "TS").worker("WQ", "TS", asye=True)
    return c


# ---- Hand-made allocation problems ----------------------------------------------------------
# AllocationProblem values built directly (no input folder, no rule engine), so a constraint
# or solver test states exactly the workers, requests and decisions it is about.

from dataclasses import replace as _replace  # noqa: E402

from allocator.calendar import working_days_in as _working_days_in  # noqa: E402
from allocator.config import PlanConfig as _PlanConfig, Weights as _Weights  # noqa: E402
from allocator.plan import Assignment as _Assignment  # noqa: E402
from allocator.problem import (  # noqa: E402
    AllocationProblem as _AllocationProblem, Team, Request as _Request, Worker as _Worker,
)
from allocator.rules.engine import Decision as _Decision  # noqa: E402

PLAN_DATE = WEEK  # Monday 2026-11-23: no bank holiday until 25 December
HORIZON_END = date(2026, 12, 18)  # four working weeks
HORIZON_DAYS = tuple(_working_days_in(PLAN_DATE, HORIZON_END))
SERVICE_TEAM = {"ai": "TA", "sfs": "TS", "care": "TC"}


def make_decision(child_id: str = "C1", **overrides: object) -> _Decision:
    """A due transfer into SFS over the whole horizon, no notice; override any field."""
    base = _Decision(
        child_id=child_id, family_id=f"F{child_id}", outcome="transfer", rule_id="test-rule",
        from_service="ai", from_team="TA", from_worker=None, to_service="sfs", point="test",
        anchor=PLAN_DATE, earliest=PLAN_DATE, latest=HORIZON_END, date_from=PLAN_DATE,
        date_to=HORIZON_END, notice_working_days=0, coworking_service=None,
        joint_visit_by=None, introduction_by=None, escalate_after=None, resolve_by=None, statutory=False,
        due=True, flags=(), reasons=(), overruled=())
    return _replace(base, **overrides)


def make_worker(worker_id: str, service: str = "sfs", *, asye: bool = False,
                capacity: int = 100, base_load: int = 0, away: tuple[date, ...] = (),
                available: tuple[date, ...] | None = None, max_new: int = 4,
                team: str | None = None, locality: str | None = None) -> _Worker:
    """A case-holding worker at work every horizon day except ``away`` (or only ``available``)."""
    days = HORIZON_DAYS if available is None else available
    return _Worker(id=worker_id, name=worker_id, team=team or SERVICE_TEAM[service],
                   service=service, asye=asye, fte=1.0, capacity=capacity, load_before=base_load,
                   base_load=base_load, available=frozenset(d for d in days if d not in away),
                   max_new_per_week=max_new, locality=locality)


def make_request(child_id: str, role: str = "lead", service: str = "sfs", *,
                 dates: tuple[date, ...] = (PLAN_DATE,), points: int = 10,
                 statutory: bool = False, preferred: tuple[str, ...] = (),
                 not_worker: tuple[str, ...] = (), family: str | None = None,
                 from_worker: str | None = None, demoted_asye: str | None = None,
                 **decision: object) -> _Request:
    """One request whose decision window is exactly ``dates`` (first to last)."""
    family = family or f"F{child_id}"
    window = {"date_from": dates[0], "date_to": dates[-1]} if dates else {}
    dec = make_decision(child_id, family_id=family, to_service=service, statutory=statutory,
                        from_worker=from_worker,
                        outcome="start_coworking" if role == "co" else "transfer",
                        **{**window, **decision})
    return _Request(id=f"{child_id}:{role}", child_id=child_id, family_id=family, role=role,
                    service=service, dates=tuple(dates), points=points,
                    statutory=statutory and role == "lead", preferred=tuple(preferred),
                    not_worker=tuple(not_worker), demoted_asye=demoted_asye, decision=dec)


def make_problem(requests: list[_Request] | tuple[_Request, ...], workers: list[_Worker],
                 *, config: _PlanConfig | None = None,
                 current_lead: dict[str, str | None] | None = None,
                 statutory_children: set[str] | None = None,
                 asye_ids: set[str] | None = None,
                 due_children: tuple[str, ...] | None = None,
                 teams: dict[str, Team] | None = None) -> _AllocationProblem:
    """Services, teams and the ASYE list follow from the workers; children from the requests
    (current lead = the decision's ``from_worker`` unless given). Teams meet every weekday
    with room for every request unless ``teams`` says otherwise."""
    service_workers: dict[str, list[str]] = {}
    for w in workers:
        service_workers.setdefault(w.service, []).append(w.id)
    lead = {r.child_id: r.decision.from_worker for r in requests}
    lead.update(current_lead or {})
    return _AllocationProblem(
        plan_date=PLAN_DATE, horizon_end=HORIZON_END, config=config or _PlanConfig(),
        requests=tuple(requests), workers={w.id: w for w in workers},
        service_workers={s: tuple(sorted(ids)) for s, ids in service_workers.items()},
        team_service={w.team: w.service for w in workers},
        child_points={r.child_id: r.points for r in requests if r.role == "lead"},
        current_lead=lead,
        statutory_children=frozenset(statutory_children if statutory_children is not None
                                     else {r.child_id for r in requests if r.statutory}),
        asye_ids=frozenset(asye_ids if asye_ids is not None
                           else {w.id for w in workers if w.asye}),
        due_children=due_children if due_children is not None
        else tuple(dict.fromkeys(r.child_id for r in requests)),
        teams=teams if teams is not None else {
            w.team: Team(w.team, w.service, None, frozenset(range(5)), 50)
            for w in workers})


def weights(**overrides: int) -> _PlanConfig:
    """The default configuration with some objective weights changed."""
    return _PlanConfig(weights=_Weights(**overrides))


def assign(request: _Request, worker: _Worker, on: date | None = None,
           meeting: date | None = None) -> _Assignment:
    """``request`` taken by ``worker`` on ``on`` (default: the request's first date), agreed at
    a transfer meeting on ``meeting`` (default: the plan date, when every team meets)."""
    return _Assignment(request.id, request.child_id, request.role, request.service, worker.id,
                       worker.team, on if on is not None else request.dates[0],
                       meeting=meeting if meeting is not None else PLAN_DATE)


def unassigned(request: _Request, *blocked_by: str) -> _Assignment:
    return _Assignment(request.id, request.child_id, request.role, request.service, None, None,
                       None, tuple(blocked_by))
