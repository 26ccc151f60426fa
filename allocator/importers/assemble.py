"""Turn an :class:`Extract` and a staff list into the product's input tables.

Why it exists: whatever the national format, the same steps make its facts plannable:
check each staged row against the product's row model, resolve team names to teams of the
pack's services, match allocated workers to the staff list, keep one open lead per child,
and number every row. Each step that drops something says so in the report, located by
source row; nothing is dropped silently and no id is invented from a child's id.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from pydantic import ValidationError

from allocator import domain as d
from allocator.importers.cells import name_key
from allocator.importers.extract import Allocation, Extract, Origin, Staged
from allocator.importers.generate import GENERATED_FILE, synthetic_staff
from allocator.importers.mappings import Mappings
from allocator.importers.report import ImportReport, Issue
from allocator.importers.staff import StaffMember
from allocator.importers.teams import Team, resolve_teams
from allocator.rules.pack import Pack

Rows = dict[str, list[dict[str, str]]]
_PREFIX = {"ssd_cin_episodes": "REF", "ssd_cp_plans": "CPP", "ssd_cla_episodes": "CLA",
           "ssd_cla_reviews": "REV", "ssd_legal_status": "LEG", "ssd_disability": "DIS",
           "ssd_immigration_status": "IMM", "csl_key_dates": "KEY", "csl_child_flags": "FLG",
           "ssd_involvements": "INV", "csl_worker_leave": "LEA", "ssd_family": "FAM"}

_OPEN_TABLES = ("ssd_cin_episodes", "ssd_cp_plans", "ssd_cla_episodes")
_END_COLUMNS = ("cine_close_date", "cppl_cp_plan_end_date", "clae_cla_episode_ceased_date")
DEFAULT_MEETING_SLOTS = 4  # the product's default per meeting day (csl_team_profile)
MAX_MEETING_SLOTS = 50  # the most csl_team_profile allows
MEETING_DAYS = 5  # a week of meeting days spreads the waiting children
FRONT_DOOR_TEAM = "SYNTHETIC front door team"
FRONT_DOOR_TEAM_ID = "synthetic-front-door"


@dataclass
class Assembled:
    """The product's tables as text rows, and whether they can be planned as they are."""

    tables: Rows
    complete: bool
    staff: list[StaffMember] = field(default_factory=list)


def assemble(extract: Extract, staff: list[StaffMember] | None, generate: bool,
             mappings: Mappings, pack: Pack, extract_date: date,
             report: ImportReport) -> Assembled:
    """The product's tables for ``extract``; ``staff`` None and not ``generate`` leaves
    the worker tables empty (the report says how to supply them)."""
    staged = _valid_staged(extract.staged, report)
    rejected = report.rejected_rows()
    allocations = [a for a in extract.allocations if _key(a.origin) not in rejected]
    staged = [s for s in staged if _key(s.origin) not in rejected]
    people = _kept_people(extract, staged, allocations, rejected)
    staged = _linked_reviews([s for s in staged if s.person is None or s.person in people],
                             report)
    allocations = [a for a in allocations if a.child in people]
    names = _team_names(staged, allocations, staff or [], extract.default_team)
    teams = resolve_teams(names, mappings, pack, report)
    _count_unmapped(staged, allocations, staff or [], teams, mappings, report)
    staff = _source_staff(extract, staff, generate, report)
    if staff is None and generate:
        staff = _generate(staged, allocations, teams, pack, extract_date, report)
    tables: Rows = {m.TABLE: [] for m in d.TABLES}
    tables["ssd_person"] = [{"pers_person_id": p, "pers_dob": dob.isoformat() if dob else "",
                             "pers_expected_dob": extract.expected_dob.get(p, "")}
                            for p, dob in sorted(people.items())]
    _teams_tables(tables, teams)
    for row in staged:
        tables[row.table].append(_resolved(row, teams))
    _dedupe(tables)
    members = _staff_tables(tables, staff or [], teams, report)
    if staff is not None:
        _involvements(tables, allocations, members, teams, extract_date, report)
    _number(tables)
    return Assembled(tables, complete=staff is not None, staff=list(members.values()))


