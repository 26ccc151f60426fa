"""Scenario files: every mistake is named by file and field, before anything runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from allocator.simulation.model import ScenarioError, load_scenario, parse_scenario
from allocator.simulation.run import check_references
from allocator.simulation.world import load_world

FOLDER = Path(__file__).parent.parent / "scenarios" / "examples"
EXAMPLES = sorted([*FOLDER.glob("*.toml"), *FOLDER.glob("*.yaml")])
HEAD = 'name = "t"\nstart = 2026-11-23\n'


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "what-if.toml")
    return exc.value.problems


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_shipped_example_is_valid_for_the_demo(path: Path) -> None:
    scenario = load_scenario(path)
    check_references(scenario, load_world(scenario.council), path.name)


def test_unknown_field_is_named() -> None:
    [p] = problems(HEAD + "[demand]\nreferal_change = 0.2\n")
    assert p.startswith("what-if.toml: demand.referal_change:") and "Extra inputs" in p


def test_bad_date_is_named() -> None:
    [p] = problems('name = "t"\nstart = "2026-13-01"\n')
    assert p.startswith("what-if.toml: start:")


def test_start_must_be_a_monday() -> None:
    [p] = problems('name = "t"\nstart = 2026-11-24\n')
    assert "not a Monday" in p


def test_negative_rate_is_named() -> None:
    [p] = problems(HEAD + "[demand]\nreferrals_per_week = -3\n")
    assert p.startswith("what-if.toml: demand.referrals_per_week:")


def test_list_entries_are_located_by_index() -> None:
    text = HEAD + "[[staff.starters]]\non = 2026-11-30\nteam = 'T004'\n" \
                  "[[staff.starters]]\non = 2026-11-30\nteam = 'T004'\nfte = 2\n"
    [p] = problems(text)
    assert p.startswith("what-if.toml: staff.starters[1].fte:")


def test_leavers_need_names_or_a_count() -> None:
    [p] = problems(HEAD + "[[staff.leavers]]\non = 2026-11-30\n")
    assert "staff.leavers[0]" in p and "name workers or give a count" in p


def test_unknown_pack_and_bad_toml() -> None:
    assert "policy[0].pack" in problems(HEAD + "[[policy]]\non = 2026-11-30\npack = 'x'\n")[0]
    assert "not valid TOML" in problems("name = \n")[0]


def test_unknown_team_and_worker_are_named_against_the_council() -> None:
    scenario = parse_scenario(HEAD + "[[staff.leavers]]\non = 2026-11-30\nworkers = ['W9999']\n"
                              "[[staff.starters]]\non = 2026-11-30\nteam = 'T404'\n"
                              "[[structure.new_teams]]\non = 2026-11-30\nid = 'T010'\n"
                              "name = 'New'\nservice = 'nowhere'\n")
    with pytest.raises(ScenarioError) as exc:
        check_references(scenario, load_world("demo"), "what-if.toml")
    assert exc.value.problems == [
        "what-if.toml: staff.leavers[0].workers: unknown worker W9999",
        "what-if.toml: staff.starters[0].team: unknown team T404",
        "what-if.toml: structure.new_teams[0].service: unknown service nowhere",
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tmp_path / "missing.toml")
    assert "missing.toml: cannot be read" in exc.value.problems[0]


def yaml_problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "what-if.yaml", "yaml")
    return exc.value.problems


def test_yaml_and_toml_give_the_same_scenario() -> None:
    toml, yaml = load_scenario(FOLDER / "ten-asyes.toml"), load_scenario(FOLDER / "ten-asyes.yaml")
    assert yaml == toml
    assert yaml.staff.starters[0].on.isoformat() == "2026-12-07"  # `on:` is a key, not True


def test_yml_suffix_reads_as_yaml(tmp_path: Path) -> None:
    path = tmp_path / "short.yml"
    path.write_text("name: t\nstart: 2026-11-23\nweeks: 4\n", encoding="utf-8")
    assert load_scenario(path).weeks == 4


def test_yaml_mistakes_are_named_like_toml_ones() -> None:
    [p] = yaml_problems("name: t\nstart: 2026-11-23\ndemand:\n  referal_change: 0.2\n")
    assert p.startswith("what-if.yaml: demand.referal_change:") and "Extra inputs" in p
    [p] = yaml_problems("name: t\nstart: 2026-11-23\nstaff:\n  starters:\n"
                        "    - {on: 2026-11-30, team: T004}\n    - {on: 2026-11-30, team: T004, fte: 2}\n")
    assert p.startswith("what-if.yaml: staff.starters[1].fte:")
    assert yaml_problems("name: [\n")[0].startswith("what-if.yaml: not valid YAML at line 2")
    assert yaml_problems("- a list\n") == [
        "what-if.yaml: (file): a scenario is a mapping of keys to values"]


def test_yaml_builds_plain_data_only() -> None:
    [p] = yaml_problems("name: !!python/object/apply:os.getcwd []\nstart: 2026-11-23\n")
    assert p.startswith("what-if.yaml: not valid YAML")


def test_a_bad_yaml_file_exits_1_by_field(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli import app

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstart: 2026-11-23\nweeks: 0\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["scenario", "run", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "bad.yaml: weeks:" in result.output
    assert not (tmp_path / "o").exists()


def test_a_notice_period_change_makes_a_pack_that_differs_only_in_its_notice():
    from allocator.rules.pack import load_pack
    from allocator.simulation.changes import notice_in_force, with_notice

    scenario = load_scenario(FOLDER / "longer-notice.toml")
    assert notice_in_force(scenario, date(2026, 12, 28)) is None
    assert notice_in_force(scenario, date(2027, 1, 4)) == 20
    assert with_notice("southwark", None) == "southwark"
    base, longer = load_pack("southwark"), load_pack(with_notice("southwark", 20))
    assert base.timescales.notice_working_days == 10
    assert longer.timescales.notice_working_days == 20
    assert longer.model_copy(update={"timescales": base.timescales}) == base
