"""Allocation constraints: one module each, with its CP-SAT builder and its independent check.

Every module has ``NAME``, ``KIND`` ("hard" or "soft") and ``RULE`` (one line a manager
reads). Hard modules have ``restrict(ctx)`` (forbid worker/request pairs before variables
exist), ``add(ctx)`` and ``check(plan, problem) -> list[Violation]``; soft modules have
``add(ctx)`` adding named objective terms and ``penalties(plan, problem) -> list[Penalty]``
recomputing those terms from a finished plan. The checks never read solver variables.
"""

from __future__ import annotations

from types import ModuleType

from constraints import (
    asye_never_leads, balance, capacity, continuity, coworker_differs, date_in_window,
    earliest_date, late_meeting, locality, manager_overrides, max_new_per_week, one_worker, siblings_together, transfer_meeting,
    unallocated, worker_available,
)

HARD: tuple[ModuleType, ...] = (
    one_worker, asye_never_leads, coworker_differs, worker_available, date_in_window,
    max_new_per_week, transfer_meeting, manager_overrides,
)
SOFT: tuple[ModuleType, ...] = (
    unallocated, capacity, siblings_together, continuity, balance, earliest_date, late_meeting,
    locality,
)
REGISTRY: tuple[ModuleType, ...] = HARD + SOFT
