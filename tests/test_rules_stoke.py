"""The Stoke-on-Trent pack: every transfer point, route and timescale with exact dates, and
the edge cases around them.

The plan week starts Monday 23 November 2026 (extract Friday 20 November); the plan horizon
runs 20 working days to Friday 18 December. The policy asks for notice of a transfer meeting
but sets no minimum, so an immediate transfer may use the plan date itself; a point with no
window of its own gets the default 10 working days (Monday 23 November to Monday 7 December).
England's bank holidays 25 and 28 December 2026 and 1 January 2027 are not working days.
"""

from datetime import date

import pytest

from allocator.io.reader import read_caseload
from allocator.rules.pack import load_pack
from allocator.state import child_states
from factory import WEEK, TinyCouncil, decide_children, pack_council

PACK = load_pack("stoke")

TEAMS = [("TCH", "chad"), ("TAD", "assessment_duty"), ("TCS", "css"), ("TCT", "court"),
         ("TCC", "cic"), ("TNS", "next_steps"), ("TCW", "cwd"), ("TF", "fast"), ("TCE", "ce"),
         ("TAS", "adoption"), ("TSF", "supporting_families")]

PLAN = date(2026, 11, 23)
DEFAULT_END = date(2026, 12, 7)  # 10 working days after Monday 23 November


def council() -> TinyCouncil:
    return pack_council("stoke", TEAMS)


def decisions(c: TinyCouncil, tmp_path, week: date = WEEK) -> dict:
    return decide_children(c, PACK, tmp_path, week)


def disabled(c: TinyCouncil, child_id: str) -> TinyCouncil:
    return c.add("ssd_disability", disa_table_id=f"D{child_id}", disa_person_id=child_id,
                 disa_disability_code="LD")


def uasc(c: TinyCouncil, child_id: str) -> TinyCouncil:
    return c.add("ssd_immigration_status", immi_immigration_status_id=f"U{child_id}",
                 immi_person_id=child_id, immi_immigration_status="UASC")


def legal(c: TinyCouncil, child_id: str, code: str, start: date) -> TinyCouncil:
    return c.add("ssd_legal_status", lega_legal_status_id=f"L{child_id}", lega_person_id=child_id,
                 lega_legal_status=code, lega_legal_status_start_date=start)


def closed_before(c: TinyCouncil, child_id: str, closed: date, team: str = "TCS") -> TinyCouncil:
    """An earlier referral for ``child_id`` closed on ``closed``, led by a worker in ``team``."""
    c.add("ssd_cin_episodes", cine_referral_id=f"OLD{child_id}", cine_person_id=child_id,
          cine_referral_date="2026-01-05", cine_close_date=closed, cine_referral_team="TCH")
    return c.add("ssd_involvements", invo_involvements_id=f"IOLD{child_id}",
                 invo_professional_id=f"W{team}", invo_professional_role_id="Allocated Case Worker",
                 invo_professional_team=team, invo_involvement_start_date="2026-02-01",
                 invo_involvement_end_date=closed, invo_person_id=child_id)


def rule_ids(reasons) -> list[str]:
    return [r.rule_id for r in reasons]


def co_worker(c: TinyCouncil, child_id: str, team: str) -> TinyCouncil:
    """An open co-worker for ``child_id`` from the worker of ``team``."""
    return c.add("ssd_involvements", invo_involvements_id=f"ICO{child_id}{team}",
                 invo_professional_id=f"W{team}", invo_professional_role_id="Co-worker",
                 invo_professional_team=team, invo_involvement_start_date="2026-09-01",
                 invo_person_id=child_id)


# ---- The pack itself --------------------------------------------------------------------------

def test_pack_services_roles_and_timescales():
    assert [s.id for s in PACK.services if s.front_door] == ["chad"]
    assert [s.id for s in PACK.services if not s.social_care] == ["supporting_families"]
    assert {s.id: s.role for s in PACK.services} == {
        "chad": "front_door", "assessment_duty": "assessment", "css": "safeguarding",
        "court": "court", "cic": "children_in_care", "next_steps": "leaving_care",
        "cwd": "disability", "fast": "edge_of_care", "ce": "exploitation",
        "adoption": "permanence", "supporting_families": "early_help"}
    ts = PACK.timescales
    assert (ts.notice_working_days, ts.notice_clause) == (0, "Transfer Process Overview, para 5")
    # "3 months" is set on the re-referral rules in calendar months, not as a pack timescale
    # in weeks.
    assert (ts.re_referral_weeks, ts.re_referral_clause) == (None, None)
    months = {r.id: r.when.re_referral_within_months for r in PACK.rules
              if r.when.re_referral_within_months or r.when.re_referral_within_weeks}
    assert months == {"stk-re-referral-critical-friend": 3, "stk-re-referral-urgent": 3,
                      "stk-court-report-last-team": 3}
    # The policy sets no introduction or escalation timescale: none is invented.
    assert (ts.introduction_working_days, ts.introduction_clause) == (None, None)
    assert (ts.escalation_working_days, ts.escalation_clause) == (None, None)
    assert all(r.clause and r.quote and r.summary for r in PACK.rules)


# ---- ChAD: the front door ---------------------------------------------------------------------

@pytest.mark.covers("stk-chad-to-assessment", "stoke:notice")
def test_chad_referral_goes_to_assessment_and_duty_on_the_plan_date(tmp_path):
    c = council()
    c.child("C1", date(2018, 4, 4), "TCH", None)
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.from_service, d.to_service) == ("transfer", "chad", "assessment_duty")
    # No notice period: the plan date itself is usable, over the default 10 working days.
    assert (d.earliest, d.latest, d.date_from, d.date_to) == (PLAN, DEFAULT_END, PLAN, DEFAULT_END)
    assert d.notice_working_days == 0 and "short_notice" not in d.flags and d.due
    assert d.reasons[0].clause == "Key functions of Assessment and Duty, bullet 2"


