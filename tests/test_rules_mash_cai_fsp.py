"""The MASH / CAI / FSP pack: every row of the transfer table with its dates, and the edge
cases around them (conference outcomes, ages 11, 16 and 18, supervision orders).

The plan week starts Monday 23 November 2026 (extract Friday 20 November). The policy sets
no notice period ("agreed timescales" are not given), so transfers may use their point
itself; a point without a window gets the default 10 working days.
"""

from datetime import date

import pytest

from allocator.rules.pack import load_pack
from factory import WEEK, TinyCouncil, decide_children, pack_council

PACK = load_pack("mash-cai-fsp")
TEAMS = [("TM", "mash"), ("TCA", "cai"), ("TAI", "ai"), ("TF", "fsp"), ("TCT", "court"),
         ("TCL", "cla"), ("TL", "lcs"), ("TAF", "afrs"), ("TE", "early_help")]


def council() -> TinyCouncil:
    return pack_council("mash-cai-fsp", TEAMS)


def decisions(c: TinyCouncil, tmp_path, week: date = WEEK) -> dict:
    return decide_children(c, PACK, tmp_path, week)


def test_pack_services_front_door_and_timescales():
    assert [s.id for s in PACK.services if s.front_door] == ["mash"]
    assert [s.id for s in PACK.services if not s.social_care] == ["early_help"]
    assert {s.id for s in PACK.services} == {t[1] for t in TEAMS}
    ts = PACK.timescales
    assert (ts.notice_working_days, ts.notice_clause, ts.introduction_clause,
            ts.escalation_clause, ts.re_referral_clause) == (0, None, None, None, None)


# ---- MASH -----------------------------------------------------------------------------------

@pytest.mark.covers("mcf-mash-transfer-in-cp", "mcf-mash-transfer-in-cin")
def test_transfer_in_conference_sends_cp_to_fsp_and_cin_to_ai(tmp_path):
    c = council()
    c.child("C1", date(2017, 1, 1), "TM", None).cp_plan("C1").flag("C1", "transfer_in")
    c.event("C1", "rcpc", date(2026, 12, 3))
    c.child("C2", date(2017, 1, 1), "TM", None).flag("C2", "transfer_in")
    c.event("C2", "rcpc", date(2026, 12, 3))
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service) == ("mcf-mash-transfer-in-cp", "fsp")
    assert (ds["C2"].rule_id, ds["C2"].to_service) == ("mcf-mash-transfer-in-cin", "ai")
    for d in ds.values():
        # On the day of the transfer-in conference, Thu 3 December; no notice period.
        assert (d.anchor, d.earliest, d.latest) == (date(2026, 12, 3),) * 3
        assert (d.date_from, d.date_to) == (date(2026, 12, 3), date(2026, 12, 3))
        assert d.reasons[0].clause == "MASH row (transfer-in conference)"
        assert d.due and not d.flags


@pytest.mark.covers("mcf-mash-transfer-in-cp")
def test_deferred_transfer_in_conference_moves_the_point(tmp_path):
    c = council()
    c.child("C1", date(2017, 1, 1), "TM", None).cp_plan("C1").flag("C1", "transfer_in")
    c.event("C1", "rcpc", date(2026, 12, 10), status="deferred", original=date(2026, 12, 3))
    d = decisions(c, tmp_path)["C1"]
    assert (d.earliest, d.latest) == (date(2026, 12, 10), date(2026, 12, 10))
    assert any("deferred from 2026-12-03" in r.text for r in d.reasons)


@pytest.mark.covers("mcf-mash-transfer-in-cin")
def test_transfer_in_without_a_conference_date_stays_in_mash(tmp_path):
    c = council()
    c.child("C1", date(2017, 1, 1), "TM", None).flag("C1", "transfer_in")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id, d.reasons[0].clause) == ("stay", "default-stay",
                                                           "Key Principles")


