"""The HiGHS bridge states the same model as CP-SAT: same optimum, same feasible set.

Each tiny model is small enough that CP-SAT proves its optimum at once; the bridge is right
when HiGHS proves the same optimum and HiGHS' solution, handed back to CP-SAT with every
variable fixed, satisfies the original model.
"""

from datetime import date

import pytest
from benchmark_modules import load_benchmark
from ortools.sat.python import cp_model

highs = load_benchmark("highs")


def _cpsat_optimum(model: cp_model.CpModel) -> float:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    assert solver.Solve(model) == cp_model.OPTIMAL
    return solver.ObjectiveValue()


def _satisfies(model: cp_model.CpModel, values: list[float]) -> bool:
    """HiGHS' values, every variable fixed to them, are a solution of the CP-SAT model."""
    fixed = model.Clone()
    proto = fixed.Proto()
    for i, v in enumerate(values):
        proto.variables[i].domain[0] = proto.variables[i].domain[1] = round(v)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.Solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def every_supported_kind() -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """bool_or, bool_and, at_most_one, exactly_one, enforced linear rows (with a negated
    literal), lin_max over expressions of both signs, and an objective with an offset."""
    m = cp_model.CpModel()
    x = [m.NewBoolVar(f"x{i}") for i in range(4)]
    y = m.NewIntVar(-3, 7, "y")
    z = m.NewIntVar(0, 10, "z")
    m.AddBoolOr([x[0], x[1].Not()])
    m.AddAtMostOne(x[1:])
    m.AddExactlyOne([x[0], x[2], x[3].Not()])
    m.Add(y + 2 * z >= 5).OnlyEnforceIf([x[2], x[3].Not()])
    m.Add(y <= 1).OnlyEnforceIf(x[1])
    m.AddMaxEquality(z, [0, y - 2, 3 - 2 * y])
    m.AddBoolAnd([x[0], x[2].Not()]).OnlyEnforceIf(x[3])
    return m, [*x, y, z]


OBJECTIVES = [
    [-2, 5, 0, 0, 1, 3],  # x0..x3, y, z
    [3, -1, 4, -2, -1, 2],
    [0, 0, 0, 0, -1, -1],
    [1, 1, -3, 2, 2, 1],
]


@pytest.mark.parametrize("coefs", OBJECTIVES)
@pytest.mark.parametrize("sense", ["min", "max"])
def test_every_supported_kind_has_the_cpsat_optimum(coefs, sense):
    m, vs = every_supported_kind()
    expr = sum(c * v for c, v in zip(coefs, vs)) + 7  # the offset must survive the bridge
    m.Minimize(expr) if sense == "min" else m.Maximize(expr)
    run = highs.solve_highs(highs.to_highs(m.Proto()), time_limit=10)
    assert run.status == "Optimal"
    assert run.objective == pytest.approx(_cpsat_optimum(m))
    assert _satisfies(m, run.values)
    assert run.incumbents and run.time_to(run.objective) is not None


def test_lin_max_is_exact_not_only_at_the_optimum():
    # Maximising z under z = max(0, y - 2): a relaxed z >= ... would let z run to its top (10);
    # the exact linearisation holds it at max(0, 7 - 2) = 5.
    m = cp_model.CpModel()
    y = m.NewIntVar(-3, 7, "y")
    z = m.NewIntVar(0, 10, "z")
    m.AddMaxEquality(z, [0, y - 2])
    m.Maximize(z)
    run = highs.solve_highs(highs.to_highs(m.Proto()), time_limit=10)
    assert run.objective == pytest.approx(5)


def test_an_infeasible_model_stays_infeasible():
    m = cp_model.CpModel()
    a, b = m.NewBoolVar("a"), m.NewBoolVar("b")
    m.AddExactlyOne([a, b])
    m.AddBoolAnd([a, b])
    m.Minimize(a)
    run = highs.solve_highs(highs.to_highs(m.Proto()), time_limit=10)
    assert run.status == "Infeasible" and run.objective is None


def test_a_constraint_the_bridge_cannot_state_raises():
    m = cp_model.CpModel()
    a, b = m.NewIntVar(0, 5, "a"), m.NewIntVar(0, 5, "b")
    m.AddMultiplicationEquality(a, [b, b])
    with pytest.raises(highs.Unsupported, match="int_prod"):
        highs.to_highs(m.Proto())


def test_a_domain_with_holes_raises():
    m = cp_model.CpModel()
    a = m.NewIntVar(0, 5, "a")
    m.Add(a != 3)
    with pytest.raises(highs.Unsupported, match="holes"):
        highs.to_highs(m.Proto())


@pytest.fixture(scope="module")
def demo_problem(tmp_path_factory):
    from allocator.demo import write_demo
    from allocator.pipeline import run_plan

    folder = write_demo(tmp_path_factory.mktemp("demo") / "council", 300, 3,
                        date(2026, 11, 20))
    return run_plan(folder, seed=3, time_limit=10).problem


def test_every_service_of_a_demo_council_has_the_cpsat_optimum(demo_problem):
    from allocator.solver.model import build_service_model

    compared = 0
    for service in demo_problem.services:
        if not demo_problem.requests_in(service):
            continue
        model = build_service_model(demo_problem, service).model
        run = highs.solve_highs(highs.to_highs(model.Proto()), time_limit=30)
        assert run.status == "Optimal", service
        assert run.objective == pytest.approx(_cpsat_optimum(model)), service
        assert _satisfies(model, run.values), service
        compared += 1
    assert compared >= 2


def test_compare_reports_every_service_and_a_total(demo_problem):
    out = highs.highs_compare(demo_problem, seed=3, time_limit=10)
    services = out["services"]
    assert services and out["total"]["service"] == "total"
    for row in services:
        if row["cpsat_status"] == "OPTIMAL" and row["highs_status"] == "Optimal":
            assert row["highs_objective"] == pytest.approx(row["cpsat_objective"])
            assert row["highs_to_cpsat_s"] != "not reached"