@pytest.mark.covers("stk-strategy-discussion", "stk-chad-to-assessment")
def test_strategy_discussion_at_chad_moves_child_to_assessment_on_the_day(tmp_path):
    c = council()
    c.child("C1", date(2017, 2, 2), "TCH", None).event("C1", "strategy_discussion",
                                                       date(2026, 11, 25))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "stk-strategy-discussion", "assessment_duty", date(2026, 11, 25), date(2026, 11, 25))
    assert "stk-chad-to-assessment" in rule_ids(d.overruled)


@pytest.mark.covers("stk-chad-s20-to-assessment", "stk-uasc-to-cic", "stk-edge-of-care-referral")
def test_s20_at_referral_is_assessed_by_assessment_and_duty_unless_uasc_or_edge_of_care(tmp_path):
    c = council()
    c.child("C1", date(2012, 5, 5), "TCH", None).looked_after("C1", "V2", date(2026, 11, 16))
    c.child("C2", date(2010, 5, 5), "TCH", None).looked_after("C2", "V2", date(2026, 11, 16))
    uasc(c, "C2")
    c.child("C3", date(2012, 5, 5), "TCH", None).looked_after("C3", "V2", date(2026, 11, 16))
    c.flag("C3", "edge_of_care")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service) == ("stk-chad-s20-to-assessment",
                                                       "assessment_duty")
    assert (ds["C2"].rule_id, ds["C2"].to_service, ds["C2"].date_from) == (
        "stk-uasc-to-cic", "cic", PLAN)
    assert "stk-chad-to-assessment" in rule_ids(ds["C2"].overruled)
    assert (ds["C3"].rule_id, ds["C3"].to_service) == ("stk-edge-of-care-referral", "fast")


@pytest.mark.covers("stk-uasc-to-cic")
def test_uasc_in_assessment_and_duty_moves_to_children_in_care(tmp_path):
    c = council()
    c.child("C1", date(2010, 1, 1), "TAD", "WTAD")
    uasc(c, "C1")
    d = decisions(c, tmp_path)["C1"]
    assert (d.to_service, d.earliest, d.latest) == ("cic", PLAN, DEFAULT_END)
    assert d.reasons[0].clause == "Appendix 2, CLA"


@pytest.mark.covers("stk-private-fostering")
def test_private_fostering_goes_straight_to_css(tmp_path):
    c = council()
    c.child("C1", date(2011, 7, 7), "TCH", None).flag("C1", "private_fostering")
    d = decisions(c, tmp_path)["C1"]
    assert (d.to_service, d.date_from, d.date_to) == ("css", PLAN, DEFAULT_END)
    assert rule_ids(d.overruled) == ["stk-chad-to-assessment"]


@pytest.mark.covers("stk-edge-of-care-referral", "stk-homeless-16-17")
def test_edge_of_care_and_homeless_16_17_go_straight_to_fast(tmp_path):
    c = council()
    c.child("C1", date(2013, 3, 3), "TCH", None).flag("C1", "edge_of_care")
    c.child("C2", date(2010, 3, 3), "TCH", None).flag("C2", "homeless_16_17")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].to_service, ds["C1"].date_from) == ("fast", PLAN)
    assert (ds["C2"].rule_id, ds["C2"].to_service, ds["C2"].date_from) == (
        "stk-homeless-16-17", "fast", PLAN)


@pytest.mark.covers("stk-homeless-16-17", "stk-chad-to-assessment")
def test_homeless_route_uses_age_on_the_plan_date(tmp_path):
    # C1 turns 16 on Wed 25 Nov, during the plan week: 15 on the plan date, so not yet the
    # 16/17 homeless route. C2 turns 18 on Thu 26 Nov: still 17 on the plan date, so FAST.
    c = council()
    c.child("C1", date(2010, 11, 25), "TCH", None).flag("C1", "homeless_16_17")
    c.child("C2", date(2008, 11, 26), "TCH", None).flag("C2", "homeless_16_17")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service) == ("stk-chad-to-assessment", "assessment_duty")
    assert (ds["C2"].rule_id, ds["C2"].to_service) == ("stk-homeless-16-17", "fast")


@pytest.mark.covers("stk-chad-exploitation-to-assessment")
def test_exploitation_concern_at_chad_is_assessed_by_assessment_and_duty_first(tmp_path):
    c = council()
    c.child("C1", date(2011, 8, 8), "TCH", None).flag("C1", "exploitation_high")
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.date_from) == ("stk-chad-exploitation-to-assessment",
                                                      "assessment_duty", PLAN)
    assert "stk-chad-to-assessment" in rule_ids(d.overruled)


# ---- Children with disabilities ---------------------------------------------------------------

@pytest.mark.covers("stk-cwd-referral", "stk-chad-to-assessment")
def test_disabled_child_goes_to_cwd_and_sibling_is_not_moved_with_them(tmp_path):
    # Siblings with different statuses: the disabled child goes to CWD; the policy has no
    # rule that siblings follow, so the non-disabled sibling takes the ordinary route.
    c = council()
    c.child("C1", date(2016, 1, 1), "TCH", None, family="F")
    disabled(c, "C1").flag("C1", "primary_need_disability")
    c.child("C2", date(2014, 1, 1), "TCH", None, family="F")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service, ds["C1"].date_from) == (
        "stk-cwd-referral", "cwd", PLAN)
    assert (ds["C2"].rule_id, ds["C2"].to_service) == ("stk-chad-to-assessment", "assessment_duty")
    assert "siblings_follow" not in ds["C2"].flags


@pytest.mark.covers("stk-cwd-safeguarding-consult", "stk-cwd-referral")
def test_disabled_child_with_a_safeguarding_concern_needs_a_consultation(tmp_path):
    c = council()
    c.child("C1", date(2016, 1, 1), "TCH", None)
    disabled(c, "C1").flag("C1", "primary_need_disability")
    c.event("C1", "strategy_discussion", date(2026, 11, 24))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.reasons[0].clause) == ("manager_decision", None,
                                                              "Appendix 2, CWD")
    assert "manager_decision" in d.flags and not d.needs_allocation
    assert {"stk-cwd-referral", "stk-strategy-discussion"} <= set(rule_ids(d.overruled))