@pytest.mark.covers("mcf-mash-edge-of-care")
@pytest.mark.parametrize("dob,to", [
    (date(2014, 6, 1), "afrs"),  # aged 12
    (date(2015, 11, 23), "afrs"),  # 11th birthday on the plan date
    (date(2015, 11, 25), None),  # turns 11 on Wed 25 Nov: still 10 on the plan date
])
def test_adolescent_on_edge_of_care_goes_to_afrs_at_referral(tmp_path, dob, to):
    c = council()
    c.child("C1", dob, "TM", None, referral_date=date(2026, 11, 19)).flag("C1", "edge_of_care")
    d = decisions(c, tmp_path)["C1"]
    assert d.to_service == to
    if to:
        assert (d.rule_id, d.date_from, d.date_to) == ("mcf-mash-edge-of-care",
                                                       date(2026, 11, 23), date(2026, 12, 7))
        assert d.reasons[0].clause == "MASH row (adolescent on edge of care)"
    else:
        assert d.rule_id == "default-stay"


# ---- CAI: conferences ------------------------------------------------------------------------

@pytest.mark.covers("mcf-cai-icpc-cp")
def test_icpc_making_a_cp_plan_moves_to_fsp_at_the_conference(tmp_path):
    c = council()
    c.child("C1", date(2018, 1, 1), "TCA", "WTCA").cp_plan("C1", date(2026, 11, 19))
    c.event("C1", "icpc", date(2026, 11, 19), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.anchor) == ("transfer", "fsp", date(2026, 11, 19))
    assert (d.earliest, d.latest) == (date(2026, 11, 19), date(2026, 11, 19))
    # The conference was last Thursday: the point has passed, due now within 10 working days.
    assert "late" in d.flags
    assert (d.date_from, d.date_to) == (date(2026, 11, 23), date(2026, 12, 7))


@pytest.mark.covers("mcf-cai-icpc-cp")
def test_icpc_on_the_plan_date_is_the_transfer_date(tmp_path):
    c = council()
    c.child("C1", date(2018, 1, 1), "TCA", "WTCA").cp_plan("C1", date(2026, 11, 19))
    c.event("C1", "icpc", date(2026, 11, 19), status="held")
    d = decisions(c, tmp_path, week=date(2026, 11, 19))["C1"]
    assert (d.date_from, d.date_to, d.flags) == (date(2026, 11, 19), date(2026, 11, 19), ())


@pytest.mark.covers("mcf-cai-icpc-cin", "mcf-cai-icpc-cp")
def test_siblings_with_different_conference_outcomes(tmp_path):
    # One sibling is made subject of a CP plan, the other gets a CIN plan: the policy has no
    # siblings-follow rule, so one moves to FSP and the other remains in CAI.
    c = council()
    c.child("C1", date(2016, 3, 3), "TCA", "WTCA", family="F").cp_plan("C1", date(2026, 11, 18))
    c.event("C1", "icpc", date(2026, 11, 18), status="held")
    c.child("C2", date(2019, 3, 3), "TCA", "WTCA", family="F")
    c.event("C2", "icpc", date(2026, 11, 18), status="held")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].rule_id, ds["C1"].to_service) == ("mcf-cai-icpc-cp", "fsp")
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "mcf-cai-icpc-cin")
    assert ds["C2"].reasons[0].clause == "CAI row (ICPC, CIN plan)"
    assert "siblings_follow" not in ds["C2"].flags


@pytest.mark.covers("mcf-cai-icpc-cin")
def test_only_a_held_conference_without_a_plan_keeps_the_case_in_cai_under_the_cin_row(tmp_path):
    # A conference still to come (Wed 2 Dec) has no outcome yet: the case stays in CAI by
    # default, not because a CIN plan was agreed. Held last Wednesday with no plan: the row.
    c = council()
    c.child("C1", date(2018, 1, 1), "TCA", "WTCA").event("C1", "icpc", date(2026, 12, 2))
    c.child("C2", date(2018, 1, 1), "TCA", "WTCA").event("C2", "icpc", date(2026, 11, 18),
                                                          status="held")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id, ds["C1"].to_service) == (
        "stay", "default-stay", None)
    assert ds["C1"].reasons[0].clause == "Key Principles"
    assert (ds["C2"].outcome, ds["C2"].rule_id, ds["C2"].to_service) == (
        "stay", "mcf-cai-icpc-cin", None)
    assert ds["C2"].reasons[0].clause == "CAI row (ICPC, CIN plan)"


