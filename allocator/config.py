"""Planning configuration: case points and objective weights a council may change.

Defaults are documented in docs/model.md. A council overrides them with a TOML file
(``caseload plan --config FILE``) holding ``[points]`` and ``[weights]`` tables.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from allocator.errors import InputError, InputProblem


class Points(BaseModel):
    """Weighted caseload points by case type; 10 points is one ordinary case."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    cin: int = 10
    cp: int = 13
    cla: int = 11
    proceedings: int = 15
    care_leaver: int = 7
    pre_birth: int = 10
    co_worker_percent: int = Field(50, ge=0, le=100)  # a co-worked case counts this share


class Weights(BaseModel):
    """Objective weights: the cost of one unit of each soft term."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    unallocated_statutory: int = 1_000_000  # per CP / looked-after / proceedings child
    unallocated: int = 100_000  # per other child
    overload_point: int = 100  # per point of weighted load above capacity
    sibling_split: int = 2_000  # per extra worker a sibling group is spread across
    continuity: int = 1_000  # per child not kept with a worker who knows them
    balance_point: int = 20  # per point added above 75% of a worker's capacity
    date_delay: int = 10  # per working day after the first usable transfer date
    locality: int = 200  # per child moved to a team in another locality
    late_meeting: int = 50  # per working day a transfer meeting comes after the transfer


class PlanConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    points: Points = Points()
    weights: Weights = Weights()
    leave_horizon_working_days: int = 20  # capacity is reduced by leave in this many days


def load_config(path: Path | None) -> PlanConfig:
    """The default configuration, or one read from a TOML file."""
    if path is None:
        return PlanConfig()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return PlanConfig.model_validate(data)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError([InputProblem(Path(path).name, None, None,
                                       f"cannot be read as TOML ({type(exc).__name__})")]) from None
    except ValidationError as exc:
        raise InputError([InputProblem(Path(path).name, None,
                                       ".".join(str(x) for x in e["loc"]), e["msg"])
                          for e in exc.errors(include_input=False, include_url=False)]) from None