@pytest.mark.covers("stk-cwd-keeps-disabled-child", "stk-cwd-sibling-in-care")
def test_cwd_keeps_disabled_child_in_care_and_the_sibling_while_the_disabled_child_is_open(
        tmp_path):
    c = council()
    c.child("C1", date(2012, 2, 2), "TCW", "WTCW", family="F")
    disabled(c, "C1").cp_plan("C1").looked_after("C1", "C2", date(2026, 6, 1))
    c.child("C2", date(2014, 2, 2), "TCW", "WTCW", family="F")
    c.looked_after("C2", "C2", date(2026, 6, 1))
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].reasons[0].clause) == ("stay", "Children with a Disability, para 2")
    # The disabled sibling is still open to CWD: CWD keeps the non-disabled sibling too.
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "default-stay")


@pytest.mark.covers("stk-cwd-sibling-in-care", "stk-cwd-sibling-in-care-16-plus")
def test_sibling_in_care_leaves_cwd_once_the_disabled_child_has_closed(tmp_path):
    c = council()
    # Aged 12: Children in Care now, over the default window.
    c.child("C1", date(2014, 2, 2), "TCW", "WTCW", family="F").flag("C1", "sibling_closed_to_cwd")
    c.looked_after("C1", "C2", date(2026, 6, 1))
    # Turns 16 on Tue 24 Nov: still 15 on the plan date, so Children in Care.
    c.child("C2", date(2010, 11, 24), "TCW", "WTCW", family="F")
    c.flag("C2", "sibling_closed_to_cwd").looked_after("C2", "C2", date(2026, 6, 1))
    # Aged 16: Children in Care or Next Steps, whichever suits: managers choose.
    c.child("C3", date(2010, 5, 5), "TCW", "WTCW", family="F").flag("C3", "sibling_closed_to_cwd")
    c.looked_after("C3", "C2", date(2026, 6, 1))
    ds = decisions(c, tmp_path)
    for cid in ("C1", "C2"):
        d = ds[cid]
        assert (d.outcome, d.rule_id, d.to_service) == ("transfer", "stk-cwd-sibling-in-care",
                                                        "cic")
        assert (d.date_from, d.date_to) == (PLAN, DEFAULT_END) and d.needs_allocation
    d = ds["C3"]
    assert (d.outcome, d.rule_id, d.to_service) == (
        "manager_decision", "stk-cwd-sibling-in-care-16-plus", None)
    assert d.reasons[0].clause == "Children with a Disability, para 1"


@pytest.mark.covers("stk-cwd-coworker")
def test_disabled_child_whose_primary_need_is_not_disability_may_get_a_cwd_coworker(tmp_path):
    c = council()
    c.child("C1", date(2013, 9, 9), "TCS", "WTCS")
    disabled(c, "C1")
    c.child("C2", date(2013, 9, 9), "TCS", "WTCS")
    c.child("C3", date(2013, 9, 9), "TCS", "WTCS")  # a CWD co-worker is already in place
    disabled(c, "C3")
    co_worker(c, "C3", "TCW")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id) == ("manager_decision", "stk-cwd-coworker")
    assert (ds["C3"].outcome, ds["C3"].rule_id) == ("stay", "default-stay")
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "default-stay")
    assert ds["C2"].reasons[0].clause == "General Principles, para 2"


# ---- Re-referrals within 3 months --------------------------------------------------------------

@pytest.mark.covers("stk-re-referral-critical-friend", "stoke:re-referral")
@pytest.mark.parametrize("closed,weeks,rule", [
    (date(2026, 9, 7), 10, "stk-re-referral-critical-friend"),   # 70 days before
    # Referral Mon 16 Nov. Closed 16 Aug: 3 calendar months to the day, still within.
    (date(2026, 8, 16), 13, "stk-re-referral-critical-friend"),
    # Closed 15 Aug: 3 months ended 15 Nov, so outside, although only 13 whole weeks (93
    # days) had passed: the period is counted in months, not weeks.
    (date(2026, 8, 15), 13, "stk-chad-to-assessment"),
    (date(2026, 8, 10), 14, "stk-chad-to-assessment"),           # 98 days: outside 3 months
    (date(2026, 7, 20), 17, "stk-chad-to-assessment"),           # 119 days
])
def test_re_referral_inside_the_3_month_period_needs_a_critical_friend_discussion(
        tmp_path, closed, weeks, rule):
    c = council()
    c.child("C1", date(2015, 1, 1), "TCH", None, referral_date=date(2026, 11, 16))
    closed_before(c, "C1", closed)
    caseload = read_caseload(c.write(tmp_path / "in"))
    [state] = child_states(caseload, PACK, WEEK)
    assert (state.previous_service, state.weeks_since_closure) == ("css", weeks)
    d = decisions(c, tmp_path)["C1"]
    assert d.rule_id == rule
    if rule == "stk-re-referral-critical-friend":
        # Not automatically back to the previous team: managers decide.
        assert d.outcome == "manager_decision" and d.to_service is None
        assert "stk-chad-to-assessment" in rule_ids(d.overruled)
    else:
        assert (d.to_service, d.date_from) == ("assessment_duty", PLAN)