# ---- CAI: court and pre-proceedings ---------------------------------------------------------

@pytest.mark.covers("mcf-cai-epo-ico-hearing")
def test_epo_or_ico_hearing_moves_the_case_to_the_court_team(tmp_path):
    c = council()
    c.child("C1", date(2021, 1, 1), "TCA", "WTCA").event("C1", "first_hearing",
                                                          date(2026, 11, 27))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.reasons[0].clause) == ("transfer", "court",
                                                              "CAI row (EPO/ICO)")
    assert (d.earliest, d.latest, d.date_from) == (date(2026, 11, 27),) * 3
    assert d.statutory  # a first hearing puts the child in proceedings


@pytest.mark.covers("mcf-cai-epo-ico-hearing")
def test_epo_hearing_is_the_point_and_comes_before_the_first_hearing(tmp_path):
    c = council()
    c.child("C1", date(2021, 1, 1), "TCA", "WTCA").event("C1", "epo_hearing", date(2026, 11, 24))
    c.event("C1", "first_hearing", date(2026, 12, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.anchor, d.earliest, d.latest) == (
        "mcf-cai-epo-ico-hearing", "court", date(2026, 11, 24), date(2026, 11, 24),
        date(2026, 11, 24))
    assert d.point == "at the epo hearing on 2026-11-24" and d.due and not d.flags


@pytest.mark.covers("mcf-cai-epo-ico-hearing")
def test_interim_care_order_made_without_a_hearing_date_on_record_is_the_point(tmp_path):
    # Only the order is recorded (legal status C1 from Thu 19 Nov): the day it was made is the
    # hearing; it has passed, so the move is due now within the default 10 working days.
    c = council()
    c.child("C1", date(2021, 1, 1), "TCA", "WTCA").looked_after("C1", "C1", date(2026, 11, 19))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.anchor, d.latest) == (
        "mcf-cai-epo-ico-hearing", "court", date(2026, 11, 19), date(2026, 11, 19))
    assert "late" in d.flags
    assert (d.date_from, d.date_to) == (date(2026, 11, 23), date(2026, 12, 7))


@pytest.mark.covers("mcf-cai-epo-ico-hearing", "mcf-cai-gateway-ppm", "mcf-cai-icpc-cp",
                    "mcf-proceedings-sit-in-fsp-cla")
