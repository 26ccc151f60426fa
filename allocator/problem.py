"""The allocation problem: who needs a worker, which workers exist, and their loads.

Built from the validated caseload and the week's decisions, this is plain data the CP-SAT
model and the independent checker both read. Nothing here knows about the solver.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import date

from allocator import domain as d
from allocator.calendar import add_working_days, next_working_day, working_days_in
from allocator.caseload import Caseload
from allocator.config import PlanConfig, Points
from allocator.overrides import ResolvedOverride
from allocator.rules.engine import Decision, Reason
from allocator.rules.pack import Pack
from allocator.state import ChildState

RESTRUCTURE_RULE = "restructure"  # decisions made by allocator.restructure.reallocate_all

ASYE_REASON = Reason(
    "asye-protection", "ASYE",
    "an ASYE does not lead CP or looked-after work: an experienced worker leads and the ASYE "
    "co-works",
    "The child is on a CP plan, looked after or in proceedings and is led by a worker in "
    "their assessed and supported year (ASYE): an experienced worker must lead, and the ASYE "
    "stays on as co-worker.",
)


@dataclass(frozen=True)
class Worker:
    id: str
    name: str
    team: str
    service: str
    asye: bool
    fte: float
    capacity: int  # effective points: capacity reduced by leave in the leave horizon
    load_before: int  # weighted points held now
    base_load: int  # points held after children leaving this worker in the plan have gone
    available: frozenset[date]  # days in the plan horizon the worker is at work
    max_new_per_week: int
    locality: str | None


@lru_cache(maxsize=16384)
def _meeting_days(start: date, last: date, weekdays: frozenset[int]) -> tuple[date, ...]:
    return tuple(day for day in working_days_in(start, last) if day.weekday() in weekdays)


MEETING_GRACE_WORKING_DAYS = 5  # how long after the last usable date a meeting may be held


def last_meeting_day(request: "Request") -> date:
    """The last day a request's transfer meeting may be held."""
    return add_working_days(request.dates[-1], MEETING_GRACE_WORKING_DAYS)


@dataclass(frozen=True)
class Team:
    id: str
    service: str
    locality: str | None
    meeting_days: frozenset[int]  # weekdays (Mon = 0) the team holds transfer meetings
    meeting_slots: int  # transfer meetings it can hold on one such day


@dataclass(frozen=True)
class Request:
    """One worker to choose: a child's lead or co-worker in a receiving service."""

    id: str
    child_id: str
    family_id: str
    role: str  # "lead" or "co"
    service: str
    dates: tuple[date, ...]  # usable transfer dates, in order
    points: int
    statutory: bool  # needs an experienced (non-ASYE) lead
    preferred: tuple[str, ...]  # workers who know the child or family, in receiving service
    not_worker: tuple[str, ...]  # workers who may not take it (the child's lead, for a co-worker)
    demoted_asye: str | None  # ASYE lead who becomes co-worker
    decision: Decision
    locality: str | None = None  # locality of the team that holds the child now
    restructure: bool = False  # placed afresh in a re-allocation (see allocator.restructure)

    def keeps(self, worker: str) -> bool:
        """Whether giving the request to ``worker`` keeps the child with their current lead."""
        return self.decision.from_worker == worker

    def handover_date(self, worker: "Worker") -> date:
        """A re-allocated child's date with ``worker``: the first usable day if kept (nobody
        moves), else the worker's first day at work in the handover window."""
        if self.keeps(worker.id):
            return self.dates[0]
        return next(t for t in self.dates if t in worker.available)

    @property
    def needs_meeting(self) -> bool:
        """A weekly transfer is agreed at the receiving team's transfer meeting; handovers in
        a re-allocation are arranged by the restructure itself, not in the weekly slots."""
        return not self.restructure

    @property
    def counts_as_new(self) -> bool:
        """Whether a change of worker counts against the worker's weekly limit of new
        children (a re-allocation's handovers do not: they are the restructure's)."""
        return not self.restructure

    def new_to(self, worker: str) -> bool:
        """Whether giving the request to ``worker`` adds a new child to their weekly limit:
        a change of worker that counts (:attr:`counts_as_new`), not a child kept."""
        return self.counts_as_new and not self.keeps(worker)