def _source_staff(extract: Extract, staff: list[StaffMember] | None, generate: bool,
                  report: ImportReport) -> list[StaffMember] | None:
    """The staff list; or, generating, the workers the source itself holds (SSD)."""
    if staff is None and generate and extract.professionals:
        report.generated.append(
            f"capacity for the {len(extract.professionals)} workers of ssd_professionals "
            "(csl_worker_capacity): experienced, Mon-Fri, 190 points per FTE, because the SSD "
            "holds no ASYE status or capacity. Supply a staff list (--staff) before acting "
            "on a plan.")
        return extract.professionals
    if staff is not None and extract.professionals:
        report.note("ssd_professionals rows not used: the staff list supplies the workers",
                    len(extract.professionals))
    return staff


def _generate(staged: list[Staged], allocations: list[Allocation], teams: dict[str, Team],
              pack: Pack, on: date, report: ImportReport) -> list[StaffMember]:
    """A synthetic staff list (and front-door team, and meeting slots), all reported."""
    open_children = _open_children(staged, allocations, teams, on)
    if open_children[""] and pack.front_door is not None:
        door = Team(FRONT_DOOR_TEAM_ID, FRONT_DOOR_TEAM, pack.front_door.id, "", "generated")
        teams[name_key(door.name)] = door
        open_children[name_key(door.name)] = open_children.pop("")
        report.generated.append(f"team '{FRONT_DOOR_TEAM}' in the front-door service "
                                f"'{door.service}', for the open children the source places "
                                "in no team")
    staff = synthetic_staff(_named_workers(allocations, teams), open_children,
                            sorted({t.name for t in teams.values()}, key=name_key))
    _meeting_slots(teams, open_children, report)
    report.generated.append(f"{len(staff)} synthetic workers (ids SYN-..., job title "
                            "SYNTHETIC): experienced, full time, Mon-Fri, capacity 190 points, "
                            "up to 12 new children a week; one per named worker the source "
                            "allocates, plus vacancies. Replace them with the council's staff "
                            "list (--staff) before acting on a plan.")
    return staff


def _key(origin: Origin) -> tuple[str, str | None, int]:
    return (origin.file, origin.sheet, origin.row)


def _valid_staged(staged: list[Staged], report: ImportReport) -> list[Staged]:
    """Staged rows whose cells pass the product's row model; a failure rejects its row."""
    for row in staged:
        model = d.TABLE_BY_NAME[row.table]
        cells = {k: v for k, v in row.cells.items() if v != ""}
        if model.KEY is not None:
            cells[model.KEY] = "x"
        if row.team_column and row.team_column in cells:
            cells[row.team_column] = "x"
        try:
            model.model_validate(cells)
        except ValidationError as exc:
            err = exc.errors(include_input=False, include_url=False)[0]
            column = ".".join(str(x) for x in err["loc"]) or None
            report.reject(Issue(row.origin.file, row.origin.sheet, row.origin.row, None,
                                "INVALID", f"would give {row.table}.{column} that the product "
                                f"refuses: {err['msg'].removeprefix('Value error, ')}"))
    return staged


def _kept_people(extract: Extract, staged: list[Staged], allocations: list[Allocation],
                 rejected: set[tuple[str, str | None, int]]) -> dict[str, date | None]:
    """People with at least one source row that was not rejected."""
    alive: set[str] = {s.person for s in staged if s.person is not None}
    alive |= {a.child for a in allocations}
    alive |= {p for p, (_, origin) in extract.people.items() if _key(origin) not in rejected}
    return {p: dob for p, (dob, _) in extract.people.items() if p in alive}


