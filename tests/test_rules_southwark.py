"""The Southwark pack: every transfer point with its dates, and the edge cases around them.

The plan week starts Monday 23 November 2026 (extract Friday 20 November). Notice is 10
working days (clause 3.2), so the first date a notified transfer can use is 7 December.
"""

from datetime import date

import pytest

from allocator.io.reader import read_caseload
from allocator.rules.pack import load_pack
from factory import WEEK, TinyCouncil, decide_children, pack_council

PACK = load_pack("southwark")


def council() -> TinyCouncil:
    return pack_council("southwark", [("TM", "mash"), ("TA", "ai"), ("TS", "sfs"), ("TC", "care"),
                          ("TP", "permanence"), ("TD", "cwd"), ("TT", "transition"),
                          ("TY", "yos")])


def decisions(c: TinyCouncil, tmp_path, week: date = WEEK) -> dict:
    return decide_children(c, PACK, tmp_path, week)


@pytest.mark.covers("swk-4.2.2-icpc", "southwark:notice")
def test_icpc_moves_child_to_sfs_on_the_conference_day(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TA", "WTA").event("C1", "icpc", date(2026, 12, 8))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.earliest, d.latest) == ("transfer", "sfs", date(2026, 12, 8),
                                                              date(2026, 12, 8))
    assert d.reasons[0].clause == "4.2.2(1)"
    assert d.due and "short_notice" not in d.flags


@pytest.mark.covers("swk-4.2.2-icpc")
def test_deferred_conference_becomes_the_transfer_point(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TA", "WTA").event(
        "C1", "icpc", date(2026, 12, 10), status="deferred", original=date(2026, 12, 1))
    d = decisions(c, tmp_path)["C1"]
    assert d.earliest == date(2026, 12, 10)
    assert any("deferred from 2026-12-01" in r.text for r in d.reasons)


@pytest.mark.covers("swk-4.2.2-icpc", "southwark:notice")
def test_conference_sooner_than_notice_is_flagged_short_notice(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TA", "WTA").event("C1", "icpc", date(2026, 11, 26))
    d = decisions(c, tmp_path)["C1"]
    assert d.date_from == date(2026, 11, 26) and "short_notice" in d.flags


def test_first_hearing_outranks_conference(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TA", "WTA").event("C1", "icpc", date(2026, 12, 8)) \
        .event("C1", "first_hearing", date(2026, 12, 9))
    d = decisions(c, tmp_path)["C1"]
    assert d.rule_id == "swk-4.5.2-first-hearing" and d.anchor == date(2026, 12, 9)
    assert [r.rule_id for r in d.overruled] == ["swk-4.2.2-icpc"]


def test_cin_review_after_assessment(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TA", "WTA").event("C1", "cin_review", date(2026, 12, 9))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.earliest) == ("swk-4.1.4-cin-review", date(2026, 12, 9))


def test_s20_child_moves_at_first_looked_after_review(tmp_path):
    c = council()
    c.child("C1", date(2012, 6, 1), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 2))
    c.event("C1", "cla_review", date(2026, 12, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest) == ("swk-4.4.2-s20-first-review", "sfs",
                                                     date(2026, 12, 1))


@pytest.mark.covers("swk-4.4.2-return-imminent")
def test_return_home_imminent_allows_up_to_a_month_after_first_review(tmp_path):
    c = council()
    c.child("C1", date(2012, 6, 1), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 2))
    c.event("C1", "cla_review", date(2026, 12, 1)).flag("C1", "return_home_imminent")
    d = decisions(c, tmp_path)["C1"]
    # One month after Tue 1 Dec 2026 is Fri 1 Jan 2027, a bank holiday: Thu 31 Dec.
    assert (d.earliest, d.latest) == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.covers("swk-4.5.3-care-order", "southwark:notice")
def test_care_order_at_final_hearing_moves_to_care(tmp_path):
    c = council()
    c.child("C1", date(2016, 1, 1), "TS", "WTS").looked_after("C1", "C2", date(2026, 6, 1))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 18), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service) == ("swk-4.5.3-care-order", "care")
    # Default window: 10 working days from 18 Nov, to 2 Dec; notice runs to 7 Dec.
    assert d.latest == date(2026, 12, 2) and "short_notice" in d.flags


@pytest.mark.covers("swk-4.5.4-placement-order-no-family", "swk-4.5.4-placement-order-family")
@pytest.mark.parametrize("family_identified,outcome,to", [
    (False, "transfer", "permanence"), (True, "stay", None)])
def test_placement_order_with_and_without_a_family(tmp_path, family_identified, outcome, to):
    c = council()
    c.child("C1", date(2024, 1, 1), "TS", "WTS").looked_after("C1", "E1", date(2026, 3, 1))
    c.event("C1", "final_hearing", date(2026, 11, 25))
    if family_identified:
        c.flag("C1", "family_identified")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service) == (outcome, to)
    assert d.reasons[0].clause == "4.5.4"


