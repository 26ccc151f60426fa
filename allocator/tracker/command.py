"""The ``caseload tracker``, ``caseload batch`` and ``caseload approve`` commands.

Thin wrappers: parse options, call the tracker, the batch runner or the escalation review,
print. They are registered on the main app by :func:`register`. The tracker defaults to
``sqlite:///OUT/tracker.sqlite`` beside the batch outputs (``--out``, default ``out``);
``--tracker URL`` names another, for example a shared PostgreSQL database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from allocator.batch import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_UNALLOCATED_STATUTORY,
    RUNS,
    SUMMARY,
    BatchOptions,
    default_tracker_url,
    run_batch,
    write_json_atomically,
)
from allocator.tracker.states import AGREED, CANCELLED, COMPLETED, DELAYED

# The database layers are imported where used, so `caseload --help` stays quick.
if TYPE_CHECKING:
    from allocator.pipeline import PlanRun
    from allocator.tracker.pins import PinReport
    from allocator.tracker.store import Tracker

tracker_app = typer.Typer(add_completion=False, no_args_is_help=False,
                          help="The transfer tracker: what is due, overdue and escalated, "
                               "and each transfer's state.")

TrackerOpt = Annotated[Optional[str], typer.Option(
    "--tracker", help="Tracker database URL. Default: sqlite:///OUT/tracker.sqlite.")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="The batch output folder (holds "
                                      "the default tracker).")]
ByOpt = Annotated[str, typer.Option("--by", help="Who makes the change (recorded).")]
ItemArg = Annotated[int, typer.Argument(help="The tracker item id.")]


def _url(tracker: str | None, out: Path) -> str:
    return tracker or default_tracker_url(out)


@contextmanager
def _opened(tracker: str | None, out: Path) -> Iterator[Tracker]:
    from allocator.tracker.store import TrackerError, open_tracker

    try:
        store = open_tracker(_url(tracker, out))
    except Exception as exc:  # noqa: BLE001 - unreachable server, unreadable file: no URL echoed
        typer.echo(f"The tracker cannot be opened ({type(exc).__name__}).", err=True)
        raise typer.Exit(EXIT_INTERNAL) from None
    try:
        yield store
    except TrackerError as exc:
        typer.echo(f"Refused: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    finally:
        store.close()


def _date(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        typer.echo(f"{name} must be a date written YYYY-MM-DD", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@tracker_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    tracker: TrackerOpt = None,
    out: OutOpt = Path("out"),
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="Review on this date (YYYY-MM-DD). Default: today.")] = None,
    pack: Annotated[Optional[str], typer.Option(
        help="Policy pack for the escalation timescales. Default: each council's latest "
             "run's pack.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list every open item.")] = False,
) -> None:
    """List the transfers due, overdue and escalated (on the pack's timescales)."""
    if ctx.invoked_subcommand is not None:
        ctx.ensure_object(dict)["tracker"] = (tracker, out)
        return
    from allocator.tracker.review import review_lines

    day = _date(as_of, "--as-of") or date.today()
    with _opened(tracker, out) as store:
        for line in review_lines(store, day, pack, show_all):
            typer.echo(line)


def _target(ctx: typer.Context, tracker: str | None, out: Path | None) -> tuple[str | None, Path]:
    parent = (ctx.obj or {}).get("tracker", (None, Path("out")))
    return tracker or parent[0], out or parent[1]


def _change(ctx: typer.Context, item: int, state: str, by: str, reason: str | None,
            on: str | None, tracker: str | None, out: Path | None) -> None:
    url, folder = _target(ctx, tracker, out)
    with _opened(url, folder) as store:
        view = store.transition(item, state, by, reason, _date(on, "--date"))
    when = f" for {view.agreed_date}" if state == AGREED else ""
    typer.echo(f"Item {view.id} ({view.child_id}) is now {view.state}{when}.")


SubTracker = Annotated[Optional[str], typer.Option("--tracker", help="Tracker database URL.")]
SubOut = Annotated[Optional[Path], typer.Option("--out", "-o", help="Batch output folder.")]


@tracker_app.command()
def agree(ctx: typer.Context, item: ItemArg, by: ByOpt,
          on: Annotated[Optional[str], typer.Option(
              "--date", help="The agreed transfer date. Default: the planned date.")] = None,
          tracker: SubTracker = None, out: SubOut = None) -> None:
    """Agree a proposed (or delayed) transfer: the next plans pin its worker and date."""
    _change(ctx, item, AGREED, by, None, on, tracker, out)


@tracker_app.command()
def delay(ctx: typer.Context, item: ItemArg, by: ByOpt,
          reason: Annotated[str, typer.Option(help="Why (required; recorded).")],
          tracker: SubTracker = None, out: SubOut = None) -> None:
    """Record that a transfer is delayed (escalated until agreed again or cancelled)."""
    _change(ctx, item, DELAYED, by, reason, None, tracker, out)


@tracker_app.command()
def complete(ctx: typer.Context, item: ItemArg, by: ByOpt,
             tracker: SubTracker = None, out: SubOut = None) -> None:
    """Record that an agreed transfer has happened."""
    _change(ctx, item, COMPLETED, by, None, None, tracker, out)


@tracker_app.command()
def cancel(ctx: typer.Context, item: ItemArg, by: ByOpt,
           reason: Annotated[str, typer.Option(help="Why (required; recorded).")],
           tracker: SubTracker = None, out: SubOut = None) -> None:
    """Cancel a transfer that will not happen."""
    _change(ctx, item, CANCELLED, by, reason, None, tracker, out)


@tracker_app.command()
def history(ctx: typer.Context, item: ItemArg, tracker: SubTracker = None,
            out: SubOut = None) -> None:
    """Every state change of one item: from, to, who, when, why."""
    url, folder = _target(ctx, tracker, out)
    with _opened(url, folder) as store:
        store.item(item)
        for c in store.history(item):
            typer.echo(f"{c.at:%Y-%m-%d %H:%M}  {c.from_state or '-':>9} -> {c.to_state:<9} "
                       f"{c.by:<24} {c.reason or ''}")


@tracker_app.command()
def runs(ctx: typer.Context, tracker: SubTracker = None, out: SubOut = None) -> None:
    """Every run: status, week, exit status, solver status and approvals."""
    url, folder = _target(ctx, tracker, out)
    with _opened(url, folder) as store:
        for r in store.runs():
            approved = "; ".join(f"approved by {by}" for by, _, _ in store.approvals(r.id))
            typer.echo(f"{r.id:>5} {r.kind:<5} {r.status:<9} week {r.week or '-'} "
                       f"exit {'-' if r.exit_code is None else r.exit_code} "
                       f"{r.solver_status or '-':<8} {approved or 'DRAFT'}")


def batch(
    input: Annotated[Optional[Path], typer.Option(
        "--input", "-i", help="Council data: a folder of CSV tables or an .xlsx workbook. "
        "Default: the shipped demo council.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: runs/N/, latest, "
                                      "last_run.json, the lock and the default tracker.")] = Path("out"),
    week: Annotated[Optional[str], typer.Option(
        "--week", help="Any date in the plan week (YYYY-MM-DD). Default: the week after the "
        "data's extract date.")] = None,
    pack: Annotated[Optional[str], typer.Option(help="Policy pack name or .toml path.")] = None,
    seed: Annotated[int, typer.Option(help="Solver seed.")] = 0,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Solver seconds.")] = 30.0,
    config: Annotated[Optional[Path], typer.Option(help="Points and weights (TOML).")] = None,
    overrides: Annotated[Optional[Path], typer.Option(
        help="Manager overrides (CSV), each with a reason.")] = None,
    tracker: TrackerOpt = None,
) -> None:
    """A scheduled run: plan with agreed transfers pinned, write atomically, record it.

    Holds a lock on the output folder. Exit 0 written, 1 bad input, 3 written with a
    statutory child unallocated, 4 check failed, 5 internal error, 6 another run holds the
    lock.
    """
    from cli import source_for

    with source_for(input, pack) as source:
        result = run_batch(BatchOptions(
            out=out, source=source, week=_date(week, "--week"), pack=pack, seed=seed,
            time_limit=time_limit, config=config, overrides=overrides, tracker_url=tracker))
    for line in result.messages:
        typer.echo(line, err=result.exit_code not in (EXIT_OK,))
    typer.echo(json.dumps(result.summary, sort_keys=True, default=str))
    if result.exit_code == EXIT_UNALLOCATED_STATUTORY:
        typer.echo("ESCALATE: a statutory child could not be allocated; see the roster "
                   "(to_worker UNALLOCATED).", err=True)
    if result.exit_code != EXIT_OK:
        raise typer.Exit(result.exit_code)


def approve(
    run: Annotated[int, typer.Argument(help="The run id (see `caseload tracker runs`).")],
    by: ByOpt,
    reason: Annotated[Optional[str], typer.Option(
        help="Why; required when the plan carries manager overrides or leaves a statutory "
             "child unallocated.")] = None,
    tracker: TrackerOpt = None,
    out: OutOpt = Path("out"),
) -> None:
    """Approve a run's plan, which until then is a DRAFT.

    Recorded in the tracker and in the run's run_summary.json.
    """
    with _opened(tracker, out) as store:
        store.approve(run, by, reason)
        view = store.run(run)
        approvals = store.approvals(run)
    folder = Path(out) / RUNS / str(run)  # the folder named, else where the run wrote
    if not folder.is_dir() and view.out_dir:
        folder = Path(view.out_dir) / RUNS / str(run)
    summary_path = folder / SUMMARY
    if summary_path.is_file():
        data = json.loads(summary_path.read_text(encoding="utf-8"))
        data["plan_status"] = "APPROVED"
        data["approvals"] = [{"by": b, "reason": r, "at": a.isoformat()}
                             for b, r, a in approvals]
        write_json_atomically(folder, SUMMARY, data)
    typer.echo(f"Run {run} approved by {approvals[-1][0]}.")


@dataclass
class TrackedPlan:
    """``caseload plan --tracker URL``: pins from the tracker, and the run recorded after
    its files are written."""

    store: Tracker
    report: PinReport
    source_hash: str | None = None

    def plan(self, source: Path, **options: Any) -> PlanRun:
        """:func:`allocator.pipeline.run_plan` of ``source`` with the tracker's pins (those
        no plan can keep this week are left out and reported)."""
        from allocator.pipeline import run_plan
        from allocator.tracker.pins import plan_with_pins
        from allocator.tracker.record import input_hash

        self.source_hash = input_hash(source)
        return plan_with_pins(lambda pins: run_plan(source, pins=pins, **options),
                              self.store, self.report)

    def record(self, run: PlanRun, out: Path, written: list[Path], seed: int) -> int:
        """Record the written plan as a completed run; returns its id."""
        from allocator.tracker.record import code_version, config_hash, run_record, sha256_file

        configuration: dict[str, object] = {"week": run.week, "seed": seed}
        try:
            run_id = self.store.start_run("plan", seed, configuration, self.source_hash,
                                          config_hash(configuration), code_version(),
                                          str(Path(out).resolve()))
            exit_code = EXIT_UNALLOCATED_STATUTORY if run.statutory_unallocated else EXIT_OK
            hashes = {p.name: sha256_file(p) for p in written}
            self.store.complete_run(run_id, run_record(run, hashes, exit_code))
            return run_id
        finally:
            self.store.close()

    def unpinned_lines(self) -> list[str]:
        return [f"tracker item {i} not pinned: {why}" for i, why in self.report.unpinned]


def open_for_plan(url: str) -> TrackedPlan:
    """Open the tracker a ``caseload plan --tracker URL`` run reads and records into."""
    from allocator.tracker.pins import PinReport
    from allocator.tracker.store import open_tracker

    return TrackedPlan(open_tracker(url), PinReport())


def register(app: typer.Typer) -> None:
    """Add the tracker, batch and approve commands to the main ``caseload`` app."""
    app.add_typer(tracker_app, name="tracker")
    app.command()(batch)
    app.command()(approve)


__all__ = ["EXIT_LOCKED", "open_for_plan", "register"]