@pytest.mark.covers("stk-re-referral-urgent", "stk-re-referral-critical-friend")
def test_urgent_re_referral_goes_to_css_without_waiting_for_the_discussion(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TCH", None, referral_date=date(2026, 11, 16))
    closed_before(c, "C1", date(2026, 10, 1), team="TAD")
    c.event("C1", "strategy_discussion", date(2026, 11, 17), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.date_from, d.date_to) == (
        "stk-re-referral-urgent", "css", PLAN, DEFAULT_END)
    assert {"stk-re-referral-critical-friend", "stk-strategy-discussion",
            "stk-chad-to-assessment"} <= set(rule_ids(d.overruled))


@pytest.mark.covers("stk-court-report-last-team", "stk-court-report-allocate",
                    "stk-re-referral-critical-friend")
def test_court_report_on_a_case_closed_to_css_within_3_months_goes_back_there(tmp_path):
    c = council()
    # Closed to CSS on Thu 1 Oct; the court asks for a report, referred Mon 16 Nov.
    c.child("C1", date(2015, 1, 1), "TCH", None, referral_date=date(2026, 11, 16))
    closed_before(c, "C1", date(2026, 10, 1), team="TCS")
    c.event("C1", "court_report_request", date(2026, 11, 16), status="held")
    # Closed to Assessment and Duty: an S7 goes back there, an S37 to the locality team; the
    # re-referral critical friend discussion decides.
    c.child("C2", date(2015, 1, 1), "TCH", None, referral_date=date(2026, 11, 16))
    closed_before(c, "C2", date(2026, 10, 1), team="TAD")
    c.event("C2", "court_report_request", date(2026, 11, 16), status="held")
    # Closed to CSS five months ago: outside 3 months, ChAD managers decide.
    c.child("C3", date(2015, 1, 1), "TCH", None, referral_date=date(2026, 11, 16))
    closed_before(c, "C3", date(2026, 6, 12), team="TCS")
    c.event("C3", "court_report_request", date(2026, 11, 16), status="held")
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.rule_id, d.to_service) == ("transfer", "stk-court-report-last-team",
                                                    "css")
    assert (d.date_from, d.date_to) == (PLAN, DEFAULT_END)
    assert d.reasons[0].clause == "Appendix 2, Court / Private Law"
    assert {"stk-re-referral-critical-friend", "stk-court-report-allocate",
            "stk-chad-to-assessment"} <= set(rule_ids(d.overruled))
    assert ds["C2"].rule_id == "stk-re-referral-critical-friend"
    assert "stk-court-report-allocate" in rule_ids(ds["C2"].overruled)
    assert (ds["C3"].outcome, ds["C3"].rule_id) == ("manager_decision",
                                                    "stk-court-report-allocate")


@pytest.mark.covers("stk-court-report-allocate", "stk-icpc")
def test_court_report_request_at_chad_or_assessment_is_for_chad_managers(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TCH", None).event("C1", "court_report_request",
                                                       date(2026, 11, 19), status="held")
    c.child("C2", date(2015, 1, 1), "TAD", "WTAD").event("C2", "court_report_request",
                                                         date(2026, 11, 19), status="held")
    # A conference already set: the ordinary transfer point at the ICPC still wins.
    c.child("C3", date(2015, 1, 1), "TAD", "WTAD").event("C3", "court_report_request",
                                                         date(2026, 11, 19), status="held")
    c.event("C3", "icpc", date(2026, 12, 8))
    # CSS holds the case: it is the locality team already; nothing to decide.
    c.child("C4", date(2015, 1, 1), "TCS", "WTCS").event("C4", "court_report_request",
                                                         date(2026, 11, 19), status="held")
    ds = decisions(c, tmp_path)
    for cid in ("C1", "C2"):
        d = ds[cid]
        assert (d.outcome, d.rule_id, d.to_service) == (
            "manager_decision", "stk-court-report-allocate", None)
        assert d.reasons[0].clause == "Key functions of ChAD, bullet 6" and not d.needs_allocation
    assert "stk-chad-to-assessment" in rule_ids(ds["C1"].overruled)
    assert ds["C3"].rule_id == "stk-icpc"
    assert "stk-court-report-allocate" in rule_ids(ds["C3"].overruled)
    assert ds["C4"].rule_id == "default-stay"


# ---- Court action and transfer-in from ChAD -----------------------------------------------------

@pytest.mark.covers("stk-court-public-law-protection", "stk-court-public-law-proceedings")
def test_immediate_court_action_at_chad_goes_straight_to_css(tmp_path):
    c = council()
    c.child("C1", date(2020, 6, 6), "TCH", None)
    legal(c, "C1", "L1", date(2026, 11, 20))  # police protection
    c.child("C2", date(2020, 6, 6), "TCH", None).event("C2", "first_hearing", date(2026, 12, 2))
    # Re-referred within 3 months under an emergency protection order: still CSS.
    c.child("C3", date(2020, 6, 6), "TCH", None, referral_date=date(2026, 11, 16))
    closed_before(c, "C3", date(2026, 10, 1))
    legal(c, "C3", "L2", date(2026, 11, 19))
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service, ds["C1"].date_from) == (
        "stk-court-public-law-protection", "css", PLAN)
    assert (ds["C2"].rule_id, ds["C2"].to_service) == ("stk-court-public-law-proceedings", "css")
    assert ds["C3"].rule_id == "stk-court-public-law-protection"
    assert "stk-re-referral-critical-friend" in rule_ids(ds["C3"].overruled)


@pytest.mark.covers("stk-transfer-in-cp", "stk-transfer-in-cin", "stk-transfer-in-proceedings")
def test_transfer_in_routes(tmp_path):
    c = council()
    c.child("C1", date(2017, 1, 1), "TCH", None).cp_plan("C1").flag("C1", "transfer_in")
    c.child("C2", date(2017, 1, 1), "TCH", None).flag("C2", "transfer_in")
    c.child("C3", date(2017, 1, 1), "TCH", None).flag("C3", "transfer_in")
    c.event("C3", "first_hearing", date(2026, 11, 10), status="held")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service, ds["C1"].date_from) == (
        "stk-transfer-in-cp", "css", PLAN)
    assert (ds["C2"].rule_id, ds["C2"].to_service) == ("stk-transfer-in-cin", "assessment_duty")
    # In proceedings elsewhere: the issuing authority keeps the case; Stoke allocates nobody.
    assert (ds["C3"].outcome, ds["C3"].reasons[0].clause) == (
        "close", "Out of City Transfer-in Process, para 7")
    assert not ds["C3"].needs_allocation
    assert {"stk-court-public-law-proceedings", "stk-transfer-in-cin"} <= set(
        rule_ids(ds["C3"].overruled))


# ---- Relinquished babies ----------------------------------------------------------------------

