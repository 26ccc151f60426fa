"""The Newham pack: key transfer points into Children in Care, and the early-permanence route
for unborn and very young children, with exact dates.

The plan week starts Monday 23 November 2026 (extract Friday 20 November). The guidance sets
no notice period and no windows, so an immediate transfer may use the plan date itself and
a point without a window gets the default 10 working days.
"""

from datetime import date

import pytest

from allocator.io.reader import read_caseload
from allocator.pipeline import decide
from allocator.rules.pack import load_pack
from allocator.state import child_states
from factory import WEEK, TinyCouncil, decide_children, pack_council

PACK = load_pack("newham")


def council() -> TinyCouncil:
    return pack_council("newham", [("TA", "assessment"), ("TC", "cic")])


def decisions(c: TinyCouncil, tmp_path, week: date = WEEK) -> dict:
    return decide_children(c, PACK, tmp_path, week)


def uasc(c: TinyCouncil, child_id: str) -> TinyCouncil:
    return c.add("ssd_immigration_status", immi_immigration_status_id=f"U{child_id}",
                 immi_person_id=child_id, immi_immigration_status="UASC")


def test_pack_has_one_front_door_and_no_timescales():
    assert [s.id for s in PACK.services if s.front_door] == ["assessment"]
    assert {s.id: s.role for s in PACK.services} == {"assessment": "assessment",
                                                      "cic": "children_in_care"}
    ts = PACK.timescales
    assert (ts.notice_working_days, ts.notice_clause, ts.introduction_clause,
            ts.escalation_clause, ts.re_referral_clause) == (0, None, None, None, None)


# ---- Key transfer points --------------------------------------------------------------------

@pytest.mark.covers("nhm-key-relinquished")
def test_relinquished_infant_moves_to_cic_now(tmp_path):
    c = council()
    c.child("C1", date(2026, 11, 1), "TA", "WTA").flag("C1", "relinquished")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.reasons[0].clause) == ("transfer", "cic",
                                                              "Key transfer points (2)")
    # Immediate, no notice: from the plan date, default window of 10 working days.
    assert (d.date_from, d.date_to, d.notice_working_days) == (date(2026, 11, 23),
                                                               date(2026, 12, 7), 0)
    assert d.due and d.needs_allocation and not d.flags


@pytest.mark.covers("nhm-key-relinquished", "nhm-flow-pre-birth-lpm")
def test_unborn_baby_is_not_yet_a_relinquished_infant(tmp_path):
    c = council()
    c.child("C1", None, "TA", "WTA").flag("C1", "relinquished")
    c.child("C2", None, "TA", "WTA").flag("C2", "relinquished")
    c.event("C2", "legal_planning_meeting", date(2026, 11, 12), status="held")
    c.flag("C2", "pre_proceedings")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id) == ("stay", "default-stay")
    # With a legal planning meeting the pre-birth route applies: the Chair decides.
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("manager_decision", "nhm-flow-pre-birth-lpm")
    assert "nhm-key-relinquished" not in [r.rule_id for r in ds["C2"].overruled]


@pytest.mark.covers("nhm-key-uasc", "nhm-key-s20-second-review")
def test_newly_arrived_uasc_moves_to_cic_now_over_the_s20_route(tmp_path):
    c = council()
    # Arrived Thu 19 Nov and accommodated under s20 that day: no review yet, so the s20 key
    # point does not apply at all.
    c.child("C1", date(2010, 4, 4), "TA", None, referral_date=date(2026, 11, 19))
    uasc(c, "C1").looked_after("C1", "V2", date(2026, 11, 19))
    # Still in Assessment after two reviews that confirmed remaining looked after: both key
    # points apply and the UASC route (85) outranks the s20 route (40).
    c.child("C2", date(2010, 4, 4), "TA", "WTA", referral_date=date(2026, 7, 1))
    uasc(c, "C2").looked_after("C2", "V2", date(2026, 7, 1))
    c.event("C2", "cla_review", date(2026, 7, 29), status="held")
    c.event("C2", "cla_review", date(2026, 11, 18), status="held")
    c.flag("C2", "remain_looked_after")
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.to_service, d.date_from, d.date_to) == (
        "nhm-key-uasc", "cic", date(2026, 11, 23), date(2026, 12, 7))
    assert [r.rule_id for r in d.overruled] == []
    assert (ds["C2"].rule_id, ds["C2"].date_from) == ("nhm-key-uasc", date(2026, 11, 23))
    assert [r.rule_id for r in ds["C2"].overruled] == ["nhm-key-s20-second-review"]


