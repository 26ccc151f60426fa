"""``caseload scenario run | compare | sweep``: thin commands over the simulation."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from allocator.simulation.model import Scenario, ScenarioError, load_scenario
from allocator.simulation.run import ScenarioResult, run_scenario

EXIT_BAD_SCENARIO = 1
TRACKERS = "tracker"  # OUT/tracker/<scenario>-seed<N>.sqlite: each run's transfer tracker

app = typer.Typer(no_args_is_help=True, help="Capacity scenarios: what if, over months.")

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Folder for the report files.")]
WeeksOpt = Annotated[int | None, typer.Option(help="Weeks to simulate (default: the file's).")]
SeedOpt = Annotated[int | None, typer.Option(help="Seed (default: the file's).")]


def _load(files: list[Path], weeks: int | None) -> list[Scenario]:
    scenarios = []
    problems: list[str] = []
    for f in files:
        try:
            s = load_scenario(f)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        scenarios.append(Scenario.model_validate(dict(s.model_dump(), weeks=weeks)) if weeks else s)
    if problems:
        typer.echo(f"Scenario not valid: {len(problems)} problem(s).", err=True)
        for p in problems:
            typer.echo(f"  {p}", err=True)
        raise typer.Exit(EXIT_BAD_SCENARIO)
    return scenarios


def _run_all(scenarios: list[Scenario], seed: int | None, out: Path) -> list[ScenarioResult]:
    """Each scenario in turn, its transfer tracker kept in OUT/tracker/."""
    from allocator.simulation.sweep import tracker_files

    runs = [(s, seed) for s in scenarios]
    return [_run(s, seed, path) for s, path in zip(scenarios, tracker_files(runs, out / TRACKERS))]


def _run(scenario: Scenario, seed: int | None, tracker: Path) -> ScenarioResult:
    try:
        return run_scenario(scenario, seed=seed, progress=lambda m: typer.echo(m, err=True),
                            tracker=tracker)
    except ScenarioError as exc:
        typer.echo("Scenario not valid for this council:", err=True)
        for p in exc.problems:
            typer.echo(f"  {p}", err=True)
        raise typer.Exit(EXIT_BAD_SCENARIO) from None


def write_reports(results: list[ScenarioResult], out: Path) -> None:
    """report.html, scenarios.xlsx and figures.json in ``out``; totals on stdout."""
    from allocator.io.writer import write_files_atomically
    from allocator.simulation.report import TOTALS, html_page, workbook
    from allocator.simulation.spread import spreads

    figures = {"runs": [{"name": r.name, "seed": r.seed, "totals": r.totals(),
                         "weeks": [asdict(w) for w in r.weeks]} for r in results],
               "spread": [s.as_dict() for s in spreads(results)]}
    write_files_atomically(out, {"report.html": html_page(results),
                                 "scenarios.xlsx": workbook(results),
                                 "figures.json": json.dumps(figures, indent=2) + "\n"})
    width = max(len(h) for _, h in TOTALS)
    for r in results:
        typer.echo(f"{r.name} (seed {r.seed}), {len(r.weeks)} weeks")
        for key, heading in TOTALS:
            typer.echo(f"  {heading:.<{width + 2}} {r.totals()[key]}")
    typer.echo(f"Report written to {out}/ (report.html, scenarios.xlsx, figures.json)")


@app.command("run")
def run_command(file: Annotated[Path, typer.Argument(help="Scenario file (TOML or YAML).")],
                out: OutOpt = Path("out/scenario"), weeks: WeeksOpt = None,
                seed: SeedOpt = None) -> None:
    """Simulate one scenario week by week and write its report."""
    write_reports(_run_all(_load([file], weeks), seed, out), out)


@app.command("compare")
def compare_command(files: Annotated[list[Path], typer.Argument(help="Scenario files (TOML or YAML).")],
                    out: OutOpt = Path("out/compare"), weeks: WeeksOpt = None,
                    seed: SeedOpt = None) -> None:
    """Simulate several scenarios and write their figures side by side."""
    write_reports(_run_all(_load(files, weeks), seed, out), out)


@app.command("sweep")
def sweep_command(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (TOML or YAML).")],
    seeds: Annotated[str, typer.Option(help="Seeds: a list '1,2,3' or a range '1-10'.")] = "1",
    scheduler: Annotated[str | None, typer.Option(
        help="Address of a running Dask scheduler, e.g. tcp://host:8786 "
             "(default: a local cluster).")] = None,
    workers: Annotated[int, typer.Option(help="Local cluster worker processes.")] = 2,
    out: OutOpt = Path("out/sweep"), weeks: WeeksOpt = None,
) -> None:
    """Every scenario under every seed in parallel on Dask (same figures as one by one)."""
    from allocator.simulation.sweep import sweep

    scenarios = _load(files, weeks)
    # A local cluster's workers share this machine's disk, so the trackers go beside the
    # report; a remote cluster's workers keep theirs, temporary, and send back figures.
    trackers = None if scheduler else (out / TRACKERS).resolve()
    results = sweep(scenarios, parse_seeds(seeds), scheduler, workers,
                    progress=lambda m: typer.echo(m, err=True), trackers=trackers)
    write_reports(results, out)


def parse_seeds(text: str) -> list[int]:
    """'1,2,5' or '1-4' (inclusive) as a list of seeds."""
    try:
        if "-" in text.strip("-"):
            lo, hi = text.split("-", 1)
            return list(range(int(lo), int(hi) + 1))
        return [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise typer.BadParameter("seeds are '1,2,3' or '1-10'") from None
