"""A short simulation checked by hand, and the same seed giving the same figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from factory import TinyCouncil

from allocator import domain as d
from allocator.simulation.figures import leads
from allocator.simulation.model import parse_scenario
from allocator.simulation.run import run_scenario
from allocator.simulation.world import load_world


def one_leaver_council(folder: Path) -> Path:
    """One safeguarding team: W1 holds C1 (child in need) and C2 (on a CP plan), W2 holds C3.
    W1 leaves on Wednesday 25 November; nobody arrives and no case closes."""
    c = TinyCouncil()
    c.team("TS", "sfs")
    c.worker("W1", "TS", capacity=200).worker("W2", "TS", capacity=200)
    c.child("C1", date(2018, 3, 1), "TS", "W1").child("C2", date(2016, 5, 1), "TS", "W1")
    c.child("C3", date(2015, 1, 1), "TS", "W2").cp_plan("C2")
    return c.write(folder / "council")


SCENARIO = """
name = "One leaver"
council = "{council}"
start = 2026-11-23
weeks = 2
[demand]
referrals_per_week = 0
closure_rate = 0
[[staff.leavers]]
on = 2026-11-25
workers = ["W1"]
"""


def test_one_leaver_by_hand(tmp_path: Path) -> None:
    council = one_leaver_council(tmp_path)
    scenario = parse_scenario(SCENARIO.format(council=council))
    world = load_world(str(council))
    week1, week2 = run_scenario(scenario, world=world).weeks
    # Week 1: W1's involvements end on Wednesday 25th; C1 and C2 wait Wed to Sun, five days
    # each (10 child-days), five of them C2's, on a CP plan. The Monday plan had nothing to do.
    assert (week1.unallocated_child_days, week1.unallocated_child_days_statutory) == (10, 5)
    assert (week1.workers, week1.worker_changes, week1.arrivals, week1.closures) == (2, 0, 0, 0)
    # Week 2: Monday's plan gives both children to W2, the only worker left, on Monday 30th
    # (the first usable day), so no one waits; two children changed worker out of three.
    assert (week2.unallocated_child_days, week2.unallocated_child_days_statutory) == (0, 0)
    assert (week2.workers, week2.worker_changes, week2.open_children) == (1, 2, 3)
    assert week2.worker_changes_per_100_children == round(100 * 2 / 3, 2)
    assert week2.asye_leading_statutory == 0 and week2.sibling_groups_split == 0
    assert week2.workers_over_capacity == 0  # 3 children, 10 + 13 + 10 points, under 200
    assert leads(world, date(2026, 12, 6)) == {"C1": "W2", "C2": "W2", "C3": "W2"}
    new_rows = [r for r in world.rows(d.Involvement) if r["invo_involvement_start_date"] == "2026-11-30"]
    assert sorted(r["invo_person_id"] for r in new_rows) == ["C1", "C2"]


def test_same_seed_same_figures_on_the_demo() -> None:
    text = 'name = "b"\nstart = 2026-11-23\nweeks = 2\n[demand]\nreferral_change = 0.5\n'
    scenario = parse_scenario(text)
    first, again = run_scenario(scenario, seed=3), run_scenario(scenario, seed=3)
    assert first == again
    assert sum(w.arrivals for w in first.weeks) > 0
    other = run_scenario(scenario, seed=4)
    assert [w.arrivals for w in other.weeks] != [w.arrivals for w in first.weeks] or \
        [w.closures for w in other.weeks] != [w.closures for w in first.weeks]


def test_a_notice_period_change_reaches_the_weekly_plan(monkeypatch) -> None:
    """From its date, each week is planned under the pack with the new notice period."""
    import allocator.simulation.run as sim
    from allocator.rules.pack import load_pack

    used: list[int] = []
    real = sim.plan_week

    def spy(world, week, pack, *args, **kwargs):
        used.append(load_pack(pack).timescales.notice_working_days)
        return real(world, week, pack, *args, **kwargs)

    monkeypatch.setattr(sim, "plan_week", spy)
    text = ('name = "n"\nstart = 2026-11-23\nweeks = 2\ntime_limit = 1\n'
            '[[policy]]\non = 2026-11-30\nnotice_working_days = 3\n')
    run_scenario(parse_scenario(text), seed=1)
    assert used == [10, 3]  # the demo's pack gives 10 working days; 3 from 30 November