@pytest.mark.covers("nhm-key-uasc")
def test_uasc_already_in_cic_stays(tmp_path):
    c = council()
    c.child("C1", date(2010, 4, 4), "TC", "WTC")
    uasc(c, "C1").looked_after("C1", "V2", date(2026, 6, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("stay", "default-stay")
    assert d.reasons[0].clause == "Key transfer points"


@pytest.mark.covers("nhm-key-care-order")
def test_care_order_at_end_of_proceedings_moves_to_cic_within_default_window(tmp_path):
    c = council()
    c.child("C1", date(2019, 2, 2), "TA", "WTA").looked_after("C1", "C2", date(2026, 6, 1))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 18), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.anchor) == ("transfer", "cic", date(2026, 11, 18))
    # No window in the text: default 10 working days from Wed 18 Nov is Wed 2 Dec.
    assert (d.earliest, d.latest) == (date(2026, 11, 18), date(2026, 12, 2))
    assert (d.date_from, d.date_to) == (date(2026, 11, 23), date(2026, 12, 2))
    assert "late" not in d.flags and "short_notice" not in d.flags


@pytest.mark.covers("nhm-key-care-order")
def test_care_order_window_skips_christmas_bank_holidays(tmp_path):
    c = council()
    c.child("C1", date(2019, 2, 2), "TA", "WTA").looked_after("C1", "C2", date(2026, 6, 1))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "final_hearing", date(2026, 12, 18), status="held")
    d = decisions(c, tmp_path, week=date(2026, 12, 21))["C1"]
    # 10 working days from Fri 18 Dec: 21-24, (25, 28 bank holidays) 29-31,
    # (1 Jan bank holiday) 4-6: Wed 6 Jan 2027.
    assert (d.earliest, d.latest) == (date(2026, 12, 18), date(2027, 1, 6))
    assert d.date_from == date(2026, 12, 21)


@pytest.mark.covers("nhm-key-care-order")
def test_care_order_with_final_hearing_still_to_come_does_not_move(tmp_path):
    # Interim care order, final hearing scheduled: no care order yet, so no transfer point.
    c = council()
    c.child("C1", date(2019, 2, 2), "TA", "WTA").looked_after("C1", "C1", date(2026, 6, 1))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "final_hearing", date(2026, 12, 9))
    d = decisions(c, tmp_path)["C1"]
    assert d.rule_id == "default-stay"


def s20_child(c: TinyCouncil, child_id: str, start: date = date(2026, 7, 1),
              dob: date = date(2015, 5, 5)) -> TinyCouncil:
    """A child in Assessment looked after under s20 since ``start``."""
    c.child(child_id, dob, "TA", "WTA", referral_date=start)
    return c.looked_after(child_id, "V2", start)


@pytest.mark.covers("nhm-key-s20-second-review")
def test_s20_child_moves_to_cic_at_the_second_review_that_confirmed_remaining_looked_after(
        tmp_path):
    c = council()
    s20_child(c, "C1").flag("C1", "remain_looked_after")
    c.event("C1", "cla_review", date(2026, 7, 29), status="held")
    c.event("C1", "cla_review", date(2026, 11, 18), status="held")
    c.event("C1", "cla_review", date(2027, 5, 18))  # the third review is not the point
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id, d.to_service) == ("transfer", "nhm-key-s20-second-review",
                                                    "cic")
    assert d.reasons[0].clause == "Key transfer points (3)"
    # The second review, Wed 18 Nov; no window in the guidance: 10 working days to Wed 2 Dec.
    assert (d.anchor, d.earliest, d.latest) == (date(2026, 11, 18), date(2026, 11, 18),
                                                date(2026, 12, 2))
    assert (d.date_from, d.date_to) == (date(2026, 11, 23), date(2026, 12, 2))
    assert d.point == "at the looked-after review on 2026-11-18"
    assert d.due and d.needs_allocation and not d.flags
    assert [r.rule_id for r in d.overruled] == []