@pytest.mark.covers("stk-relinquished-to-court", "stk-relinquished-before-16-weeks")
def test_relinquished_unborn_baby_goes_to_court_and_stays_without_adoption_co_working(tmp_path):
    c = council()
    c.child("C1", None, "TCH", None).flag("C1", "relinquished")
    c.child("C2", None, "TCT", "WTCT").flag("C2", "relinquished")  # referred before 16 weeks
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service, ds["C1"].date_from, ds["C1"].date_to) == (
        "stk-relinquished-to-court", "court", PLAN, DEFAULT_END)
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "stk-relinquished-before-16-weeks")
    assert rule_ids(ds["C2"].overruled) == ["stk-relinquished-adoption-cowork"]


@pytest.mark.covers("stk-relinquished-adoption-cowork", "stk-relinquished-before-16-weeks",
                    "stk-court-cic-cowork")
def test_relinquished_baby_referred_after_16_weeks_gets_an_adoption_support_co_worker(tmp_path):
    c = council()
    c.child("C1", None, "TCT", "WTCT").flag("C1", "relinquished")
    c.flag("C1", "referred_after_16_weeks")
    # Already co-worked by adoption support: not asked for again.
    c.child("C2", None, "TCT", "WTCT").flag("C2", "relinquished")
    c.flag("C2", "referred_after_16_weeks")
    co_worker(c, "C2", "TAS")
    # Referred late but not being relinquished: the 16-week rule does not apply.
    c.child("C3", None, "TCT", "WTCT").flag("C3", "referred_after_16_weeks")
    # Relinquishment no longer clear: it does not "continue to be the plan".
    c.child("C4", None, "TCT", "WTCT").flag("C4", "relinquished")
    c.flag("C4", "referred_after_16_weeks").flag("C4", "relinquishment_uncertain")
    # Born and in care proceedings: the CIC co-working discussion comes first.
    c.child("C5", date(2026, 10, 1), "TCT", "WTCT").flag("C5", "relinquished")
    c.flag("C5", "referred_after_16_weeks").looked_after("C5", "C1", date(2026, 10, 2))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.rule_id, d.coworking_service) == (
        "start_coworking", "stk-relinquished-adoption-cowork", "adoption")
    assert (d.date_from, d.date_to) == (PLAN, DEFAULT_END) and d.needs_allocation
    assert rule_ids(d.overruled) == []
    for cid in ("C2", "C3", "C4"):
        assert (ds[cid].outcome, ds[cid].rule_id) == ("stay", "default-stay")
    assert (ds["C5"].outcome, ds["C5"].rule_id) == ("manager_decision", "stk-court-cic-cowork")
    assert rule_ids(ds["C5"].overruled) == ["stk-relinquished-adoption-cowork"]


# ---- Assessment and Duty to CSS ----------------------------------------------------------------

@pytest.mark.covers("stk-icpc", "stoke:notice")
def test_icpc_moves_child_to_css_on_the_conference_day(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TAD", "WTAD").event("C1", "icpc", date(2026, 12, 8))
    c.child("C2", date(2019, 3, 3), "TAD", "WTAD").event("C2", "icpc", date(2026, 11, 26))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.to_service, d.earliest, d.latest) == ("transfer", "css",
                                                              date(2026, 12, 8), date(2026, 12, 8))
    assert d.reasons[0].clause == "Case Transfer, bullet 1" and d.due
    # A joint visit introduces the new worker before the conference: by Mon 7 Dec.
    assert d.joint_visit_by == date(2026, 12, 7)
    # A conference three days away: no notice period, so nothing is short notice.
    assert ds["C2"].date_from == date(2026, 11, 26) and "short_notice" not in ds["C2"].flags
    assert ds["C2"].joint_visit_by == date(2026, 11, 25)


