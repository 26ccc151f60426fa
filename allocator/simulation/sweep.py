"""Many scenarios and seeds in parallel on Dask: a local cluster, or an existing one.

Each (scenario, seed) is one task running :func:`run_scenario` exactly as a serial run
does; a task shares nothing with another and draws every random number from its own seed,
so a sweep's figures equal the serial ones, whichever worker runs which task. Results come
back in the order asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from allocator.simulation.model import Scenario
from allocator.simulation.run import ScenarioResult, run_scenario


def _one(scenario: Scenario, seed: int) -> ScenarioResult:
    return run_scenario(scenario, seed=seed)


def sweep_serial(scenarios: Sequence[Scenario], seeds: Sequence[int]) -> list[ScenarioResult]:
    """Every scenario under every seed, one after another (the reference a sweep equals)."""
    return [_one(s, seed) for s in scenarios for seed in seeds]


def sweep(scenarios: Sequence[Scenario], seeds: Sequence[int], scheduler: str | None = None,
          workers: int = 2, progress: Callable[[str], None] | None = None) -> list[ScenarioResult]:
    """Every scenario under every seed on Dask.

    ``scheduler`` is the address of a running Dask scheduler (``tcp://host:8786``); without
    it a local cluster of ``workers`` single-threaded processes is started and closed again.
    Every Dask worker needs caseload installed, and the council folder a scenario names at
    the same path (the shipped demo is in the package).
    """
    from dask.distributed import Client, LocalCluster, as_completed

    tasks = [(s, seed) for s in scenarios for seed in seeds]
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        futures = [client.submit(_one, s, seed, pure=False)
                   for s, seed in tasks]
        for done, f in enumerate(as_completed(futures), 1):
            if progress:
                progress(f"{done}/{len(futures)} runs finished")
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
