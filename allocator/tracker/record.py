"""What the tracker keeps of a plan run: its requests as items, and hashes of what went in
and came out, so a run can be matched to its inputs and its files checked later."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from allocator.pipeline import PlanRun
from allocator.tracker.store import ProposedItem, RunRecord

TRACKER_REASON_PREFIX = "agreed in tracker"


def sha256_text(content: str | bytes) -> str:
    """The hash of a file's content as written (text is written as UTF-8)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def input_hash(source: Path | None) -> str | None:
    """One hash over an input folder's files (names and contents) or a workbook's bytes."""
    if source is None or not Path(source).exists():
        return None
    source = Path(source)
    if source.is_file():
        return sha256_file(source)
    digest = hashlib.sha256()
    for path in sorted(p for p in source.iterdir() if p.is_file()):
        digest.update(path.name.encode("utf-8") + b"\0" + sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def config_hash(configuration: Mapping[str, object]) -> str:
    return sha256_text(json.dumps(configuration, sort_keys=True, default=str))


def code_version() -> str:
    import ortools

    from allocator import __version__

    return f"caseload {__version__}; ortools {ortools.__version__}"  # type: ignore[attr-defined]


def proposed_items(run: PlanRun) -> tuple[ProposedItem, ...]:
    """Every request of the checked plan, allocated or not, as a tracker item."""
    requests = {r.id: r for r in run.problem.requests}
    out = []
    for a in run.result.plan.assignments:
        r = requests[a.request_id]
        dec = r.decision
        out.append(ProposedItem(
            child_id=a.child_id, request_id=a.request_id, role=a.role, outcome=dec.outcome,
            statutory=r.statutory, from_service=dec.from_service, from_team=dec.from_team,
            from_worker=dec.from_worker, service=a.service, team=a.team, worker=a.worker,
            planned_date=a.on, clause=dec.reasons[0].clause if dec.reasons else None,
            rule_id=dec.rule_id))
    return tuple(out)


def manager_override_count(run: PlanRun) -> int:
    """Overrides a manager gave this week (tracker pins are the tracker's, not counted)."""
    return sum(1 for o in run.problem.overrides
               if not o.reason.startswith(TRACKER_REASON_PREFIX))


def run_record(run: PlanRun, output_hashes: dict[str, str], exit_code: int) -> RunRecord:
    return RunRecord(
        council=run.caseload.manifest.council, pack=run.pack.pack.id, week=run.week,
        solver_status=run.result.status, objective=run.result.objective,
        check_ok=run.check.ok, check_objective=run.check.objective,
        output_hashes=output_hashes, exit_code=exit_code,
        manager_overrides=manager_override_count(run), items=proposed_items(run))
