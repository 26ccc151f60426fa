"""Per-child explanations: what ruled workers out, what the choice costs, the best rejected
alternative and why it lost, priced by the independent checker."""

from allocator.alternatives import explain_plan
from allocator.explain import explain_allocation
from allocator.solver.model import solve
from factory import make_problem, make_request, make_worker


def test_the_known_worker_wins_and_the_alternative_loses_on_continuity():
    # C1 (CP) knows W1. W2 is empty; WQ is an ASYE, ruled out for a CP lead. Choosing W1 costs
    # 0; W2 is the best alternative, 1,000 more because continuity is broken.
    w1, w2, wq = make_worker("W1"), make_worker("W2"), make_worker("WQ", asye=True)
    r = make_request("C1", statutory=True, preferred=("W1",))
    p = make_problem([r], [w1, w2, wq])
    result = solve(p)
    e = explain_plan(p, result.plan, result.blocked)["C1:lead"]
    assert e.assignment.worker == "W1"
    assert e.ruled_out == (("asye_never_leads", 1),) and e.candidates == 2
    assert (e.alternative.worker, e.alternative.extra_cost) == ("W2", 1000)
    assert e.alternative.rises == (("continuity", 1000),)
    words = " ".join(explain_allocation(e))
    assert "1 by asye_never_leads" in words and "W2" in words and "knows the child" in words


def test_no_alternative_when_every_other_worker_breaks_a_hard_rule():
    w1, wq = make_worker("W1"), make_worker("WQ", asye=True)
    r = make_request("C1", statutory=True)
    p = make_problem([r], [w1, wq])
    result = solve(p)
    e = explain_plan(p, result.plan, result.blocked)["C1:lead"]
    assert e.alternative is None
    assert "No other worker could take the child" in " ".join(explain_allocation(e))


def test_an_unallocated_child_is_explained_with_an_escalation():
    wq = make_worker("WQ", asye=True)
    r = make_request("C1", statutory=True)
    p = make_problem([r], [wq])
    result = solve(p)
    e = explain_plan(p, result.plan, result.blocked)["C1:lead"]
    words = " ".join(explain_allocation(e))
    assert "No lead worker could be allocated" in words and "Escalate" in words
