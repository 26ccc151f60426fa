"""The spread of a scenario's figures over seeds: mean, lowest and highest, week by week.

One seed is one possible future: which workers leave, when referrals arrive. A sweep runs
each scenario under many seeds, and leadership needs to see how far the futures differ, not
only their average: a scenario whose mean is close to the baseline's but whose band is wide
is a risk the mean hides. Runs are grouped by scenario name, in the order first met.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from allocator.simulation.figures import FIGURES
from allocator.simulation.run import ScenarioResult


@dataclass(frozen=True)
class Stat:
    mean: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "min": self.low, "max": self.high}

    def text(self) -> str:
        return f"{_fmt(self.mean)} ({_fmt(self.low)}-{_fmt(self.high)})"


@dataclass(frozen=True)
class Spread:
    """One scenario over its seeds: per figure a Stat for every week, and for each total."""

    name: str
    seeds: tuple[int, ...]
    weeks: tuple[str, ...]
    figures: dict[str, tuple[Stat, ...]]
    totals: dict[str, Stat]

    def as_dict(self) -> dict[str, object]:
        return {"scenario": self.name, "seeds": list(self.seeds), "weeks": list(self.weeks),
                "figures": {k: {part: [s.as_dict()[part] for s in stats]
                                for part in ("mean", "min", "max")}
                            for k, stats in self.figures.items()},
                "totals": {k: s.as_dict() for k, s in self.totals.items()}}


def stat(values: Sequence[float]) -> Stat:
    return Stat(round(sum(values) / len(values), 2), min(values), max(values))


def spreads(results: Sequence[ScenarioResult]) -> list[Spread]:
    """Per scenario name, the spread over its runs' seeds; [] unless some scenario was run
    under more than one seed (a single run has no spread to show)."""
    groups: dict[str, list[ScenarioResult]] = {}
    for r in results:
        groups.setdefault(r.name, []).append(r)
    if all(len(g) < 2 for g in groups.values()):
        return []
    return [_spread(name, runs) for name, runs in groups.items()]


def _spread(name: str, runs: list[ScenarioResult]) -> Spread:
    weeks = min(len(r.weeks) for r in runs)  # runs of one scenario share a horizon
    figures = {key: tuple(stat([float(getattr(r.weeks[i], key)) for r in runs])
                          for i in range(weeks)) for key, _ in FIGURES}
    totals = {key: stat([float(r.totals()[key]) for r in runs]) for key in runs[0].totals()}
    return Spread(name, tuple(r.seed for r in runs),
                  tuple(w.week for w in runs[0].weeks[:weeks]), figures, totals)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"
