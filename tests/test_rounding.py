"""A re-allocation's first plan from the bound's worker patterns: the master's programme
rounded to a worker per child, applied only where the master may decide, and a start that
passes the check and costs no more than keeping everyone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from allocator.checker import check_plan
from allocator.overrides import ResolvedOverride
from allocator.plan import Assignment, Plan
from allocator.solver import model, patterns
from allocator.solver.lagrangian import service_arrays, service_bound
from allocator.solver.rounding import rounded_plan
from factory import HORIZON_DAYS, make_problem, make_request, make_worker
from tests.test_patterns import small_service


def _crowded(children: int = 6):
    """W1 holds every child (13 points each) against a capacity of 20; W2 and W3 have room."""
    workers = [make_worker("W1", capacity=20), make_worker("W2", capacity=40),
               make_worker("W3", capacity=40)]
    rs = [replace(make_request(f"C{i}", dates=HORIZON_DAYS[:10], from_worker="W1",
                               preferred=("W1",), points=13), restructure=True)
          for i in range(children)]
    problem = make_problem(rs, workers)
    team = problem.workers["W1"].team
    kept = [Assignment(r.id, r.child_id, "lead", "sfs", "W1", team, r.dates[0]) for r in rs]
    return problem, kept


@pytest.mark.parametrize("seed", range(6))
def test_the_rounded_master_gives_each_child_one_worker_it_may_have(seed: int) -> None:
    arrays = small_service(seed)
    rows, workers = arrays.cost.shape
    found = patterns.generate_patterns(arrays, None, np.zeros(rows), np.zeros((0, 0)),
                                       np.zeros((workers, 0)), np.inf, rounding=True)
    assert found is not None and found.rounded is not None
    rounded = found.rounded
    assert rounded.shape == (rows,)
    assert ((rounded >= -1) & (rounded < workers)).all()
    taken = rounded >= 0
    assert np.isfinite(arrays.cost[np.flatnonzero(taken), rounded[taken]]).all()


def test_rounding_moves_only_reallocated_unpinned_children() -> None:
    problem, kept = _crowded(3)
    pin = ResolvedOverride(id="O1", row=1, request_id=kept[0].request_id,
                           child_id=kept[0].child_id, action="pin_worker", worker="W1",
                           on=None, reason="test", by="manager")
    problem = replace(problem, overrides=(pin,))
    columns = {w: j for j, w in enumerate(problem.service_workers["sfs"])}
    to_w2 = np.array([columns["W2"], columns["W2"], -1])
    placed = rounded_plan(problem, "sfs", kept, to_w2)
    assert placed[0] == kept[0]  # pinned
    assert placed[1].worker == "W2" and placed[1].meeting is None
    request = problem.requests_in("sfs")[1]
    assert placed[1].on == request.handover_date(problem.workers["W2"])
    assert placed[2] == kept[2]  # the master left it to the start


def test_rounding_never_gives_a_childs_lead_and_co_worker_one_worker() -> None:
    workers = [make_worker("W1"), make_worker("W2"), make_worker("W3")]
    lead = replace(make_request("C1", from_worker="W1", preferred=("W1",)), restructure=True)
    co = replace(make_request("C1", role="co", from_worker="W2", preferred=("W2",)),
                 restructure=True)
    problem = make_problem([lead, co], workers)
    team = problem.workers["W1"].team
    kept = [Assignment(lead.id, "C1", "lead", "sfs", "W1", team, lead.dates[0]),
            Assignment(co.id, "C1", "co", "sfs", "W2", team, co.dates[0])]
    order = [r.id for r in problem.requests_in("sfs")]
    columns = {w: j for j, w in enumerate(problem.service_workers["sfs"])}
    both_w3 = np.array([columns["W3"]] * len(order))
    assert rounded_plan(problem, "sfs", kept, both_w3) == kept


def test_a_crowded_restructure_starts_from_the_rounded_patterns() -> None:
    """Six children on one worker with room for one: the master spreads them, the start
    is checked and cheaper than keeping everyone, and the bound stays below it."""
    problem, kept = _crowded()
    before = check_plan(Plan(tuple(kept)), problem)
    start, proved = model._rounded_start(problem, "sfs", Plan(tuple(kept)))
    bound = int(proved.value)
    after = check_plan(start, problem)
    assert after.ok
    assert after.objective < before.objective
    assert bound <= after.objective
    found = service_bound(problem, "sfs", upper=before.objective, rounding=True)
    assert found.rounded is not None and found.value == bound
    assert len(service_arrays(problem, "sfs").points) == len(found.rounded)