@pytest.mark.covers("swk-4.5.4-relinquished", "southwark:notice")
def test_relinquished_baby_goes_straight_to_permanence(tmp_path):
    c = council()
    c.child("C1", date(2026, 11, 1), "TA", "WTA").flag("C1", "relinquished")
    d = decisions(c, tmp_path)["C1"]
    assert (d.to_service, d.date_from) == ("permanence", date(2026, 12, 7))


@pytest.mark.covers("swk-4.5.4-relinquishment-uncertain")
def test_uncertain_relinquishment_starts_co_working(tmp_path):
    c = council()
    c.child("C1", date(2026, 11, 1), "TA", "WTA").flag("C1", "relinquishment_uncertain")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.coworking_service, d.date_from) == ("start_coworking", "permanence",
                                                             date(2026, 11, 23))


@pytest.mark.covers("swk-4.5.4-adoption-plan-changed", "swk-4.5.8-sgo")
@pytest.mark.parametrize("flag,service,clause", [
    ("adoption_plan_changed", "TS", "4.5.4"), ("sgo_application", "TC", "4.5.8(1)")])
def test_negotiated_cases_need_a_manager(tmp_path, flag, service, clause):
    c = council()
    c.child("C1", date(2016, 1, 1), service, f"W{service}").flag("C1", flag)
    d = decisions(c, tmp_path)["C1"]
    assert d.outcome == "manager_decision" and d.reasons[0].clause == clause
    assert "manager_decision" in d.flags and not d.needs_allocation


@pytest.mark.covers("swk-4.4.3-remain-looked-after")
def test_s20_child_remaining_looked_after_in_sfs_is_negotiated(tmp_path):
    c = council()
    c.child("C1", date(2014, 1, 1), "TS", "WTS").looked_after("C1", "V2", date(2026, 5, 1))
    assert decisions(c, tmp_path)["C1"].reasons[0].clause == "4.4.3"


@pytest.mark.covers("swk-4.5.5-returned-home")
def test_returned_home_is_held_six_weeks_then_stepped_down(tmp_path):
    c = council()
    c.child("C1", date(2013, 1, 1), "TC", "WTC").flag("C1", "returned_home")
    c.event("C1", "return_home", date(2026, 10, 30), status="held")
    d = decisions(c, tmp_path)["C1"]
    # Six weeks after Fri 30 Oct is Fri 11 Dec.
    assert (d.outcome, d.to_service, d.earliest) == ("step_down", "early_help", date(2026, 12, 11))
    assert not d.needs_allocation  # early help is outside social care: no worker to choose


@pytest.mark.covers("swk-4.5.6-relevant-child")
def test_relevant_child_stays_in_care(tmp_path):
    c = council()
    c.child("C1", date(2009, 5, 1), "TC", "WTC").flag("C1", "relevant_child")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.reasons[0].clause) == ("stay", "4.5.6")


@pytest.mark.covers("swk-4.5.7-placed-with-parents", "swk-4.5.3-care-order")
def test_placed_with_parents_outranks_the_care_order_transfer(tmp_path):
    c = council()
    c.child("C1", date(2016, 1, 1), "TS", "WTS").looked_after("C1", "C2", date(2026, 6, 1))
    c.event("C1", "final_hearing", date(2026, 11, 18), status="held")
    c.flag("C1", "placed_with_parents")
    d = decisions(c, tmp_path)["C1"]
    assert d.outcome == "stay" and d.reasons[0].clause == "4.5.7"
    assert "swk-4.5.3-care-order" in [r.rule_id for r in d.overruled]


def test_remand_moves_from_youth_offending_to_care_at_first_review(tmp_path):
    c = council()
    c.child("C1", date(2010, 1, 1), "TY", "WTY").looked_after("C1", "J1", date(2026, 11, 10))
    c.event("C1", "cla_review", date(2026, 12, 8))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest) == ("swk-4.5.10-remand", "care", date(2026, 12, 8))


@pytest.mark.covers("swk-5.2-transition-14")
def test_disabled_child_turning_14_in_the_plan_week_moves_to_transition(tmp_path):
    c = council()
    c.child("C1", date(2012, 11, 25), "TD", "WTD").add(
        "ssd_disability", disa_table_id="D1", disa_person_id="C1", disa_disability_code="LD")
    d = decisions(c, tmp_path)["C1"]
    assert (d.to_service, d.anchor) == ("transition", date(2026, 11, 25))
    assert d.latest == date(2026, 12, 9)  # 10 working days: the pack's default window


@pytest.mark.covers("swk-5.2-transition-14")
def test_disabled_child_already_15_is_late(tmp_path):
    c = council()
    c.child("C1", date(2011, 6, 1), "TD", "WTD").add(
        "ssd_disability", disa_table_id="D1", disa_person_id="C1", disa_disability_code="LD")
    d = decisions(c, tmp_path)["C1"]
    assert "late" in d.flags and d.date_from == date(2026, 12, 7)


