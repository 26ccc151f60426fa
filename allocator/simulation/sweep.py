"""Many scenarios and seeds in parallel on Dask: a local cluster, or an existing one.

Each (scenario, seed) is one task running :func:`run_scenario` exactly as a serial run
does; a task shares nothing with another (its own world, its own tracker database) and
draws every random number from its own seed, so a sweep's figures equal the serial ones,
whichever worker runs which task. Results come back in the order asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from allocator.simulation.model import Scenario
from allocator.simulation.run import ScenarioResult, run_scenario


def _one(scenario: Scenario, seed: int | None, tracker: Path | None = None) -> ScenarioResult:
    return run_scenario(scenario, seed=seed, tracker=tracker)


def tracker_files(runs: Sequence[tuple[Scenario, int | None]], folder: Path) -> list[Path]:
    """One tracker database per run: FOLDER/<name>-seed<N>.sqlite, the name made safe for
    a file name (a name two scenarios share gets -2, -3 ... on the second and later)."""
    names: dict[int, str] = {}
    used: dict[str, int] = {}
    out = []
    for scenario, seed in runs:
        if id(scenario) not in names:
            base = re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-") or "scenario"
            used[base] = used.get(base, 0) + 1
            names[id(scenario)] = base if used[base] == 1 else f"{base}-{used[base]}"
        seed = scenario.seed if seed is None else seed
        out.append(Path(folder) / f"{names[id(scenario)]}-seed{seed}.sqlite")
    return out


def sweep_serial(scenarios: Sequence[Scenario], seeds: Sequence[int]) -> list[ScenarioResult]:
    """Every scenario under every seed, one after another (the reference a sweep equals)."""
    return [_one(s, seed) for s in scenarios for seed in seeds]


def sweep(scenarios: Sequence[Scenario], seeds: Sequence[int], scheduler: str | None = None,
          workers: int = 2, progress: Callable[[str], None] | None = None,
          trackers: Path | None = None) -> list[ScenarioResult]:
    """Every scenario under every seed on Dask.

    ``scheduler`` is the address of a running Dask scheduler (``tcp://host:8786``); without
    it a local cluster of ``workers`` single-threaded processes is started and closed again.
    Every Dask worker needs caseload installed, and the council folder a scenario names at
    the same path (the shipped demo is in the package). ``trackers`` is a folder for each
    run's tracker database (:func:`tracker_files`), which every worker must be able to
    write; without it each run keeps a temporary one on its worker.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    runs = [(s, seed) for s in scenarios for seed in seeds]
    files: list[Path | None] = list(tracker_files(runs, trackers)) if trackers else \
        [None] * len(runs)
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        futures = [client.submit(_one, s, seed, path, pure=False)
                   for (s, seed), path in zip(runs, files)]
        for done, _ in enumerate(as_completed(futures), 1):
            if progress:
                progress(f"{done}/{len(futures)} runs finished")
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
