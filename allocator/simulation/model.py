"""The scenario file: what changes, when, over which horizon.

A scenario is read from TOML or YAML (the same keys either way) and validated twice: first its own shape (pydantic, strict,
``extra="forbid"`` so a misspelt key is an error, not a silent default), then against the
council it runs on (every team and worker it names must exist). Errors name the file and
the field, never a child's data.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from allocator.rules.pack import PACK_NAMES

Rate = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0, le=10_000)]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Leavers(Strict):
    """Workers who leave on ``on``: named, or ``count`` chosen (seeded) among those who
    match (``experienced`` means not in their ASYE; ``service`` or ``team`` narrow it)."""

    on: date
    workers: tuple[str, ...] = ()
    count: Count = 0
    experienced: bool = True
    team: str | None = None
    service: str | None = None

    @model_validator(mode="after")
    def _some(self) -> Leavers:
        if not self.workers and not self.count:
            raise ValueError("name workers or give a count")
        return self


class Starters(Strict):
    """New workers joining ``team`` on ``on``; ``asye`` for a newly qualified cohort,
    ``agency`` for agency cover (with ``until``, their leaving date)."""

    on: date
    team: str
    count: Annotated[int, Field(ge=1, le=1000)] = 1
    asye: bool = False
    agency: bool = False
    capacity_points: Annotated[int, Field(ge=0, le=10_000)] = 190
    fte: Annotated[float, Field(gt=0, le=1)] = 1.0
    max_new_per_week: Annotated[int, Field(ge=0, le=100)] = 4
    until: date | None = None


class FteChange(Strict):
    """A worker's hours change: capacity scales with FTE."""

    on: date
    worker: str
    fte: Annotated[float, Field(gt=0, le=1)]


class Staff(Strict):
    leavers: tuple[Leavers, ...] = ()
    starters: tuple[Starters, ...] = ()
    fte: tuple[FteChange, ...] = ()


class CaseMix(Strict):
    """Shares of new referrals by kind; they need not sum to 1 (they are normalised)."""

    cin: Rate = 0.75
    cp: Rate = 0.15
    looked_after: Rate = 0.10

    @model_validator(mode="after")
    def _positive(self) -> CaseMix:
        if self.cin + self.cp + self.looked_after <= 0:
            raise ValueError("at least one share must be above 0")
        return self


class Demand(Strict):
    """Arrivals and closures. ``referrals_per_week`` unset means the council's steady state
    (as many expected arrivals as expected closures), so a baseline neither grows nor
    shrinks; ``referral_change`` scales it (0.2 is a 20% rise)."""

    referrals_per_week: Rate | None = None
    referral_change: Annotated[float, Field(ge=-1, le=10)] = 0.0
    closure_rate: Annotated[float, Field(ge=0, le=1)] = 0.02  # per open child per week
    sibling_share: Annotated[float, Field(ge=0, le=1)] = 0.3  # arrivals with a sibling
    case_mix: CaseMix = CaseMix()


class Merge(Strict):
    """Teams merge into ``into`` on ``on``: their workers and children move across."""

    on: date
    teams: tuple[str, ...]
    into: str


class NewTeam(Strict):
    on: date
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    name: Annotated[str, Field(min_length=1, max_length=120)]
    service: str
    locality: str | None = None
    meeting_days: str = "Mon,Tue,Wed,Thu,Fri"
    meeting_slots: Annotated[int, Field(ge=1, le=50)] = 4


class Structure(Strict):
    merges: tuple[Merge, ...] = ()
    new_teams: tuple[NewTeam, ...] = ()


class PolicyChange(Strict):
    """From ``on``: another council's pack, a capacity rule for every worker, and/or the
    pack's notice period for transfers (its ``timescales.notice_working_days``)."""

    on: date
    pack: Literal[PACK_NAMES] | None = None  # type: ignore[valid-type]
    capacity_points: Annotated[int, Field(ge=0, le=10_000)] | None = None
    max_new_per_week: Annotated[int, Field(ge=0, le=100)] | None = None
    notice_working_days: Annotated[int, Field(ge=0, le=60)] | None = None  # the pack's notice


class Scenario(Strict):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: str = ""
    council: str = "demo"  # "demo" (the shipped council) or an input folder
    start: date
    weeks: Annotated[int, Field(ge=1, le=260)] = 26
    seed: int = 0
    pack: Literal[PACK_NAMES] | None = None  # type: ignore[valid-type]
    time_limit: Annotated[float, Field(gt=0, le=60)] = 3.0  # deterministic s per weekly plan
    staff: Staff = Staff()
    demand: Demand = Demand()
    structure: Structure = Structure()
    policy: tuple[PolicyChange, ...] = ()

    @model_validator(mode="after")
    def _monday(self) -> Scenario:
        if self.start.weekday() != 0:
            raise ValueError(f"start {self.start} is not a Monday")
        return self


class ScenarioError(Exception):
    """A scenario file that cannot be used: every problem as 'file: field: message'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


YAML_SUFFIXES = (".yaml", ".yml")


def parse_scenario(text: str, file: str = "<scenario>", format: str = "toml") -> Scenario:
    """A validated scenario from TOML (or, with ``format="yaml"``, YAML) text.

    Both formats feed the same model, so a key means the same in either and every problem
    is reported the same way: ScenarioError names the file and each field.
    """
    data = _yaml_data(text, file) if format == "yaml" else _toml_data(text, file)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([f"{file}: {_loc(e['loc'])}: {e['msg']}"
                             for e in exc.errors()]) from None


def load_scenario(path: Path) -> Scenario:
    """A validated scenario read from a TOML file, or YAML for ``.yaml`` and ``.yml``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot be read ({exc.strerror})"]) from None
    format = "yaml" if Path(path).suffix.lower() in YAML_SUFFIXES else "toml"
    return parse_scenario(text, Path(path).name, format)


def _toml_data(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{file}: not valid TOML: {exc}"]) from None


class _ScenarioYamlLoader(yaml.SafeLoader):
    """The safe loader (plain data only, never Python objects) with YAML 1.2 booleans.

    YAML 1.1, which ``yaml.safe_load`` follows, reads a bare ``on``, ``off``, ``yes`` or
    ``no`` as a boolean, so every change's ``on:`` key would arrive as ``True``. Here only
    true and false are booleans, as in YAML 1.2 and TOML.
    """


_BOOL = "tag:yaml.org,2002:bool"
_ScenarioYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_ScenarioYamlLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _yaml_data(text: str, file: str) -> dict[str, Any]:
    """Safe loading only: a scenario file builds plain data. YAML reads an unquoted
    2026-11-23 as a date, as TOML does."""
    try:
        data = yaml.load(text, Loader=_ScenarioYamlLoader)  # a SafeLoader: plain data only
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        raise ScenarioError([f"{file}: not valid YAML{at}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError([f"{file}: (file): a scenario is a mapping of keys to values"])
    return data


def _loc(loc: tuple[object, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"