@pytest.mark.covers("nhm-key-s20-second-review")
def test_s20_second_review_is_counted_from_the_start_of_the_looked_after_period(tmp_path):
    # A review dated before the current looked-after period (an earlier episode) does not
    # count: the second review of this period is Wed 9 Dec, not Wed 18 Nov.
    c = council()
    s20_child(c, "C1", start=date(2026, 9, 1)).flag("C1", "remain_looked_after")
    c.event("C1", "cla_review", date(2026, 6, 3), status="held")
    c.event("C1", "cla_review", date(2026, 9, 29), status="held")
    c.event("C1", "cla_review", date(2026, 12, 9))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.anchor, d.latest) == ("nhm-key-s20-second-review", date(2026, 12, 9),
                                               date(2026, 12, 23))
    assert d.date_from == date(2026, 12, 9) and d.due


@pytest.mark.covers("nhm-key-s20-second-review", "nhm-key-s20-second-review-pending")
def test_s20_second_review_without_a_recorded_outcome_shows_the_date_to_managers(tmp_path):
    c = council()
    s20_child(c, "C1")  # second review to come on Wed 9 Dec, outcome not yet known
    c.event("C1", "cla_review", date(2026, 7, 29), status="held")
    c.event("C1", "cla_review", date(2026, 12, 9))
    s20_child(c, "C2")  # second review held last month, no decision to remain recorded
    c.event("C2", "cla_review", date(2026, 7, 29), status="held")
    c.event("C2", "cla_review", date(2026, 10, 28), status="held")
    s20_child(c, "C3").flag("C3", "remain_looked_after")  # only the first review so far
    c.event("C3", "cla_review", date(2026, 7, 29), status="held")
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.rule_id, d.to_service) == (
        "manager_decision", "nhm-key-s20-second-review-pending", None)
    assert d.reasons[0].clause == "Key transfer points (3)"
    # Candidate dates only: the review on Wed 9 Dec and 10 working days after; nobody is
    # allocated until a manager confirms the outcome.
    assert (d.anchor, d.earliest, d.latest, d.date_from) == (
        date(2026, 12, 9), date(2026, 12, 9), date(2026, 12, 23), date(2026, 12, 9))
    assert d.flags == ("manager_decision",) and not d.needs_allocation
    d = ds["C2"]
    assert (d.rule_id, d.anchor, d.latest) == ("nhm-key-s20-second-review-pending",
                                               date(2026, 10, 28), date(2026, 11, 11))
    assert d.flags == ("manager_decision", "late")
    assert (ds["C3"].outcome, ds["C3"].rule_id) == ("stay", "default-stay")


@pytest.mark.covers("nhm-key-s20-second-review", "nhm-key-s20-second-review-pending",
                    "nhm-flow-very-young-lpm")
def test_s20_route_needs_no_decision_to_issue_proceedings(tmp_path):
    # Second review confirmed remaining looked after, but legal planning has decided to
    # issue proceedings: not the s20 route; aged 1, the Chair decides under flow chart (4).
    c = council()
    s20_child(c, "C1", dob=date(2025, 6, 6)).flag("C1", "remain_looked_after")
    c.event("C1", "cla_review", date(2026, 7, 29), status="held")
    c.event("C1", "cla_review", date(2026, 11, 18), status="held")
    c.event("C1", "legal_planning_meeting", date(2026, 11, 19), status="held")
    c.flag("C1", "proceedings_to_issue")
    # Pre-proceedings only is not "issue of proceedings": the s20 key point stands.
    s20_child(c, "C2", dob=date(2025, 6, 6)).flag("C2", "remain_looked_after")
    c.event("C2", "cla_review", date(2026, 7, 29), status="held")
    c.event("C2", "cla_review", date(2026, 11, 18), status="held")
    c.event("C2", "legal_planning_meeting", date(2026, 11, 19), status="held")
    c.flag("C2", "pre_proceedings")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id) == ("manager_decision", "nhm-flow-very-young-lpm")
    assert [r.rule_id for r in ds["C1"].overruled] == []
    assert (ds["C2"].rule_id, ds["C2"].to_service, ds["C2"].latest) == (
        "nhm-key-s20-second-review", "cic", date(2026, 12, 2))


@pytest.mark.covers("nhm-key-s20-second-review", "nhm-key-s20-second-review-pending",
                    "nhm-flow-case-manager-alert")