@pytest.mark.covers("stk-icpc")
def test_deferred_conference_becomes_the_transfer_point(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TAD", "WTAD").event(
        "C1", "icpc", date(2026, 12, 10), status="deferred", original=date(2026, 12, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.earliest, d.latest) == (date(2026, 12, 10), date(2026, 12, 10))
    assert any("deferred from 2026-12-01" in r.text for r in d.reasons)


@pytest.mark.covers("stk-cin-meeting", "stk-step-down")
def test_initial_cin_meeting_moves_child_to_css_unless_step_down_is_proposed(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TAD", "WTAD")
    c.event("C1", "assessment_completed", date(2026, 11, 16), status="held")
    c.event("C1", "cin_review", date(2026, 12, 9))
    c.child("C2", date(2015, 1, 1), "TAD", "WTAD").flag("C2", "step_down_proposed")
    c.event("C2", "assessment_completed", date(2026, 11, 16), status="held")
    c.event("C2", "cin_review", date(2026, 12, 9))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "stk-cin-meeting", "css", date(2026, 12, 9), date(2026, 12, 9))
    # A joint visit introduces the new worker before the CIN meeting: by Tue 8 Dec.
    assert d.joint_visit_by == date(2026, 12, 8)
    assert rule_ids(d.overruled) == []
    # A proposal to step down is weighed at the weekly meeting before the case moves to CSS.
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("manager_decision", "stk-step-down")
    assert rule_ids(ds["C2"].overruled) == ["stk-cin-meeting"]


@pytest.mark.covers("stk-step-down")
def test_step_down_proposed_is_a_decision_for_the_weekly_meeting(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TAD", "WTAD").flag("C1", "step_down_proposed")
    c.event("C1", "assessment_completed", date(2026, 11, 16), status="held")
    c.child("C2", date(2015, 1, 1), "TCS", "WTCS").flag("C2", "step_down_proposed")
    c.child("C3", date(2015, 1, 1), "TCS", "WTCS").flag("C3", "step_down_proposed").cp_plan("C3")
    c.child("C4", date(2015, 1, 1), "TAD", "WTAD")  # assessed, nothing proposed
    c.event("C4", "assessment_completed", date(2026, 11, 16), status="held")
    ds = decisions(c, tmp_path)
    for cid in ("C1", "C2"):
        d = ds[cid]
        assert (d.outcome, d.rule_id, d.to_service) == ("manager_decision", "stk-step-down", None)
        assert d.reasons[0].clause == "Transfer Process Overview, paras 6-7"
        assert not d.needs_allocation
    # On a CP plan: statutory, not stepped down.
    assert (ds["C3"].outcome, ds["C3"].rule_id) == ("stay", "default-stay")
    assert (ds["C4"].outcome, ds["C4"].rule_id) == ("stay", "default-stay")


@pytest.mark.covers("stk-first-hearing", "stk-icpc")
def test_first_hearing_outranks_conference(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TAD", "WTAD").event("C1", "icpc", date(2026, 12, 8)) \
        .event("C1", "first_hearing", date(2026, 12, 3))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "stk-first-hearing", "css", date(2026, 12, 3), date(2026, 12, 3))
    assert "stk-icpc" in rule_ids(d.overruled)


@pytest.mark.covers("stk-s20-fast-cowork")
def test_s20_child_in_assessment_and_duty_is_a_decision_for_managers(tmp_path):
    c = council()
    c.child("C1", date(2012, 6, 1), "TAD", "WTAD").looked_after("C1", "V2", date(2026, 11, 2))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("manager_decision", "stk-s20-fast-cowork")


# ---- Exploitation -------------------------------------------------------------------------------

@pytest.mark.covers("stk-exploitation-high-to-ce", "stk-icpc")
def test_high_risk_exploitation_moves_to_ce_after_assessment_and_outranks_the_conference(tmp_path):
    c = council()
    c.child("C1", date(2011, 1, 1), "TAD", "WTAD").flag("C1", "exploitation_high")
    c.event("C1", "assessment_completed", date(2026, 11, 18), status="held")
    c.event("C1", "icpc", date(2026, 12, 8))
    d = decisions(c, tmp_path)["C1"]
    # 10 working days (the default window) from Wed 18 Nov: Wed 2 Dec; usable from the plan date.
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "stk-exploitation-high-to-ce", "ce", date(2026, 11, 18), date(2026, 12, 2))
    assert (d.date_from, d.date_to) == (PLAN, date(2026, 12, 2)) and "late" not in d.flags
    assert rule_ids(d.overruled) == ["stk-icpc"]


@pytest.mark.covers("stk-exploitation-high-to-ce")
def test_high_risk_exploitation_waits_for_the_assessment(tmp_path):
    c = council()
    c.child("C1", date(2011, 1, 1), "TAD", "WTAD").flag("C1", "exploitation_high")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("stay", "default-stay")


@pytest.mark.covers("stk-exploitation-high-to-ce", "stk-chad-exploitation-to-assessment",
                    "stk-exploitation-css-consider", "stk-exploitation-in-care-stays")
def test_police_operation_or_organised_crime_link_is_treated_as_high_risk(tmp_path):
    c = council()
    c.child("C1", date(2011, 1, 1), "TCH", None).flag("C1", "exploitation_police_operation")
    c.child("C2", date(2011, 1, 1), "TAD", "WTAD").flag("C2", "exploitation_police_operation")
    c.event("C2", "assessment_completed", date(2026, 11, 19), status="held")
    c.child("C3", date(2011, 1, 1), "TCS", "WTCS").flag("C3", "exploitation_police_operation")
    c.child("C4", date(2014, 1, 1), "TCC", "WTCC").flag("C4", "exploitation_police_operation")
    c.looked_after("C4", "C2", date(2025, 1, 1))
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service) == ("stk-chad-exploitation-to-assessment",
                                                       "assessment_duty")
    # Assessment complete Thu 19 Nov: to CE within the default 10 working days, Thu 3 Dec.
    assert (ds["C2"].rule_id, ds["C2"].to_service, ds["C2"].latest) == (
        "stk-exploitation-high-to-ce", "ce", date(2026, 12, 3))
    assert (ds["C3"].outcome, ds["C3"].rule_id) == ("manager_decision",
                                                    "stk-exploitation-css-consider")
    assert (ds["C4"].outcome, ds["C4"].rule_id) == ("stay", "stk-exploitation-in-care-stays")


@pytest.mark.covers("stk-exploitation-css-consider", "stk-exploitation-medium-consider",
                    "stk-exploitation-in-care-stays")
def test_exploitation_in_css_and_in_care(tmp_path):
    c = council()
    c.child("C1", date(2011, 1, 1), "TCS", "WTCS").flag("C1", "exploitation_high")
    c.child("C2", date(2011, 1, 1), "TAD", "WTAD").flag("C2", "exploitation_medium")
    c.child("C3", date(2014, 1, 1), "TCC", "WTCC").flag("C3", "exploitation_high")
    c.looked_after("C3", "C2", date(2025, 1, 1))
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id) == ("manager_decision",
                                                    "stk-exploitation-css-consider")
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("manager_decision",
                                                    "stk-exploitation-medium-consider")
    assert (ds["C3"].outcome, ds["C3"].rule_id) == ("stay", "stk-exploitation-in-care-stays")


@pytest.mark.covers("stk-allocate", "stk-exploitation-css-consider")
def test_unallocated_child_is_allocated_before_any_discussion(tmp_path):
    c = council()
    c.child("C1", date(2011, 1, 1), "TCS", None).flag("C1", "exploitation_high")
    c.child("C2", date(2015, 1, 1), "TCS", None).cp_plan("C2")
    ds = decisions(c, tmp_path)
    for cid in ("C1", "C2"):
        assert (ds[cid].outcome, ds[cid].to_service, ds[cid].date_from, ds[cid].date_to) == (
            "allocate", "css", PLAN, DEFAULT_END)
        assert ds[cid].reasons[0].clause == "Managing Allocation Pressures, para 2"


# ---- CSS to Court Teams to Children in Care ------------------------------------------------------

@pytest.mark.covers("stk-ico-to-court")
def test_interim_care_order_moves_child_to_court_team_with_joint_visit_in_2_days(tmp_path):
    c = council()
    c.child("C1", date(2021, 4, 4), "TCS", "WTCS").looked_after("C1", "C1", date(2026, 11, 18))
    c.event("C1", "first_hearing", date(2026, 11, 18), status="held")
    c.child("C2", date(2021, 4, 4), "TCS", "WTCS").looked_after("C2", "C1", date(2026, 11, 18))
    c.event("C2", "first_hearing", date(2026, 11, 18), status="held")
    c.flag("C2", "placed_with_parents")
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.to_service, d.anchor, d.earliest, d.latest) == (
        "stk-ico-to-court", "court", date(2026, 11, 18), date(2026, 11, 18), date(2026, 12, 2))
    assert d.date_from == PLAN and d.joint_visit_by == date(2026, 11, 25)
    # Placed with parents is not a placement in foster, residential or connected-carer care.
    assert ds["C2"].outcome == "stay"