def test_court_hearing_outranks_pre_proceedings_and_conference_routes(tmp_path):
    c = council()
    c.child("C1", date(2021, 1, 1), "TCA", "WTCA").cp_plan("C1", date(2026, 10, 1))
    c.event("C1", "icpc", date(2026, 10, 1), status="held")
    c.event("C1", "gateway_meeting", date(2026, 10, 20), status="held")
    c.flag("C1", "pre_proceedings")
    c.event("C1", "pre_proceedings_meeting", date(2026, 11, 4), status="held")
    c.event("C1", "first_hearing", date(2026, 12, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.date_from) == ("mcf-cai-epo-ico-hearing", "court",
                                                      date(2026, 12, 1))
    assert [r.rule_id for r in d.overruled] == [
        "mcf-cai-gateway-ppm", "mcf-cai-icpc-cp", "mcf-proceedings-sit-in-fsp-cla"]


@pytest.mark.covers("mcf-cai-gateway-ppm")
def test_gateway_route_shows_the_earlier_of_ppm_and_icpc_to_managers(tmp_path):
    c = council()
    # Gateway held Mon 16 Nov recommending pre-proceedings; PPM Tue 1 Dec, ICPC Fri 4 Dec.
    c.child("C1", date(2020, 5, 5), "TCA", "WTCA").flag("C1", "pre_proceedings")
    c.event("C1", "gateway_meeting", date(2026, 11, 16), status="held")
    c.event("C1", "pre_proceedings_meeting", date(2026, 12, 1))
    c.event("C1", "icpc", date(2026, 12, 4))
    # The same with the ICPC first (Mon 30 Nov): the conference is the candidate date.
    c.child("C2", date(2020, 5, 5), "TCA", "WTCA").flag("C2", "pre_proceedings")
    c.event("C2", "gateway_meeting", date(2026, 11, 16), status="held")
    c.event("C2", "pre_proceedings_meeting", date(2026, 12, 3))
    c.event("C2", "icpc", date(2026, 11, 30))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.rule_id, d.reasons[0].clause) == (
        "manager_decision", "mcf-cai-gateway-ppm", "CAI row (gateway / PPM)")
    assert (d.anchor, d.earliest, d.latest, d.date_from, d.date_to) == (
        date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 1),
        date(2026, 12, 1))
    assert d.point == "at the pre proceedings meeting on 2026-12-01"
    assert d.flags == ("manager_decision",) and not d.needs_allocation and d.to_service is None
    assert [r.rule_id for r in d.overruled] == []  # the ICPC is still to come: no CIN row
    d = ds["C2"]
    assert (d.anchor, d.point) == (date(2026, 11, 30),
                                   "at the initial child protection conference on 2026-11-30")


@pytest.mark.covers("mcf-cai-gateway-ppm", "mcf-cai-icpc-cp")
def test_gateway_route_with_a_conference_held_leaves_icpc_or_ppm_to_managers(tmp_path):
    c = council()
    c.child("C1", date(2020, 5, 5), "TCA", "WTCA").cp_plan("C1", date(2026, 11, 17))
    c.event("C1", "gateway_meeting", date(2026, 11, 10), status="held")
    c.flag("C1", "pre_proceedings")
    c.event("C1", "icpc", date(2026, 11, 17), status="held")
    c.event("C1", "pre_proceedings_meeting", date(2026, 12, 3))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.reasons[0].clause) == ("manager_decision", "CAI row (gateway / PPM)")
    # The conference (Tue 17 Nov) is the earlier candidate and has passed.
    assert (d.anchor, d.flags) == (date(2026, 11, 17), ("manager_decision", "late"))
    assert not d.needs_allocation
    assert [r.rule_id for r in d.overruled] == ["mcf-cai-icpc-cp"]


@pytest.mark.covers("mcf-cai-gateway-ppm", "mcf-cai-icpc-cin")
@pytest.mark.parametrize("meeting,status,flag,rule", [
    # A gateway recorded as a legal planning meeting counts.
    ("legal_planning_meeting", "held", "pre_proceedings", "mcf-cai-gateway-ppm"),
    ("gateway_meeting", "scheduled", "pre_proceedings", "default-stay"),  # not yet held
    ("gateway_meeting", "held", None, "default-stay"),  # no PPM recommended
    ("gateway_meeting", "held", "proceedings_to_issue", "default-stay"),  # issue: EPO/ICO row
])
def test_gateway_route_needs_a_held_gateway_recommending_pre_proceedings(
        tmp_path, meeting, status, flag, rule):
    c = council()
    c.child("C1", date(2020, 5, 5), "TCA", "WTCA")
    c.event("C1", meeting, date(2026, 11, 18) if status == "held" else date(2026, 11, 27),
            status=status)
    if flag:
        c.flag("C1", flag)
    c.event("C1", "icpc", date(2026, 12, 4))
    d = decisions(c, tmp_path)["C1"]
    assert d.rule_id == rule
    if rule == "mcf-cai-gateway-ppm":
        assert (d.anchor, d.date_from) == (date(2026, 12, 4), date(2026, 12, 4))
    assert [r.rule_id for r in d.overruled] == []  # the ICPC is not yet held