def _linked_reviews(staged: list[Staged], report: ImportReport) -> list[Staged]:
    """Reject reviews whose period of care was itself rejected (they would point nowhere)."""
    periods = {s.cells["clae_cla_id"] for s in staged if s.table == "ssd_cla_episodes"}
    kept = []
    for s in staged:
        if s.table == "ssd_cla_reviews" and s.cells["clar_cla_id"] not in periods:
            report.reject(Issue(s.origin.file, s.origin.sheet, s.origin.row, None,
                                "PERIOD_REJECTED", "the period of care this review belongs "
                                "to was rejected; see that row"))
        else:
            kept.append(s)
    return kept


def _team_names(staged: list[Staged], allocations: list[Allocation], staff: list[StaffMember],
                default_team: str | None) -> list[str]:
    names = [s.cells[s.team_column] for s in staged if s.team_column and s.cells.get(s.team_column)]
    names += [a.team_name for a in allocations if a.team_name]
    names += [m.team for m in staff]
    return names + ([default_team] if default_team else [])


def _count_unmapped(staged: list[Staged], allocations: list[Allocation],
                    staff: list[StaffMember], teams: dict[str, Team], mappings: Mappings,
                    report: ImportReport) -> None:
    """List every team name no mapping resolved, with how many source rows hold it."""
    rows: dict[str, set[Origin]] = defaultdict(set)
    for s in staged:
        if s.team_column and s.cells.get(s.team_column):
            rows[s.cells[s.team_column]].add(s.origin)
    for a in allocations:
        if a.team_name:
            rows[a.team_name].add(a.origin)
    for m in staff:
        rows[m.team].add(m.origin)
    for name, origins in sorted(rows.items()):
        if name_key(name) not in teams:
            for _ in origins:
                report.unmapped_team(name, mappings.teams_file)
            for o in sorted(origins):
                report.warn(Issue(o.file, o.sheet, o.row, None, "TEAM_UNMAPPED",
                                  "team name resolves to no team: the row's team and worker "
                                  "were not imported (see the unmapped list)"))


