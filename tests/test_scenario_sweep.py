"""A sweep on Dask gives exactly the figures of running each scenario and seed in turn."""

from __future__ import annotations

import pytest

from allocator.simulation.model import parse_scenario
from allocator.simulation.sweep import sweep, sweep_serial

pytest.importorskip("dask.distributed")

TINY = 'name = "{name}"\nstart = 2026-11-23\nweeks = 3\n{extra}'


def test_sweep_equals_serial() -> None:
    scenarios = [parse_scenario(TINY.format(name="baseline", extra="")),
                 parse_scenario(TINY.format(name="referrals up 20%",
                                            extra="[demand]\nreferral_change = 0.2\n"))]
    seeds = [1, 2]
    serial = sweep_serial(scenarios, seeds)
    parallel = sweep(scenarios, seeds, workers=2)
    assert [(r.name, r.seed) for r in parallel] == [
        ("baseline", 1), ("baseline", 2), ("referrals up 20%", 1), ("referrals up 20%", 2)]
    assert parallel == serial
