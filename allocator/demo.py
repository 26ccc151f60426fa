"""A deterministic demo council: a realistic, wholly invented caseload for any shipped pack.

Why it exists: the product needs a caseload anyone can run without a council's data, for
demos, documentation, benchmarks and end-to-end tests. Nothing here is a real child or worker.

Why it looks the way it does:

* Its shape follows the national figures (``shared/data/README.md``): about 15 cases per
  case-holding FTE, 13% agency workers, about half the open children in need, an eighth on
  child protection plans, a fifth looked after, a tenth care leavers; siblings in families.
* It plants children for every rule of the Southwark pack (an ICPC next week, a care order
  made last week, a disabled 13-year-old turning 14...), so a demo plan shows each transfer
  the policy describes, and a handful of problems the plan must mend (children with no lead
  worker, statutory cases held by ASYEs, workers about to leave). The planted key dates and
  flags are generic, so other packs' rules find many of them too.
* It works for every pack by role: each case is invented in a role of the shared vocabulary
  (front door, assessment, safeguarding, court, children in care ...) and placed in the
  pack's service for it, with fallbacks where a pack lacks a role (:data:`ROLE_CHAINS`). For
  Southwark every role the demo uses is one of its services, or falls back as the
  Southwark-only generator placed it (proceedings in SFS, care leavers in Care), so its
  output is unchanged; the draws never depend on the pack's other services.
* It is deterministic: one ``random.Random(seed)`` makes every draw, in a fixed order; nothing
  iterates a set, hashes a string or reads the clock. The same arguments give byte-identical
  files, so the shipped demo can be checked against a fresh run.

The generator works in three passes: invent families of children with their case histories
(:class:`_Child`), staff the services to match the caseload they produced, then allocate
workers and write every table's rows as text cells.
"""

from __future__ import annotations

import csv
import json
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

from allocator import domain as d
from allocator.calendar import age_on, birthday, is_working_day, iter_days
from allocator.rules.pack import Pack, available_packs, load_pack

# The shipped demo (scenarios/demo/): the CLI and a test rebuild it from these.
SHIPPED_CHILDREN = 600
SHIPPED_SEED = 20261120
SHIPPED_EXTRACT_DATE = date(2026, 11, 20)
SHIPPED_COUNCIL = "Demo Borough"
SHIPPED_PACK = "southwark"

FULL_TIME_CASES = 16  # the caseload a full-time worker is given, in cases
FULL_TIME_POINTS = 190  # capacity: CP and proceedings weigh more than 10, so 16 cases ~ 90%
ASYE_SHARE = 0.8  # an ASYE's protected caseload: 80% of an experienced worker's
CASES_PER_FTE = 16.0  # staffing target per service (national: 15.2 per FTE, Sept 2025)
HORIZON_WORKING_DAYS = 20  # "the coming 4 weeks": the pack's planning horizon
MIN_CHILDREN = 100  # below this the planted rule cases would swamp the ordinary ones

Table = list[dict[str, str]]
Event = tuple[str, date, str, date | None]  # (type, date, status, original date)
DAY = timedelta(days=1)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass(frozen=True)
class DemoCouncil:
    """A generated council: the manifest and every table's rows as text cells.

    ``tables`` maps a table name (``ssd_person`` ...) to rows; each row maps the model's
    field names, in model order, to the text a council's CSV would hold (ISO dates, Y/N).
    """

    manifest: d.Manifest
    tables: dict[str, Table]


def generate_demo(children: int, seed: int, extract_date: date, council: str = "Demo Borough",
                  pack: str = "southwark") -> DemoCouncil:
    """Invent a council with ``children`` open children, the same for the same arguments.

    Every date is relative to ``extract_date``; planted events fall in the four weeks after
    it. ``pack`` is any shipped pack: the demo's cases are placed by role
    (:data:`ROLE_CHAINS`) and every social-care service of the pack is staffed.
    """
    shipped = available_packs()
    if pack not in shipped:
        raise ValueError(f"the demo generator needs a shipped policy pack, not {pack!r}; "
                         f"shipped packs: {', '.join(shipped)}")
    if children < MIN_CHILDREN:
        raise ValueError(f"a demo needs at least {MIN_CHILDREN} children")
    manifest = d.Manifest(council=council, pack=pack, extract_date=extract_date)
    return DemoCouncil(manifest=manifest,
                       tables=_Demo(children, seed, extract_date, load_pack(pack)).build())