@pytest.mark.covers("stk-ico-to-court")
def test_interim_care_order_is_the_point_not_a_hearing_still_to_come(tmp_path):
    c = council()
    # The ICO was made on Fri 20 Nov (legal status C1 from that day); a further hearing is
    # listed for Fri 27 Nov. The order, not the hearing, is the point: window to Fri 4 Dec.
    c.child("C1", date(2021, 4, 4), "TCS", "WTCS").looked_after("C1", "C1", date(2026, 11, 20))
    c.event("C1", "first_hearing", date(2026, 11, 27))
    # A first hearing listed but no order made (accommodated under s20): not yet the point.
    c.child("C2", date(2021, 4, 4), "TCS", "WTCS").looked_after("C2", "V2", date(2026, 11, 20))
    c.event("C2", "first_hearing", date(2026, 11, 27))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.anchor, d.earliest, d.latest) == (
        "stk-ico-to-court", date(2026, 11, 20), date(2026, 11, 20), date(2026, 12, 4))
    assert d.point == "at the ico made on 2026-11-20"
    # The joint visit within 2 working days, counted from the first usable date (Mon 23 Nov).
    assert (d.date_from, d.joint_visit_by) == (PLAN, date(2026, 11, 25))
    assert ds["C2"].rule_id == "default-stay"


@pytest.mark.covers("stk-court-cic-cowork")
def test_child_in_proceedings_with_court_team_flags_the_cic_co_working_decision(tmp_path):
    c = council()
    c.child("C1", date(2021, 4, 4), "TCT", "WTCT").looked_after("C1", "C1", date(2026, 9, 1))
    c.event("C1", "first_hearing", date(2026, 9, 1), status="held")
    c.event("C1", "final_hearing", date(2027, 2, 10))
    # A Children in Care social worker already co-works: nothing left to decide.
    c.child("C2", date(2021, 4, 4), "TCT", "WTCT").looked_after("C2", "C1", date(2026, 9, 1))
    c.event("C2", "first_hearing", date(2026, 9, 1), status="held")
    co_worker(c, "C2", "TCC")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id) == ("manager_decision", "stk-court-cic-cowork")
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "default-stay")


@pytest.mark.covers("stk-court-to-cic-final-hearing", "stk-court-to-cic-irh",
                    "stk-court-cic-cowork")
def test_care_order_at_final_hearing_moves_to_cic_within_5_working_days(tmp_path):
    c = council()
    c.child("C1", date(2021, 4, 4), "TCT", "WTCT").looked_after("C1", "C2", date(2026, 11, 19))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "irh", date(2026, 10, 20), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 19), status="held")
    d = decisions(c, tmp_path)["C1"]
    # Thu 19 Nov + 5 working days = Thu 26 Nov. The earlier IRH is not the point: with a
    # final hearing on record the proceedings did not conclude there, so its rule does not
    # even apply.
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "stk-court-to-cic-final-hearing", "cic", date(2026, 11, 19), date(2026, 11, 26))
    assert (d.date_from, d.date_to) == (PLAN, date(2026, 11, 26))
    assert rule_ids(d.overruled) == []


@pytest.mark.covers("stk-court-to-cic-irh", "stk-court-cic-cowork")
def test_proceedings_concluded_at_irh_move_to_cic_within_5_working_days(tmp_path):
    c = council()
    c.child("C1", date(2021, 4, 4), "TCT", "WTCT").looked_after("C1", "E1", date(2026, 11, 18))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "irh", date(2026, 11, 18), status="held")
    # The listed final hearing was vacated (cancelled): the proceedings concluded at the IRH.
    c.event("C1", "final_hearing", date(2026, 12, 14), status="cancelled")
    d = decisions(c, tmp_path)["C1"]
    # Wed 18 Nov + 5 working days = Wed 25 Nov.
    assert (d.rule_id, d.earliest, d.latest) == ("stk-court-to-cic-irh", date(2026, 11, 18),
                                                 date(2026, 11, 25))
    assert "stk-court-cic-cowork" in rule_ids(d.overruled)


@pytest.mark.covers("stk-court-to-cic-final-hearing")
def test_bank_holidays_inside_the_5_day_window_are_skipped(tmp_path):
    # Final hearing Wed 23 Dec 2026; the plan week starts on the 28 December bank holiday.
    # 5 working days: 24 Dec, (25, 28 bank holidays) 29, 30, 31 Dec, (1 Jan) Mon 4 Jan 2027.
    c = council()
    c.child("C1", date(2021, 4, 4), "TCT", "WTCT").looked_after("C1", "C2", date(2026, 12, 23))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "final_hearing", date(2026, 12, 23), status="held")
    d = decisions(c, tmp_path, week=date(2026, 12, 28))["C1"]
    assert (d.earliest, d.latest) == (date(2026, 12, 23), date(2027, 1, 4))
    assert (d.date_from, d.date_to) == (date(2026, 12, 29), date(2027, 1, 4))


# ---- Children in Care to Next Steps --------------------------------------------------------------

@pytest.mark.covers("stk-next-steps-cowork-16")
def test_child_in_care_turning_16_in_the_plan_week_gets_a_next_steps_co_worker(tmp_path):
    c = council()
    c.child("C1", date(2010, 11, 26), "TCC", "WTCC").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    # 16 on Thu 26 Nov; default window of 10 working days to Thu 10 Dec.
    assert (d.outcome, d.coworking_service, d.anchor, d.earliest, d.latest) == (
        "start_coworking", "next_steps", date(2026, 11, 26), date(2026, 11, 26),
        date(2026, 12, 10))
    assert d.date_from == date(2026, 11, 26) and d.due and d.needs_allocation