@pytest.mark.covers("mcf-cai-gateway-ppm")
def test_gateway_route_without_a_ppm_or_icpc_arranged_stays_in_cai(tmp_path):
    c = council()
    c.child("C1", date(2020, 5, 5), "TCA", "WTCA").flag("C1", "pre_proceedings")
    c.event("C1", "gateway_meeting", date(2026, 11, 18), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("stay", "default-stay")


# ---- Care proceedings and supervision orders -----------------------------------------------

@pytest.mark.covers("mcf-proceedings-sit-in-fsp-cla")
@pytest.mark.parametrize("team,rule", [
    ("TAI", "mcf-proceedings-sit-in-fsp-cla"), ("TAF", "mcf-proceedings-sit-in-fsp-cla"),
    ("TF", "default-stay"), ("TCT", "default-stay"), ("TCL", "default-stay")])
def test_care_proceedings_sit_within_fsp_and_cla(tmp_path, team, rule):
    c = council()
    c.child("C1", date(2012, 2, 2), team, f"W{team}").looked_after("C1", "C1", date(2026, 9, 1))
    d = decisions(c, tmp_path)["C1"]
    assert d.rule_id == rule
    if rule != "default-stay":
        assert d.outcome == "manager_decision"
        assert d.reasons[0].clause == "Key Principles (care proceedings)"


@pytest.mark.covers("mcf-supervision-order-stays")
@pytest.mark.parametrize("team", ["TF", "TCT", "TCL"])
def test_supervision_order_stays_with_the_allocated_worker(tmp_path, team):
    c = council()
    c.child("C1", date(2019, 2, 2), team, f"W{team}").flag("C1", "supervision_order")
    c.event("C1", "first_hearing", date(2026, 5, 5), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 11), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id, d.from_worker) == ("stay", "mcf-supervision-order-stays",
                                                      f"W{team}")
    assert d.reasons[0].clause == "FS&P/Court and CLA row (supervision order)"
    assert not d.needs_allocation


@pytest.mark.covers("mcf-supervision-order-stays", "mcf-cla-pa-coworks-16")
def test_supervision_order_outranks_leaving_care_co_working(tmp_path):
    c = council()
    c.child("C1", date(2010, 11, 25), "TCL", "WTCL").flag("C1", "supervision_order")
    d = decisions(c, tmp_path)["C1"]
    assert d.rule_id == "mcf-supervision-order-stays"
    assert [r.rule_id for r in d.overruled] == ["mcf-cla-pa-coworks-16"]


# ---- CLA to the Leaving Care Service ---------------------------------------------------------

@pytest.mark.covers("mcf-cla-pa-coworks-16")
def test_personal_adviser_co_works_from_16th_birthday_in_the_plan_week(tmp_path):
    c = council()
    c.child("C1", date(2010, 11, 25), "TCL", "WTCL").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.coworking_service, d.to_service) == ("start_coworking", "lcs", "lcs")
    # 16th birthday Wed 25 Nov; default window of 10 working days to Wed 9 Dec.
    assert (d.anchor, d.earliest, d.latest) == (date(2026, 11, 25), date(2026, 11, 25),
                                                date(2026, 12, 9))
    assert (d.date_from, d.date_to) == (date(2026, 11, 25), date(2026, 12, 9))
    assert d.point == "at the 16th birthday on 2026-11-25" and d.needs_allocation
    assert d.reasons[0].clause == "CLA row"


