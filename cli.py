"""The ``caseload`` command: thin wrappers that parse options, call the API and print.

Exit statuses: 0 plan written; 1 bad input (nothing written); 3 plan written but a
statutory child is unallocated (escalate); 4 the plan failed its independent check or the
solver found none (nothing written); 5 internal error; 6 (batch) another run holds the lock.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_UNALLOCATED_STATUTORY = 3
EXIT_PLAN_REJECTED = 4
EXIT_INTERNAL = 5
EXIT_LOCKED = 6  # caseload batch: another run holds the output folder's lock

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Caseload allocation and transfer planning for children's social care.")


def shipped_demo() -> Path:
    """The demo council that ships with the product (Southwark's pack)."""
    return Path(str(resources.files("scenarios") / "demo"))


@contextmanager
def demo_for(pack: str | None) -> Iterator[Path]:
    """The shipped demo, or for another shipped pack the same demo generated for that
    pack's services (deterministic), in a private temporary folder removed afterwards."""
    from allocator.demo import (
        SHIPPED_CHILDREN, SHIPPED_COUNCIL, SHIPPED_EXTRACT_DATE, SHIPPED_PACK, SHIPPED_SEED,
        write_demo,
    )

    if pack is None or pack == SHIPPED_PACK or pack.endswith(".toml"):
        yield shipped_demo()
        return
    with tempfile.TemporaryDirectory(prefix="caseload-demo-") as tmp:
        yield write_demo(Path(tmp) / pack, SHIPPED_CHILDREN, SHIPPED_SEED,
                         SHIPPED_EXTRACT_DATE, SHIPPED_COUNCIL, pack)


@contextmanager
def source_for(input: Path | None, pack: str | None) -> Iterator[Path]:
    """The council data to read: ``--input`` if given, else the demo for the pack."""
    if input is not None:
        yield input
        return
    with demo_for(pack) as folder:
        yield folder


@contextmanager
def _stage(text: str) -> Iterator[Callable[[str], None]]:
    """A spinner with the time elapsed on stderr while a long stage runs (drawn only on a
    terminal), then one line saying the stage finished and how long it took.

    Yields a function that names the step now running, for stages made of several steps;
    each finished step gets its own line.
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, highlight=False)
    started = time.perf_counter()
    current = {"name": "", "at": started}

    def finish_step() -> None:
        if current["name"]:
            console.print(f"[green]done[/green] {current['name']} "
                          f"({time.perf_counter() - current['at']:.2f} s)")

    if console.is_terminal:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task(text, total=None)

            def step(name: str) -> None:
                finish_step()
                current.update(name=name, at=time.perf_counter())
                progress.update(task, description=name)

            yield step
    else:
        def step(name: str) -> None:
            finish_step()
            current.update(name=name, at=time.perf_counter())

        yield step
    finish_step()
    if not current["name"]:
        console.print(f"[green]done[/green] {text} ({time.perf_counter() - started:.2f} s)")


def _fail_input(exc: Exception) -> None:
    from allocator.errors import InputError

    assert isinstance(exc, InputError)
    typer.echo(f"Input is not valid: {len(exc.problems)} problem(s). Nothing was written.",
               err=True)
    for p in exc.problems:
        typer.echo(f"  {p}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


InputOpt = Annotated[Optional[Path], typer.Option(
    "--input", "-i", help="Council data: a folder of CSV tables or an .xlsx workbook. "
    "Default: the shipped demo council.")]
WeekOpt = Annotated[Optional[str], typer.Option(
    "--week", help="Any date in the plan week (YYYY-MM-DD). Default: the week after the "
    "data's extract date.")]
PackOpt = Annotated[Optional[str], typer.Option(
    "--pack", help="Policy pack name or .toml path. Default: the pack named in caseload.json.")]


def _week(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        typer.echo("--week must be a date written YYYY-MM-DD", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command()
def plan(
    input: InputOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the plan files.")] = Path("out"),
    week: WeekOpt = None,
    pack: PackOpt = None,
    seed: Annotated[int, typer.Option(help="Solver seed; same input and seed, same plan.")] = 0,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Solver budget in CP-SAT deterministic seconds (about a second "
        "each on an idle core), shared among services: the same budget gives the same plan "
        "on any machine.")] = 30.0,
    config: Annotated[Optional[Path], typer.Option(help="Points and weights (TOML).")] = None,
    overrides: Annotated[Optional[Path], typer.Option(
        help="Manager overrides (CSV: pin a child to a worker or date, or forbid a worker; "
        "each with a reason).")] = None,
    tracker: Annotated[Optional[str], typer.Option(
        "--tracker", help="Transfer tracker URL (e.g. sqlite:///out/tracker.sqlite): pin its "
        "agreed transfers and record this run. Default: none.")] = None,
    reallocate: Annotated[bool, typer.Option(
        "--reallocate", help="Full re-allocation (a restructure): place every open child "
        "afresh, keeping the current worker where that is best.")] = False,
) -> None:
    """Decide the week's transfers, allocate workers and dates, check, and write the plan."""
    from allocator.config import load_config
    from allocator.errors import InputError, NoPlanError, PlanCheckError
    from allocator.io.writer import write_plan
    from allocator.pipeline import run_plan
    from allocator.summary import summarise

    started = time.perf_counter()
    tracked = None
    if tracker is not None:
        from allocator.tracker.command import open_for_plan

        tracked = open_for_plan(tracker)
    try:
        with source_for(input, pack) as source, _stage("plan") as step:
            run = (tracked.plan if tracked else run_plan)(
                source, week=_week(week), pack_name=pack, seed=seed, time_limit=time_limit,
                config=load_config(config), overrides=overrides, progress=step,
                reallocate=reallocate)
    except InputError as exc:
        _fail_input(exc)
    except NoPlanError as exc:
        typer.echo("No plan can honour every hard rule and override together. Nothing was "
                   "written. In conflict:", err=True)
        for line in exc.conflicts:
            typer.echo(f"  - {line}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except PlanCheckError as exc:
        typer.echo("The plan failed its independent check and was NOT written:", err=True)
        for v in exc.violations[:50]:
            typer.echo(f"  {v}", err=True)
        raise typer.Exit(EXIT_PLAN_REJECTED) from None
    with _stage("write CSV, JSON, Excel workbook and HTML report"):
        written = write_plan(run, out)
    if tracked is not None:
        typer.echo(f"Recorded in the tracker as run {tracked.record(run, out, written, seed)}")
        for line in tracked.unpinned_lines():
            typer.echo(line, err=True)
    summary = summarise(run)
    for line in summary.lines():
        typer.echo(line)
    if run.override_cost is not None:
        typer.echo(f"  cost of manager overrides ................ {run.override_cost}")
    typer.echo(f"  time ..................................... "
               f"{time.perf_counter() - started:.2f} s")
    typer.echo(f"Plan written (DRAFT until a manager approves it) to {out}/:")
    for path in written:
        typer.echo(f"  {path.name:<20} {path.resolve()}")
    if summary.unallocated_statutory:
        typer.echo(f"ESCALATE: {summary.unallocated_statutory} statutory child(ren) could not be "
                   "allocated; see transfer_roster.csv (to_worker UNALLOCATED).", err=True)
        raise typer.Exit(EXIT_UNALLOCATED_STATUTORY)


@app.command()
def validate(
    source: Annotated[Path, typer.Argument(help="Folder of CSV tables or an .xlsx workbook.")],
    pack: PackOpt = None,
) -> None:
    """Check council data and list every problem by file, row and field. Writes nothing."""
    from allocator.errors import InputError
    from allocator.io.reader import read_caseload
    from allocator.pipeline import pack_problems
    from allocator.rules.pack import load_pack

    try:
        caseload = read_caseload(source)
        problems = pack_problems(caseload, load_pack(pack or caseload.manifest.pack))
        if problems:
            raise InputError(problems)
    except InputError as exc:
        _fail_input(exc)
    from allocator import domain as d

    counts = ", ".join(f"{m.TABLE} {caseload.count(m)}" for m in d.TABLES if caseload.count(m))
    typer.echo(f"Valid: {counts}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of every input table and of caseload.json."""
    from allocator import domain as d

    doc = {
        "format_version": d.FORMAT_VERSION,
        "manifest": d.Manifest.model_json_schema(),
        "tables": {m.TABLE: {**m.model_json_schema(), "required_table": m.TABLE in d.REQUIRED_TABLES}
                   for m in d.TABLES},
    }
    typer.echo(json.dumps(doc, indent=1, sort_keys=True))


@app.command()
def demo(
    out: Annotated[Path, typer.Argument(help="Folder to create.")],
    children: Annotated[int, typer.Option(min=300, max=30_000)] = 1000,
    seed: Annotated[int, typer.Option()] = 1,
    extract_date: Annotated[str, typer.Option("--extract-date")] = "2026-11-20",
    pack: Annotated[str, typer.Option(help="The shipped pack whose services the council "
                                            "uses.")] = "southwark",
) -> None:
    """Write a synthetic demo council (no real person's data) for a size, seed and pack."""
    from allocator.demo import write_demo

    try:
        write_demo(out, children=children, seed=seed,
                   extract_date=date.fromisoformat(extract_date), pack=pack)
    except FileExistsError:
        typer.echo(f"{out} exists and is not empty; choose a new folder.", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo(f"Demo council with {children} children written to {out}/")


@app.command()
def transfers(
    input: InputOpt = None,
    week: WeekOpt = None,
    pack: PackOpt = None,
    all_children: Annotated[bool, typer.Option("--all", help="Include children who stay.")] = False,
) -> None:
    """List the week's transfer decisions with their clauses (no allocation)."""
    from allocator.errors import InputError
    from allocator.io.reader import read_caseload
    from allocator.pipeline import decide, default_week
    from allocator.rules.pack import load_pack

    try:
        with source_for(input, pack) as source:
            caseload = read_caseload(source)
        pk = load_pack(pack or caseload.manifest.pack)
    except (InputError, ValueError) as exc:
        if isinstance(exc, ValueError):
            typer.echo(str(exc), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        _fail_input(exc)
    _, decisions, engine = decide(caseload, pk, _week(week) or default_week(caseload))
    typer.echo(f"Decisions for the week beginning {engine.plan_date} ({pk.pack.id})")
    for dec in decisions:
        if not all_children and dec.outcome == "stay":
            continue
        window = f"{dec.date_from}..{dec.date_to}" if dec.date_from else "-"
        typer.echo(f"{dec.child_id:>10}  {dec.outcome:<17} {dec.from_service:>10} -> "
                   f"{dec.to_service or '-':<11} {window:<23} {dec.reasons[0].clause:<9} "
                   f"{','.join(dec.flags)}")


@app.command()
def explain(
    child_id: Annotated[str, typer.Argument(help="The child's id (pers_person_id).")],
    input: InputOpt = None,
    week: WeekOpt = None,
    pack: PackOpt = None,
    seed: Annotated[int, typer.Option(help="Solver seed, as for plan.")] = 0,
) -> None:
    """Explain one child's decision and allocation in plain English, with the policy clauses."""
    from allocator.alternatives import explain_plan
    from allocator.errors import InputError, NoPlanError, PlanCheckError
    from allocator.explain import explain_allocation, explain_decision
    from allocator.pipeline import run_plan

    try:
        with source_for(input, pack) as source:
            run = run_plan(source, week=_week(week), pack_name=pack, seed=seed)
    except InputError as exc:
        _fail_input(exc)
    except (NoPlanError, PlanCheckError):
        typer.echo("No checked plan this week; run `caseload plan` for the reason.", err=True)
        raise typer.Exit(EXIT_PLAN_REJECTED) from None
    dec = next((d for d in run.decisions if d.child_id == child_id), None)
    if dec is None:
        typer.echo("No open child with that id.", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    for line in explain_decision(dec, run.pack):
        typer.echo(line)
    explanations = explain_plan(run.problem, run.result.plan, run.result.blocked)
    for expl in explanations.values():
        if expl.child_id == child_id:
            for line in explain_allocation(expl):
                typer.echo(line)


@app.command()
def coverage(
    out: Annotated[Path, typer.Option(help="Where to write the table.")] = Path("docs/coverage.md"),
    tests: Annotated[Path, typer.Option(help="The test folder to scan.")] = Path("tests"),
) -> None:
    """Rebuild the policy coverage table: clause -> rule -> tests, for every pack."""
    from allocator.rules.coverage import coverage_markdown

    out.write_text(coverage_markdown(tests), encoding="utf-8")
    typer.echo(f"Coverage table written to {out}")


@app.command("format-doc")
def format_doc(
    out: Annotated[Path, typer.Option(help="Where to write it.")] = Path("docs/input-format.md"),
) -> None:
    """Rebuild the input-format documentation from the row models."""
    from allocator.format_doc import input_format_markdown

    out.write_text(input_format_markdown(), encoding="utf-8")
    typer.echo(f"Input format written to {out}")


@app.command()
def retention(
    out: Annotated[Path, typer.Argument(help="The output folder of `plan` or `batch`.")],
    days: Annotated[float, typer.Option(min=0, help="Retention period: plan outputs and "
                                        "run folders older than this many days expire.")],
    apply: Annotated[bool, typer.Option("--apply", help="Delete them. Without it, only "
                                        "list what would be deleted.")] = False,
) -> None:
    """Delete plan outputs older than the council's retention period (dry run by default)."""
    from allocator.retention import delete, expired

    found = expired(out, days)
    for item in found:
        typer.echo(f"{'deleted' if apply else 'would delete'} {item.kind} {item.path} "
                   f"({item.age_days:.0f} days old)")
    if apply:
        delete(found)
    typer.echo(f"{len(found)} expired item(s) in {out}"
               + ("" if apply or not found else "; run again with --apply to delete them"))


def redacted_traceback(exc: BaseException) -> str:
    """The traceback's frames and exception types, chained causes included, without the
    exceptions' messages: a message can quote a child's id or date of birth (a KeyError
    names its key), while the frames alone show where the run stopped."""
    import traceback

    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"Traceback (most recent call last):\n{frames}"
                     f"{type(current).__qualname__}: (message withheld: it may quote case data)\n")
        current = current.__cause__ or current.__context__
    return "\nThe exception above led to the one below:\n\n".join(reversed(parts))


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:  # no messages: they could carry a child's data
        if os.environ.get("CASELOAD_DEBUG") == "1":
            typer.echo(redacted_traceback(exc), err=True)
        typer.echo(f"Internal error ({type(exc).__name__}): the run stopped and wrote nothing "
                   "new. Set CASELOAD_DEBUG=1 to see where it stopped (the traceback, without "
                   "messages that could quote case data).", err=True)
        sys.exit(EXIT_INTERNAL)


from allocator.tracker.command import register as _register_tracker  # noqa: E402

_register_tracker(app)

from allocator.importers.command import import_command, reidentify_command  # noqa: E402

app.command("import")(import_command)
app.command("reidentify")(reidentify_command)

from allocator.simulation.command import app as _scenario_app  # noqa: E402

app.add_typer(_scenario_app, name="scenario")


if __name__ == "__main__":
    main()
