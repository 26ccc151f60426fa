"""Retention: delete plan outputs older than a council's retention period.

A plan holds children's ids, dates and the workers chosen for them; a council keeps it
only as long as its retention schedule says. :func:`expired` finds, inside one output
folder, the plan files ``caseload plan`` writes, the run folders ``caseload batch`` keeps
(``runs/N``) and staging leftovers of killed runs, whose newest file is older than the
cut-off; :func:`delete` removes them. Nothing else is touched: not the input data, not the
tracker database, not files the product did not write, not the run ``latest`` names (the
plan in force), and no symbolic link is followed.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from allocator.batch import LAST_RUN, RUNS, latest_run_id

# Every file `caseload plan` writes (allocator.io.writer and allocator.report).
PLAN_FILES = frozenset({
    "transfer_roster.csv", "decisions.csv", "capacity.csv", "explanations.csv", "plan.json",
    "plan.xlsx", "report.html", LAST_RUN,
})
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Expired:
    """One plan output past its retention period."""

    path: Path
    kind: str  # "plan file", "run folder" or "staging leftover"
    age_days: float


def expired(out: Path, days: float, now: float | None = None) -> list[Expired]:
    """Plan outputs in ``out`` whose newest file is more than ``days`` days old, by path."""
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    now = time.time() if now is None else now
    cutoff = now - days * DAY_SECONDS
    found: list[Expired] = []
    if not out.is_dir() or out.is_symlink():
        return found
    for path in sorted(out.iterdir()):
        kind = _kind(path)
        if kind is not None:
            found += _if_old(path, kind, cutoff, now)
    runs = out / RUNS
    if runs.is_dir() and not runs.is_symlink():
        keep = latest_run_id(out)
        for folder in sorted(runs.iterdir(), key=lambda p: p.name):
            if folder.name.isdigit() and int(folder.name) != keep and _real_dir(folder):
                found += _if_old(folder, "run folder", cutoff, now)
    return found


def delete(items: list[Expired]) -> None:
    """Remove what :func:`expired` found (files, or folders with everything in them)."""
    for item in items:
        if item.path.is_dir() and not item.path.is_symlink():
            shutil.rmtree(item.path)
        else:
            item.path.unlink(missing_ok=True)


def _kind(path: Path) -> str | None:
    if path.name in PLAN_FILES and _real_file(path):
        return "plan file"
    if path.name.startswith(".staging-") and _real_dir(path):
        return "staging leftover"
    return None


def _if_old(path: Path, kind: str, cutoff: float, now: float) -> list[Expired]:
    newest = _newest_mtime(path)
    return [Expired(path, kind, (now - newest) / DAY_SECONDS)] if newest < cutoff else []


def _newest_mtime(path: Path) -> float:
    """A folder is as recent as its newest file: a run still being read is not expired."""
    newest = path.lstat().st_mtime
    if _real_dir(path):
        for root, _, files in os.walk(path):
            for name in files:
                newest = max(newest, (Path(root) / name).lstat().st_mtime)
    return newest


def _real_file(path: Path) -> bool:
    return stat.S_ISREG(path.lstat().st_mode)


def _real_dir(path: Path) -> bool:
    return stat.S_ISDIR(path.lstat().st_mode)