def _named_workers(allocations: list[Allocation], teams: dict[str, Team]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for a in allocations:
        if a.worker_name and a.team_name and name_key(a.team_name) in teams:
            team = teams[name_key(a.team_name)].name
            out.setdefault((team, name_key(a.worker_name)), a.worker_name)
    return out


def _open_children(staged: list[Staged], allocations: list[Allocation],
                   teams: dict[str, Team], on: date) -> Counter[str]:
    """Open children per team name key (by open allocation, else open referral team);
    key "" counts open children in no resolved team."""
    team_of: dict[str, str] = {}
    for a in sorted(allocations, key=lambda a: a.precedence):
        if a.team_name and name_key(a.team_name) in teams and (a.end is None or a.end > on):
            team_of[a.child] = name_key(a.team_name)
    still_open = [s for s in staged if s.table in _OPEN_TABLES and s.person and _open(s, on)]
    for s in still_open:
        if s.team_column and name_key(s.cells.get(s.team_column, "")) in teams:
            team_of.setdefault(s.person or "", name_key(s.cells[s.team_column]))
    for s in still_open:
        team_of.setdefault(s.person or "", "")
    return Counter(team_of.values())


def _open(row: Staged, on: date) -> bool:
    end = next((v for k, v in row.cells.items() if k in _END_COLUMNS), "")
    return not end or date.fromisoformat(end) > on


def _meeting_slots(teams: dict[str, Team], open_children: Counter[str],
                   report: ImportReport) -> None:
    """Give teams the teams file leaves unset enough transfer-meeting slots for the children
    who arrive unallocated (all of them, when the source links no child to a worker)."""
    raised = []
    for key, team in teams.items():
        if team.meeting_slots:
            continue
        slots = min(MAX_MEETING_SLOTS, max(DEFAULT_MEETING_SLOTS,
                                           math.ceil(open_children[key] / MEETING_DAYS)))
        if slots > DEFAULT_MEETING_SLOTS:
            teams[key] = replace(team, meeting_days="Mon,Tue,Wed,Thu,Fri",
                                 meeting_slots=str(slots))
            raised.append(f"{team.name}: {slots}")
    if raised:
        report.generated.append("transfer-meeting slots per day, Mon-Fri, raised so each "
                                "waiting child can have a meeting (set meeting_days and "
                                "meeting_slots in the teams file instead): " + "; ".join(raised))


def _teams_tables(tables: Rows, teams: dict[str, Team]) -> None:
    for team in sorted(teams.values(), key=lambda t: t.team_id):
        tables["ssd_department"].append({"dept_team_id": team.team_id,
                                         "dept_team_name": team.name[:120],
                                         "dept_team_parent_id": ""})
        tables["csl_team_profile"].append({"tpro_team_id": team.team_id,
                                           "tpro_service": team.service,
                                           "tpro_locality": team.locality,
                                           "tpro_meeting_days": team.meeting_days,
                                           "tpro_meeting_slots": team.meeting_slots})


def _resolved(row: Staged, teams: dict[str, Team]) -> dict[str, str]:
    cells = dict(row.cells)
    if row.team_column:
        team = teams.get(name_key(cells.get(row.team_column, "")))
        cells[row.team_column] = team.team_id if team else ""
    return cells


def _dedupe(tables: Rows) -> None:
    """One disability row, one UASC status and one of each flag per child."""
    for table, columns in (("ssd_disability", ("disa_person_id",)),
                           ("ssd_immigration_status", ("immi_person_id", "immi_immigration_status")),
                           ("csl_child_flags", ("cfla_person_id", "cfla_flag"))):
        seen: set[tuple[str, ...]] = set()
        kept = []
        for row in tables[table]:
            key = tuple(row[c] for c in columns)
            if key not in seen:
                seen.add(key)
                kept.append(row)
        tables[table] = kept


def _staff_tables(tables: Rows, staff: list[StaffMember], teams: dict[str, Team],
                  report: ImportReport) -> dict[str, StaffMember]:
    """Workers whose team resolves, by worker id; the others are rejected."""
    members: dict[str, StaffMember] = {}
    for m in staff:
        team = teams.get(name_key(m.team))
        if team is None:
            if m.origin.file != GENERATED_FILE:
                report.reject(Issue(m.origin.file, m.origin.sheet, m.origin.row, "team",
                                    "TEAM_UNMAPPED", "the worker's team resolves to no team; "
                                    "add it to the teams file"))
            continue
        members[m.worker_id] = m
        tables["ssd_professionals"].append({
            "prof_professional_id": m.worker_id, "prof_professional_name": m.name[:200],
            "prof_professional_job_title": m.role, "prof_professional_department": team.team_id,
            "prof_full_time_equivalency": f"{m.fte:g}",
            "prof_agency_worker_flag": "Y" if m.agency else "N"})
        tables["csl_worker_capacity"].append({
            "wcap_professional_id": m.worker_id, "wcap_asye": "Y" if m.asye else "N",
            "wcap_capacity_points": str(m.capacity), "wcap_working_days": m.working_days,
            "wcap_start_date": m.start_date.isoformat() if m.start_date else "",
            "wcap_leaving_date": m.leaving_date.isoformat() if m.leaving_date else "",
            "wcap_max_new_per_week": "" if m.max_new_per_week is None else str(m.max_new_per_week)})
        for start, end in m.leave:
            tables["csl_worker_leave"].append({"wlea_professional_id": m.worker_id,
                                               "wlea_start_date": start.isoformat(),
                                               "wlea_end_date": end.isoformat()})
    return members


def _involvements(tables: Rows, allocations: list[Allocation], members: dict[str, StaffMember],
                  teams: dict[str, Team], on: date, report: ImportReport) -> None:
    """Involvement rows for allocations whose worker is found; one open lead per child."""
    by_name: dict[tuple[str, str], StaffMember] = {}
    for m in members.values():
        if m.name:
            by_name.setdefault((name_key(m.team), name_key(m.name)), m)
    leads: dict[str, tuple[Allocation, StaffMember]] = {}
    closed: list[tuple[Allocation, StaffMember]] = []
    unknown_start = 0
    for a in sorted(allocations, key=lambda a: (-a.precedence, a.origin)):
        member = _worker_for(a, members, by_name, teams, report)
        if member is None:
            continue
        if a.end is not None and a.end <= on or a.role != d.LEAD_ROLE:
            closed.append((a, member))
            continue
        held = leads.get(a.child)
        if held is None:
            leads[a.child] = (a, member)
        elif held[1].worker_id != member.worker_id:
            report.warn(_where(a, "DUPLICATE_LEAD", "the child already has an open lead "
                               f"worker from {held[0].origin.sheet or held[0].origin.file} row "
                               f"{held[0].origin.row}; this allocation was not imported"))
    for a, member in list(leads.values()) + closed:
        start = a.start
        if start is None or start > on:
            unknown_start += start is None
            start = min(on, a.start or on)
        tables["ssd_involvements"].append({
            "invo_professional_id": member.worker_id, "invo_professional_role_id": a.role,
            "invo_professional_team": _involvement_team(a, member, teams, on, report),
            "invo_involvement_start_date": start.isoformat(),
            "invo_involvement_end_date": a.end.isoformat() if a.end else "",
            "invo_person_id": a.child})
    if unknown_start:
        report.note("allocations with no start date in the source (written as starting on "
                    "the extract date)", unknown_start)


def _involvement_team(a: Allocation, member: StaffMember, teams: dict[str, Team], on: date,
                      report: ImportReport) -> str:
    """The allocation's own team; for an open one the worker's team, which the product
    requires to match (a difference is reported)."""
    own = teams.get(name_key(a.team_name or ""))
    worker_team = teams[name_key(member.team)]
    is_open = a.end is None or a.end > on
    if own is None or (is_open and own.team_id != worker_team.team_id):
        if own is not None:
            report.warn(_where(a, "TEAM_DIFFERS", "the open allocation's team differs from "
                               "the worker's team in the staff list; written with the "
                               "worker's team"))
        return worker_team.team_id
    return own.team_id


def _worker_for(a: Allocation, members: dict[str, StaffMember],
                by_name: dict[tuple[str, str], StaffMember], teams: dict[str, Team],
                report: ImportReport) -> StaffMember | None:
    if a.team_name and name_key(a.team_name) not in teams:
        return None  # already listed as an unmapped team
    if a.worker_id is not None:
        member = members.get(a.worker_id)
        if member is None:
            report.warn(_where(a, "WORKER_NOT_IN_STAFF", "the worker id is not in the staff "
                               "list; the child is imported as waiting for allocation"))
        return member
    if not a.worker_name:
        report.warn(_where(a, "NO_WORKER", "a team but no allocated worker: the child is "
                           "imported as waiting for allocation (in its open referral's team, "
                           "else at the front door)"))
        return None
    member = by_name.get((name_key(a.team_name or ""), name_key(a.worker_name)))
    if member is None:
        report.warn(_where(a, "WORKER_NOT_IN_STAFF", "no worker of this name in this team in "
                           "the staff list; the child is imported as waiting for allocation"))
    return member


def _where(a: Allocation, code: str, message: str) -> Issue:
    return Issue(a.origin.file, a.origin.sheet, a.origin.row, None, code, message)


def _number(tables: Rows) -> None:
    """Give every row its key column, in table order: ids say nothing about a child."""
    for name, rows in tables.items():
        model = d.TABLE_BY_NAME[name]
        prefix = _PREFIX.get(name)
        if prefix is None or model.KEY is None:
            continue
        width = max(6, len(str(len(rows))))
        for i, row in enumerate(rows, start=1):
            row[model.KEY] = f"{prefix}{i:0{width}d}"
