"""The demo council generator: valid, deterministic, realistic, and exercising every rule."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from allocator import domain as d
from allocator.calendar import add_working_days, age_on
from allocator.caseload import Caseload
from allocator.demo import (
    SHIPPED_CHILDREN,
    SHIPPED_COUNCIL,
    SHIPPED_EXTRACT_DATE,
    SHIPPED_PACK,
    SHIPPED_SEED,
    ROLE_CHAINS,
    generate_demo,
    role_services,
    write_demo,
)
from allocator.io.reader import read_caseload
from allocator.pipeline import PlanRun, run_plan
from allocator.rules.engine import MOVING, Engine
from allocator.rules.pack import available_packs, load_pack
from allocator.state import ChildState, child_states

EXTRACT = date(2026, 11, 20)
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "demo"


def _horizon(c: Caseload) -> tuple[date, date]:
    """The extract date and the end of the 20 working days after it (the plan's horizon)."""
    extract = c.manifest.extract_date
    return extract, add_working_days(extract, 19)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def council_1000(tmp_path_factory: pytest.TempPathFactory) -> Caseload:
    """A 1000-child demo read back through the validating reader."""
    return read_caseload(write_demo(tmp_path_factory.mktemp("demo") / "c", 1000, 2, EXTRACT))


@pytest.fixture(scope="module")
def states_1000(council_1000: Caseload) -> list[ChildState]:
    return child_states(council_1000, load_pack("southwark"), EXTRACT)


# ---- valid and deterministic -------------------------------------------------------------------

@pytest.mark.parametrize("children, seed", [(300, 1), (300, 99), (1000, 5)])
def test_demo_reads_back_without_problems(tmp_path: Path, children: int, seed: int) -> None:
    caseload = read_caseload(write_demo(tmp_path / "demo", children, seed, EXTRACT))
    assert caseload.count(d.Person) == children
    assert caseload.manifest == d.Manifest(council="Demo Borough", pack="southwark",
                                           extract_date=EXTRACT)


def test_every_table_is_written_with_the_model_header(tmp_path: Path) -> None:
    out = write_demo(tmp_path / "demo", 300, 3, EXTRACT)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [m.TABLE + ".csv" for m in d.TABLES] + ["caseload.json"])
    for model in d.TABLES:
        header = (out / f"{model.TABLE}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(model.model_fields)


def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    first = _hashes(write_demo(tmp_path / "a", 300, 11, EXTRACT))
    again = _hashes(write_demo(tmp_path / "b", 300, 11, EXTRACT))
    other = _hashes(write_demo(tmp_path / "c", 300, 12, EXTRACT))
    assert first == again
    assert first["ssd_person.csv"] != other["ssd_person.csv"]
    assert first["ssd_involvements.csv"] != other["ssd_involvements.csv"]


def test_write_refuses_a_folder_that_holds_anything(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("a council's file")
    with pytest.raises(FileExistsError):
        write_demo(tmp_path / "full", 300, 1, EXTRACT)
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["keep.txt"]
    (tmp_path / "empty").mkdir()
    assert write_demo(tmp_path / "empty", 300, 1, EXTRACT) == tmp_path / "empty"


def test_unknown_pack_and_tiny_council_are_refused() -> None:
    with pytest.raises(ValueError, match="shipped packs: .*southwark.*stoke"):
        generate_demo(300, 1, EXTRACT, pack="atlantis")
    with pytest.raises(ValueError, match="at least"):
        generate_demo(10, 1, EXTRACT)


def test_shipped_demo_equals_a_fresh_generation(tmp_path: Path) -> None:
    fresh = write_demo(tmp_path / "demo", SHIPPED_CHILDREN, SHIPPED_SEED, SHIPPED_EXTRACT_DATE,
                       SHIPPED_COUNCIL, SHIPPED_PACK)
    assert _hashes(SHIPPED_DIR) == _hashes(fresh), (
        "scenarios/demo/ has drifted from allocator/demo.py: regenerate it with write_demo")


# ---- realistic -------------------------------------------------------------------------------

def test_status_mix_follows_national_shape(council_1000: Caseload,
                                           states_1000: list[ChildState]) -> None:
    n = len(states_1000)
    assert n == council_1000.count(d.Person)  # every child is open
    share = {f: sum(f in s.flags for s in states_1000) / n
             for f in ("cp", "cla", "care_leaver", "unallocated")}
    in_need = sum("cin" in s.flags and "care_leaver" not in s.flags for s in states_1000) / n
    assert 0.08 <= share["cp"] <= 0.17
    assert 0.15 <= share["cla"] <= 0.30
    assert 0.07 <= share["care_leaver"] <= 0.15
    assert 0.42 <= in_need <= 0.62
    assert 0.005 <= share["unallocated"] <= 0.03


def test_ages_match_status(states_1000: list[ChildState]) -> None:
    for s in states_1000:
        if "care_leaver" in s.flags:
            assert s.age is not None and 18 <= s.age <= 21 and s.service in ("care", "transition")
        elif s.age is not None:
            assert 0 <= s.age <= 17
        if "cla" in s.flags:
            assert s.age is not None and s.age <= 17
        if "pre_birth" in s.flags:
            assert s.expected_dob is not None and s.expected_dob > s.on


def test_sibling_groups_have_realistic_sizes(council_1000: Caseload) -> None:
    sizes = Counter(Counter(f.fami_family_id for f in council_1000.rows(d.FamilyMember)).values())
    families = sum(sizes.values())
    assert 0.45 <= sizes[1] / families <= 0.68
    assert sizes[2] > sizes[3] > sizes[4]
    assert max(sizes) <= 7 and sum(sizes[k] for k in sizes if k >= 5) / families < 0.06
    people = [f.fami_person_id for f in council_1000.rows(d.FamilyMember)]
    assert len(people) == len(set(people)) == council_1000.count(d.Person)


def test_siblings_usually_share_service_and_worker(states_1000: list[ChildState]) -> None:
    families: dict[str, list[ChildState]] = {}
    for s in states_1000:
        families.setdefault(s.family_id, []).append(s)
    groups = [f for f in families.values() if len(f) > 1 and all(s.lead_worker for s in f)]
    one_worker = sum(len({s.lead_worker for s in f}) == 1 for f in groups)
    one_service = sum(len({s.service for s in f}) == 1 for f in groups)
    assert 0.7 <= one_worker / len(groups) < 1
    assert 0.8 <= one_service / len(groups) < 1


def _open_leads(c: Caseload) -> list[d.Involvement]:
    return [i for i in c.rows(d.Involvement)
            if i.invo_involvement_end_date is None and i.invo_professional_role_id == d.LEAD_ROLE]


def test_cases_per_case_holding_fte(council_1000: Caseload) -> None:
    capacity = council_1000.by_key(d.WorkerCapacity)
    fte = sum(p.prof_full_time_equivalency for p in council_1000.rows(d.Professional)
              if capacity[p.prof_professional_id].wcap_case_holding)
    assert 13 <= len(_open_leads(council_1000)) / fte <= 19


def test_workforce_mix(council_1000: Caseload) -> None:
    capacity = council_1000.by_key(d.WorkerCapacity)
    staff = [p for p in council_1000.rows(d.Professional)
             if capacity[p.prof_professional_id].wcap_case_holding]
    agency = sum(p.prof_agency_worker_flag for p in staff) / len(staff)
    part_time = [p for p in staff if p.prof_full_time_equivalency < 1]
    assert 0.05 <= agency <= 0.22
    assert 0.08 <= len(part_time) / len(staff) <= 0.25
    for p in part_time:  # the working pattern matches the hours
        days = capacity[p.prof_professional_id].wcap_working_days
        assert len(days) == round(p.prof_full_time_equivalency * 5)
    for p in staff:  # 190 points per FTE (16 cases at ~90%), an ASYE's protected 80% of that
        cap = capacity[p.prof_professional_id]
        full = 190 * p.prof_full_time_equivalency
        assert cap.wcap_capacity_points == round(full * (0.8 if cap.wcap_asye else 1))
        assert 3 <= cap.wcap_max_new_per_week <= 5
    extract, _ = _horizon(council_1000)
    leaving = [c.wcap_leaving_date for c in capacity.values() if c.wcap_leaving_date]
    starting = [c for c in capacity.values() if c.wcap_start_date and c.wcap_start_date > extract]
    assert leaving and all(extract < day <= extract + timedelta(weeks=8) for day in leaving)
    assert starting


def test_every_service_of_the_pack_has_a_team(council_1000: Caseload) -> None:
    pack = load_pack("southwark")
    teams = Counter(t.tpro_service for t in council_1000.rows(d.TeamProfile))
    for service in pack.services:
        assert (teams[service.id] >= 1) == service.social_care, service.id


def test_asyes_in_most_teams_but_not_mash(council_1000: Caseload) -> None:
    service = {t.tpro_team_id: t.tpro_service for t in council_1000.rows(d.TeamProfile)}
    capacity = council_1000.by_key(d.WorkerCapacity)
    staff = [p for p in council_1000.rows(d.Professional)
             if capacity[p.prof_professional_id].wcap_case_holding]
    size = Counter(p.prof_professional_department for p in staff)
    asyes = Counter(p.prof_professional_department for p in staff
                    if capacity[p.prof_professional_id].wcap_asye)
    assert not any(asyes[t] for t, s in service.items() if s == "mash")
    others = [t for t, s in service.items() if s != "mash"]
    full_size = [t for t in others if size[t] >= 5]  # a small council's specialist teams are tiny
    assert sum(1 for t in others if asyes[t]) / len(others) >= 0.5
    assert sum(1 for t in full_size if asyes[t]) / len(full_size) >= 2 / 3
    assert 0.08 <= sum(asyes.values()) / len(staff) <= 0.18


def test_leave_overlaps_the_coming_weeks_for_about_a_tenth(council_1000: Caseload) -> None:
    extract, horizon = _horizon(council_1000)
    away = {w.wlea_professional_id for w in council_1000.rows(d.WorkerLeave)
            if w.wlea_start_date <= horizon and w.wlea_end_date > extract}
    assert 0.04 <= len(away) / council_1000.count(d.Professional) <= 0.18


def test_unallocated_children_wait_mostly_at_the_front_door(
        states_1000: list[ChildState]) -> None:
    waiting = Counter(s.service for s in states_1000 if "unallocated" in s.flags)
    assert waiting["mash"] > sum(waiting.values()) / 2
    assert waiting["ai"] + waiting["sfs"] >= 1


def test_statutory_children_led_by_asyes_are_a_handful(
        council_1000: Caseload, states_1000: list[ChildState]) -> None:
    capacity = council_1000.by_key(d.WorkerCapacity)
    led = [s for s in states_1000 if s.lead_worker and s.statutory
           and capacity[s.lead_worker].wcap_asye]
    assert 1 <= len(led) <= 10


def test_dates_are_consistent(council_1000: Caseload) -> None:
    c = council_1000
    extract, _ = _horizon(c)
    born = {p.pers_person_id: p.pers_dob or date.min for p in c.rows(d.Person)}  # unborn: any
    began = ([(r.cine_referral_date, r.cine_person_id) for r in c.rows(d.CinEpisode)]
             + [(r.cppl_cp_plan_start_date, r.cppl_person_id) for r in c.rows(d.CpPlan)]
             + [(r.clae_cla_episode_start_date, r.clae_person_id) for r in c.rows(d.ClaEpisode)]
             + [(r.lega_legal_status_start_date, r.lega_person_id)
                for r in c.rows(d.LegalStatus)])
    for start, pid in began:  # born before referrals, plans, care and orders; none in future
        assert born[pid] <= start <= extract
    started = {w.wcap_professional_id: w.wcap_start_date or date.min
               for w in c.rows(d.WorkerCapacity)}
    for i in c.rows(d.Involvement):
        assert started[i.invo_professional_id] <= i.invo_involvement_start_date <= extract
    for k in c.rows(d.KeyDate):
        assert (k.kdat_event_date <= extract) == (k.kdat_status == "held")
        assert k.kdat_original_date is None or k.kdat_original_date < k.kdat_event_date
    held = [review.clar_cla_review_date for review in c.rows(d.ClaReview)]
    assert all(day is not None and day <= extract for day in held)


# ---- every rule of the pack has children it applies to ------------------------------------------

def test_every_rule_wins_for_some_child(council_1000: Caseload,
                                        states_1000: list[ChildState]) -> None:
    pack = load_pack("southwark")
    decisions = Engine(pack, council_1000.manifest.extract_date).decide_all(states_1000)
    won = Counter(x.rule_id for x in decisions)
    assert [r.id for r in pack.rules if not won[r.id]] == []
    moving = [x for x in decisions if x.outcome in MOVING and x.due]
    assert 0.015 <= len(moving) / len(decisions) <= 0.06


def test_planted_events_fall_in_the_coming_four_weeks(council_1000: Caseload) -> None:
    """Spot checks straight from the tables, independent of the rule engine."""
    extract, horizon = _horizon(council_1000)
    ahead = Counter(k.kdat_event_type for k in council_1000.rows(d.KeyDate)
                    if extract < k.kdat_event_date <= horizon)
    for kind in ("icpc", "cin_review", "first_hearing", "cla_review"):
        assert ahead[kind] >= 1, kind
    deferred = [k for k in council_1000.rows(d.KeyDate)
                if k.kdat_event_type == "icpc" and k.kdat_status == "deferred"]
    assert deferred and all(extract < k.kdat_event_date <= horizon for k in deferred)
    turning = [p for p in council_1000.rows(d.Person) if p.pers_dob is not None
               and age_on(p.pers_dob, extract) == 13 and age_on(p.pers_dob, horizon) == 14]
    assert turning


# ---- every shipped pack ------------------------------------------------------------------------

PACKS = available_packs()


@pytest.fixture(scope="module", params=PACKS)
def pack_demo(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Caseload]:
    """A 400-child demo for each shipped pack, read back through the validating reader."""
    pack = request.param
    folder = write_demo(tmp_path_factory.mktemp("demo") / pack, 400, 7, EXTRACT, pack=pack)
    return pack, folder, read_caseload(folder)


@pytest.fixture(scope="module")
def pack_plan(pack_demo: tuple[str, Path, Caseload]) -> PlanRun:
    pack, folder, _ = pack_demo
    return run_plan(folder, pack_name=pack)


def test_packs_are_all_covered() -> None:
    assert set(PACKS) == {"mash-cai-fsp", "newham", "shropshire", "southwark", "stoke"}


def test_every_role_finds_a_social_care_service_of_each_pack() -> None:
    for name in PACKS:
        pack = load_pack(name)
        social = {s.id for s in pack.services if s.social_care}
        placed = role_services(pack)
        assert {role for role, _ in placed} == set(ROLE_CHAINS)
        assert set(placed.values()) <= social, name
        for (role, _), service in placed.items():  # a pack's own service of the role wins
            own = [s.id for s in pack.services if s.social_care and s.role == role]
            assert not own or service == own[0], (name, role)


def test_role_fallbacks() -> None:
    newham = role_services(load_pack("newham"))  # two services: assessment and CiC
    assert newham["front_door", "in_need"] == newham["court", "looked_after"] == "assessment"
    assert newham["leaving_care", "care_leaver"] == newham["uasc", "looked_after"] == "cic"
    assert newham["disability", "in_need"] == "assessment"
    assert newham["disability", "looked_after"] == "cic"
    southwark = role_services(load_pack("southwark"))  # no court or leaving-care service
    assert southwark["court", "looked_after"] == "sfs"
    assert southwark["leaving_care", "care_leaver"] == "care"
    mcf = role_services(load_pack("mash-cai-fsp"))  # two assessment services: the first
    assert mcf["assessment", "in_need"] == "cai"
    assert mcf["transition", "in_need"] == "fsp"  # no disability service: by status
    assert mcf["transition", "care_leaver"] == "lcs"


def test_pack_demo_reads_back_and_staffs_the_packs_services(
        pack_demo: tuple[str, Path, Caseload]) -> None:
    name, _, caseload = pack_demo
    pack = load_pack(name)
    assert caseload.count(d.Person) == 400
    assert caseload.manifest == d.Manifest(council="Demo Borough", pack=name,
                                           extract_date=EXTRACT)
    social = {s.id for s in pack.services if s.social_care}
    teams = Counter(t.tpro_service for t in caseload.rows(d.TeamProfile))
    assert set(teams) <= social
    for service in pack.services:
        if service.role == "front_door" or service.front_door:
            assert teams[service.id] >= 1, service.id
    team_service = {t.tpro_team_id: t.tpro_service for t in caseload.rows(d.TeamProfile)}
    assert all(p.prof_professional_department in team_service
               for p in caseload.rows(d.Professional))


def test_pack_demo_places_proceedings_and_care_leavers_by_role(
        pack_demo: tuple[str, Path, Caseload]) -> None:
    name, _, caseload = pack_demo
    pack = load_pack(name)
    roles = {s.role for s in pack.services if s.social_care}
    states = child_states(caseload, pack, EXTRACT)
    role_of = {s.id: s.role for s in pack.services}
    on_interim_order = [s for s in states if "interim_care_order" in s.flags]
    leavers = [s for s in states if "care_leaver" in s.flags and "disabled" not in s.flags]
    assert on_interim_order and leavers
    if "court" in roles:
        assert {role_of[s.service] for s in on_interim_order} == {"court"}
    if "leaving_care" in roles:
        assert {role_of[s.service] for s in leavers} == {"leaving_care"}


def test_pack_demo_plans_and_passes_the_check(pack_plan: PlanRun) -> None:
    assert pack_plan.result.status in ("OPTIMAL", "FEASIBLE")
    assert pack_plan.check.ok and not pack_plan.check.violations
    assert pack_plan.result.plan.assignments  # the demo gives the plan something to do


@pytest.mark.parametrize("pack", ["stoke", "newham"])
def test_same_seed_and_pack_give_identical_files(tmp_path: Path, pack: str) -> None:
    first = _hashes(write_demo(tmp_path / "a", 200, 4, EXTRACT, pack=pack))
    again = _hashes(write_demo(tmp_path / "b", 200, 4, EXTRACT, pack=pack))
    assert first == again


def test_southwark_is_the_default(tmp_path: Path) -> None:
    """Southwark's output is pinned by test_shipped_demo_equals_a_fresh_generation."""
    default = _hashes(write_demo(tmp_path / "a", 150, 3, EXTRACT))
    named = _hashes(write_demo(tmp_path / "b", 150, 3, EXTRACT, pack="southwark"))
    assert default == named