@pytest.mark.covers("mcf-cla-pa-coworks-16")
@pytest.mark.parametrize("dob,rule,flags", [
    (date(2012, 1, 1), "default-stay", ()),  # aged 14: nothing yet
    (date(2011, 6, 1), "mcf-cla-pa-coworks-16", ()),  # 15: planned for 1 June 2027
    (date(2010, 3, 1), "mcf-cla-pa-coworks-16", ("late",)),  # 16 since March: due now
])
def test_personal_adviser_co_working_around_16(tmp_path, dob, rule, flags):
    c = council()
    c.child("C1", dob, "TCL", "WTCL").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.flags) == (rule, flags)
    if dob == date(2011, 6, 1):
        assert (d.anchor, d.due) == (date(2027, 6, 1), False)
    if flags:
        assert (d.date_from, d.date_to) == (date(2026, 11, 23), date(2026, 12, 7))


@pytest.mark.covers("mcf-cla-lcs-lead-18", "mcf-cla-pa-coworks-16")
def test_personal_adviser_becomes_lead_on_18th_birthday_in_the_plan_week(tmp_path):
    c = council()
    c.child("C1", date(2008, 11, 26), "TCL", "WTCL").looked_after("C1", "C2", date(2020, 1, 1))
    c.add("ssd_involvements", invo_involvements_id="IPA", invo_professional_id="WTL",
          invo_professional_role_id="Co-worker", invo_professional_team="TL",
          invo_involvement_start_date="2024-11-26", invo_person_id="C1")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service) == ("coworker_becomes_lead", "lcs")
    # 18th birthday Thu 26 Nov; default window of 10 working days to Thu 10 Dec.
    assert (d.anchor, d.date_from, d.date_to) == (date(2026, 11, 26), date(2026, 11, 26),
                                                  date(2026, 12, 10))
    assert d.reasons[0].clause == "CLA row"
    # The personal adviser already co-works: co-working is not asked for again.
    assert [r.rule_id for r in d.overruled] == []


@pytest.mark.covers("mcf-cla-pa-coworks-16")
def test_personal_adviser_is_not_requested_again_once_in_place(tmp_path):
    c = council()
    for cid in ("C1", "C2"):  # both 16 since March
        c.child(cid, date(2010, 3, 1), "TCL", "WTCL").looked_after(cid, "C2", date(2020, 1, 1))
    c.add("ssd_involvements", invo_involvements_id="IPA", invo_professional_id="WTL",
          invo_professional_role_id="Co-worker", invo_professional_team="TL",
          invo_involvement_start_date="2026-03-02", invo_person_id="C1")
    # C2's co-worker is from AFRS, not a personal adviser: the PA is still due.
    c.add("ssd_involvements", invo_involvements_id="IAF", invo_professional_id="WTAF",
          invo_professional_role_id="Co-worker", invo_professional_team="TAF",
          invo_involvement_start_date="2026-03-02", invo_person_id="C2")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id) == ("stay", "default-stay")
    d = ds["C2"]
    assert (d.rule_id, d.coworking_service, d.flags) == ("mcf-cla-pa-coworks-16", "lcs",
                                                         ("late",))
    assert (d.date_from, d.date_to) == (date(2026, 11, 23), date(2026, 12, 7))


@pytest.mark.covers("mcf-cla-lcs-lead-18")
def test_young_person_already_18_in_cla_moves_to_lcs_now(tmp_path):
    c = council()
    c.child("C1", date(2008, 2, 29), "TCL", "WTCL")
    d = decisions(c, tmp_path)["C1"]
    # Born 29 Feb: 18 on 1 Mar 2026 in a common year, long past: late, due now.
    assert (d.rule_id, d.anchor) == ("mcf-cla-lcs-lead-18", date(2026, 3, 1))
    assert "late" in d.flags and d.date_from == date(2026, 11, 23)
    assert d.overruled == ()  # 18: past the co-working age band


def test_cases_with_no_transfer_point_stay(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TCA", "WTCA")
    c.child("C2", date(2015, 1, 1), "TF", "WTF").cp_plan("C2")
    c.child("C3", date(2015, 1, 1), "TE", "WTE")
    ds = decisions(c, tmp_path)
    for d in ds.values():
        assert (d.outcome, d.reasons[0].clause) == ("stay", "Key Principles")
