"""Each open child's situation on the plan date, derived once from the tables.

The rule engine reads only :class:`ChildState`, never the raw tables, so what a rule can
see is explicit here: current service, team and workers, statuses, age, events, flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from allocator import domain as d
from allocator.calendar import age_on
from allocator.caseload import Caseload
from allocator.rules.pack import Pack

STATUTORY = frozenset({"cp", "cla", "proceedings"})
_ORDER_EVENTS = {"C1": "ico_made", "C2": "care_order_made", "E1": "placement_order_made"}
_LEGAL_FLAGS = {"C1": "interim_care_order", "C2": "care_order", "E1": "placement_order",
                "V2": "s20", "V3": "s20", "V4": "s20", "J1": "remand", "J2": "remand",
                "J3": "remand"}


@dataclass(frozen=True)
class Event:
    """A dated event on a child's record; ``original`` is set when it was deferred."""

    kind: str
    on: date
    status: str
    original: date | None = None


@dataclass(frozen=True)
class ChildState:
    child_id: str
    family_id: str
    dob: date | None
    expected_dob: date | None
    age: int | None  # completed years on the plan date; None before birth
    service: str  # the pack service holding the case
    team: str | None
    lead_worker: str | None
    co_workers: tuple[str, ...]
    flags: frozenset[str]  # StatusFlag values
    legal_status: str | None
    child_flags: frozenset[str]
    events: tuple[Event, ...]  # not cancelled, in date order
    episode_start: date  # start of the open referral (or looked-after period)
    cla_start: date | None
    on: date  # the plan date this state describes
    previous_service: str | None = None  # service of the last closed referral, if any
    weeks_since_closure: int | None = None  # from that closure to the open referral
    last_closure: date | None = None  # the date of that closure
    reopened_on: date | None = None  # the open referral's date, when it follows a closure
    co_worker_services: frozenset[str] = frozenset()  # services of the open co-workers

    @property
    def statutory(self) -> bool:
        return "statutory" in self.flags


def _open(start: date | None, end: date | None, on: date) -> bool:
    return (start is None or start <= on) and (end is None or end > on)


