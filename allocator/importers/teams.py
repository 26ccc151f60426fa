"""Resolve the free-text team names an import found into teams of the policy pack's services.

Why it exists: the product places every team in one of its pack's services; national
returns and staff lists only name teams. Resolution is by the council's teams file first,
then by the shipped keyword rules (reported as such, for a person to confirm); a name
neither resolves is listed in the report with the file that resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.demo import role_services
from allocator.importers.cells import clean, name_key
from allocator.importers.mappings import Mappings, TeamChoice
from allocator.importers.report import ImportReport
from allocator.rules.pack import Pack

_STATUS_FOR_ROLE = {"uasc": "looked_after", "permanence": "looked_after",
                    "children_in_care": "looked_after", "leaving_care": "care_leaver"}


@dataclass(frozen=True)
class Team:
    """A resolved team: its id, display name, pack service, and how it was resolved."""

    team_id: str
    name: str
    service: str
    locality: str
    source: str
    meeting_days: str = ""
    meeting_slots: str = ""


def service_by_role(pack: Pack) -> dict[str, str]:
    """role -> the pack service holding it (the demo's role chains supply fallbacks)."""
    placed = role_services(pack)
    roles = {role for role, _ in placed}
    return {role: placed[(role, _STATUS_FOR_ROLE.get(role, "in_need"))] for role in roles}


def resolve_teams(names: list[str], mappings: Mappings, pack: Pack,
                  report: ImportReport) -> dict[str, Team]:
    """name_key -> Team for every name that resolves; the rest are counted as unmapped
    by the caller, which knows how many rows each holds."""
    by_role = service_by_role(pack)
    out: dict[str, Team] = {}
    used: dict[str, str] = {}  # team id -> name_key, so two names never share an id
    for name in sorted({clean(n).text for n in names if clean(n).text}, key=name_key):
        key = name_key(name)
        if key in out:
            continue
        choice: TeamChoice | None = mappings.team(name, by_role)
        if choice is None:
            continue
        team_id = choice.team_id
        if used.get(team_id, key) != key:
            team_id = f"{team_id}-{sum(1 for t in used if t.startswith(team_id)) + 1}"
        used[team_id] = key
        out[key] = Team(team_id, name, choice.service, choice.locality, choice.source,
                        choice.meeting_days, choice.meeting_slots)
        if choice.source == "keyword rule":
            report.note(f"team '{name}' placed in service '{choice.service}' by a keyword "
                        "rule: confirm it in the teams file")
    return out