@pytest.mark.covers("swk-5.2-transition-14")
def test_child_turning_14_on_29_february_birthday(tmp_path):
    # Born 29 Feb 2012: turns 14 on 1 March 2026 (a Sunday), so the point is past.
    c = council()
    c.child("C1", date(2012, 2, 29), "TD", "WTD").add(
        "ssd_disability", disa_table_id="D1", disa_person_id="C1", disa_disability_code="LD")
    assert decisions(c, tmp_path)["C1"].anchor == date(2026, 3, 1)


@pytest.mark.covers("swk-5.1-mash-to-cwd", "swk-4.3.1-mash-to-ai")
def test_mash_referral_goes_to_ai_and_disabled_child_takes_siblings_to_cwd(tmp_path):
    c = council()
    c.child("C1", date(2018, 1, 1), "TM", None, family="F").add(
        "ssd_disability", disa_table_id="D1", disa_person_id="C1", disa_disability_code="AUT")
    c.child("C2", date(2016, 1, 1), "TM", None, family="F")
    c.child("C3", date(2016, 1, 1), "TM", None, family="G")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].to_service, ds["C2"].to_service, ds["C3"].to_service) == ("cwd", "cwd", "ai")
    assert "siblings_follow" in ds["C2"].flags and ds["C2"].reasons[0].clause == "5.1"
    assert ds["C2"].overruled[0].rule_id == "swk-4.3.1-mash-to-ai"


@pytest.mark.covers("swk-4.2.3-cp-transfer-in", "swk-4.1.8-cin-transfer-in")
def test_transfer_in_on_cp_plan_goes_straight_to_sfs(tmp_path):
    c = council()
    c.child("C1", date(2018, 1, 1), "TM", None).cp_plan("C1").flag("C1", "transfer_in")
    c.child("C2", date(2018, 1, 1), "TM", None).flag("C2", "transfer_in")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].to_service, ds["C1"].reasons[0].clause) == ("sfs", "4.2.3")
    assert ds["C2"].outcome == "manager_decision" and ds["C2"].reasons[0].clause == "4.1.8"


@pytest.mark.covers("swk-1.5-allocate")
def test_unallocated_child_is_allocated_now_and_others_stay(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TS", None)
    c.child("C2", date(2015, 1, 1), "TS", "WTS")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].date_from, ds["C1"].reasons[0].clause) == (
        "allocate", date(2026, 11, 23), "1.5")
    assert (ds["C2"].outcome, ds["C2"].reasons[0].clause) == ("stay", "1.1")


def test_asye_leading_a_cp_child_gets_an_experienced_lead(tmp_path):
    c = council()
    c.worker("WQ", "TS", asye=True)
    c.child("C1", date(2015, 1, 1), "TS", "WQ").cp_plan("C1")
    d = decisions(c, tmp_path)["C1"]
    assert d.outcome == "allocate" and d.rule_id == "asye-protection"


def test_bank_holiday_inside_a_window_is_skipped(tmp_path):
    c = council()
    c.child("C1", date(2016, 1, 1), "TS", "WTS").looked_after("C1", "C2", date(2026, 6, 1))
    c.event("C1", "final_hearing", date(2026, 12, 17), status="scheduled")
    d = decisions(c, tmp_path)["C1"]
    # 10 working days from Thu 17 Dec: 18, 21-24, (25, 28 bank holidays) 29-31,
    # (1 Jan bank holiday) 4, 5: Tue 5 Jan 2027.
    assert d.latest == date(2027, 1, 5)


def test_every_open_child_gets_exactly_one_decision(tmp_path):
    c = council()
    for i in range(5):
        c.child(f"C{i}", date(2015, 1, 1), "TA", "WTA")
    ds = decisions(c, tmp_path)
    assert sorted(ds) == [f"C{i}" for i in range(5)]


def test_re_referral_state_names_the_last_team_and_the_gap(tmp_path):
    from allocator.state import child_states

    c = council()
    c.child("C1", date(2015, 1, 1), "TA", "WTA", referral_date=date(2026, 10, 5))
    c.add("ssd_cin_episodes", cine_referral_id="OLD", cine_person_id="C1",
          cine_referral_date="2026-01-05", cine_close_date="2026-09-07", cine_referral_team="TM")
    c.add("ssd_involvements", invo_involvements_id="IOLD", invo_professional_id="WTS",
          invo_professional_role_id="Allocated Case Worker", invo_professional_team="TS",
          invo_involvement_start_date="2026-02-01", invo_involvement_end_date="2026-09-07",
          invo_person_id="C1")
    caseload = read_caseload(c.write(tmp_path / "in"))
    [state] = child_states(caseload, PACK, WEEK)
    assert (state.previous_service, state.weeks_since_closure) == ("sfs", 4)


def test_coverage_table_is_current_and_every_rule_is_tested():
    from pathlib import Path

    from allocator.rules.coverage import coverage_markdown

    tests = Path(__file__).parent
    text = coverage_markdown(tests)
    assert "**untested**" not in text
    assert (tests.parent / "docs" / "coverage.md").read_text(encoding="utf-8") == text, \
        "docs/coverage.md is stale: run `caseload coverage`"
