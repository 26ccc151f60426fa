"""Mapping files: free-text team names to teams and services, national codes to the product's.

Why it exists: Annex A and staff lists name teams in free text and national returns use
their own code lists; the product needs team ids, a pack service per team, and its own
legal status codes and child flags. The mappings are plain files a council edits (a CSV
of teams, a TOML of codes) so every translation is visible and none is hidden in code.
Shipped defaults live beside this module; a council's files take precedence.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from allocator.importers.cells import clean, name_key, slug
from allocator.importers.report import ImportFailed, Issue

SHIPPED_TEAMS = "teams.csv"
SHIPPED_CODES = "codes.toml"
TEAM_COLUMNS = ("team_name", "team_id", "service", "locality", "meeting_days", "meeting_slots")
CODE_SECTIONS = ("legal_status", "primary_need", "placement_flags", "involvement_roles")
_LIST_PREFIX = re.compile(r"^[a-z]{1,2}\)\s*", re.IGNORECASE)
_CODE = re.compile(r"^([A-Za-z0-9]+)\s*(?::|\s-\s|$)")


def _shipped(name: str) -> str:
    return (resources.files("allocator.importers") / "mappings" / name).read_text("utf-8")


@dataclass(frozen=True)
class TeamChoice:
    """How one team name was resolved: the team id, the pack service, and by what."""

    team_id: str
    service: str
    locality: str
    source: str  # "teams file" | "keyword rule"
    meeting_days: str = ""  # blank: the product's default (every working day)
    meeting_slots: str = ""  # blank: the product's default


@dataclass
class Mappings:
    """Team and code mappings in force for one import."""

    teams: dict[str, TeamChoice] = field(default_factory=dict)  # name_key -> choice
    keyword_rules: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    team_ids: dict[str, str] = field(default_factory=dict)  # name_key -> id the source gives
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    teams_file: str = "teams.csv (pass with --teams)"
    codes_file: str = "codes.toml (pass with --codes)"

    def code(self, section: str, cell: str) -> str | None:
        """The product's code for a cell of a coded column, or None when unmapped."""
        table = self.codes.get(section, {})
        text = clean(cell).text
        if text in table:
            return table[text]
        token = code_token(text)
        return table.get(token) if token else None

    def team(self, name: str, role_service: dict[str, str]) -> TeamChoice | None:
        """The team for a free-text name: the council's file, else a keyword rule."""
        key = name_key(name)
        if key in self.teams:
            return self.teams[key]
        for pattern, role in self.keyword_rules:
            if pattern.search(key) and role in role_service:
                return TeamChoice(self.team_ids.get(key, slug(name)), role_service[role], "",
                                  "keyword rule")
        return None


def code_token(text: str) -> str | None:
    """The code at the start of a coded cell: "f) U6: Foster placement" -> "U6"."""
    match = _CODE.match(_LIST_PREFIX.sub("", clean(text).text))
    return match[1].upper() if match else None


def load_mappings(teams: Path | None, codes: Path | None) -> Mappings:
    """The shipped keyword rules and codes, with a council's files laid over them."""
    m = Mappings(keyword_rules=_keyword_rules(_shipped(SHIPPED_TEAMS)))
    m.codes = _codes(_shipped(SHIPPED_CODES), SHIPPED_CODES)
    if codes is not None:
        m.codes_file = codes.name
        for section, table in _codes(_read(codes), codes.name).items():
            m.codes.setdefault(section, {}).update(table)
    if teams is not None:
        m.teams_file = teams.name
        m.teams = _team_file(_read(teams), teams.name)
    return m


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportFailed([Issue(path.name, None, None, None, "FILE_MISSING",
                                  "mapping file not found")]) from None
    except UnicodeDecodeError:
        raise ImportFailed([Issue(path.name, None, None, None, "NOT_UTF8",
                                  "mapping file is not UTF-8 text")]) from None


def _keyword_rules(text: str) -> list[tuple[re.Pattern[str], str]]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    return [(re.compile(r["pattern"], re.IGNORECASE), r["role"]) for r in rows]


def _codes(text: str, file: str) -> dict[str, dict[str, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportFailed([Issue(file, None, None, None, "BAD_MAPPING",
                                  f"is not valid TOML ({exc})")]) from None
    problems = [Issue(file, None, None, s, "BAD_MAPPING", "unknown section; expected one of "
                      + ", ".join(CODE_SECTIONS)) for s in data if s not in CODE_SECTIONS]
    problems += [Issue(file, None, None, s, "BAD_MAPPING", "every value must be text")
                 for s, t in data.items() if not isinstance(t, dict)
                 or not all(isinstance(v, str) for v in t.values())]
    if problems:
        raise ImportFailed(problems)
    return {s: {clean(k).text: v for k, v in t.items()} for s, t in data.items()}


def _team_file(text: str, file: str) -> dict[str, TeamChoice]:
    reader = csv.DictReader(io.StringIO(text))
    header = [clean(h).text for h in reader.fieldnames or []]
    missing = [c for c in TEAM_COLUMNS[:3] if c not in header]
    if missing:
        raise ImportFailed([Issue(file, None, 1, c, "MISSING_COLUMN", "required column missing; "
                                  "the columns are " + ",".join(TEAM_COLUMNS)) for c in missing])
    out: dict[str, TeamChoice] = {}
    problems: list[Issue] = []
    for number, row in enumerate(reader, start=2):
        row = {clean(k).text: clean(v or "").text for k, v in row.items() if k}
        if not row.get("team_name"):
            continue
        if not row.get("team_id") or not re.fullmatch(r"[a-z0-9_]{1,40}", row.get("service", "")):
            problems.append(Issue(file, None, number, "service", "BAD_MAPPING",
                                  "needs a team_id and a service id from the policy pack"))
            continue
        out[name_key(row["team_name"])] = TeamChoice(
            row["team_id"], row["service"], row.get("locality", ""), "teams file",
            row.get("meeting_days", ""), row.get("meeting_slots", ""))
    if problems:
        raise ImportFailed(problems)
    return out