def test_s20_route_needs_no_legal_proceedings(tmp_path):
    # Looked after under s20 but in care proceedings (first hearing held, no final hearing):
    # not the s20 route; aged 1, the care proceedings case manager alerts the Chair.
    c = council()
    c.child("C1", date(2025, 3, 3), "TA", "WTA").looked_after("C1", "V2", date(2026, 9, 1))
    c.event("C1", "cla_review", date(2026, 9, 29), status="held")
    c.event("C1", "cla_review", date(2026, 11, 18), status="held")
    c.flag("C1", "remain_looked_after")
    c.event("C1", "first_hearing", date(2026, 11, 10), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("manager_decision", "nhm-flow-case-manager-alert")
    assert d.reasons[0].clause == "Flow chart (case manager alert)"
    assert [r.rule_id for r in d.overruled] == []


# ---- Early permanence: pre-birth and very young children ------------------------------------

@pytest.mark.covers("nhm-flow-pre-birth-lpm")
def test_unborn_baby_after_legal_planning_meeting_goes_to_the_chair(tmp_path):
    c = council()
    c.child("C1", None, "TA", "WTA").event("C1", "legal_planning_meeting", date(2026, 11, 18),
                                           status="held")
    c.flag("C1", "pre_proceedings")
    caseload = read_caseload(c.write(tmp_path / "in"))
    [state] = child_states(caseload, PACK, WEEK)
    assert state.expected_dob == date(2027, 1, 10) and "pre_birth" in state.flags
    _, [d], _ = decide(caseload, PACK, WEEK)
    assert (d.outcome, d.rule_id) == ("manager_decision", "nhm-flow-pre-birth-lpm")
    assert d.reasons[0].clause == "Expedited transfer; flow chart (4)"
    assert d.to_service is None and not d.needs_allocation


@pytest.mark.covers("nhm-flow-pre-birth-lpm")
@pytest.mark.parametrize("status,flag,outcome", [
    ("held", "proceedings_to_issue", "manager_decision"),  # to issue at birth
    ("scheduled", "pre_proceedings", "stay"),  # the meeting is still to come (Thu 26 Nov)
    ("held", None, "stay"),  # held, but no outcome recorded
])
def test_unborn_baby_needs_a_held_legal_planning_meeting_with_a_legal_outcome(
        tmp_path, status, flag, outcome):
    c = council()
    on = date(2026, 11, 26) if status == "scheduled" else date(2026, 11, 18)
    c.child("C1", None, "TA", "WTA").event("C1", "legal_planning_meeting", on, status=status)
    if flag:
        c.flag("C1", flag)
    d = decisions(c, tmp_path)["C1"]
    assert d.outcome == outcome
    assert d.rule_id == ("nhm-flow-pre-birth-lpm" if outcome != "stay" else "default-stay")


@pytest.mark.covers("nhm-flow-pre-birth-lpm")
def test_unborn_baby_without_legal_planning_meeting_stays_in_assessment(tmp_path):
    c = council()
    c.child("C1", None, "TA", "WTA")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("stay", "default-stay")


@pytest.mark.covers("nhm-flow-very-young-lpm")
@pytest.mark.parametrize("dob,flag,status,outcome", [
    (date(2025, 6, 1), "proceedings_to_issue", "held", "manager_decision"),  # aged 1
    # turns 3 on Wed 25 Nov: still 2 on the plan date
    (date(2023, 11, 25), "proceedings_to_issue", "held", "manager_decision"),
    # turned 3 on Fri 20 Nov: no longer "2 or under"
    (date(2023, 11, 20), "proceedings_to_issue", "held", "stay"),
    (date(2025, 6, 1), "pre_proceedings", "held", "stay"),  # not "issue of proceedings"
    (date(2025, 6, 1), "proceedings_to_issue", "scheduled", "stay"),  # meeting not yet held
])
def test_very_young_child_after_legal_planning_meeting(tmp_path, dob, flag, status, outcome):
    c = council()
    c.child("C1", dob, "TA", "WTA").event("C1", "legal_planning_meeting", date(2026, 11, 12),
                                          status=status)
    c.flag("C1", flag)
    d = decisions(c, tmp_path)["C1"]
    assert d.outcome == outcome
    if outcome == "manager_decision":
        assert d.rule_id == "nhm-flow-very-young-lpm"
        assert d.reasons[0].clause == "Expedited transfer; flow chart (4)"


@pytest.mark.covers("nhm-flow-case-manager-alert")
def test_very_young_child_in_proceedings_alerts_the_chair(tmp_path):
    c = council()
    c.child("C1", date(2026, 2, 14), "TA", "WTA").looked_after("C1", "C1", date(2026, 10, 1))
    d = decisions(c, tmp_path)["C1"]  # interim care order: in proceedings
    assert (d.outcome, d.rule_id) == ("manager_decision", "nhm-flow-case-manager-alert")


@pytest.mark.covers("nhm-flow-very-young-lpm", "nhm-flow-case-manager-alert")
def test_legal_planning_meeting_route_outranks_the_case_manager_alert(tmp_path):
    c = council()
    c.child("C1", date(2026, 2, 14), "TA", "WTA").looked_after("C1", "C1", date(2026, 10, 1))
    c.event("C1", "legal_planning_meeting", date(2026, 9, 20), status="held")
    c.flag("C1", "proceedings_to_issue")
    d = decisions(c, tmp_path)["C1"]
    assert d.rule_id == "nhm-flow-very-young-lpm"
    assert [r.rule_id for r in d.overruled] == ["nhm-flow-case-manager-alert"]


@pytest.mark.covers("nhm-key-care-order", "nhm-flow-very-young-lpm")
def test_care_order_made_outranks_considering_early_transfer(tmp_path):
    c = council()
    c.child("C1", date(2025, 1, 9), "TA", "WTA", referral_date=date(2026, 4, 1))
    c.looked_after("C1", "C2", date(2026, 5, 1))
    c.event("C1", "legal_planning_meeting", date(2026, 4, 20), status="held")
    c.flag("C1", "proceedings_to_issue")
    c.event("C1", "first_hearing", date(2026, 5, 1), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 20), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.latest) == ("nhm-key-care-order", "cic", date(2026, 12, 4))
    assert [r.rule_id for r in d.overruled] == ["nhm-flow-very-young-lpm"]