@dataclass(frozen=True)
class AllocationProblem:
    plan_date: date
    horizon_end: date
    config: PlanConfig
    requests: tuple[Request, ...]
    workers: dict[str, Worker]
    service_workers: dict[str, tuple[str, ...]]  # service -> case-holding worker ids
    team_service: dict[str, str]
    child_points: dict[str, int] = field(default_factory=dict)  # full lead points per child
    current_lead: dict[str, str | None] = field(default_factory=dict)  # every open child
    statutory_children: frozenset[str] = frozenset()
    asye_ids: frozenset[str] = frozenset()  # every ASYE, case-holding or not
    due_children: tuple[str, ...] = ()  # children whose decision needs a worker this plan
    teams: dict[str, Team] = field(default_factory=dict)
    overrides: tuple[ResolvedOverride, ...] = ()

    def meeting_days(self, team: str, last: date) -> tuple[date, ...]:
        """The team's meeting days from the plan date to ``last``, in order."""
        return _meeting_days(self.plan_date, last, self.teams[team].meeting_days)

    def requests_in(self, service: str) -> list[Request]:
        return [r for r in self.requests if r.service == service]

    def reallocates(self, service: str) -> bool:
        """Whether ``service`` is re-planned whole (allocator.restructure): its solve then
        starts from the bound's rounded plan and searches its relaxations in full."""
        return any(r.restructure for r in self.requests_in(service))

    @property
    def services(self) -> list[str]:
        return sorted({r.service for r in self.requests})


def case_points(child: ChildState, points: Points) -> int:
    """Lead points for a child, by the most demanding status they hold."""
    f = child.flags
    if "proceedings" in f:
        return points.proceedings
    if "cp" in f:
        return points.cp
    if "care_leaver" in f:
        return points.care_leaver
    if "cla" in f:
        return points.cla
    if "pre_birth" in f:
        return points.pre_birth
    return points.cin


def co_points(lead_points: int, points: Points) -> int:
    return lead_points * points.co_worker_percent // 100


def demote_asye_leads(decisions: list[Decision], states: dict[str, ChildState],
                      asye: set[str], plan_date: date, window: int) -> list[Decision]:
    """Statutory children led by an ASYE get an experienced lead now.

    Unless this plan already gives the child a new lead, the decision becomes ``allocate``
    in the child's current service, now, with the reason recorded and the original decision
    kept as overruled (a later transfer is decided again when it falls due); the ASYE keeps
    the case as co-worker (see :data:`ASYE_REASON`).
    """
    out = []
    start = next_working_day(plan_date)
    for dec in decisions:
        child = states[dec.child_id]
        allocates_lead = dec.needs_allocation and dec.outcome in ("allocate", "transfer")
        if child.statutory and child.lead_worker in asye and not allocates_lead:
            dec = replace(
                dec, outcome="allocate", rule_id=ASYE_REASON.rule_id, to_service=child.service,
                point="now, as an ASYE may not lead", anchor=start, earliest=start,
                latest=add_working_days(start, window), date_from=start,
                date_to=add_working_days(start, window), due=True, notice_working_days=0,
                flags=(), coworking_service=None, joint_visit_by=None, introduction_by=None,
                escalate_after=None, resolve_by=None, reasons=(ASYE_REASON,),
                overruled=dec.reasons + dec.overruled)
        out.append(dec)
    return out