@pytest.mark.covers("stk-next-steps-cowork-16")
def test_child_in_care_turning_17_in_the_plan_week_is_late_for_co_working_not_yet_led(tmp_path):
    c = council()
    c.child("C1", date(2009, 11, 27), "TCC", "WTCC").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    # The 16th birthday (27 Nov 2025) has passed: co-working is due now, over the default window.
    assert (d.rule_id, d.anchor) == ("stk-next-steps-cowork-16", date(2025, 11, 27))
    assert "late" in d.flags and (d.date_from, d.date_to) == (PLAN, DEFAULT_END)
    assert "stk-next-steps-lead-18" not in rule_ids(d.overruled)


@pytest.mark.covers("stk-next-steps-cowork-16")
def test_next_steps_co_worker_is_not_requested_again_once_in_place(tmp_path):
    c = council()
    c.child("C1", date(2009, 11, 27), "TCC", "WTCC").looked_after("C1", "C2", date(2020, 1, 1))
    co_worker(c, "C1", "TNS")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("stay", "default-stay")


@pytest.mark.covers("stk-next-steps-lead-18", "stk-next-steps-cowork-16")
def test_child_in_care_turning_18_in_the_plan_week_passes_the_lead_to_next_steps(tmp_path):
    c = council()
    c.child("C1", date(2008, 11, 25), "TCC", "WTCC").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.earliest, d.latest) == (
        "coworker_becomes_lead", "next_steps", date(2026, 11, 25), date(2026, 11, 25))
    assert rule_ids(d.overruled) == ["stk-next-steps-cowork-16"]


@pytest.mark.covers("stk-next-steps-lead-18", "stk-next-steps-cowork-16")
def test_birthdays_on_bank_holidays_move_to_the_next_working_day(tmp_path):
    c = council()
    # 18 on Fri 25 Dec 2026: the lead passes on the next working day, Tue 29 Dec.
    c.child("C1", date(2008, 12, 25), "TCC", "WTCC").looked_after("C1", "C2", date(2020, 1, 1))
    # 16 on Thu 24 Dec 2026: 10 working days skip 25 and 28 Dec and 1 Jan: Tue 12 Jan 2027.
    c.child("C2", date(2010, 12, 24), "TCC", "WTCC").looked_after("C2", "C2", date(2020, 1, 1))
    ds = decisions(c, tmp_path)
    assert (ds["C1"].earliest, ds["C1"].latest) == (date(2026, 12, 29), date(2026, 12, 29))
    assert (ds["C2"].earliest, ds["C2"].latest) == (date(2026, 12, 24), date(2027, 1, 12))
    assert not ds["C1"].due and not ds["C2"].due  # after the horizon (Fri 18 Dec)


# ---- Edge of care (FAST) -------------------------------------------------------------------------

@pytest.mark.covers("stk-edge-of-care-cowork")
def test_open_child_on_edge_of_care_gets_a_fast_co_worker_once(tmp_path):
    c = council()
    c.child("C1", date(2012, 1, 1), "TCS", "WTCS").flag("C1", "edge_of_care")
    c.child("C2", date(2012, 1, 1), "TCS", "WTCS").flag("C2", "edge_of_care")
    co_worker(c, "C2", "TF")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].coworking_service, ds["C1"].date_from) == (
        "start_coworking", "fast", PLAN)
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "default-stay")


@pytest.mark.covers("stk-fast-remain-in-care")
def test_fast_child_remaining_in_care_is_decided_at_the_second_statutory_review(tmp_path):
    c = council()
    # Looked after since 1 Sep; first review 29 Sep, second review Wed 9 Dec; the plan is to
    # remain in care.
    c.child("C1", date(2010, 1, 1), "TF", "WTF").looked_after("C1", "V2", date(2026, 9, 1))
    c.flag("C1", "remain_looked_after")
    c.event("C1", "cla_review", date(2026, 9, 29), status="held")
    c.event("C1", "cla_review", date(2026, 12, 9))
    # Only the first review so far: FAST keeps the case.
    c.child("C2", date(2010, 1, 1), "TF", "WTF").looked_after("C2", "V2", date(2026, 9, 1))
    c.flag("C2", "remain_looked_after").event("C2", "cla_review", date(2026, 9, 29), status="held")
    # Two reviews but no plan to remain in care: FAST keeps working towards home.
    c.child("C3", date(2010, 1, 1), "TF", "WTF").looked_after("C3", "V2", date(2026, 9, 1))
    c.event("C3", "cla_review", date(2026, 9, 29), status="held")
    c.event("C3", "cla_review", date(2026, 12, 9))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.rule_id, d.to_service) == ("manager_decision",
                                                    "stk-fast-remain-in-care", None)
    assert (d.anchor, d.earliest, d.latest, d.date_from, d.date_to) == (
        date(2026, 12, 9), date(2026, 12, 9), date(2026, 12, 9), date(2026, 12, 9),
        date(2026, 12, 9))
    assert d.flags == ("manager_decision",) and not d.needs_allocation
    assert d.reasons[0].clause == "Edge of Care, para 2"
    for cid in ("C2", "C3"):
        assert (ds[cid].outcome, ds[cid].rule_id) == ("stay", "default-stay")


# ---- Siblings ------------------------------------------------------------------------------------

@pytest.mark.covers("stk-icpc", "stk-cin-meeting", "stk-cwd-keeps-disabled-child")
def test_siblings_with_different_statuses_each_follow_their_own_point(tmp_path):
    c = council()
    c.child("C1", date(2016, 1, 1), "TAD", "WTAD", family="F").event("C1", "icpc",
                                                                    date(2026, 12, 8))
    c.child("C2", date(2009, 1, 1), "TAD", "WTAD", family="F").event("C2", "cin_review",
                                                                    date(2026, 12, 9))
    c.child("C3", date(2019, 1, 1), "TCW", "WTCW", family="F")
    disabled(c, "C3")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].to_service, ds["C1"].earliest) == ("css", date(2026, 12, 8))
    assert (ds["C2"].to_service, ds["C2"].earliest) == ("css", date(2026, 12, 9))
    assert (ds["C3"].outcome, ds["C3"].rule_id) == ("stay", "stk-cwd-keeps-disabled-child")