def write_demo(out: Path, children: int, seed: int, extract_date: date,
               council: str = "Demo Borough", pack: str = "southwark") -> Path:
    """Write a demo council as an input folder: one CSV per table and ``caseload.json``.

    Refuses to write into a folder that already holds anything, so a council's real data
    can never be overwritten by a demo. Returns ``out``.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not empty")
    demo = generate_demo(children, seed, extract_date, council, pack)
    out.mkdir(parents=True, exist_ok=True)
    for model in d.TABLES:
        with open(out / f"{model.TABLE}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(model.model_fields)
            writer.writerows(row.values() for row in demo.tables[model.TABLE])
    manifest = json.dumps(demo.manifest.model_dump(mode="json"), indent=2)
    (out / "caseload.json").write_text(manifest + "\n", encoding="utf-8")
    return out


# ---- Vocabularies and national shapes --------------------------------------------------------

_NO_ASYE_ROLES = ("front_door", "permanence")  # screening, and adoption work, need experience
_MIN_WORKERS_FRONT_DOOR = 2  # a front door is staffed however few referrals wait
_MIN_WORKERS_DEFAULT = 1  # a small council runs one-worker specialist posts
_ASYE_LED_ROLES = ("safeguarding", "court", "children_in_care")  # where a few ASYEs lead
_TEAM_SIZE = 6.5  # case-holding workers per team
_MEAN_FTE = 0.955  # 17% of experienced workers part-time at 0.6 or 0.8
_ASYE_RATE = 0.14  # ASYEs per worker in teams that take them (none in MASH or Permanence)
_AGENCY_RATE = 0.15  # of experienced workers: 13% of all (ASYEs are never agency)
_PART_TIME_RATE = 0.17  # of experienced workers, at 0.6 or 0.8 FTE
_LEAVE_RATE = 0.10  # workers away for part of the coming four weeks
_LOCALITIES = ("North", "South", "Central")
_MEETING_DAYS = ("Tue,Thu", "Mon,Wed", "Wed", "Tue", "Thu", "Mon,Thu", "Wed,Fri")
_FULL_WEEK = "Mon,Tue,Wed,Thu,Fri"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
_JOB_TITLES = ("Social Worker", "Senior Social Worker", "Advanced Practitioner")

# Sibling groups: 55% single children, then 2, 3, 4, occasionally 5-6.
_FAMILY_SIZES = (1, 2, 3, 4, 5, 6)
_FAMILY_WEIGHTS = (40, 32, 16, 7, 4, 1)  # with single-child profiles, ~55% of families

# Age bands (lo, hi, weight) by status, after the national CIN and CLA statistics.
_AGE_BANDS = {
    "cin": ((0, 4, 22), (5, 9, 25), (10, 15, 38), (16, 17, 15)),
    "cp": ((0, 4, 36), (5, 9, 29), (10, 15, 29), (16, 17, 6)),
    "cla": ((0, 4, 17), (5, 9, 17), (10, 15, 38), (16, 17, 28)),
}
# CIN primary need (national codes: N1 abuse or neglect, N2 the child's disability ...).
_NEEDS = ("N1", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0")
_NEED_WEIGHTS = (55, 4, 13, 14, 3, 1, 5, 3, 2)
_DISABILITY = "N2"
_DISABILITY_CODES = ("LD", "AUT", "COMM", "MOB", "HAND", "PC", "INC", "HEAR", "VIS", "BEH", "CON")


# ---- Roles: the demo's cases placed in any pack's services ------------------------------------

# The demo invents each case by the kind of service that holds it: a role in the packs' shared
# vocabulary (``ServiceRole``). A role goes to the pack's service with the first role of its
# chain that the pack has. "*" in a chain stands for the child's status role (STATUS_ROLES):
# a specialist service's children (disabled, remanded, unaccompanied, placed for adoption) go
# where the pack holds children of the same status when it has no such specialist service.
# Only services with ``social_care = true`` hold cases. Where several have the same role (the
# Mash-CAI-FSP pack's CAI and A&I), the first in the pack's file order holds the role's cases
# and the others are staffed at the minimum, so a transfer into them finds a worker. A role
# with no service along its chain (none in the shipped packs) goes to the front door.
ROLE_CHAINS: dict[str, tuple[str, ...]] = {
    "front_door": ("front_door", "assessment"),  # new referrals awaiting allocation
    "assessment": ("assessment", "front_door"),
    "safeguarding": ("safeguarding", "court", "assessment"),  # CIN and CP plans, s20 at first
    "court": ("court", "safeguarding", "assessment"),  # care proceedings, to the final hearing
    "children_in_care": ("children_in_care", "safeguarding", "assessment"),
    "leaving_care": ("leaving_care", "children_in_care", "safeguarding", "assessment"),  # 18+
    "permanence": ("permanence", "*"),  # placement orders: looked after
    "disability": ("disability", "*"),
    "transition": ("transition", "disability", "*"),  # disabled young people from 14
    "youth_offending": ("youth_offending", "*"),  # CIN plans, and remands (looked after)
    "uasc": ("uasc", "*"),  # looked after
}
# A child's status (see _Demo.status) -> the role holding such children in general.
STATUS_ROLES = {"in_need": "safeguarding", "looked_after": "children_in_care",
                "care_leaver": "leaving_care"}


def role_services(pack: Pack) -> dict[tuple[str, str], str]:
    """(role, status) -> the id of the pack's service holding the demo's cases of that role.

    Statuses are the keys of :data:`STATUS_ROLES`; see :data:`ROLE_CHAINS` for the mapping.
    """
    first: dict[str, str] = {}
    for s in pack.services:
        if s.social_care:
            first.setdefault(s.role, s.id)
    if not first:
        raise ValueError(f"the '{pack.pack.id}' pack has no social-care service for a demo")
    door = pack.front_door
    last = door.id if door is not None and door.social_care else next(iter(first.values()))

    def place(role: str, status: str) -> str:
        for r in ROLE_CHAINS[role]:
            if r == "*":
                return place(STATUS_ROLES[status], status)
            if r in first:
                return first[r]
        return last

    return {(role, status): place(role, status) for role in ROLE_CHAINS for status in STATUS_ROLES}


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return date(day.year - years, 2, 28)


# ---- The invented case history of one child --------------------------------------------------

@dataclass
class _Child:
    """One open child's invented history, before ids and workers are given."""

    role: str  # the role (ServiceRole) of the service holding the case now
    referral: date  # the open referral
    dob: date | None = None
    expected_dob: date | None = None  # unborn
    need: str = "N1"
    path: list[tuple[str, date]] = field(default_factory=list)  # roles held, from when
    allocation: str = "lead"  # "lead", "none" (no open lead worker) or "asye" (led by one)
    vacated: date | None = None  # unallocated: when the last lead worker's involvement ended
    group: int = 0  # siblings with the same group share a worker
    past_referral: tuple[date, date] | None = None
    cp: list[tuple[date, date | None]] = field(default_factory=list)
    cla: list[tuple[date, date | None]] = field(default_factory=list)
    reviews: list[tuple[date, date]] = field(default_factory=list)  # the last episode's (due, held)
    legal: list[tuple[str, date, date | None]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    flags: list[tuple[str, date]] = field(default_factory=list)
    disabilities: list[str] = field(default_factory=list)
    uasc_since: date | None = None
    coworker: str | None = None  # the role of an open co-worker's service

    def clone(self, dob: date | None, expected_dob: date | None = None) -> _Child:
        """A sibling with the same case history and its own birth date."""
        twin = copy(self)
        twin.dob, twin.expected_dob = dob, expected_dob
        for name in _LIST_FIELDS:  # lists are per child: a sibling may gain a flag alone
            setattr(twin, name, list(getattr(self, name)))
        return twin

    @property
    def looked_after(self) -> bool:
        return any(end is None for _, end in self.cla)

    @property
    def statutory(self) -> bool:
        """On a CP plan, looked after or in proceedings: needs an experienced lead worker."""
        return (self.looked_after or any(end is None for _, end in self.cp)
                or any(e[0] == "first_hearing" for e in self.events))


_LIST_FIELDS = ("path", "cp", "cla", "reviews", "legal", "events", "flags", "disabilities")


@dataclass
class _Worker:
    wid: str
    team: str
    service: str
    fte: float
    asye: bool
    agency: bool
    start: date
    case_holding: bool = True
    leaving: date | None = None
    target: float = 0.0  # cases this worker drifts towards: capacity times a personal factor
    load: int = 0


Family = list[_Child]


# ---- The generator -----------------------------------------------------------------------------

class _Demo:
    """Builds one demo council; every random draw goes through ``self.rng`` in a fixed order."""

    def __init__(self, children: int, seed: int, extract_date: date, pack: Pack):
        self.rng = random.Random(seed)
        self.n = children
        self.ext = extract_date
        self.pack = pack
        self._services = role_services(pack)  # (role, status) -> the pack's service id
        self.front_door = self._services[("front_door", "in_need")]
        self.days = _WorkingDays(extract_date - _days(366 * 25), extract_date + _days(800))
        self._ext_index = self.days.after(extract_date)  # index of the first working day after
        self._age_weights: dict[tuple[str, int, int], tuple[list[int], list[float]]] = {}
        self.rows: dict[str, Table] = {m.TABLE: [] for m in d.TABLES}
        self._counters: dict[str, int] = {}
        self.workers: list[_Worker] = []
        self.teams: dict[str, list[str]] = {}  # service -> team ids

    def build(self) -> dict[str, Table]:
        families = self._families()
        self.rng.shuffle(families)  # planted cases spread through the ids
        self._staff(families)
        leads = self._allocate(families)
        self._emit_workforce()
        self._emit_children(families, leads)
        return self.rows

    # -- dates ---------------------------------------------------------------------------------

    def ahead(self, k: int) -> date:
        """The k-th working day after the extract (k >= 1)."""
        return self.days.list[self._ext_index + k - 1]

    def back(self, k: int) -> date:
        """The k-th working day before the extract (k >= 1)."""
        return self.days.list[self.days.on_or_after(self.ext) - k]

    def upcoming(self, lo: int = 1, hi: int = HORIZON_WORKING_DAYS - 1) -> date:
        """A working day lo..hi working days ahead; the default stays inside the horizon."""
        return self.ahead(self.rng.randint(lo, hi))

    def recent(self, lo: int = 1, hi: int = 10) -> date:
        return self.back(self.rng.randint(lo, hi))

    def between(self, lo: date, hi: date) -> date:
        """A day in [lo, hi]; ``lo`` when the range is empty, so order is never broken."""
        if hi <= lo:
            return lo
        return lo + _days(self.rng.randint(0, (hi - lo).days))

    def wd_between(self, lo: date, hi: date) -> date:
        """A working day in [lo, hi] where there is one (else any day in it)."""
        day = self.between(lo, hi)
        working = self.days.previous(day)
        return working if working >= lo else day

    def ago(self, lo: int, hi: int) -> date:
        return self.ext - _days(self.rng.randint(lo, hi))

    def soon_after(self, day: date, most: int = 2) -> date:
        """The day a worker picked the case up: 0..most working days later, never future."""
        return min(self.days.add(day, self.rng.randint(0, most)), self.ext)

    def path(self, *steps: tuple[str, date]) -> list[tuple[str, date]]:
        """Roles in order, each from a day no earlier than the last and not after extract."""
        out: list[tuple[str, date]] = []
        for role, day in steps:
            day = min(max(day, out[-1][1] if out else day), self.ext)
            out.append((role, day))
        return out

    def status(self, child: _Child) -> str:
        """"looked_after", "care_leaver" (18 or over) or "in_need": the key to STATUS_ROLES."""
        if child.looked_after:
            return "looked_after"
        if child.dob is not None and age_on(child.dob, self.ext) >= 18:
            return "care_leaver"
        return "in_need"

    def place(self, role: str, child: _Child) -> str:
        """The pack's service holding ``child``'s case in ``role`` (see ROLE_CHAINS)."""
        return self._services[(role, self.status(child))]

    def services_held(self, child: _Child) -> list[tuple[str, date]]:
        """The child's path as the pack's services; a service held twice in a row is one step.

        (A care leaver's path ends children_in_care, then leaving_care at 18: one service
        where the pack has no leaving-care role.)
        """
        out: list[tuple[str, date]] = []
        for role, day in child.path:
            service = self.place(role, child)
            if not out or out[-1][0] != service:
                out.append((service, day))
        return out

    def cycle(self, start: date, first: int, every: int) -> date:
        """The next date after the extract of a cycle (first after ``first`` days, then every)."""
        due = start + _days(first)
        if due <= self.ext:
            due += _days(every * ((self.ext - due).days // every + 1))
        return self.days.next(due)

    # -- people --------------------------------------------------------------------------------

    def dob_for_age(self, age: int) -> date:
        """A birth date giving ``age`` completed years on the extract date (babies >= 1 week)."""
        hi = _years_before(self.ext, age) if age else self.ext - _days(7)
        return self.between(_years_before(self.ext, age + 1) + DAY, hi)

    def ages(self, kind: str, lo: int, hi: int, size: int) -> list[int]:
        """Ages for a sibling group: the first by the status's national shape, the rest near it."""
        key = (kind, lo, hi)
        if key not in self._age_weights:
            ages = list(range(lo, hi + 1))
            weights = [next(w / (b - a + 1) for a, b, w in _AGE_BANDS[kind] if a <= age <= b)
                       for age in ages]
            self._age_weights[key] = (ages, weights)
        ages, weights = self._age_weights[key]
        out = [self.rng.choices(ages, weights)[0]]
        while len(out) < size:
            step = 0 if self.rng.random() < 0.05 else self.rng.choice((-4, -3, -2, -1, 1, 2, 3, 4))
            out.append(min(hi, max(lo, out[-1] + step)))
        return out

    def dobs(self, kind: str, lo: int, hi: int, size: int) -> list[date]:
        return [self.dob_for_age(a) for a in self.ages(kind, lo, hi, size)]

    def family_size(self, cap: int = 6) -> int:
        return min(cap, self.rng.choices(_FAMILY_SIZES, _FAMILY_WEIGHTS)[0])

    def need(self) -> str:
        return self.rng.choices(_NEEDS, _NEED_WEIGHTS)[0]

    def disabilities(self) -> list[str]:
        return self.rng.sample(_DISABILITY_CODES, self.rng.choice((1, 1, 2)))

    def siblings(self, template: _Child, dobs: list[date]) -> Family:
        return [template.clone(dob) for dob in dobs]

    def unborn(self, template: _Child) -> _Child:
        return template.clone(None, self.ext + _days(self.rng.randint(14, 140)))

    def cla_reviews(self, child: _Child, start: date, end: date | None) -> None:
        """Looked-after reviews: 20 working days in, 3 months later, then every 6 months.

        Held reviews (the last six, as an SSD extract window would keep) go to
        ``ssd_cla_reviews``; while the child is looked after, the next is a scheduled event.
        """
        limit = end or self.ext
        due, past = self.days.add(start, 20), []
        while due <= limit:
            late = self.rng.random() < 0.1
            past.append((due, min(self.days.add(due, self.rng.randint(1, 8)), limit)
                         if late else due))
            due = self.days.next(due + _days(91 if len(past) == 1 else 182))
        child.reviews = past[-6:]
        if end is None:
            child.events.append(("cla_review", due, "scheduled", None))

    def past_episode(self, child: _Child, youngest: date) -> None:
        """Sometimes an earlier referral, closed, as re-referred families have."""
        lo, hi = youngest + _days(30), child.referral - _days(400)
        if hi <= lo or self.rng.random() >= 0.15:
            return
        opened = self.between(lo, hi)
        child.past_referral = (opened, self.between(opened + _days(60), child.referral - _days(60)))

    # -- families: ordinary cases ------------------------------------------------------------

    def ai_assessment(self, size: int) -> Family:
        """A referral under single assessment in Assessment and Intervention."""
        dobs = self.dobs("cin", 0, 17, size)
        referral = self.wd_between(max(max(dobs) + DAY, self.ago(60, 60)), self.back(1))
        t = _Child("assessment", referral, need=self.need(),
                   path=self.path(("assessment", self.soon_after(referral))))
        if self.rng.random() < 0.35:
            t.events.append(("strategy_discussion", self.soon_after(referral), "held", None))
        due = self.days.add(referral, 45)
        t.events.append(("assessment_completed", due if due > self.ext else self.upcoming(1, 15),
                         "scheduled", None))
        family = self.siblings(t, dobs)
        if len(family) < 6 and self.rng.random() < 0.04:
            family.append(self.unborn(t))
        return family

    def cin_plan(self, role: str, size: int) -> Family:
        """A child-in-need plan reviewed about every three months."""
        lo, hi = {"safeguarding": (0, 17), "disability": (0, 13), "transition": (14, 17),
                  "youth_offending": (10, 17)}[role]
        dobs = self.dobs("cin", lo, hi, size)
        referral = self.wd_between(max(max(dobs) + DAY, self.ago(1100, 1100)), self.ago(60, 60))
        t = _Child(role, referral, need=self.need())
        picked = self.soon_after(referral)
        if role == "safeguarding":
            t.path = self.path(("assessment", picked),
                               ("safeguarding", referral + _days(self.rng.randint(30, 90))))
        elif role == "transition":
            t.path = self.path(("disability", picked), ("transition", birthday(dobs[0], 14)))
        else:
            t.path = self.path((role, picked))
        if role in ("disability", "transition"):
            t.need, t.disabilities = _DISABILITY, self.disabilities()
        t.events.append(("cin_review", self.upcoming(1, 62), "scheduled", None))
        self.past_episode(t, max(dobs))
        family = self.siblings(t, dobs)
        if role == "disability":
            for sibling in family[1:]:  # a disabled child's siblings are with CWD too (5.2)
                sibling.need, sibling.disabilities = self.need(), []
        return family

    def cp_plan(self, role: str, size: int) -> Family:
        """A child protection plan: ICPC in the past, the next review conference ahead."""
        hi = 13 if role == "disability" else 17
        dobs = self.dobs("cp", 0, hi, size)
        referral = self.wd_between(max(max(dobs) + DAY, self.ago(900, 900)), self.ago(40, 40))
        strategy = min(self.days.add(referral, self.rng.randint(0, 3)), self.ext)
        icpc = min(self.days.add(strategy, self.rng.randint(10, 15)), self.ext)
        t = _Child(role, referral, need=self.need(), cp=[(icpc, None)])
        if role == "safeguarding":
            t.path = self.path(("assessment", self.soon_after(referral)), ("safeguarding", icpc))
        else:
            t.path = self.path((role, self.soon_after(referral)))
            t.need, t.disabilities = _DISABILITY, self.disabilities()
        t.events += [("strategy_discussion", strategy, "held", None), ("icpc", icpc, "held", None),
                     ("rcpc", self.cycle(icpc, 91, 182), "scheduled", None)]
        if self.rng.random() < 0.08:  # pre-proceedings: a legal planning meeting is booked
            t.events.append(("legal_planning_meeting", self.upcoming(1, 40), "scheduled", None))
        self.past_episode(t, max(dobs))
        if t.past_referral and self.rng.random() < 0.4:
            opened, closed = t.past_referral
            t.cp.insert(0, (opened + _days(20), max(opened + _days(20), closed - _days(10))))
        family = self.siblings(t, dobs)
        if role == "safeguarding" and len(family) < 6 and self.rng.random() < 0.05:
            family.append(self.unborn(t))  # a pre-birth plan for a sibling on the way
        return family

    def proceedings(self, size: int) -> Family:
        """Care proceedings (court role): an interim care order, the final hearing still ahead."""
        dobs = self.dobs("cla", 0, 17, size)
        start = self.wd_between(max(max(dobs) + _days(2), self.ago(240, 240)), self.ago(20, 20))
        referral = self.wd_between(max(max(dobs), start - _days(200)), start)
        t = _Child("court", referral, need=self.need(), cla=[(start, None)],
                   legal=[("C1", start, None)],
                   path=self.path(("assessment", self.soon_after(referral)), ("court", start)))
        t.events += [("legal_planning_meeting", self.wd_between(referral, start), "held", None),
                     ("first_hearing", start, "held", None)]
        irh = self.days.add(start, self.rng.randint(80, 100))
        t.events.append(("irh", irh, "held" if irh <= self.ext else "scheduled", None))
        final = self.days.add(start, 130)  # the 26-week timetable
        if final <= self.ext:  # proceedings overran: the final hearing was put back
            t.events.append(("final_hearing", self.upcoming(3, 60), "deferred", final))
        else:
            t.events.append(("final_hearing", final, "scheduled", None))
        self.cla_reviews(t, start, None)
        return self.siblings(t, dobs)

    def sfs_s20(self, size: int) -> Family:
        """Accommodated under s20 and held in SFS since the first looked-after review."""
        dobs = self.dobs("cla", 0, 17, size)
        start = self.wd_between(max(max(dobs) + _days(2), self.ago(300, 300)), self.ago(45, 45))
        referral = self.wd_between(max(max(dobs), start - _days(90)), start)
        t = _Child("safeguarding", referral, need=self.need(), cla=[(start, None)],
                   legal=[("V2", start, None)],
                   path=self.path(("assessment", self.soon_after(referral)),
                                  ("safeguarding", self.days.add(start, 20))))
        self.cla_reviews(t, start, None)
        return self.siblings(t, dobs)

    def care_order(self, role: str, size: int) -> Family:
        """Looked after on a care order made at a final hearing long past."""
        lo, hi = {"children_in_care": (1, 17), "disability": (1, 13), "transition": (14, 17)}[role]
        dobs = self.dobs("cla", lo, hi, size)
        start = self.wd_between(max(max(dobs) + _days(7), self.ago(4400, 4400)), self.ago(300, 300))
        final = self.days.add(start, self.rng.randint(120, 150))
        referral = self.wd_between(max(max(dobs), start - _days(180)), start)
        t = _Child(role, referral, need=self.need(), cla=[(start, None)],
                   legal=[("C1", start, final), ("C2", final, None)])
        t.path = self._looked_after_path(role, referral, start, final, dobs[0], "court")
        if role != "children_in_care":
            t.need, t.disabilities = _DISABILITY, self.disabilities()
        self.cla_reviews(t, start, None)
        return self.siblings(t, dobs)

    def care_s20(self, role: str, size: int) -> Family:
        """Looked after long-term by agreement (s20)."""
        lo, hi = (1, 17) if role == "children_in_care" else (1, 13)  # looked after 8 months+
        dobs = self.dobs("cla", lo, hi, size)
        start = self.wd_between(max(max(dobs) + _days(30), self.ago(3650, 3650)),
                                self.ago(240, 240))
        referral = self.wd_between(max(max(dobs), start - _days(120)), start)
        t = _Child(role, referral, need=self.need(), cla=[(start, None)],
                   legal=[("V2", start, None)])
        moved = start + _days(self.rng.randint(150, 230))
        t.path = self._looked_after_path(role, referral, start, moved, dobs[0], "safeguarding")
        if role != "children_in_care":
            t.need, t.disabilities = _DISABILITY, self.disabilities()
        self.cla_reviews(t, start, None)
        return self.siblings(t, dobs)

    def _looked_after_path(self, role: str, referral: date, start: date, moved: date,
                           dob: date, first_care: str) -> list[tuple[str, date]]:
        """Roles held; ``first_care`` held the child from coming into care (court: on an order)."""
        picked = self.soon_after(referral)
        if role == "children_in_care":
            return self.path(("assessment", picked), (first_care, start),
                             ("children_in_care", moved + _days(self.rng.randint(5, 40))))
        if role == "transition":
            return self.path(("disability", picked), ("transition", birthday(dob, 14)))
        return self.path((role, picked))

    def uasc(self, size: int) -> Family:
        """An unaccompanied asylum-seeking teenager, looked after under s20 since arrival."""
        dob = self.dob_for_age(self.ages("cla", 14, 17, 1)[0])
        arrived = self.wd_between(max(birthday(dob, 13), self.ago(900, 900)), self.ago(60, 60))
        t = _Child("uasc", arrived, need="N8", cla=[(arrived, None)], uasc_since=arrived,
                   legal=[("V2", arrived, None)],
                   path=self.path(("assessment", arrived),
                                  ("uasc", arrived + _days(self.rng.randint(20, 60)))))
        self.cla_reviews(t, arrived, None)
        return self.siblings(t, [dob])

    def permanence(self, size: int) -> Family:
        """A placement order: the adoption search is with the Permanence service."""
        dobs = self.dobs("cla", 2, 7, min(size, 3))
        start = self.wd_between(max(max(dobs) + _days(3), self.ago(1460, 1460)), self.ago(400, 400))
        final = self.days.add(start, self.rng.randint(120, 160))
        referral = self.wd_between(max(max(dobs), start - _days(150)), start)
        t = _Child("permanence", referral, need="N1", cla=[(start, None)],
                   legal=[("C1", start, final), ("E1", final, None)],
                   path=self.path(("assessment", self.soon_after(referral)), ("court", start),
                                  ("permanence", final + _days(self.rng.randint(10, 60)))))
        t.events.append(("placement_order", final, "held", None))
        if self.rng.random() < 0.25:
            t.events.append(("adoption_order", self.upcoming(10, 120), "scheduled", None))
        self.cla_reviews(t, start, None)
        return self.siblings(t, dobs)

    def leaver(self, role: str, size: int) -> Family:
        """A care leaver aged 18 to 21, with leaving care (Transition when disabled)."""
        dob = self.dob_for_age(self.rng.randint(18, 21))
        adult = birthday(dob, 18)
        start = self.wd_between(birthday(dob, 4), birthday(dob, 16))
        referral = self.wd_between(max(dob, start - _days(200)), start)
        t = _Child(role, referral, need=self.need(), cla=[(start, adult)])
        if self.rng.random() < 0.4:
            t.legal = [("V2", start, adult)]
        else:
            final = self.days.add(start, 130)
            t.legal = [("C1", start, final), ("C2", final, adult)]
        self.cla_reviews(t, start, adult)
        if role == "transition":
            t.need, t.disabilities = _DISABILITY, self.disabilities()
            t.path = self.path(("disability", self.soon_after(referral)),
                               ("transition", birthday(dob, 14)))
        else:  # in care until 18, then leaving care (one service where a pack has no such role)
            handed = max(start + _days(30), adult - _days(self.rng.randint(0, 700)))
            t.path = self.path(("assessment", self.soon_after(referral)),
                               ("court" if t.legal[0][0] == "C1" else "safeguarding", start),
                               ("children_in_care", handed), ("leaving_care", adult))
        t.events.append(("pathway_plan_review", self.upcoming(1, 120), "scheduled", None))
        return [t.clone(dob)]

    # -- families: planted for the pack's rules ----------------------------------------------

    def mash_referral(self, size: int, allocated: bool = False) -> Family:
        """A new referral at the front door, awaiting allocation (swk-1.5, swk-4.3.1)."""
        dobs = self.dobs("cin", 0, 17, size)
        referral = self.wd_between(max(max(dobs), self.ago(4, 4)), self.ext)
        t = _Child("front_door", referral, need=self.need(),
                   path=self.path(("front_door", referral)),
                   allocation="lead" if allocated else "none")
        if self.rng.random() < 0.25:
            t.events.append(("strategy_discussion", self.upcoming(1, 2), "scheduled", None))
        return self.siblings(t, dobs)

    def mash_disabled(self, size: int) -> Family:
        """A disabled child under 14 with siblings, referred to MASH (swk-5.1: siblings follow)."""
        family = self.mash_referral(max(2, min(size, 3)))
        disabled = family[0]
        disabled.dob = self.dob_for_age(self.rng.randint(3, 13))
        disabled.referral = max(disabled.referral, disabled.dob)
        disabled.need, disabled.disabilities = _DISABILITY, self.disabilities()
        return family

    def mash_transfer_in(self, size: int, on_plan: bool) -> Family:
        """Arrived from another authority on a CP plan (swk-4.2.3) or CIN plan (swk-4.1.8)."""
        family = self.mash_referral(min(size, 2))
        for child in family:
            child.flags.append(("transfer_in", child.referral))
            if on_plan:
                child.cp.append((child.referral, None))
        return family

    def unallocated(self, role: str) -> Family:
        """A child whose lead worker's involvement ended days ago, not yet reallocated."""
        family = self.ai_assessment(1) if role == "assessment" else self.cin_plan(role, 1)
        for child in family:
            child.allocation = "none"
            child.vacated = max(child.path[-1][1], self.recent(1, 8))
        return family

    def ai_icpc(self, size: int, deferred: bool) -> Family:
        """An ICPC in the coming weeks after a strategy discussion (swk-4.2.2); some deferred."""
        dobs = self.dobs("cp", 0, 17, size)
        before = self.rng.randint(1, 10)  # strategy discussion, working days ago
        strategy = self.back(before)
        referral = self.wd_between(max(max(dobs), strategy - _days(15)), strategy)
        t = _Child("assessment", referral, need="N1",
                   path=self.path(("assessment", self.soon_after(referral))))
        t.events.append(("strategy_discussion", strategy, "held", None))
        if deferred:
            was = self.rng.randint(1, 5)
            original = self.ahead(was) if before % 2 else self.back(min(before - 1, was))
            moved = self.ahead(was + self.rng.randint(3, 10))
            t.events.append(("icpc", moved, "deferred", original))
        else:
            t.events.append(("icpc", self.ahead(self.rng.randint(before + 1, 15) - before),
                             "scheduled", None))
        return self.siblings(t, dobs)

    def ai_cin_review(self, size: int) -> Family:
        """Assessment done; the first CIN review, where the case moves to SFS, is ahead (4.1.4)."""
        dobs = self.dobs("cin", 0, 17, size)
        referral = self.wd_between(max(max(dobs), self.ago(70, 70)), self.ago(35, 35))
        t = _Child("assessment", referral, need=self.need(),
                   path=self.path(("assessment", self.soon_after(referral))))
        t.events += [("assessment_completed", max(referral, self.recent(1, 10)), "held", None),
                     ("cin_review", self.upcoming(), "scheduled", None)]
        return self.siblings(t, dobs)

    def ai_first_hearing(self, size: int) -> Family:
        """Care proceedings issued from A&I: the first hearing is in the coming weeks (4.5.2)."""
        dobs = self.dobs("cla", 0, 17, size)
        referral = self.wd_between(max(max(dobs), self.ago(150, 150)), self.ago(40, 40))
        t = _Child("assessment", referral, need="N1",
                   path=self.path(("assessment", self.soon_after(referral))))
        t.events += [("legal_planning_meeting", max(referral, self.recent(5, 20)), "held", None),
                     ("first_hearing", self.upcoming(), "scheduled", None)]
        return self.siblings(t, dobs)

    def ai_s20(self, size: int, return_imminent: bool) -> Family:
        """Newly accommodated under s20 from A&I; the first looked-after review is ahead (4.4.2)."""
        dobs = self.dobs("cla", 0, 17, size)
        start = max(max(dobs) + DAY, self.recent(2, 15))
        referral = self.wd_between(max(max(dobs), start - _days(60)), start)
        t = _Child("assessment", referral, need=self.need(), cla=[(start, None)],
                   legal=[("V2", start, None)],
                   path=self.path(("assessment", min(self.soon_after(referral), start))))
        self.cla_reviews(t, start, None)
        if return_imminent:
            t.flags.append(("return_home_imminent", start))
        return self.siblings(t, dobs)

    def sfs_final_hearing(self, size: int, order: str, family_found: bool = False) -> Family:
        """Proceedings just ended with a care order (4.5.3) or placement order (4.5.4)."""
        lo, hi = (1, 17) if order == "C2" else (1, 5)
        dobs = self.dobs("cla", lo, hi, min(size, 3) if order == "E1" else size)
        start = self.wd_between(max(max(dobs) + _days(2), self.ago(330, 330)), self.ago(200, 200))
        final = self.recent(1, 8)
        referral = self.wd_between(max(max(dobs), start - _days(120)), start)
        t = _Child("court", referral, need="N1", cla=[(start, None)],
                   legal=[("C1", start, final), (order, final, None)],
                   path=self.path(("assessment", self.soon_after(referral)), ("court", start)))
        t.events += [("first_hearing", start, "held", None),
                     ("irh", max(start, final - _days(self.rng.randint(28, 56))), "held", None),
                     ("final_hearing", final, "held", None)]
        if order == "E1":
            t.events.append(("placement_order", final, "held", None))
        if family_found:
            t.flags.append(("family_identified", max(start, final - _days(30))))
        self.cla_reviews(t, start, None)
        return self.siblings(t, dobs)

    def cwd_fourteen(self, size: int, overdue: bool, transition_coworker: bool) -> Family:
        """A disabled child turning 14 within four weeks, or already past it (5.2)."""
        if overdue:
            dob = self.dob_for_age(self.rng.randint(14, 15))
        else:
            last = self.ahead(HORIZON_WORKING_DAYS - 1)
            dob = _years_before(self.between(self.ext + DAY, last), 14)
        referral = self.wd_between(birthday(dob, 1), self.ago(180, 180))
        t = _Child("disability", referral, need=_DISABILITY, disabilities=self.disabilities(),
                   path=self.path(("disability", self.soon_after(referral))))
        t.events.append(("cin_review", self.upcoming(1, 62), "scheduled", None))
        if transition_coworker:
            t.coworker = "transition"
        return [t.clone(dob)]

    def care_returned_home(self, size: int) -> Family:
        """Accommodated under s20, home again 5-8 weeks ago: stepped down after 6 weeks (4.5.5)."""
        dobs = self.dobs("cla", 5, 17, size)
        home = self.wd_between(self.ago(56, 56), self.ago(35, 35))
        start = self.wd_between(max(max(dobs) + _days(30), home - _days(700)), home - _days(150))
        referral = self.wd_between(max(max(dobs), start - _days(90)), start)
        t = _Child("children_in_care", referral, need=self.need(), cla=[(start, home)],
                   legal=[("V2", start, home)], flags=[("returned_home", home)],
                   path=self.path(("assessment", self.soon_after(referral)),
                                  ("safeguarding", self.days.add(start, 20)),
                                  ("children_in_care", start + _days(self.rng.randint(120, 140)))))
        self.cla_reviews(t, start, home)
        t.events += [("return_home", home, "held", None),
                     ("cin_review", self.upcoming(5, 40), "scheduled", None)]
        return self.siblings(t, dobs)

    def yos_remand(self, size: int, code: str) -> Family:
        """Remanded, so looked after, held by the YOS: to Care at the first review (4.5.10)."""
        dob = self.dob_for_age(self.rng.randint(12, 17))
        start = self.recent(2, 15)
        referral = self.wd_between(self.ago(400, 400), start)
        t = _Child("youth_offending", referral, need="N6", cla=[(start, None)],
                   legal=[(code, start, None)],
                   path=self.path(("youth_offending", self.soon_after(referral))))
        self.cla_reviews(t, start, None)
        return [t.clone(dob)]

    def relinquished(self, size: int, role: str) -> Family:
        """A baby relinquished for adoption at birth: straight to Permanence (4.5.4)."""
        dob = self.ago(3, 40)
        start = min(dob + _days(self.rng.randint(1, 3)), self.ext)
        referral = max(dob, self.recent(1, 3)) if role == "front_door" else dob  # at the birth
        t = _Child(role, referral, need="N8", cla=[(start, None)], legal=[("V2", start, None)],
                   flags=[("relinquished", dob)],
                   allocation="none" if role == "front_door" else "lead",
                   path=self.path((role, self.soon_after(referral))))
        self.cla_reviews(t, start, None)
        return [t.clone(dob)]

    def relinquishment_uncertain(self, size: int, unborn: bool) -> Family:
        """Relinquishment not yet clear: a Permanence worker co-works from now (4.5.4)."""
        if unborn:  # a pre-birth referral
            referral = self.recent(5, 40)
        else:  # referred at the birth
            dob = self.ago(5, 40)
            referral = min(dob + _days(self.rng.randint(0, 2)), self.ext)
        t = _Child("assessment" if unborn else "safeguarding", referral, need="N8",
                   flags=[("relinquishment_uncertain", referral)])
        if unborn:
            t.path = self.path(("assessment", self.soon_after(referral)))
            return [self.unborn(t)]
        t.path = self.path(("assessment", self.soon_after(referral)),
                           ("safeguarding", referral + _days(self.rng.randint(1, 4))))
        t.events.append(("cin_review", self.upcoming(1, 30), "scheduled", None))
        return [t.clone(dob)]

    def relevant_child(self, size: int) -> Family:
        """Left care at 16 or 17 and stays with the Care service as a relevant child (4.5.6)."""
        dob = self.dob_for_age(self.rng.randint(16, 17))
        left = self.wd_between(max(birthday(dob, 16), self.ago(300, 300)), self.ago(30, 30))
        start = self.wd_between(birthday(dob, 8), left - _days(400))
        referral = self.wd_between(max(dob, start - _days(150)), start)
        t = _Child("children_in_care", referral, need=self.need(), cla=[(start, left)],
                   legal=[("V2", start, left)], flags=[("relevant_child", left)],
                   path=self.path(("assessment", self.soon_after(referral)),
                                  ("safeguarding", start),
                                  ("children_in_care", start + _days(self.rng.randint(150, 300)))))
        self.cla_reviews(t, start, left)
        t.events.append(("pathway_plan_review", self.upcoming(1, 120), "scheduled", None))
        return [t.clone(dob)]

    def flagged(self, flag: str, make: Callable[[int], Family], size: int) -> Family:
        """An ordinary family with a flag the pack's rules read."""
        family = make(size)
        for child in family:
            child.flags.append((flag, self.between(child.path[-1][1], self.ext)))
        return family

    # -- the caseload as a whole ---------------------------------------------------------------

    def _planted(self) -> list[tuple[float, int, Callable[[int, int], Family]]]:
        """(families per child, at least, make(i, size)): the cases each rule is for.

        ``i`` counts the families of a kind, so variants alternate and each appears as soon
        as the minimum allows.
        """
        return [
            (0.003, 2, lambda i, s: self.mash_referral(s)),
            (0.001, 1, lambda i, s: self.mash_referral(s, allocated=True)),
            (0.0006, 1, lambda i, s: self.mash_disabled(s)),
            (0.0006, 1, lambda i, s: self.mash_transfer_in(s, on_plan=True)),
            (0.0006, 1, lambda i, s: self.mash_transfer_in(s, on_plan=False)),
            (0.0012, 1, lambda i, s: self.unallocated("assessment")),
            (0.0008, 1, lambda i, s: self.unallocated("safeguarding")),
            (0.0018, 2, lambda i, s: self.ai_icpc(s, deferred=i % 3 == 1)),
            (0.0018, 2, lambda i, s: self.ai_cin_review(s)),
            (0.0007, 1, lambda i, s: self.ai_first_hearing(s)),
            (0.001, 2, lambda i, s: self.ai_s20(min(s, 3), return_imminent=i % 3 == 1)),
            (0.0008, 1, lambda i, s: self.sfs_final_hearing(s, "C2")),
            (0.0008, 2, lambda i, s: self.sfs_final_hearing(s, "E1", family_found=i % 2 == 1)),
            (0.0008, 1, lambda i, s: self.cwd_fourteen(1, False, transition_coworker=i % 2 == 0)),
            (0.0004, 1, lambda i, s: self.cwd_fourteen(1, True, transition_coworker=False)),
            (0.0008, 1, lambda i, s: self.care_returned_home(min(s, 2))),
            (0.0008, 1, lambda i, s: self.yos_remand(1, "J2" if i % 3 == 2 else "J1")),
            (0.0005, 1, lambda i, s: self.relinquished(1, "front_door" if i % 2 else "assessment")),
            (0.0005, 1, lambda i, s: self.relinquishment_uncertain(1, unborn=i % 2 == 0)),
            (0.0015, 1, lambda i, s: self.flagged(
                "sgo_application", self.proceedings if i % 2 else self._care, s)),
            (0.0015, 1, lambda i, s: self.flagged(
                "placed_with_parents", self.proceedings if i % 2 == 0 else self._care, s)),
            (0.0006, 1, lambda i, s: self.flagged(
                "adoption_plan_changed", self.permanence if i % 2 == 0 else self.proceedings, s)),
            (0.0015, 1, lambda i, s: self.relevant_child(1)),
        ]

    def _care(self, size: int) -> Family:
        return self.care_order("children_in_care", size)

    def _ordinary(self) -> list[tuple[float, int, Callable[[int], Family]]]:
        """(share of children in %, largest family, make(size)): the everyday caseload."""
        return [
            (12.0, 6, self.ai_assessment),
            (20.0, 6, lambda s: self.cin_plan("safeguarding", s)),
            (9.2, 6, lambda s: self.cp_plan("safeguarding", s)),
            (0.4, 1, lambda s: self.cp_plan("disability", s)),
            (2.6, 6, self.proceedings),
            (1.2, 4, self.sfs_s20),
            (8.0, 4, self._care),
            (1.5, 3, lambda s: self.care_s20("children_in_care", s)),
            (0.9, 1, self.uasc),
            (2.4, 3, self.permanence),
            (4.0, 3, lambda s: self.cin_plan("disability", s)),
            (0.3, 1, lambda s: self.care_order("disability", s)),
            (0.2, 1, lambda s: self.care_s20("disability", s)),
            (2.0, 1, lambda s: self.cin_plan("transition", s)),
            (0.3, 1, lambda s: self.care_order("transition", s)),
            (0.4, 1, lambda s: self.leaver("transition", s)),
            (8.6, 1, lambda s: self.leaver("leaving_care", s)),
            (1.5, 1, lambda s: self.cin_plan("youth_offending", s)),
        ]

    def _families(self) -> list[Family]:
        families: list[Family] = []
        for rate, least, plant in self._planted():
            count = round(rate * self.n)
            for i in range(max(least, count)):
                # Families planted only to reach the minimum are single children, so a small
                # council is not swamped with moves.
                families.append(plant(i, self.family_size(cap=3) if i < count else 1))
        total = sum(len(f) for f in families)
        ordinary = self._ordinary()
        mean_size = (sum(s * w for s, w in zip(_FAMILY_SIZES, _FAMILY_WEIGHTS, strict=True))
                     / sum(_FAMILY_WEIGHTS))
        weights = [share / (mean_size if cap > 1 else 1.0) for share, cap, _ in ordinary]
        while total < self.n:
            _, cap, make = self.rng.choices(ordinary, weights)[0]
            family = self._with_other_sibling(make(self.family_size(cap)))[: self.n - total]
            families.append(family)
            total += len(family)
        self._asye_led(families)
        for family in families:
            for child in family:
                self._pathway_plan(child)
        return families

    def _with_other_sibling(self, family: Family) -> Family:
        """Siblings are usually together with one worker, but not always."""
        if len(family) > 1 and self.rng.random() < 0.1:
            family[-1].group = 1  # a different worker in the same service
        if 1 < len(family) < 6 and self.rng.random() < 0.06:
            family.extend(self.rng.choice((
                lambda: self.cin_plan("disability", 1),
                lambda: self.cin_plan("youth_offending", 1),
                lambda: self.leaver("leaving_care", 1),
                lambda: self.care_order("children_in_care", 1)))())
        return family

    def _asye_led(self, families: list[Family]) -> None:
        """A handful of statutory cases led by ASYEs: the plan must move them."""
        held = {self._services[(role, "looked_after")] for role in _ASYE_LED_ROLES}
        candidates = [c for f in families for c in f
                      if c.allocation == "lead" and c.statutory and self.place(c.role, c) in held]
        for child in self.rng.sample(candidates, min(len(candidates), max(2, self.n // 1000))):
            child.allocation = "asye"

    def _pathway_plan(self, child: _Child) -> None:
        if (child.looked_after and child.dob is not None and age_on(child.dob, self.ext) >= 16
                and not any(e[0] == "pathway_plan_review" for e in child.events)):
            child.events.append(("pathway_plan_review", self.upcoming(1, 120), "scheduled", None))

    # -- staffing ------------------------------------------------------------------------------

    def _staff(self, families: list[Family]) -> None:
        """Teams and workers for each service, sized to the caseload it holds."""
        cases = {s.id: 0 for s in self.pack.services if s.social_care}
        for family in families:
            for child in family:
                cases[self.place(child.role, child)] += 1
        for service, n in cases.items():
            # Each service at the same ratio, so no team is swamped while another idles; the
            # minimum staff of small services make a small council's overall ratio lower.
            # A pack's other services with a role the demo places elsewhere (a second
            # assessment service, an out-of-hours team) hold no cases: they get the minimum.
            least = (_MIN_WORKERS_FRONT_DOOR if self._is_front_door(service)
                     else _MIN_WORKERS_DEFAULT)
            count = max(least, round(n / CASES_PER_FTE / _MEAN_FTE))
            n_teams = max(1, round(count / _TEAM_SIZE))
            for t in range(n_teams):
                size = count // n_teams + (1 if t < count % n_teams else 0)
                self._team(service, t, n_teams, size)
        self._mix()
        self._comings_and_goings()
        for w in self.workers:  # caseloads drift unevenly: some workers run over capacity
            w.target = _cases(w) * self.rng.uniform(0.8, 1.15)

    def _mix(self) -> None:
        """Agency and part-time workers by quota, so even a small council has its share."""
        staff = [w for w in self.workers if w.case_holding and not w.asye]
        for w in self.rng.sample(staff, round(_AGENCY_RATE * len(staff))):
            w.agency, w.start = True, self.ago(30, 540)
        for w in self.rng.sample(staff, round(_PART_TIME_RATE * len(staff))):
            w.fte = self.rng.choice((0.6, 0.6, 0.8))

    def _comings_and_goings(self) -> None:
        """A few workers leave in the coming weeks and a few start: the plan must adapt."""
        staff = [w for w in self.workers if w.case_holding]
        experienced = [w for w in staff if not w.asye]
        for w in self.rng.sample(experienced, max(2, round(0.03 * len(staff)))):
            w.leaving = self.days.next(self.ext + _days(self.rng.randint(10, 45)))
        teams = [(s, t) for s, ts in self.teams.items() if s != self.front_door for t in ts]
        for service, team in self.rng.sample(teams, min(len(teams), max(1, len(staff) // 50))):
            asye = self._takes_asyes(service) and self.rng.random() < 0.3
            starter = self._worker(team, service, asye=asye)
            starter.start = self.days.next(self.ext + _days(self.rng.randint(3, 25)))
            self.workers.append(starter)

    def _team(self, service: str, index: int, n_teams: int, size: int) -> None:
        team = self._next("T", 3)
        locality = "Central" if n_teams == 1 else _LOCALITIES[index % 3]
        name = f"{self.pack.service(service).name} {locality}"
        if n_teams > 3:
            name += f" {index // 3 + 1}"
        self.teams.setdefault(service, []).append(team)
        self._add(d.Department, dept_team_id=team, dept_team_name=name)
        self._add(d.TeamProfile, tpro_team_id=team, tpro_service=service, tpro_locality=locality,
                  tpro_meeting_days=self.rng.choice(_MEETING_DAYS),
                  tpro_meeting_slots=self.rng.randint(2, 6))
        asyes = 0  # most teams of three or more have one; large teams two
        if self._takes_asyes(service) and size >= 3 and self.rng.random() < 0.92:
            asyes = max(1, round(_ASYE_RATE * size))
        for k in range(size):
            self.workers.append(self._worker(team, service, asye=k < asyes))
        manager = _Worker(self._next("W", 4), team, service, 1.0, asye=False, agency=False,
                          start=self.ago(700, 5000), case_holding=False)
        self.workers.append(manager)

    def _is_front_door(self, service: str) -> bool:
        s = self.pack.service(service)
        return s.front_door or s.role == "front_door"

    def _takes_asyes(self, service: str) -> bool:
        return self.pack.service(service).role not in _NO_ASYE_ROLES

    def _worker(self, team: str, service: str, asye: bool) -> _Worker:
        """A full-time permanent worker (agency and part-time are set by :meth:`_mix`)."""
        start = self.ago(30, 330) if asye else self.ago(200, 5000)  # ASYE: qualified this year
        return _Worker(self._next("W", 4), team, service, 1.0, asye, False, start)

    # -- allocation ----------------------------------------------------------------------------

    def _allocate(self, families: list[Family]) -> dict[int, _Worker]:
        """Give each allocated child a lead worker; siblings in a group share one.

        Statutory groups go first, to experienced workers; then the rest, to anyone. Each
        group goes to the least loaded of three workers drawn at random: caseloads come out
        uneven the way real ones are, with a few workers over capacity.
        """
        pools = self._pools()
        groups: dict[tuple[int, str, int], list[_Child]] = {}
        for f, family in enumerate(families):
            for c, child in enumerate(family):
                if child.allocation != "none":
                    key = (f, self.place(child.role, child),
                           -1 - c if child.allocation == "asye" else child.group)
                    groups.setdefault(key, []).append(child)
        leads: dict[int, _Worker] = {}
        for (_, service, _), group in sorted(groups.items(),
                                             key=lambda kv: not any(c.statutory for c in kv[1])):
            kind = ("asye" if group[0].allocation == "asye"
                    else "experienced" if any(c.statutory for c in group) else "any")
            pool = pools[(service, kind)] or pools[(service, "any")]
            worker = min((self.rng.choice(pool) for _ in range(3)),
                         key=lambda w: (w.load + len(group)) / w.target)
            worker.load += len(group)
            for child in group:
                leads[id(child)] = worker
        return leads

    def _pools(self) -> dict[tuple[str, str], list[_Worker]]:
        pools: dict[tuple[str, str], list[_Worker]] = {}
        for service in self.teams:
            active = [w for w in self.workers if w.service == service and w.case_holding
                      and w.start <= self.ext]
            pools[(service, "any")] = active
            pools[(service, "experienced")] = [w for w in active if not w.asye]
            pools[(service, "asye")] = [w for w in active if w.asye]
        return pools

    # -- rows ----------------------------------------------------------------------------------

    def _next(self, prefix: str, width: int) -> str:
        counter = self._counters[prefix] = self._counters.get(prefix, 0) + 1
        return f"{prefix}{counter:0{width}d}"

    def _add(self, model: type[d.Row], **cells: object) -> None:
        """Append a row: every column of the model, in model order, blank unless given."""
        blank = _BLANK_ROWS[model.TABLE]
        row = blank | {column: _text(value) for column, value in cells.items()}
        if len(row) != len(blank):  # a misspelt column would add a key
            raise KeyError(f"{model.TABLE} has no column(s) {sorted(row.keys() - blank.keys())}")
        self.rows[model.TABLE].append(row)

    def _emit_workforce(self) -> None:
        for w in self.workers:
            title = ("Team Manager" if not w.case_holding else "Social Worker (ASYE)" if w.asye
                     else self.rng.choice(_JOB_TITLES))
            self._add(d.Professional, prof_professional_id=w.wid,
                      prof_professional_name=f"Worker {w.wid[1:]}",
                      prof_professional_job_title=title,
                      prof_professional_department=w.team, prof_full_time_equivalency=w.fte,
                      prof_agency_worker_flag=w.agency)
            self._add(d.WorkerCapacity, wcap_professional_id=w.wid, wcap_asye=w.asye,
                      wcap_capacity_points=_points(w), wcap_working_days=self._pattern(w.fte),
                      wcap_start_date=w.start, wcap_leaving_date=w.leaving,
                      wcap_max_new_per_week=(0 if not w.case_holding else 3 if w.asye or w.fte < 1
                                             else self.rng.randint(3, 5)),
                      wcap_case_holding=w.case_holding)
        staff = [w for w in self.workers if w.case_holding]
        for w in self.rng.sample(staff, round(_LEAVE_RATE * len(staff))):
            self._leave(w)

    def _pattern(self, fte: float) -> str:
        if fte >= 1:
            return _FULL_WEEK
        days = sorted(self.rng.sample(range(5), round(fte * 5)))
        return ",".join(_WEEKDAYS[i] for i in days)

    def _leave(self, w: _Worker) -> None:
        """Away for part of the coming four weeks: mostly annual leave, some longer absences."""
        start = self.days.next(max(w.start, self.ext + _days(self.rng.randint(-4, 24))))
        length = self.rng.randint(3, 10) if self.rng.random() < 0.8 else self.rng.randint(10, 40)
        end = max(self.days.add(start, length - 1), self.ext + DAY)
        self._add(d.WorkerLeave, wlea_leave_id=self._next("L", 5), wlea_professional_id=w.wid,
                  wlea_start_date=start, wlea_end_date=end)

    def _emit_children(self, families: list[Family], leads: dict[int, _Worker]) -> None:
        history = _History(self.workers, self.rng)
        front_door = self.teams[self.front_door]
        for family in families:
            family_id = self._next("F", 6)
            for child in family:
                pid = self._next("P", 6)
                self._add(d.Person, pers_person_id=pid, pers_dob=child.dob,
                          pers_expected_dob=child.expected_dob)
                self._add(d.FamilyMember, fami_table_id=self._next("FM", 7),
                          fami_family_id=family_id, fami_person_id=pid)
                vacated = self._emit_involvements(pid, child, leads.get(id(child)), history)
                # The referral team is the front door's, except for a child left without a
                # worker after it: there it names the team holding the case (state.py reads
                # an unallocated child's service from it).
                self._emit_episodes(pid, child, vacated or self.rng.choice(front_door))
                self._emit_facts(pid, child)

    def _emit_episodes(self, pid: str, child: _Child, referral_team: str) -> None:
        if child.past_referral:
            opened, closed = child.past_referral
            self._add(d.CinEpisode, cine_referral_id=self._next("R", 7), cine_person_id=pid,
                      cine_referral_date=opened, cine_cin_primary_need_code=self.need(),
                      cine_close_date=closed, cine_referral_team=referral_team)
        self._add(d.CinEpisode, cine_referral_id=self._next("R", 7), cine_person_id=pid,
                  cine_referral_date=child.referral, cine_cin_primary_need_code=child.need,
                  cine_referral_team=referral_team)
        for start, end in child.cp:
            self._add(d.CpPlan, cppl_cp_plan_id=self._next("CP", 6), cppl_person_id=pid,
                      cppl_cp_plan_start_date=start, cppl_cp_plan_end_date=end)
        cla_id = ""  # reviews belong to the child's last looked-after period
        for start, end in child.cla:
            cla_id = self._next("LA", 6)
            self._add(d.ClaEpisode, clae_cla_episode_id=self._next("CE", 6), clae_person_id=pid,
                      clae_cla_episode_start_date=start, clae_cla_episode_ceased_date=end,
                      clae_cla_id=cla_id)
        for due, held in child.reviews:
            self._add(d.ClaReview, clar_cla_review_id=self._next("CR", 7), clar_cla_id=cla_id,
                      clar_cla_review_due_date=due, clar_cla_review_date=held)
        for code, start, end in child.legal:
            self._add(d.LegalStatus, lega_legal_status_id=self._next("LS", 7), lega_person_id=pid,
                      lega_legal_status=code, lega_legal_status_start_date=start,
                      lega_legal_status_end_date=end)

    def _emit_facts(self, pid: str, child: _Child) -> None:
        for code in child.disabilities:
            self._add(d.Disability, disa_table_id=self._next("D", 6), disa_person_id=pid,
                      disa_disability_code=code)
        if child.uasc_since:
            self._add(d.ImmigrationStatus, immi_immigration_status_id=self._next("IM", 5),
                      immi_person_id=pid, immi_immigration_status="UASC",
                      immi_immigration_status_start_date=child.uasc_since)
        for kind, day, status, original in child.events:
            self._add(d.KeyDate, kdat_key_date_id=self._next("K", 7), kdat_person_id=pid,
                      kdat_event_type=kind, kdat_event_date=day, kdat_original_date=original,
                      kdat_status=status)
        for flag, start in child.flags:
            self._add(d.ChildFlag, cfla_flag_id=self._next("CF", 6), cfla_person_id=pid,
                      cfla_flag=flag, cfla_start_date=start)

    def _emit_involvements(self, pid: str, child: _Child, lead: _Worker | None,
                           history: _History) -> str | None:
        """Closed involvements for the services the child passed through, then the open lead.

        Returns the team of a lead worker whose involvement ended, leaving the child
        unallocated; None otherwise.
        """
        steps = self.services_held(child)
        for (service, start), (_, nxt) in pairwise(steps):
            self._involvement(pid, history.worker(service, start), start, nxt - DAY)
        service, start = steps[-1]
        if lead is None:
            last = history.worker(service, start) if child.vacated is not None else None
            if last is None:
                return None
            self._involvement(pid, last, start, child.vacated)
            return last.team
        if start < lead.start or ((self.ext - start).days > 365 and self.rng.random() < 0.25):
            took_over = self.between(max(lead.start, min(start + _days(60), self.ext)), self.ext)
            earlier = history.worker(service, start)
            if earlier is not lead:
                self._involvement(pid, earlier, start, took_over - DAY)
            start = took_over
        self._involvement(pid, lead, start, None)
        if child.coworker or (child.role != "front_door" and self.rng.random() < 0.012):
            pool = history.active(self.place(child.coworker, child) if child.coworker
                                  else service, self.ext)
            other = self.rng.choice(pool)
            if other is not lead:
                joined = self.between(max(start, other.start), self.ext)
                self._involvement(pid, other, joined, None, d.CO_WORKER_ROLE)
        return None

    def _involvement(self, pid: str, worker: _Worker | None, start: date, end: date | None,
                     role: str = d.LEAD_ROLE) -> None:
        if worker is None or (end is not None and end < start):
            return  # history older than anyone still here, or a same-day handover
        self._add(d.Involvement, invo_involvements_id=self._next("I", 7),
                  invo_professional_id=worker.wid, invo_professional_role_id=role,
                  invo_professional_team=worker.team, invo_involvement_start_date=start,
                  invo_involvement_end_date=end, invo_person_id=pid)


class _WorkingDays:
    """England's working days (``calendar.is_working_day``) over a span, indexed by bisection.

    The generator takes tens of thousands of "n working days after" steps, many of them 26
    weeks long; walking day by day made a large demo slow. The definition of a working day
    is the calendar module's, so the dates are the same.
    """

    def __init__(self, first: date, last: date):
        self.first, self.last = first, last
        self.list = [day for day in iter_days(first, last) if is_working_day(day)]

    def _index(self, day: date, after: bool) -> int:
        if not self.first < day < self.last:
            raise ValueError(f"{day} is outside the demo's calendar")
        return bisect_right(self.list, day) if after else bisect_left(self.list, day)

    def on_or_after(self, day: date) -> int:
        return self._index(day, after=False)

    def after(self, day: date) -> int:
        return self._index(day, after=True)

    def add(self, day: date, n: int) -> date:
        """As ``calendar.add_working_days`` for n >= 0."""
        return self.list[self.on_or_after(day) if n == 0 else self.after(day) + n - 1]

    def next(self, day: date) -> date:
        """As ``calendar.next_working_day``."""
        return self.list[self.on_or_after(day)]

    def previous(self, day: date) -> date:
        """As ``calendar.previous_working_day``."""
        return self.list[self.after(day) - 1]


class _History:
    """Who could have held a case in a service on a past day: workers already started then."""

    def __init__(self, workers: list[_Worker], rng: random.Random):
        self.rng = rng
        self._by_service: dict[str, list[_Worker]] = {}
        for w in sorted((w for w in workers if w.case_holding), key=lambda w: (w.start, w.wid)):
            self._by_service.setdefault(w.service, []).append(w)
        self._starts = {s: [w.start for w in ws] for s, ws in self._by_service.items()}

    def active(self, service: str, day: date) -> list[_Worker]:
        return self._by_service[service][: bisect_right(self._starts[service], day)]

    def worker(self, service: str, day: date) -> _Worker | None:
        pool = self.active(service, day)
        return self.rng.choice(pool) if pool else None


_BLANK_ROWS: dict[str, dict[str, str]] = {m.TABLE: dict.fromkeys(m.model_fields, "")
                                          for m in d.TABLES}


def _text(value: object) -> str:
    """A cell as a council's CSV holds it: ISO dates, Y/N flags, one-decimal FTE."""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _cases(w: _Worker) -> float:
    if not w.case_holding:
        return 0.0
    return FULL_TIME_CASES * w.fte * (ASYE_SHARE if w.asye else 1.0)


def _points(w: _Worker) -> int:
    if not w.case_holding:
        return 0
    return round(FULL_TIME_POINTS * w.fte * (ASYE_SHARE if w.asye else 1.0))