class ProblemBuilder:
    """Turns caseload, states and decisions into an :class:`AllocationProblem`."""

    def __init__(self, caseload: Caseload, pack: Pack, config: PlanConfig, plan_date: date,
                 horizon_end: date):
        self.c = caseload
        self.pack = pack
        self.config = config
        self.plan_date = next_working_day(plan_date)
        self.horizon_end = horizon_end
        self.team_service = {t.tpro_team_id: t.tpro_service for t in caseload.rows(d.TeamProfile)}
        self.team_locality = {t.tpro_team_id: t.tpro_locality for t in caseload.rows(d.TeamProfile)}
        self.teams = {t.tpro_team_id: Team(t.tpro_team_id, t.tpro_service, t.tpro_locality,
                                           t.tpro_meeting_days, t.tpro_meeting_slots)
                      for t in caseload.rows(d.TeamProfile)}

    def build(self, states: list[ChildState], decisions: list[Decision]) -> AllocationProblem:
        by_child = {s.child_id: s for s in states}
        pts = self.config.points
        child_points = {s.child_id: case_points(s, pts) for s in states}
        requests = self._requests(by_child, decisions, child_points)
        load_before = self._loads(by_child, child_points)
        released = self._released(requests, child_points)
        workers = self._workers(load_before, released)
        service_workers: dict[str, list[str]] = defaultdict(list)
        for w in workers.values():
            service_workers[w.service].append(w.id)
        return AllocationProblem(
            plan_date=self.plan_date, horizon_end=self.horizon_end, config=self.config,
            requests=tuple(requests), workers=workers,
            service_workers={s: tuple(sorted(ids)) for s, ids in service_workers.items()},
            team_service=self.team_service, child_points=child_points,
            current_lead={s.child_id: s.lead_worker for s in states},
            statutory_children=frozenset(s.child_id for s in states if s.statutory),
            asye_ids=frozenset(w.wcap_professional_id for w in self.c.rows(d.WorkerCapacity)
                               if w.wcap_asye),
            due_children=tuple(dec.child_id for dec in decisions
                               if dec.needs_allocation and dec.to_service is not None),
            teams=self.teams,
        )

    def _requests(self, states: dict[str, ChildState], decisions: list[Decision],
                  child_points: dict[str, int]) -> list[Request]:
        pts = self.config.points
        team_of = {p.prof_professional_id: p.prof_professional_department
                   for p in self.c.rows(d.Professional)}
        asye = {w.wcap_professional_id for w in self.c.rows(d.WorkerCapacity) if w.wcap_asye}
        family_workers: dict[str, set[str]] = defaultdict(set)
        for s in states.values():
            if s.lead_worker:
                family_workers[s.family_id].add(s.lead_worker)
        out: list[Request] = []
        for dec in decisions:
            if not dec.needs_allocation or dec.to_service is None:
                continue
            child = states[dec.child_id]
            dates = tuple(working_days_in(dec.date_from, min(dec.date_to, self.horizon_end))) \
                if dec.date_from and dec.date_to else ()
            in_service = lambda w: self.team_service.get(team_of.get(w, ""), "") == dec.to_service
            role = "co" if dec.outcome == "start_coworking" else "lead"
            known = [child.lead_worker] if child.lead_worker else []
            known += list(child.co_workers)
            known += sorted(family_workers[child.family_id])
            preferred = tuple(dict.fromkeys(w for w in known if w and in_service(w)))
            demoted = child.lead_worker if (role == "lead" and child.statutory
                                            and child.lead_worker in asye) else None
            if demoted:
                preferred = tuple(w for w in preferred if w != demoted)
            full = child_points[child.child_id]
            out.append(Request(
                id=f"{child.child_id}:{role}", child_id=child.child_id, family_id=child.family_id,
                role=role, service=dec.to_service, dates=dates,
                points=full if role == "lead" else co_points(full, pts),
                statutory=child.statutory and role == "lead", preferred=preferred,
                not_worker=(child.lead_worker,) if role == "co" and child.lead_worker else (),
                demoted_asye=demoted if demoted and in_service(demoted) else None, decision=dec,
                locality=self.team_locality.get(child.team or ""),
                restructure=dec.rule_id == RESTRUCTURE_RULE,
            ))
        return out

    def _loads(self, states: dict[str, ChildState], child_points: dict[str, int]) -> dict[str, int]:
        pts = self.config.points
        load: dict[str, int] = defaultdict(int)
        for s in states.values():
            if s.lead_worker:
                load[s.lead_worker] += child_points[s.child_id]
            for co in s.co_workers:
                load[co] += co_points(child_points[s.child_id], pts)
        return load

    def _released(self, requests: list[Request], child_points: dict[str, int]) -> dict[str, int]:
        """Points each worker sheds when lead requests move children away from them.

        The model adds a child's points back when it keeps the child with the same worker;
        an ASYE who stops leading keeps co-worker points.
        """
        released: dict[str, int] = defaultdict(int)
        for r in requests:
            lead = r.decision.from_worker
            if r.role == "lead" and lead:
                released[lead] += child_points[r.child_id]
                if r.demoted_asye:
                    released[lead] -= co_points(child_points[r.child_id], self.config.points)
        return released

    def _workers(self, load_before: dict[str, int], released: dict[str, int]) -> dict[str, Worker]:
        capacity = {w.wcap_professional_id: w for w in self.c.rows(d.WorkerCapacity)}
        leave = self.c.grouped(d.WorkerLeave, "wlea_professional_id")
        horizon_days = working_days_in(self.plan_date, self.horizon_end)
        leave_window = working_days_in(
            self.plan_date, add_working_days(self.plan_date,
                                             self.config.leave_horizon_working_days - 1))
        out: dict[str, Worker] = {}
        for p in self.c.rows(d.Professional):
            cap = capacity[p.prof_professional_id]
            if not cap.wcap_case_holding:
                continue
            away = {day for lv in leave.get(p.prof_professional_id, [])
                    for day in leave_window + horizon_days
                    if lv.wlea_start_date <= day <= lv.wlea_end_date}
            available = frozenset(
                day for day in horizon_days
                if day.weekday() in cap.wcap_working_days and day not in away
                and (cap.wcap_start_date is None or day >= cap.wcap_start_date)
                and (cap.wcap_leaving_date is None or day < cap.wcap_leaving_date))
            share_away = sum(1 for day in leave_window if day in away) / max(len(leave_window), 1)
            team = p.prof_professional_department
            before = load_before.get(p.prof_professional_id, 0)
            out[p.prof_professional_id] = Worker(
                id=p.prof_professional_id, name=p.prof_professional_name or p.prof_professional_id,
                team=team, service=self.team_service[team], asye=cap.wcap_asye,
                fte=p.prof_full_time_equivalency,
                capacity=int(cap.wcap_capacity_points * (1 - share_away)),
                load_before=before, base_load=before - released.get(p.prof_professional_id, 0),
                available=available, max_new_per_week=cap.wcap_max_new_per_week,
                locality=self.team_locality.get(team),
            )
        return out