@pytest.mark.covers("nhm-key-relinquished", "nhm-flow-very-young-lpm")
def test_relinquished_baby_outranks_the_legal_planning_route(tmp_path):
    c = council()
    c.child("C1", date(2026, 10, 30), "TA", "WTA").flag("C1", "relinquished")
    c.event("C1", "legal_planning_meeting", date(2026, 11, 16), status="held")
    c.flag("C1", "proceedings_to_issue")
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.date_from) == ("nhm-key-relinquished", date(2026, 11, 23))
    assert [r.rule_id for r in d.overruled] == ["nhm-flow-very-young-lpm"]


@pytest.mark.covers("nhm-flow-cic-holds")
def test_cic_keeps_unborn_baby_and_child_in_proceedings(tmp_path):
    c = council()
    c.child("C1", None, "TC", "WTC").event("C1", "legal_planning_meeting", date(2026, 10, 1))
    c.child("C2", date(2025, 8, 8), "TC", "WTC").looked_after("C2", "C1", date(2026, 10, 1))
    c.child("C3", date(2018, 8, 8), "TC", "WTC").looked_after("C3", "C2", date(2024, 10, 1))
    ds = decisions(c, tmp_path)
    for cid in ("C1", "C2"):
        assert (ds[cid].outcome, ds[cid].rule_id) == ("stay", "nhm-flow-cic-holds")
        assert ds[cid].reasons[0].clause == "Flow chart (5)"
    assert ds["C3"].rule_id == "default-stay"  # not in proceedings: no rule needed


@pytest.mark.covers("nhm-flow-pre-birth-lpm", "nhm-key-care-order")
def test_siblings_with_different_statuses_are_decided_separately(tmp_path):
    # The guidance has no siblings-follow rule: an unborn baby goes to the Chair, an older
    # sibling with a care order moves to CiC, a sibling in need stays in Assessment.
    c = council()
    c.child("C1", None, "TA", "WTA", family="F")
    c.event("C1", "legal_planning_meeting", date(2026, 11, 18), status="held")
    c.flag("C1", "pre_proceedings")
    c.child("C2", date(2020, 7, 7), "TA", "WTA", family="F")
    c.looked_after("C2", "C2", date(2026, 3, 1))
    c.event("C2", "first_hearing", date(2026, 3, 2), status="held")
    c.event("C2", "final_hearing", date(2026, 11, 19), status="held")
    c.child("C3", date(2022, 7, 7), "TA", "WTA", family="F")
    ds = decisions(c, tmp_path)
    assert ds["C1"].rule_id == "nhm-flow-pre-birth-lpm"
    assert (ds["C2"].rule_id, ds["C2"].latest) == ("nhm-key-care-order", date(2026, 12, 3))
    assert ds["C3"].rule_id == "default-stay"
    assert not any("siblings_follow" in d.flags for d in ds.values())