class StateBuilder:
    """Indexes the caseload once, then derives each open child's state on ``plan_date``."""

    def __init__(self, caseload: Caseload, pack: Pack, plan_date: date):
        self.c = caseload
        self.pack = pack
        self.on = plan_date
        self.service_of_team = {t.tpro_team_id: t.tpro_service for t in caseload.rows(d.TeamProfile)}
        self.family_of = {f.fami_person_id: f.fami_family_id for f in caseload.rows(d.FamilyMember)}
        self.referrals = caseload.grouped(d.CinEpisode, "cine_person_id")
        self.cp = caseload.grouped(d.CpPlan, "cppl_person_id")
        self.cla = caseload.grouped(d.ClaEpisode, "clae_person_id")
        self.legal = caseload.grouped(d.LegalStatus, "lega_person_id")
        self.disabled = {r.disa_person_id for r in caseload.rows(d.Disability)
                         if r.disa_disability_code.upper() != "NONE"}
        self.immigration = caseload.grouped(d.ImmigrationStatus, "immi_person_id")
        self.involvements = caseload.grouped(d.Involvement, "invo_person_id")
        self.key_dates = caseload.grouped(d.KeyDate, "kdat_person_id")
        self.reviews = caseload.grouped(d.ClaReview, "clar_cla_id")
        self.child_flags = caseload.grouped(d.ChildFlag, "cfla_person_id")
        self.asye = {w.wcap_professional_id for w in caseload.rows(d.WorkerCapacity) if w.wcap_asye}

    def open_children(self) -> list[str]:
        """Ids of children with an open referral, plan, looked-after period or lead worker."""
        on = self.on
        ids: set[str] = set()
        for pid, rows in self.referrals.items():
            if any(_open(r.cine_referral_date, r.cine_close_date, on) for r in rows):
                ids.add(pid)
        for pid, rows in self.cla.items():
            if any(_open(r.clae_cla_episode_start_date, r.clae_cla_episode_ceased_date, on)
                   for r in rows):
                ids.add(pid)
        for pid, rows in self.cp.items():
            if any(_open(r.cppl_cp_plan_start_date, r.cppl_cp_plan_end_date, on) for r in rows):
                ids.add(pid)
        for pid, rows in self.involvements.items():
            if any(_open(r.invo_involvement_start_date, r.invo_involvement_end_date, on)
                   and r.invo_professional_role_id == d.LEAD_ROLE for r in rows):
                ids.add(pid)
        return sorted(ids)

    def build(self, person: d.Person) -> ChildState:
        pid = person.pers_person_id
        on = self.on
        open_inv = [r for r in self.involvements.get(pid, [])
                    if _open(r.invo_involvement_start_date, r.invo_involvement_end_date, on)]
        lead = next((r for r in open_inv if r.invo_professional_role_id == d.LEAD_ROLE), None)
        co = tuple(sorted(r.invo_professional_id for r in open_inv
                          if r.invo_professional_role_id == d.CO_WORKER_ROLE))
        referral = self._open_referral(pid)
        cla = next((r for r in self.cla.get(pid, [])
                    if _open(r.clae_cla_episode_start_date, r.clae_cla_episode_ceased_date, on)),
                   None)
        team = lead.invo_professional_team if lead else (referral.cine_referral_team
                                                         if referral else None)
        service = self._service(team)
        legal = self._legal_status(pid)
        age = age_on(person.pers_dob, on) if person.pers_dob else None
        events = self._events(pid, cla)
        flags = self._flags(pid, lead, referral, cla, legal, age, person, events)
        episode_start = min(
            [x for x in (referral.cine_referral_date if referral else None,
                         cla.clae_cla_episode_start_date if cla else None) if x is not None],
            default=on)
        child_flags = frozenset(f.cfla_flag for f in self.child_flags.get(pid, [])
                                if _open(f.cfla_start_date, f.cfla_end_date, on))
        return ChildState(
            child_id=pid, family_id=self.family_of.get(pid, pid), dob=person.pers_dob,
            expected_dob=person.pers_expected_dob, age=age, service=service, team=team,
            lead_worker=lead.invo_professional_id if lead else None, co_workers=co,
            flags=flags, legal_status=legal, child_flags=child_flags, events=events,
            episode_start=episode_start,
            cla_start=cla.clae_cla_episode_start_date if cla else None, on=on,
            co_worker_services=frozenset(
                self.service_of_team.get(r.invo_professional_team, "") for r in open_inv
                if r.invo_professional_role_id == d.CO_WORKER_ROLE),
            **self._re_referral(pid, referral),
        )

    def _re_referral(self, pid: str, referral: d.CinEpisode | None) -> dict[str, object]:
        """The service and gap of the last referral closed before the open one began."""
        if referral is None:
            return {}
        closed = [r for r in self.referrals.get(pid, [])
                  if r.cine_close_date is not None and r.cine_close_date <= referral.cine_referral_date
                  and r.cine_referral_id != referral.cine_referral_id]
        last = max(closed, key=lambda r: (r.cine_close_date, r.cine_referral_id), default=None)
        if last is None:
            return {}
        assert last.cine_close_date is not None
        ended = [i for i in self.involvements.get(pid, [])
                 if i.invo_professional_role_id == d.LEAD_ROLE
                 and i.invo_involvement_end_date is not None
                 and i.invo_involvement_end_date <= referral.cine_referral_date]
        last_lead = max(ended, key=lambda i: (i.invo_involvement_end_date,
                                              i.invo_involvements_id), default=None)
        team = last_lead.invo_professional_team if last_lead else last.cine_referral_team
        return {"previous_service": self.service_of_team.get(team or ""),
                "weeks_since_closure": (referral.cine_referral_date - last.cine_close_date).days // 7,
                "last_closure": last.cine_close_date, "reopened_on": referral.cine_referral_date}

    def _open_referral(self, pid: str) -> d.CinEpisode | None:
        rows = [r for r in self.referrals.get(pid, [])
                if _open(r.cine_referral_date, r.cine_close_date, self.on)]
        return max(rows, key=lambda r: (r.cine_referral_date, r.cine_referral_id), default=None)

    def _service(self, team: str | None) -> str:
        if team is not None and team in self.service_of_team:
            return self.service_of_team[team]
        front = self.pack.front_door
        return front.id if front else self.pack.services[0].id

    def _legal_status(self, pid: str) -> str | None:
        rows = [r for r in self.legal.get(pid, [])
                if _open(r.lega_legal_status_start_date, r.lega_legal_status_end_date, self.on)]
        latest = max(rows, key=lambda r: (r.lega_legal_status_start_date, r.lega_legal_status_id),
                     default=None)
        return latest.lega_legal_status if latest else None

    def _events(self, pid: str, cla: d.ClaEpisode | None) -> tuple[Event, ...]:
        events = [Event(k.kdat_event_type, k.kdat_event_date, k.kdat_status, k.kdat_original_date)
                  for k in self.key_dates.get(pid, []) if k.kdat_status != "cancelled"]
        for episode in self.cla.get(pid, []):
            events.append(Event("accommodated", episode.clae_cla_episode_start_date, "held"))
        for legal in self.legal.get(pid, []):  # an order's start date is the day it was made
            kind = _ORDER_EVENTS.get(legal.lega_legal_status)
            if kind is not None:
                events.append(Event(kind, legal.lega_legal_status_start_date, "held"))
        if cla is not None:
            seen = {e.on for e in events if e.kind == "cla_review"}
            for review in self.reviews.get(cla.clae_cla_id, []):
                when = review.clar_cla_review_date or review.clar_cla_review_due_date
                if when is not None and when not in seen:
                    held = review.clar_cla_review_date is not None
                    events.append(Event("cla_review", when, "held" if held else "scheduled"))
        return tuple(sorted(events, key=lambda e: (e.on, e.kind)))

    def _flags(self, pid: str, lead: d.Involvement | None, referral: d.CinEpisode | None,
               cla: d.ClaEpisode | None, legal: str | None, age: int | None,
               person: d.Person, events: tuple[Event, ...]) -> frozenset[str]:
        on = self.on
        flags = {"open_case"}
        if lead is None:
            flags.add("unallocated")
        elif lead.invo_professional_id in self.asye:
            flags.add("asye_lead")
        if any(_open(p.cppl_cp_plan_start_date, p.cppl_cp_plan_end_date, on)
               for p in self.cp.get(pid, [])):
            flags.add("cp")
        if cla is not None:
            flags.add("cla")
        if legal in _LEGAL_FLAGS:
            flags.add(_LEGAL_FLAGS[legal])
        if "interim_care_order" in flags or _in_proceedings(events, on):
            flags.add("proceedings")
        if pid in self.disabled:
            flags.add("disabled")
        if any(i.immi_immigration_status.upper() == "UASC"
               and _open(i.immi_immigration_status_start_date, i.immi_immigration_status_end_date, on)
               for i in self.immigration.get(pid, [])):
            flags.add("uasc")
        if person.pers_dob is None:
            flags.add("pre_birth")
        if age is not None and age >= 18:
            flags.add("care_leaver")
        if not flags & {"cp", "cla"}:
            flags.add("cin")
        if flags & STATUTORY:
            flags.add("statutory")
        return frozenset(flags)


def _in_proceedings(events: tuple[Event, ...], on: date) -> bool:
    """Proceedings run from a first hearing until a final hearing that has been held."""
    first = [e.on for e in events if e.kind == "first_hearing"]
    if not first:
        return False
    start = min(first)
    finals = [e for e in events if e.kind == "final_hearing" and e.on >= start
              and e.status == "held" and e.on <= on]
    return not finals


def child_states(caseload: Caseload, pack: Pack, plan_date: date) -> list[ChildState]:
    """The state of every open child on ``plan_date``, in child id order."""
    builder = StateBuilder(caseload, pack, plan_date)
    people = caseload.by_key(d.Person)
    return [builder.build(people[pid]) for pid in builder.open_children()]
