"""Policy packs: a council's transfer policy as data, validated on load.

A pack is a TOML file: the council's services, its timescales and its rules. Each rule
cites the clause it encodes with a short quote, so every decision can say why. See
docs/policy-packs.md for the format and a worked example of adding a rule.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from allocator.domain import EventType
from allocator.errors import InputError, InputProblem

ServiceId = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]

STATUS_FLAGS = (
    "open_case",  # an open referral, plan or looked-after period
    "unallocated",  # no open lead worker
    "cin",  # open referral with no CP plan and not looked after
    "cp",  # open child protection plan
    "cla",  # looked after (open CLA episode)
    "proceedings",  # in care proceedings (interim care order, or a first hearing not yet ended)
    "care_order",  # legal status C2
    "interim_care_order",  # C1
    "placement_order",  # E1
    "s20",  # V2 (or V3/V4 short breaks)
    "remand",  # J1/J2/J3
    "disabled",  # any ssd_disability row
    "uasc",  # immigration status UASC
    "pre_birth",  # unborn: expected date of birth only
    "care_leaver",  # aged 18 or over
    "statutory",  # cp, cla or proceedings: must have an experienced lead worker
    "asye_lead",  # the lead worker is in their assessed and supported year
)
StatusFlag = Literal[
    "open_case", "unallocated", "cin", "cp", "cla", "proceedings", "care_order",
    "interim_care_order", "placement_order", "s20", "remand", "disabled", "uasc", "pre_birth",
    "care_leaver", "statutory", "asye_lead",
]
Outcome = Literal[
    "stay", "allocate", "transfer", "start_coworking", "coworker_becomes_lead", "step_down", "close",
    "manager_decision",
]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


ServiceRole = Literal[
    "front_door", "assessment", "safeguarding", "court", "children_in_care", "permanence",
    "leaving_care", "disability", "transition", "youth_offending", "exploitation",
    "edge_of_care", "uasc", "early_help", "out_of_hours", "other",
]


class Service(Strict):
    """A service area (practice group, team type) as the policy names it.

    ``role`` says what kind of service it is in the product's common vocabulary, so tools
    that work across packs (the demo generator, scenarios) can map one council's structure
    onto another's.
    """

    id: ServiceId
    name: str
    role: ServiceRole = "other"
    social_care: bool = True  # False for step-down destinations such as Early Help
    front_door: bool = False  # new referrals with no worker are allocated here
    points_factor: float = 1.0  # weight of a case in this service relative to the default


class Timescales(Strict):
    """Pack-wide timescales, each with the clause that sets it (or None where silent)."""

    notice_working_days: int = 0
    notice_clause: str | None = None
    introduction_working_days: int | None = None
    introduction_clause: str | None = None
    escalation_working_days: int | None = None
    resolution_working_days: int | None = None
    escalation_clause: str | None = None
    default_window_working_days: int = 10  # where a policy names a point but no window
    planning_horizon_working_days: int = 20  # how far ahead a weekly plan allocates
    re_referral_weeks: int | None = None
    re_referral_clause: str | None = None


class Condition(Strict):
    """What must hold of a child for a rule to apply; every given part must hold."""

    from_services: list[ServiceId] = Field(default_factory=list, alias="from")
    all: list[StatusFlag] = Field(default_factory=list)
    none: list[StatusFlag] = Field(default_factory=list)
    any: list[StatusFlag] = Field(default_factory=list)
    legal_any: list[str] = Field(default_factory=list)
    child_flags_any: list[str] = Field(default_factory=list)
    child_flags_none: list[str] = Field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None  # inclusive, age in completed years on the plan date
    has_event: list[EventType] = Field(default_factory=list)  # one of these is on record
    has_held_event: list[EventType] = Field(default_factory=list)  # one was held (status held)
    lacks_event: list[EventType] = Field(default_factory=list)  # none of these is on record
    no_coworker_from: list[ServiceId] = Field(default_factory=list)  # no co-worker there yet
    not_from: list[ServiceId] = Field(default_factory=list)  # services that must NOT hold it
    re_referral_within_weeks: int | None = None  # reopened within N weeks of a closure
    re_referral_after_weeks: int | None = None  # reopened more than N weeks after a closure
    previous_from: list[ServiceId] = Field(default_factory=list)  # last closed case held here
    re_referral_within_months: int | None = None  # reopened within N calendar months
    re_referral_after_months: int | None = None  # reopened more than N calendar months after

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class TransferPoint(Strict):
    """When the transfer happens: an event or an age, and a window around it.

    ``events`` lists event types; with several, the earliest one present is the anchor
    ("whichever is sooner"). ``select = "first"`` takes the first such event since the
    child's current episode began, ``"next"`` the first on or after the plan date.
    The window runs from ``from_wd`` to ``to_wd`` working days after the anchor.
    """

    events: list[EventType] = Field(default_factory=list)
    select: Literal["first", "next", "nth", "after"] = "first"
    n: int = 1  # with select = "nth": the nth such event since the episode began
    after: EventType | None = None  # with select = "after": the first on or after this event
    age: int | None = None
    from_wd: int = 0
    to_wd: int | None = None  # None: the pack's default window
    from_calendar_days: int = 0  # "hold for a minimum of 6 weeks": added to the anchor first
    to_months: int | None = None  # "up to a maximum of a month" instead of to_wd
    until: list[EventType] = Field(default_factory=list)  # "... or at the next X, whichever
    # is sooner": the window ends at the first such event on or after the anchor, if sooner
    immediate: bool = False  # transfer now (for example allocation on arrival)

    @model_validator(mode="after")
    def _one_anchor(self) -> "TransferPoint":
        anchors = sum([bool(self.events), self.age is not None, self.immediate])
        if anchors != 1:
            raise ValueError("give exactly one of events, age or immediate")
        if self.to_wd is not None and self.to_wd < self.from_wd:
            raise ValueError("to_wd is before from_wd")
        if (self.select == "after") != (self.after is not None):
            raise ValueError("select = 'after' goes with after = <event type>, and only with it")
        if self.to_wd is not None and self.to_months is not None:
            raise ValueError("give to_wd or to_months, not both")
        return self


class CoWorking(Strict):
    """A co-worker the rule requires, from which service, for how long."""

    service: ServiceId
    months: int | None = None
    note: str = ""


class Rule(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.\-_]{0,60}$")]
    clause: str
    quote: Annotated[str, Field(min_length=5, max_length=400)]
    summary: str  # plain English for a team manager
    when: Condition = Field(default_factory=Condition)
    outcome: Outcome
    to: ServiceId | Literal["@previous"] | None = None  # "@previous": the last team's service
    point: TransferPoint | None = None
    coworking: CoWorking | None = None
    joint_visit_working_days: int | None = None  # joint visit within N working days after
    joint_visit_before_working_days: int | None = None  # joint visit N working days before
    notice_working_days: int | None = None  # this rule's notice, instead of the pack's
    notice_calendar_days: int | None = None  # or notice in calendar days ("7 days' notice")
    joint_visit_clause: str | None = None
    siblings_follow: bool = False
    priority: int = 50

    @model_validator(mode="after")
    def _outcome_needs(self) -> "Rule":
        moving = self.outcome in ("allocate", "transfer", "start_coworking",
                                  "coworker_becomes_lead", "step_down")
        if self.outcome in ("transfer", "step_down", "coworker_becomes_lead") and self.to is None:
            raise ValueError(f"a {self.outcome} rule needs 'to'")
        if moving and self.point is None:
            raise ValueError(f"a {self.outcome} rule needs 'point'")
        if self.outcome == "start_coworking" and self.coworking is None:
            raise ValueError("a start_coworking rule needs 'coworking'")
        return self


class NotEncoded(Strict):
    """A clause judged not encodable as a rule, with why: listed in the coverage table."""

    clause: str
    quote: Annotated[str, Field(min_length=5, max_length=400)]
    why: str


class PackInfo(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,40}$")]
    council: str
    title: str
    source: str
    default_clause: str  # cited when no rule moves a child
    default_quote: str


class Pack(Strict):
    pack: PackInfo
    timescales: Timescales = Field(default_factory=Timescales)
    services: list[Service]
    rules: list[Rule]
    not_encoded: list[NotEncoded] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> "Pack":
        ids = [s.id for s in self.services]
        if len(set(ids)) != len(ids):
            raise ValueError("a service id appears twice")
        rule_ids = [r.id for r in self.rules]
        if len(set(rule_ids)) != len(rule_ids):
            raise ValueError("a rule id appears twice")
        known = set(ids)
        for rule in self.rules:
            named = (set(rule.when.from_services) | set(rule.when.not_from)
                     | set(rule.when.no_coworker_from) | set(rule.when.previous_from))
            if rule.to and rule.to != "@previous":
                named.add(rule.to)
            if rule.coworking:
                named.add(rule.coworking.service)
            unknown = named - known
            if unknown:
                raise ValueError(f"rule {rule.id} names unknown service(s) {sorted(unknown)}")
        return self

    def service(self, service_id: str) -> Service:
        for s in self.services:
            if s.id == service_id:
                return s
        raise KeyError(service_id)

    @property
    def front_door(self) -> Service | None:
        return next((s for s in self.services if s.front_door), None)


PACK_NAMES = ("newham", "mash-cai-fsp", "southwark", "stoke", "shropshire")


def available_packs() -> list[str]:
    """The packs shipped with the product."""
    folder = resources.files("allocator.policies")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def load_pack(name_or_path: str | Path) -> Pack:
    """Load a shipped pack by name, or a council's own pack from a .toml path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        text, label = path.read_text(encoding="utf-8"), path.name
    else:
        resource = resources.files("allocator.policies") / f"{name_or_path}.toml"
        if not resource.is_file():
            raise InputError([InputProblem(str(name_or_path), None, None,
                                           "no such policy pack; shipped packs: "
                                           + ", ".join(available_packs()))])
        text, label = resource.read_text(encoding="utf-8"), f"{name_or_path}.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([InputProblem(label, None, None, f"is not valid TOML ({exc})")]) from None
    try:
        return Pack.model_validate(data)
    except ValidationError as exc:
        raise InputError([
            InputProblem(label, None, ".".join(str(x) for x in err["loc"]),
                         err["msg"].removeprefix("Value error, "))
            for err in exc.errors(include_input=False, include_url=False)
        ]) from None
