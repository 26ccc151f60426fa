"""Write a checked plan: CSV, JSON, an Excel workbook and an HTML report, all-or-nothing,
readable only by the owner.

Files are staged in a private folder beside the outputs, flushed to disk, then moved into
place; a run that fails before that leaves the previous outputs as they were. Text cells
that a spreadsheet would run as a formula are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from allocator.pipeline import PlanRun
from allocator.summary import summarise

DRAFT = "DRAFT: a recommendation for a manager to approve, not a decision"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text for one CSV cell; dates ISO, None empty, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(row.get(h)) for h in header])
    return buf.getvalue()


def write_files_atomically(out: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write ``files`` (name -> text, or bytes for a workbook) into ``out`` all-or-nothing,
    owner-only. Text is written as UTF-8 exactly as given (no newline translation)."""
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            path = staging / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        written = []
        for name in files:
            os.replace(staging / name, out / name)
            written.append(out / name)
        dir_fd = os.open(out, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


ROSTER_COLUMNS = (
    "child_id", "family_id", "outcome", "role", "from_service", "from_team", "from_worker",
    "to_service", "to_team", "to_worker", "co_worker", "transfer_point", "transfer_date",
    "transfer_meeting", "window_earliest",
    "window_latest", "notice_working_days", "joint_visit_by", "introduction_by", "flags",
    "clause", "rule_id", "reason",
)
DECISION_COLUMNS = (
    "child_id", "family_id", "outcome", "from_service", "from_team", "from_worker", "to_service",
    "transfer_point", "window_earliest", "window_latest", "usable_from", "usable_to", "due",
    "statutory", "flags", "clause", "rule_id", "reason", "overruled",
)
EXPLANATION_COLUMNS = (
    "child_id", "role", "worker", "team", "transfer_date", "transfer_meeting", "ruled_out",
    "eligible_workers", "cost_terms", "best_alternative", "alternative_date",
    "alternative_extra_cost", "alternative_rejected_because", "explanation",
)
CAPACITY_COLUMNS = (
    "worker_id", "worker_name", "team", "service", "asye", "fte", "capacity", "load_before",
    "load_after", "over_capacity", "new_children",
)


@dataclass(frozen=True)
class PlanRows:
    """The rows every output is made from, built once so the CSVs, the workbook and the
    HTML report show the same figures."""

    roster: list[dict[str, object]]
    decisions: list[dict[str, object]]
    capacity: list[dict[str, object]]
    explanations: list[dict[str, object]]


def plan_rows(run: PlanRun) -> PlanRows:
    return PlanRows(list(roster_rows(run)), list(decision_rows(run)),
                    list(capacity_rows(run)), list(explanation_rows(run)))


def plan_files(run: PlanRun) -> dict[str, str | bytes]:
    """Every output file's content for one checked run, deterministic for the same run."""
    from allocator.report import report_files

    rows = plan_rows(run)
    files: dict[str, str | bytes] = {
        "transfer_roster.csv": csv_text(ROSTER_COLUMNS, rows.roster),
        "decisions.csv": csv_text(DECISION_COLUMNS, rows.decisions),
        "capacity.csv": csv_text(CAPACITY_COLUMNS, rows.capacity),
        "explanations.csv": csv_text(EXPLANATION_COLUMNS, rows.explanations),
        "plan.json": json.dumps(plan_json(run, rows.roster), indent=1, sort_keys=True,
                                default=_json_default) + "\n",
    }
    files.update(report_files(run, rows))
    return files


def write_plan(run: PlanRun, out: Path) -> list[Path]:
    """Write the run's outputs into ``out``; returns the paths written."""
    return write_files_atomically(out, plan_files(run))


def roster_rows(run: PlanRun) -> Iterable[dict[str, object]]:
    requests = {r.id: r for r in run.problem.requests}
    for a in run.result.plan.assignments:
        dec = requests[a.request_id].decision
        yield {
            "child_id": a.child_id, "family_id": dec.family_id, "outcome": dec.outcome,
            "role": a.role, "from_service": dec.from_service, "from_team": dec.from_team,
            "from_worker": dec.from_worker, "to_service": a.service, "to_team": a.team,
            "to_worker": a.worker or "UNALLOCATED",
            "co_worker": requests[a.request_id].demoted_asye if a.worker else None,
            "transfer_point": dec.point, "transfer_date": a.on, "transfer_meeting": a.meeting,
            "window_earliest": dec.earliest, "window_latest": dec.latest,
            "notice_working_days": dec.notice_working_days, "joint_visit_by": dec.joint_visit_by,
            "introduction_by": dec.introduction_by,
            "flags": dec.flags + (("unallocated: " + "; ".join(a.blocked_by),)
                                  if a.worker is None else ()),
            "clause": "; ".join(r.clause for r in dec.reasons), "rule_id": dec.rule_id,
            "reason": dec.reasons[0].text,
        }


def decision_rows(run: PlanRun) -> Iterable[dict[str, object]]:
    for dec in run.decisions:
        yield {
            "child_id": dec.child_id, "family_id": dec.family_id, "outcome": dec.outcome,
            "from_service": dec.from_service, "from_team": dec.from_team,
            "from_worker": dec.from_worker, "to_service": dec.to_service,
            "transfer_point": dec.point, "window_earliest": dec.earliest,
            "window_latest": dec.latest, "usable_from": dec.date_from, "usable_to": dec.date_to,
            "due": dec.due, "statutory": dec.statutory, "flags": dec.flags,
            "clause": "; ".join(r.clause for r in dec.reasons), "rule_id": dec.rule_id,
            "reason": dec.reasons[0].text,
            "overruled": [f"{r.rule_id} ({r.clause})" for r in dec.overruled],
        }


def explanation_rows(run: PlanRun) -> Iterable[dict[str, object]]:
    from allocator.alternatives import explain_plan
    from allocator.explain import explain_allocation

    explanations = explain_plan(run.problem, run.result.plan, run.result.blocked)
    for rid in sorted(explanations):
        e = explanations[rid]
        a, alt = e.assignment, e.alternative
        yield {
            "child_id": e.child_id, "role": a.role, "worker": a.worker or "UNALLOCATED",
            "team": a.team, "transfer_date": a.on, "transfer_meeting": a.meeting,
            "ruled_out": [f"{rule}: {n}" for rule, n in e.ruled_out],
            "eligible_workers": e.candidates,
            "cost_terms": [f"{p.term}: {p.cost}" for p in e.terms],
            "best_alternative": alt.worker if alt else None,
            "alternative_date": alt.on if alt else None,
            "alternative_extra_cost": alt.extra_cost if alt else None,
            "alternative_rejected_because": [f"{t} +{v}" for t, v in alt.rises] if alt else None,
            "explanation": " ".join(explain_allocation(e)),
        }


def capacity_rows(run: PlanRun) -> Iterable[dict[str, object]]:
    from constraints.capacity import loads_after

    problem = run.problem
    loads = loads_after(run.result.plan, problem)
    new = Counter(a.worker for a in run.result.plan.assignments if a.worker)
    for w in sorted(problem.workers.values(), key=lambda w: (w.service, w.team, w.id)):
        after = loads[w.id]
        yield {
            "worker_id": w.id, "worker_name": w.name, "team": w.team, "service": w.service,
            "asye": w.asye, "fte": w.fte, "capacity": w.capacity, "load_before": w.load_before,
            "load_after": after, "over_capacity": max(0, after - w.capacity),
            "new_children": new.get(w.id, 0),
        }


def plan_json(run: PlanRun, roster: list[dict[str, object]]) -> dict[str, object]:
    from importlib.metadata import version

    import ortools

    from allocator import __version__

    return {
        "status": DRAFT,
        "council": run.caseload.manifest.council,
        "pack": run.pack.pack.id,
        "week": run.week,
        "seed": run.seed,
        # HiGHS solves the bound's linear programme (allocator.solver.row_lp).
        "versions": {"caseload": __version__, "ortools": ortools.__version__,
                     "highspy": version("highspy")},
        "summary": summarise(run).as_dict(),
        "solver": {"status": run.result.status, "objective": run.result.objective,
                   "bound": run.result.bound, "gap": round(run.result.gap, 6),
                   "terms": run.result.terms, "services": run.result.service_status},
        "overrides": [{"id": o.id, "child_id": o.child_id, "action": o.action,
                       "worker": o.worker, "date": o.on, "reason": o.reason, "by": o.by}
                      for o in run.problem.overrides],
        "override_cost": run.override_cost,
        "check": {"hard_violations": len(run.check.violations),
                  "objective": run.check.objective, "terms": run.check.terms},
        "roster": roster,
    }


def _json_default(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(type(value).__name__)
