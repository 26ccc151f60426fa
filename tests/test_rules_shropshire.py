"""The Shropshire pack: every transfer point with its dates, and the edge cases around them.

The plan week starts Monday 23 November 2026 (extract Friday 20 November). Notice is 7 days
(clause 2.4, calendar days) for most transfers, so the first date they can use is Monday
30 November; for Assessment -> CMT transfers at the end of the assessment it is 7 working
days (4.24), so Wednesday 2 December. Notice is given only for a child with a lead worker.
The pack's default window is 10 working days, so a transfer due "now" runs to Monday
7 December. England's bank holidays in range: 25 and 28 December 2026 and 1 January 2027.
"""

import re
from datetime import date
from pathlib import Path

import pytest

from allocator.rules.pack import load_pack
from factory import WEEK, TinyCouncil, decide_children, pack_council

PACK = load_pack("shropshire")
NOTICE_DATE = date(2026, 12, 2)  # 7 working days after Monday 23 November (4.24)
CAL_NOTICE_DATE = date(2026, 11, 30)  # 7 days after Monday 23 November (2.4)
NOW_WINDOW_END = date(2026, 12, 7)  # 10 working days after Monday 23 November
SOURCE = Path(__file__).resolve().parents[2] / "shared" / "policies" / "shropshire-transfer-protocol.txt"

TEAMS = [("TC", "compass"), ("TA", "assessment"), ("TM", "cmt"), ("TK", "court"),
         ("TL", "lac_permanency"), ("T18", "leaving_care"), ("TD", "dct"), ("TU", "uasc"),
         ("TE", "edt")]


def council() -> TinyCouncil:
    return pack_council("shropshire", TEAMS)


def decisions(c: TinyCouncil, tmp_path, week: date = WEEK) -> dict:
    return decide_children(c, PACK, tmp_path, week)


def overruled(d) -> list[str]:
    return [r.rule_id for r in d.overruled]


def disabled(c: TinyCouncil, child_id: str) -> TinyCouncil:
    return c.add("ssd_disability", disa_table_id=f"D{child_id}", disa_person_id=child_id,
                 disa_disability_code="LD")


def immigration(c: TinyCouncil, child_id: str, status: str) -> TinyCouncil:
    n = len(c.tables.get("ssd_immigration_status", []))
    return c.add("ssd_immigration_status", immi_immigration_status_id=f"IM{n}",
                 immi_person_id=child_id, immi_immigration_status=status,
                 immi_immigration_status_start_date=date(2026, 1, 1))


def previous_case(c: TinyCouncil, child_id: str, closed: date, team: str) -> TinyCouncil:
    """A closed earlier referral, led by a worker in ``team`` until the closure."""
    c.add("ssd_cin_episodes", cine_referral_id=f"OLD{child_id}", cine_person_id=child_id,
          cine_referral_date=date(2026, 1, 5), cine_close_date=closed, cine_referral_team="TC")
    return c.add("ssd_involvements", invo_involvements_id=f"IOLD{child_id}",
                 invo_professional_id=f"W{team}", invo_professional_role_id="Allocated Case Worker",
                 invo_professional_team=team, invo_involvement_start_date=date(2026, 2, 1),
                 invo_involvement_end_date=closed, invo_person_id=child_id)


# ---- The pack itself -------------------------------------------------------------------------

def test_pack_has_one_front_door_and_early_help_outside_social_care():
    assert [s.id for s in PACK.services if s.front_door] == ["compass"]
    outside = {s.id for s in PACK.services if not s.social_care}
    assert outside == {"early_help", "adult_social_care"}
    assert PACK.service("early_help").role == "early_help"


@pytest.mark.skipif(not SOURCE.is_file(), reason="source policy text not available")
def test_every_quote_is_verbatim_from_the_protocol():
    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2013", "-"))

    source = norm(SOURCE.read_text(encoding="utf-8"))
    quotes = [r.quote for r in PACK.rules] + [n.quote for n in PACK.not_encoded]
    for quote in quotes + [PACK.pack.default_quote]:
        for part in norm(quote).split("..."):
            assert part.strip() in source, part


def test_every_shropshire_rule_and_timescale_is_covered_by_a_test():
    from allocator.rules.coverage import coverage_rows, test_references

    rows = coverage_rows(PACK, test_references(Path(__file__).parent))
    assert [r.rule_id for r in rows if not r.tests] == []
    assert {"shropshire:notice", "shropshire:introduction", "shropshire:escalation",
            "shropshire:re-referral"} <= {r.rule_id for r in rows}


# ---- Pack-wide timescales ----------------------------------------------------------------------

@pytest.mark.covers("shr-4.1-compass-to-assessment", "shr-2.7-allocate",
                    "shropshire:introduction", "shropshire:escalation")
def test_compass_referral_goes_to_assessment_after_seven_days_notice(tmp_path):
    c = council()
    c.child("C1", date(2017, 4, 4), "TC", "WTC")  # a Compass worker holds the referral
    c.child("C2", date(2017, 4, 4), "TC", None)  # nobody holds it yet
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.to_service, d.reasons[0].clause) == ("transfer", "assessment", "4.1")
    assert (d.earliest, d.latest) == (date(2026, 11, 23), NOW_WINDOW_END)
    # 2.4: 7 days' notice, Mon 23 to Mon 30 Nov, which is 5 working days.
    assert (d.date_from, d.date_to, d.notice_working_days) == (CAL_NOTICE_DATE, NOW_WINDOW_END,
                                                               5)
    # 2.12: the new worker writes within 5 working days of receiving the case.
    assert d.introduction_by == date(2026, 12, 7)
    # 2.13: a delay past the window goes to Service Managers within 10 working days and is
    # resolved within 20: Mon 7 Dec + 20 working days, skipping 25, 28 Dec and 1 Jan.
    assert d.escalate_after == date(2026, 12, 21)
    assert d.resolve_by == date(2027, 1, 7)
    # Nobody holds C2's referral, so nobody gives notice: the plan date is usable.
    assert (ds["C2"].to_service, ds["C2"].latest) == ("assessment", NOW_WINDOW_END)
    assert (ds["C2"].date_from, ds["C2"].notice_working_days) == (date(2026, 11, 23), 0)
    assert overruled(ds["C2"]) == ["shr-2.7-allocate"]


@pytest.mark.covers("shropshire:notice", "shr-4.1-compass-to-assessment", "shr-5.2-icpc")
def test_seven_days_notice_and_seven_working_days_notice_over_christmas(tmp_path):
    # Plan week Mon 21 Dec 2026. 2.4: 7 days to Mon 28 Dec, which holds 3 working days
    # (22, 23, 24 Dec; 25 and 28 Dec are bank holidays): usable from Thu 24 Dec.
    # 4.24 (Assessment -> CMT): 7 working days, 22-24, 29-31 Dec, Mon 4 Jan 2027.
    c = council()
    c.child("C1", date(2017, 4, 4), "TC", "WTC")
    c.child("C2", date(2019, 3, 3), "TA", "WTA").event("C2", "icpc", date(2027, 1, 6))
    c.child("C3", date(2019, 3, 3), "TA", "WTA").event("C3", "icpc", date(2026, 12, 30))
    ds = decisions(c, tmp_path, week=date(2026, 12, 21))
    d = ds["C1"]
    assert (d.rule_id, d.notice_working_days, d.date_from, d.date_to) == (
        "shr-4.1-compass-to-assessment", 3, date(2026, 12, 24), date(2027, 1, 7))
    d = ds["C2"]
    assert (d.rule_id, d.notice_working_days, d.date_from) == ("shr-5.2-icpc", 7,
                                                                date(2027, 1, 6))
    assert "short_notice" not in d.flags
    # A conference on Wed 30 Dec comes before 4.24's notice can run: flagged, point kept.
    d = ds["C3"]
    assert (d.date_from, d.date_to) == (date(2026, 12, 30), date(2026, 12, 30))
    assert "short_notice" in d.flags


@pytest.mark.covers("shr-2.7-allocate")
def test_child_without_a_lead_worker_is_allocated_now_and_others_stay(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TM", None)
    c.child("C2", date(2015, 1, 1), "TM", "WTM")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].to_service, ds["C1"].date_from) == (
        "allocate", "cmt", date(2026, 11, 23))
    assert (ds["C2"].outcome, ds["C2"].reasons[0].clause) == ("stay", "2.2")


@pytest.mark.covers("shr-4.14-assessment-to-court", "shropshire:introduction",
                    "shropshire:escalation")
def test_bank_holidays_inside_the_window_are_skipped(tmp_path):
    c = council()
    c.child("C1", date(2020, 5, 5), "TA", "WTA").looked_after("C1", "C1", date(2026, 11, 20))
    c.event("C1", "first_hearing", date(2026, 12, 17))
    d = decisions(c, tmp_path)["C1"]
    # 10 working days from Thu 17 Dec: 18, 21-24, (25, 28 bank holidays) 29-31,
    # (1 Jan bank holiday) 4, 5: Tue 5 Jan 2027.
    assert (d.anchor, d.latest) == (date(2026, 12, 17), date(2027, 1, 5))
    assert d.date_from == date(2026, 12, 17)
    assert d.introduction_by == date(2026, 12, 24)  # 18, 21, 22, 23, 24
    assert d.escalate_after == date(2027, 1, 19)  # 6-8, 11-15, 18, 19


# ---- Re-referrals ----------------------------------------------------------------------------

@pytest.mark.covers("shr-4.32-re-referral-within-8-weeks", "shropshire:re-referral")
def test_re_referral_within_8_weeks_goes_back_to_the_last_team(tmp_path):
    c = council()
    c.child("C1", date(2014, 2, 2), "TC", "WTC", referral_date=date(2026, 11, 16))
    previous_case(c, "C1", date(2026, 10, 5), "TM")  # six weeks before the new referral
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.reasons[0].clause) == (
        "shr-4.32-re-referral-within-8-weeks", "cmt", "4.32 NB")
    assert (d.date_from, d.date_to) == (CAL_NOTICE_DATE, NOW_WINDOW_END)
    assert "shr-4.1-compass-to-assessment" in overruled(d)


@pytest.mark.covers("shr-4.32-re-referral-within-8-weeks", "shropshire:re-referral")
def test_re_referral_exactly_8_weeks_after_closure_is_within(tmp_path):
    c = council()
    c.child("C1", date(2014, 2, 2), "TC", "WTC", referral_date=date(2026, 11, 16))
    previous_case(c, "C1", date(2026, 9, 21), "TD")  # 56 days
    assert decisions(c, tmp_path)["C1"].to_service == "dct"


@pytest.mark.covers("shr-4.32-re-referral-within-8-weeks", "shr-4.1-compass-to-assessment")
@pytest.mark.parametrize("team", ["TC", "TE"])
def test_re_referral_within_8_weeks_of_a_case_closed_without_a_social_work_team(tmp_path, team):
    # Last closed at Compass or by EDT: there is no responsible social work team to go back
    # to, so the referral takes the ordinary route to an Assessment Team.
    c = council()
    c.child("C1", date(2014, 2, 2), "TC", "WTC", referral_date=date(2026, 11, 16))
    previous_case(c, "C1", date(2026, 10, 5), team)
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service) == ("shr-4.1-compass-to-assessment", "assessment")
    assert "shr-4.32-re-referral-within-8-weeks" not in overruled(d)


@pytest.mark.covers("shr-5.36-re-referral-after-8-weeks", "shropshire:re-referral")
def test_re_referral_after_8_weeks_gets_a_new_assessment(tmp_path):
    c = council()
    c.child("C1", date(2014, 2, 2), "TC", "WTC", referral_date=date(2026, 11, 16))
    previous_case(c, "C1", date(2026, 8, 31), "TM")  # eleven weeks
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.reasons[0].clause) == (
        "shr-5.36-re-referral-after-8-weeks", "assessment", "5.36")
    assert "shr-4.32-re-referral-within-8-weeks" not in overruled(d)
    assert "shr-4.1-compass-to-assessment" in overruled(d)


# ---- EDT -------------------------------------------------------------------------------------

@pytest.mark.covers("shr-3.7-edt-strategy-to-compass")
def test_edt_strategy_discussion_passes_to_compass_the_next_working_day(tmp_path):
    c = council()
    c.child("C1", date(2012, 3, 3), "TE", "WTE").event(
        "C1", "strategy_discussion", date(2026, 11, 21), status="held")  # a Saturday
    d = decisions(c, tmp_path)["C1"]
    assert (d.to_service, d.earliest, d.latest) == ("compass", date(2026, 11, 23),
                                                    date(2026, 11, 23))
    assert "short_notice" in d.flags


@pytest.mark.covers("shr-3.7-edt-strategy-to-compass")
def test_next_working_day_after_christmas_eve_skips_two_bank_holidays(tmp_path):
    c = council()
    c.child("C1", date(2012, 3, 3), "TE", "WTE").event(
        "C1", "strategy_discussion", date(2026, 12, 24))
    assert decisions(c, tmp_path)["C1"].earliest == date(2026, 12, 29)


@pytest.mark.covers("shr-12.1-edt-no-takeover")
def test_edt_holding_other_work_needs_the_coordinator(tmp_path):
    c = council()
    c.child("C1", date(2012, 3, 3), "TE", "WTE")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.reasons[0].clause) == ("manager_decision", "12.1")
    assert "manager_decision" in d.flags and not d.needs_allocation


# ---- Assessment to Case Management -------------------------------------------------------------

@pytest.mark.covers("shr-5.2-icpc", "shropshire:notice")
def test_cp_case_moves_to_cmt_at_the_initial_conference(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TA", "WTA").event("C1", "icpc", date(2026, 12, 8))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.earliest, d.latest) == (
        "transfer", "cmt", date(2026, 12, 8), date(2026, 12, 8))
    assert d.reasons[0].clause == "5.2" and d.due and "short_notice" not in d.flags


@pytest.mark.covers("shr-5.2-icpc", "shropshire:notice")
def test_deferred_conference_moves_the_point_and_a_near_one_is_short_notice(tmp_path):
    c = council()
    c.child("C1", date(2019, 3, 3), "TA", "WTA").event(
        "C1", "icpc", date(2026, 11, 26), status="deferred", original=date(2026, 11, 19))
    d = decisions(c, tmp_path)["C1"]
    assert d.date_from == date(2026, 11, 26) and "short_notice" in d.flags
    assert any("deferred from 2026-11-19" in r.text for r in d.reasons)


@pytest.mark.covers("shr-4.25-cin-core-group")
def test_child_in_need_moves_to_cmt_at_the_core_group(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TA", "WTA")
    c.event("C1", "assessment_completed", date(2026, 11, 20), status="held")
    c.event("C1", "cin_review", date(2026, 12, 3))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "shr-4.25-cin-core-group", "cmt", date(2026, 12, 3), date(2026, 12, 3))


@pytest.mark.covers("shr-5.7-in-care-to-cmt", "shropshire:notice")
def test_child_in_care_without_proceedings_moves_to_cmt_within_5_working_days(tmp_path):
    c = council()
    c.child("C1", date(2013, 1, 1), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 19))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service) == ("shr-5.7-in-care-to-cmt", "cmt")
    # Accommodated Thu 19 Nov: the placement planning meeting window runs 5 working days to
    # Thu 26 Nov, shorter than 4.24's 7 working days' notice: the point stands.
    assert (d.anchor, d.earliest, d.latest, d.date_from) == (
        date(2026, 11, 19), date(2026, 11, 19), date(2026, 11, 26), date(2026, 11, 23))
    assert d.notice_working_days == 7 and "short_notice" in d.flags


@pytest.mark.covers("shr-5.7-in-care-to-cmt")
def test_in_care_window_runs_from_the_latest_accommodation(tmp_path):
    c = council()
    # Looked after from 1 to 30 Oct, home, accommodated again on Wed 18 Nov: the window is
    # 5 working days from 18 Nov, to Wed 25 Nov.
    c.child("C1", date(2013, 1, 1), "TA", "WTA")
    c.add("ssd_cla_episodes", clae_cla_episode_id="E1a", clae_person_id="C1",
          clae_cla_episode_start_date=date(2026, 10, 1),
          clae_cla_episode_ceased_date=date(2026, 10, 30), clae_cla_id="CLA1a")
    c.looked_after("C1", "V2", date(2026, 11, 18))
    # Accommodated on Mon 2 Nov: the 5 working days ended Mon 9 Nov, so the move is late and
    # due now, after 4.24's notice (Wed 2 Dec) within the default window (to Mon 7 Dec).
    c.child("C2", date(2013, 1, 1), "TA", "WTA").looked_after("C2", "V2", date(2026, 11, 2))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.anchor, d.latest) == ("shr-5.7-in-care-to-cmt", date(2026, 11, 18),
                                               date(2026, 11, 25))
    d = ds["C2"]
    assert (d.anchor, d.latest) == (date(2026, 11, 2), date(2026, 11, 9))
    assert "late" in d.flags and (d.date_from, d.date_to) == (NOTICE_DATE, NOW_WINDOW_END)


@pytest.mark.covers("shr-4.13-short-term-legal", "shr-5.7-in-care-to-cmt")
def test_short_term_legal_intervention_has_10_working_days_and_outranks_5_7(tmp_path):
    c = council()
    c.child("C1", date(2013, 1, 1), "TA", "WTA").looked_after("C1", "L2", date(2026, 11, 19))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.reasons[0].clause) == (
        "shr-4.13-short-term-legal", "cmt", "4.13")
    assert (d.date_from, d.date_to) == (NOTICE_DATE, NOW_WINDOW_END)
    assert overruled(d) == ["shr-5.7-in-care-to-cmt"]


@pytest.mark.covers("shr-5.9-remand", "shr-5.7-in-care-to-cmt")
def test_remanded_child_goes_to_cmt_from_notification(tmp_path):
    c = council()
    c.child("C1", date(2010, 1, 1), "TA", "WTA").looked_after("C1", "J1", date(2026, 11, 20))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "shr-5.9-remand", "cmt", date(2026, 11, 23), date(2026, 11, 23))
    assert "short_notice" in d.flags and "shr-5.7-in-care-to-cmt" in overruled(d)


@pytest.mark.covers("shr-5.13-cp-transfer-in", "shr-5.14-transfer-in-proceedings")
def test_transfer_in_on_a_cp_plan_goes_to_cmt_unless_proceedings_are_active(tmp_path):
    c = council()
    c.child("C1", date(2018, 1, 1), "TC", "WTC").cp_plan("C1").flag("C1", "transfer_in")
    c.child("C2", date(2018, 1, 1), "TC", None).cp_plan("C2").flag("C2", "transfer_in")
    c.event("C2", "first_hearing", date(2026, 11, 2), status="held")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].to_service, ds["C1"].reasons[0].clause) == ("cmt", "5.13")
    assert (ds["C1"].date_from, ds["C1"].date_to) == (CAL_NOTICE_DATE, NOW_WINDOW_END)
    assert "shr-4.1-compass-to-assessment" in overruled(ds["C1"])
    assert (ds["C2"].outcome, ds["C2"].reasons[0].clause) == ("manager_decision", "5.14")
    assert "shr-5.13-cp-transfer-in" in overruled(ds["C2"])


@pytest.mark.covers("shr-13.4-exploitation")
def test_medium_exploitation_risk_moves_to_cmt_after_the_assessment(tmp_path):
    c = council()
    c.child("C1", date(2011, 7, 7), "TA", "WTA").flag("C1", "exploitation_medium")
    c.event("C1", "assessment_completed", date(2026, 11, 18), status="held")
    d = decisions(c, tmp_path)["C1"]
    # Default window: 10 working days from Wed 18 Nov is Wed 2 Dec, the notice date.
    assert (d.rule_id, d.to_service, d.anchor, d.latest) == (
        "shr-13.4-exploitation", "cmt", date(2026, 11, 18), date(2026, 12, 2))
    assert (d.date_from, d.date_to) == (NOTICE_DATE, NOTICE_DATE)


# ---- Relinquished babies ------------------------------------------------------------------------

@pytest.mark.covers("shr-7.4-relinquished-until-assessed", "shr-5.7-in-care-to-cmt")
def test_relinquished_baby_stays_in_assessment_until_assessed(tmp_path):
    c = council()
    c.child("C1", date(2026, 11, 5), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 6))
    c.flag("C1", "relinquished")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("stay", "shr-7.4-relinquished-until-assessed")
    assert "shr-5.7-in-care-to-cmt" in overruled(d)


@pytest.mark.covers("shr-7.4-relinquished")
def test_relinquished_baby_moves_to_cmt_on_completion_of_assessment(tmp_path):
    c = council()
    c.child("C1", date(2026, 11, 5), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 6))
    c.flag("C1", "relinquished").event("C1", "assessment_completed", date(2026, 11, 30))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "shr-7.4-relinquished", "cmt", date(2026, 11, 30), date(2026, 12, 14))
    assert d.date_from == NOTICE_DATE
    assert overruled(d)[0] == "shr-7.4-relinquished-until-assessed"


# ---- Care proceedings ------------------------------------------------------------------------------

@pytest.mark.covers("shr-4.14-assessment-to-court")
def test_whichever_is_sooner_with_both_the_hearing_and_the_first_review(tmp_path):
    c = council()
    c.child("C1", date(2016, 6, 6), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 2))
    c.event("C1", "first_hearing", date(2026, 12, 3)).event("C1", "cla_review", date(2026, 11, 26))
    d = decisions(c, tmp_path)["C1"]
    # The first LAC review (Thu 26 Nov) comes first: 10 working days runs to Thu 10 Dec.
    assert (d.rule_id, d.to_service, d.anchor, d.latest) == (
        "shr-4.14-assessment-to-court", "court", date(2026, 11, 26), date(2026, 12, 10))
    assert (d.date_from, d.date_to) == (CAL_NOTICE_DATE, date(2026, 12, 10))
    assert "shr-5.7-in-care-to-cmt" not in overruled(d)  # in proceedings: 5.7 does not apply


@pytest.mark.covers("shr-4.14-assessment-to-court")
def test_whichever_is_sooner_with_only_the_hearing(tmp_path):
    c = council()
    c.child("C1", date(2016, 6, 6), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 2))
    c.event("C1", "first_hearing", date(2026, 12, 3))
    d = decisions(c, tmp_path)["C1"]
    assert (d.anchor, d.latest) == (date(2026, 12, 3), date(2026, 12, 17))


@pytest.mark.covers("shr-4.14-assessment-to-court", "shr-5.2-icpc")
def test_proceedings_outrank_the_conference(tmp_path):
    c = council()
    c.child("C1", date(2016, 6, 6), "TA", "WTA").looked_after("C1", "C1", date(2026, 11, 16))
    c.event("C1", "icpc", date(2026, 11, 30)).event("C1", "first_hearing", date(2026, 11, 17),
                                                    status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.to_service, d.anchor, d.latest) == ("court", date(2026, 11, 17), date(2026, 12, 1))
    assert overruled(d) == ["shr-5.2-icpc"]


@pytest.mark.covers("shr-5.29-cmt-to-court")
def test_cmt_case_in_proceedings_moves_to_court_within_10_working_days(tmp_path):
    c = council()
    c.child("C1", date(2014, 9, 9), "TM", "WTM").looked_after("C1", "C1", date(2026, 11, 16))
    c.event("C1", "first_hearing", date(2026, 11, 16), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.anchor, d.latest) == (
        "shr-5.29-cmt-to-court", "court", date(2026, 11, 16), date(2026, 11, 30))
    # 2.4's 7 days' notice runs to Mon 30 Nov, the last day of the window: just in time.
    assert (d.date_from, d.date_to) == (CAL_NOTICE_DATE, date(2026, 11, 30))
    assert "short_notice" not in d.flags


@pytest.mark.covers("shr-5.28-over-17-by-end", "shr-5.29-cmt-to-court")
@pytest.mark.parametrize("dob,rule", [
    (date(2010, 11, 25), "shr-5.29-cmt-to-court"),  # turns 16 on Wed 25 Nov: 15 on the plan date
    (date(2010, 11, 23), "shr-5.28-over-17-by-end"),  # 16 on the plan date itself
    (date(2009, 11, 26), "shr-5.28-over-17-by-end"),  # turns 17 in the plan week
])
def test_young_person_16_or_over_in_proceedings_needs_a_managers_discussion(tmp_path, dob, rule):
    c = council()
    c.child("C1", dob, "TM", "WTM").looked_after("C1", "C1", date(2026, 11, 16))
    c.event("C1", "first_hearing", date(2026, 11, 16), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert d.rule_id == rule
    if rule == "shr-5.28-over-17-by-end":
        assert d.outcome == "manager_decision" and d.reasons[0].clause == "5.28"
        assert overruled(d) == ["shr-5.29-cmt-to-court"]


@pytest.mark.covers("shr-6.1-interim-supervision")
def test_proceedings_without_an_interim_care_order_are_for_managers(tmp_path):
    c = council()
    c.child("C1", date(2016, 6, 6), "TA", "WTA").event("C1", "first_hearing", date(2026, 12, 1))
    c.child("C2", date(2016, 6, 6), "TM", "WTM").event("C2", "first_hearing", date(2026, 12, 1))
    ds = decisions(c, tmp_path)
    for child in ("C1", "C2"):
        assert (ds[child].outcome, ds[child].reasons[0].clause) == ("manager_decision", "6.1")


@pytest.mark.covers("shr-5.26-cmt-retains-short-term")
def test_cmt_keeps_a_short_term_legal_intervention(tmp_path):
    c = council()
    c.child("C1", date(2016, 6, 6), "TM", "WTM").looked_after("C1", "L1", date(2026, 11, 20))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.reasons[0].clause) == ("stay", "5.26")


# ---- Pre-birth ------------------------------------------------------------------------------------

@pytest.mark.covers("shr-14.11-pre-birth-icpc", "shr-5.2-icpc")
def test_unborn_baby_with_removal_plan_goes_to_court_at_the_conference(tmp_path):
    c = council()
    c.child("C1", None, "TA", "WTA").event("C1", "legal_planning_meeting", date(2026, 11, 10),
                                           status="held")
    c.flag("C1", "proceedings_to_issue").event("C1", "icpc", date(2026, 12, 9))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "shr-14.11-pre-birth-icpc", "court", date(2026, 12, 9), date(2026, 12, 9))
    assert d.date_from == date(2026, 12, 9) and "short_notice" not in d.flags
    assert overruled(d) == ["shr-5.2-icpc"]


@pytest.mark.covers("shr-14.11-pre-birth-icpc", "shr-5.2-icpc")
@pytest.mark.parametrize("status,flag", [
    ("held", None),  # the meeting decided nothing on record
    ("scheduled", "proceedings_to_issue"),  # the meeting is still to come (Thu 26 Nov)
])
def test_pre_birth_court_route_needs_a_held_meeting_that_decided_to_issue(tmp_path, status, flag):
    c = council()
    on = date(2026, 11, 10) if status == "held" else date(2026, 11, 26)
    c.child("C1", None, "TA", "WTA").event("C1", "legal_planning_meeting", on, status=status)
    if flag:
        c.flag("C1", flag)
    c.event("C1", "icpc", date(2026, 12, 9))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service) == ("shr-5.2-icpc", "cmt")


@pytest.mark.covers("shr-14.12-pre-birth-pre-proceedings", "shr-5.2-icpc",
                    "shr-14.11-pre-birth-icpc")
def test_pre_birth_pre_proceedings_without_a_decision_to_issue_is_discussed(tmp_path):
    c = council()
    c.child("C1", None, "TA", "WTA").event("C1", "legal_planning_meeting", date(2026, 11, 10),
                                           status="held")
    c.flag("C1", "pre_proceedings").event("C1", "icpc", date(2026, 12, 9))
    c.child("C2", None, "TA", "WTA").event("C2", "legal_planning_meeting", date(2026, 11, 10),
                                           status="held")
    c.flag("C2", "pre_proceedings").flag("C2", "proceedings_to_issue")
    c.event("C2", "icpc", date(2026, 12, 9))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.rule_id, d.reasons[0].clause) == (
        "manager_decision", "shr-14.12-pre-birth-pre-proceedings", "14.12")
    assert d.to_service is None and not d.needs_allocation
    assert overruled(d) == ["shr-5.2-icpc"]
    # Pre-proceedings with a decision to issue at birth: the 14.11 Court Team route.
    assert (ds["C2"].rule_id, ds["C2"].to_service) == ("shr-14.11-pre-birth-icpc", "court")


@pytest.mark.covers("shr-14.11-late-notification-hearing", "shr-4.14-assessment-to-court")
def test_late_pre_birth_notification_transfers_at_the_initial_hearing(tmp_path):
    c = council()
    c.child("C1", date(2026, 11, 1), "TA", "WTA").looked_after("C1", "C1", date(2026, 11, 2))
    c.event("C1", "legal_planning_meeting", date(2026, 10, 20), status="held")
    c.event("C1", "first_hearing", date(2026, 11, 27))
    # The same with the meeting only scheduled: not confirmed, so the ordinary 4.14 route.
    c.child("C2", date(2026, 11, 1), "TA", "WTA").looked_after("C2", "C1", date(2026, 11, 2))
    c.event("C2", "legal_planning_meeting", date(2026, 11, 26))
    c.event("C2", "first_hearing", date(2026, 11, 27))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "shr-14.11-late-notification-hearing", "court", date(2026, 11, 27), date(2026, 11, 27))
    # 7 days' notice (Mon 30 Nov) cannot run before the hearing: the point stands.
    assert d.date_from == date(2026, 11, 27) and "short_notice" in d.flags
    assert overruled(d) == ["shr-4.14-assessment-to-court"]
    assert (ds["C2"].rule_id, ds["C2"].latest) == ("shr-4.14-assessment-to-court",
                                                   date(2026, 12, 11))


# ---- Court to LAC Permanency / CMT ----------------------------------------------------------------

@pytest.mark.covers("shr-6.4-court-to-lac-permanency")
def test_care_order_moves_to_lac_permanency_within_10_working_days_of_the_order(tmp_path):
    c = council()
    c.child("C1", date(2016, 1, 1), "TK", "WTK").looked_after("C1", "C2", date(2026, 6, 1))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "cla_review", date(2026, 7, 1), status="held")  # long before the order
    c.event("C1", "final_hearing", date(2026, 11, 18), status="held")
    # The next LAC review after the order, Wed 25 Nov, falls inside the 10 working days, so
    # the window ends there ("whichever is soonest"); 7 days' notice (to Mon 30 Nov) cannot
    # run before it, so the point stands and the decision says short notice.
    c.event("C1", "cla_review", date(2026, 11, 25))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.anchor, d.latest) == (
        "shr-6.4-court-to-lac-permanency", "lac_permanency", date(2026, 11, 18), date(2026, 11, 25))
    assert (d.date_from, d.date_to) == (date(2026, 11, 23), date(2026, 11, 25))
    assert "short_notice" in d.flags
    assert any("whichever is sooner" in r.text for r in d.reasons)


@pytest.mark.covers("shr-6.4-court-to-lac-permanency")
def test_a_review_after_the_ten_working_days_does_not_shorten_the_window(tmp_path):
    c = council()
    c.child("C1", date(2016, 1, 1), "TK", "WTK").looked_after("C1", "C2", date(2026, 6, 1))
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 18), status="held")
    c.event("C1", "cla_review", date(2026, 12, 9))
    d = decisions(c, tmp_path)["C1"]
    # Ten working days from Wed 18 Nov is Wed 2 Dec, before the review on 9 Dec.
    assert d.latest == date(2026, 12, 2)
    assert (d.date_from, d.date_to) == (CAL_NOTICE_DATE, date(2026, 12, 2))


@pytest.mark.covers("shr-6.1-court-holds")
def test_court_keeps_children_in_proceedings(tmp_path):
    c = council()
    c.child("C1", date(2016, 1, 1), "TK", "WTK").looked_after("C1", "C1", date(2026, 10, 1))
    c.event("C1", "first_hearing", date(2026, 10, 2), status="held")
    c.event("C1", "final_hearing", date(2027, 3, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.rule_id) == ("stay", "shr-6.1-court-holds")


@pytest.mark.covers("shr-6.6-sgo-cao-to-cmt", "shr-6.7-court-steps-down")
@pytest.mark.parametrize("cin_plan,outcome,to", [(True, "transfer", "cmt"), (False, "stay", None)])
def test_special_guardianship_with_a_cin_plan_goes_to_cmt(tmp_path, cin_plan, outcome, to):
    c = council()
    c.child("C1", date(2019, 2, 2), "TK", "WTK").flag("C1", "sgo_application")
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 20), status="held")
    if cin_plan:
        c.event("C1", "cin_review", date(2026, 12, 10))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service) == (outcome, to)
    if cin_plan:
        assert (d.anchor, d.latest, d.date_from) == (date(2026, 11, 20), date(2026, 12, 4),
                                                     CAL_NOTICE_DATE)
        assert "shr-6.7-court-steps-down" in overruled(d)
    else:
        assert d.reasons[0].clause == "6.7"


@pytest.mark.covers("shr-5.31-supervision-order", "shr-5.31-cmt-keeps-supervision-order",
                    "shr-6.6-sgo-cao-to-cmt")
def test_supervision_order_is_monitored_by_cmt(tmp_path):
    c = council()
    c.child("C1", date(2019, 2, 2), "TK", "WTK").flag("C1", "supervision_order")
    c.event("C1", "first_hearing", date(2026, 6, 3), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 20), status="held")
    c.event("C1", "cin_review", date(2026, 12, 10))
    c.child("C2", date(2019, 2, 2), "TM", "WTM").flag("C2", "supervision_order")
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.to_service, d.latest) == ("shr-5.31-supervision-order", "cmt",
                                                   date(2026, 12, 4))
    assert "shr-6.6-sgo-cao-to-cmt" in overruled(d)
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "shr-5.31-cmt-keeps-supervision-order")


@pytest.mark.covers("shr-7.3-placement-order-stays")
def test_placement_order_stays_with_court_and_cmt(tmp_path):
    c = council()
    c.child("C1", date(2024, 1, 1), "TK", "WTK").looked_after("C1", "E1", date(2026, 3, 1))
    c.event("C1", "final_hearing", date(2026, 11, 18), status="held")
    c.child("C2", date(2024, 1, 1), "TM", "WTM").looked_after("C2", "E1", date(2026, 3, 1))
    ds = decisions(c, tmp_path)
    for child in ("C1", "C2"):
        assert (ds[child].outcome, ds[child].reasons[0].clause) == ("stay", "7.3")


@pytest.mark.covers("shr-7.3-cmt-to-lac-permanency")
def test_cmt_care_order_moves_to_lac_permanency(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TM", "WTM").looked_after("C1", "C2", date(2026, 5, 1))
    c.event("C1", "first_hearing", date(2026, 5, 5), status="held")
    c.event("C1", "final_hearing", date(2026, 11, 11), status="held")
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.latest) == ("shr-7.3-cmt-to-lac-permanency",
                                                   "lac_permanency", date(2026, 11, 25))
    assert (d.date_from, d.date_to) == (date(2026, 11, 23), date(2026, 11, 25))
    assert "short_notice" in d.flags


@pytest.mark.covers("shr-7.1-cmt-to-lac-permanency-plan", "shr-7.3-cmt-to-lac-permanency",
                    "shr-7.3-placement-order-stays")
def test_permanency_plan_agreed_at_a_lac_review_moves_to_lac_permanency(tmp_path):
    c = council()
    # Long-term fostering under s20, agreed at a LAC review: within 10 working days of now.
    c.child("C1", date(2013, 1, 1), "TM", "WTM").looked_after("C1", "V2", date(2025, 5, 1))
    c.flag("C1", "remain_looked_after")
    # A care order made at a final hearing dates the window from the order (7.3) instead.
    c.child("C2", date(2015, 1, 1), "TM", "WTM").looked_after("C2", "C2", date(2026, 5, 1))
    c.event("C2", "first_hearing", date(2026, 5, 5), status="held")
    c.event("C2", "final_hearing", date(2026, 11, 20), status="held")
    c.flag("C2", "remain_looked_after")
    # A placement order (adoption) stays with CMT whatever the review said.
    c.child("C3", date(2024, 1, 1), "TM", "WTM").looked_after("C3", "E1", date(2026, 3, 1))
    c.flag("C3", "remain_looked_after")
    # No plan agreed yet: CMT keeps the child.
    c.child("C4", date(2013, 1, 1), "TM", "WTM").looked_after("C4", "V2", date(2025, 5, 1))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.to_service, d.reasons[0].clause) == (
        "shr-7.1-cmt-to-lac-permanency-plan", "lac_permanency", "7.1, 7.3")
    assert (d.earliest, d.latest, d.date_from, d.date_to) == (
        date(2026, 11, 23), NOW_WINDOW_END, CAL_NOTICE_DATE, NOW_WINDOW_END)
    d = ds["C2"]
    assert (d.rule_id, d.anchor, d.latest) == ("shr-7.3-cmt-to-lac-permanency",
                                               date(2026, 11, 20), date(2026, 12, 4))
    assert overruled(d) == ["shr-7.1-cmt-to-lac-permanency-plan"]
    assert (ds["C3"].outcome, ds["C3"].rule_id) == ("stay", "shr-7.3-placement-order-stays")
    assert ds["C4"].rule_id == "default-stay"


# ---- Step-down to Targeted Early Help ------------------------------------------------------------

@pytest.mark.covers("shr-4.31-step-down-assessment", "shr-4.25-cin-core-group", "shr-5.2-icpc")
def test_step_down_proposed_in_assessment_goes_to_the_weekly_handover_meeting(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TA", "WTA").flag("C1", "step_down_proposed")
    c.event("C1", "assessment_completed", date(2026, 11, 20), status="held")
    c.event("C1", "cin_review", date(2026, 12, 3))
    # On a CP plan with a conference set: statutory, never stepped down here.
    c.child("C2", date(2015, 1, 1), "TA", "WTA").flag("C2", "step_down_proposed")
    c.cp_plan("C2").event("C2", "icpc", date(2026, 12, 8))
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.outcome, d.rule_id, d.reasons[0].clause) == (
        "manager_decision", "shr-4.31-step-down-assessment", "4.31")
    assert d.to_service is None and not d.needs_allocation and d.date_from is None
    assert overruled(d) == ["shr-4.25-cin-core-group"]
    assert (ds["C2"].rule_id, ds["C2"].to_service) == ("shr-5.2-icpc", "cmt")


@pytest.mark.covers("shr-5.34-step-down-cmt", "shr-5.31-cmt-keeps-supervision-order",
                    "shr-7.11-step-down-lac-permanency", "shr-7.5-lac-permanency-holds")
def test_step_down_proposed_in_cmt_and_lac_permanency(tmp_path):
    c = council()
    c.child("C1", date(2015, 1, 1), "TM", "WTM").flag("C1", "step_down_proposed")
    c.child("C2", date(2015, 1, 1), "TM", "WTM").flag("C2", "step_down_proposed")
    c.flag("C2", "supervision_order")
    c.child("C3", date(2012, 1, 1), "TL", "WTL").flag("C3", "step_down_proposed")
    c.child("C4", date(2012, 1, 1), "TL", "WTL").flag("C4", "step_down_proposed")
    c.looked_after("C4", "C2", date(2020, 1, 1))
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id, ds["C1"].reasons[0].clause) == (
        "manager_decision", "shr-5.34-step-down-cmt", "5.34")
    # Under a supervision order CMT monitors the order: no step-down discussion.
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "shr-5.31-cmt-keeps-supervision-order")
    assert (ds["C3"].outcome, ds["C3"].rule_id, ds["C3"].reasons[0].clause) == (
        "manager_decision", "shr-7.11-step-down-lac-permanency", "7.11")
    # Still looked after: LAC Permanency keeps the young person.
    assert (ds["C4"].outcome, ds["C4"].rule_id) == ("stay", "shr-7.5-lac-permanency-holds")


# ---- LAC Permanency and the 18+ Team ---------------------------------------------------------------

@pytest.mark.covers("shr-7.5-lac-permanency-holds")
def test_lac_permanency_keeps_a_looked_after_child(tmp_path):
    c = council()
    c.child("C1", date(2012, 1, 1), "TL", "WTL").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.reasons[0].clause) == ("stay", "7.5")


@pytest.mark.covers("shr-7.6-lac-pa-coworks-at-17", "shr-7.5-lac-permanency-holds")
def test_personal_adviser_starts_co_working_on_the_17th_birthday(tmp_path):
    c = council()
    c.child("C1", date(2009, 11, 26), "TL", "WTL").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.coworking_service, d.anchor) == (
        "start_coworking", "leaving_care", date(2026, 11, 26))
    # No notice for co-working: the window is the birthday plus 10 working days.
    assert (d.date_from, d.date_to) == (date(2026, 11, 26), date(2026, 12, 10))
    assert overruled(d) == ["shr-7.5-lac-permanency-holds"]
    assert PACK.rules[[r.id for r in PACK.rules].index(d.rule_id)].coworking.months == 12


@pytest.mark.covers("shr-7.6-lac-pa-coworks-at-17", "shr-9.4-dct-pa-coworks-at-17",
                    "shr-7.5-lac-permanency-holds")
def test_personal_adviser_is_not_requested_again_once_in_place(tmp_path):
    c = council()
    # Turning 17 on Thu 26 Nov, a personal adviser already appointed early (complex needs).
    c.child("C1", date(2009, 11, 26), "TL", "WTL").looked_after("C1", "C2", date(2020, 1, 1))
    # Disabled, looked after, turning 17 on Fri 27 Nov, personal adviser already co-working.
    c.child("C2", date(2009, 11, 27), "TD", "WTD").looked_after("C2", "C2", date(2019, 1, 1))
    disabled(c, "C2")
    # The same with a co-worker from another team: the personal adviser is still due.
    c.child("C3", date(2009, 11, 26), "TL", "WTL").looked_after("C3", "C2", date(2020, 1, 1))
    for n, (child, team) in enumerate([("C1", "T18"), ("C2", "T18"), ("C3", "TD")]):
        c.add("ssd_involvements", invo_involvements_id=f"ICO{n}",
              invo_professional_id=f"W{team}", invo_professional_role_id="Co-worker",
              invo_professional_team=team, invo_involvement_start_date=date(2026, 9, 1),
              invo_person_id=child)
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].rule_id) == ("stay", "shr-7.5-lac-permanency-holds")
    assert overruled(ds["C1"]) == []
    assert (ds["C2"].outcome, ds["C2"].rule_id) == ("stay", "default-stay")
    assert (ds["C3"].rule_id, ds["C3"].coworking_service, ds["C3"].date_from) == (
        "shr-7.6-lac-pa-coworks-at-17", "leaving_care", date(2026, 11, 26))


@pytest.mark.covers("shr-7.5-lac-to-18-plus", "shr-7.6-lac-pa-coworks-at-17")
def test_co_worker_becomes_lead_on_the_18th_birthday_in_the_plan_week(tmp_path):
    c = council()
    c.child("C1", date(2008, 11, 25), "TL", "WTL").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.anchor, d.date_from, d.date_to) == (
        "coworker_becomes_lead", "leaving_care", date(2026, 11, 25), date(2026, 11, 25),
        date(2026, 12, 9))
    assert overruled(d)[0] == "shr-7.6-lac-pa-coworks-at-17"


@pytest.mark.covers("shr-7.5-lac-to-18-plus")
def test_29_february_birthday_turns_18_on_1_march(tmp_path):
    c = council()
    c.child("C1", date(2008, 2, 29), "TL", "WTL").looked_after("C1", "C2", date(2020, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    # 2026 is a common year: 18 on Sunday 1 March 2026, long passed, so due now.
    assert d.anchor == date(2026, 3, 1) and "late" in d.flags
    assert (d.date_from, d.date_to) == (date(2026, 11, 23), NOW_WINDOW_END)


# ---- Disabled Children's Team ---------------------------------------------------------------------

@pytest.mark.covers("shr-8.2-disability-primary", "shr-4.14-assessment-to-court",
                    "shr-6.1-court-holds", "shr-7.5-lac-permanency-holds")
def test_disabled_childs_siblings_follow_to_dct_unless_their_own_route_outranks(tmp_path):
    c = council()
    c.child("C1", date(2018, 1, 1), "TC", "WTC", family="F").flag("C1", "primary_need_disability")
    disabled(c, "C1")
    c.child("C2", date(2016, 1, 1), "TC", None, family="F")  # CIN at the front door: follows
    c.child("C3", date(2015, 1, 1), "TM", "WTM", family="F").cp_plan("C3")  # CP in CMT: follows
    c.child("C4", date(2014, 1, 1), "TA", "WTA", family="F").looked_after(
        "C4", "C1", date(2026, 11, 16))  # in proceedings: keeps its court route
    c.event("C4", "first_hearing", date(2026, 11, 17), status="held")
    c.child("C5", date(2012, 1, 1), "TL", "WTL", family="F").looked_after(
        "C5", "C2", date(2020, 1, 1))  # long-term looked after: LAC Permanency keeps them
    c.child("C6", date(2013, 1, 1), "TK", "WTK", family="F").looked_after(
        "C6", "C1", date(2026, 9, 1))  # in proceedings with the Court Team: stays
    c.event("C6", "first_hearing", date(2026, 9, 2), status="held")
    c.child("C7", date(2016, 1, 1), "TC", None, family="G")
    ds = decisions(c, tmp_path)
    assert (ds["C1"].to_service, ds["C1"].reasons[0].clause) == ("dct", "8.2")
    assert (ds["C1"].date_from, ds["C1"].date_to) == (CAL_NOTICE_DATE, NOW_WINDOW_END)
    for sib in ("C2", "C3"):
        assert ds[sib].to_service == "dct" and "siblings_follow" in ds[sib].flags
        assert ds[sib].reasons[0].clause == "8.2"
    assert "shr-4.1-compass-to-assessment" in overruled(ds["C2"])
    assert (ds["C4"].rule_id, ds["C4"].to_service) == ("shr-4.14-assessment-to-court", "court")
    assert (ds["C5"].outcome, ds["C5"].rule_id) == ("stay", "shr-7.5-lac-permanency-holds")
    assert (ds["C6"].outcome, ds["C6"].rule_id) == ("stay", "shr-6.1-court-holds")
    assert ds["C7"].to_service == "assessment"


@pytest.mark.covers("shr-8.2-disability-primary", "shr-5.2-icpc")
def test_disability_as_primary_need_outranks_the_conference(tmp_path):
    c = council()
    c.child("C1", date(2018, 1, 1), "TA", "WTA").flag("C1", "primary_need_disability")
    c.event("C1", "icpc", date(2026, 12, 8))
    d = decisions(c, tmp_path)["C1"]
    assert d.to_service == "dct" and overruled(d) == ["shr-5.2-icpc"]


@pytest.mark.covers("shr-9.4-dct-pa-coworks-at-17")
def test_looked_after_disabled_young_person_gets_a_personal_adviser_at_17(tmp_path):
    c = council()
    c.child("C1", date(2009, 11, 27), "TD", "WTD").looked_after("C1", "C2", date(2019, 1, 1))
    disabled(c, "C1")
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.coworking_service, d.anchor, d.date_to) == (
        "start_coworking", "leaving_care", date(2026, 11, 27), date(2026, 12, 11))
    assert d.reasons[0].clause == "9.4"


@pytest.mark.covers("shr-8.3-dct-to-leaving-care", "shr-8.3-dct-to-adults",
                    "shr-9.4-dct-pa-coworks-at-17")
def test_looked_after_disabled_17_year_old_goes_to_18_plus_not_adults(tmp_path):
    c = council()
    c.child("C1", date(2009, 6, 1), "TD", "WTD").looked_after("C1", "C2", date(2019, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    assert (d.outcome, d.to_service, d.anchor, d.due) == (
        "coworker_becomes_lead", "leaving_care", date(2027, 6, 1), False)
    assert overruled(d) == ["shr-9.4-dct-pa-coworks-at-17", "shr-8.3-dct-to-adults"]


@pytest.mark.covers("shr-8.3-dct-to-adults")
@pytest.mark.parametrize("short_breaks", [False, True])
def test_disabled_young_person_not_in_care_goes_to_adult_social_care_at_18(
        tmp_path, short_breaks):
    c = council()
    c.child("C1", date(2009, 1, 10), "TD", "WTD")
    if short_breaks:  # V4 short breaks do not make a care leaver
        c.looked_after("C1", "V4", date(2025, 1, 1))
    d = decisions(c, tmp_path)["C1"]
    # 18 on Sunday 10 January 2027: the window opens Monday 11th and runs 10 working days.
    assert (d.outcome, d.to_service, d.earliest, d.latest) == (
        "step_down", "adult_social_care", date(2027, 1, 11), date(2027, 1, 22))
    assert not d.due and not d.needs_allocation


# ---- UASC -----------------------------------------------------------------------------------------

@pytest.mark.covers("shr-11.5-uasc-compass-to-assessment")
def test_uasc_found_in_the_county_goes_from_compass_to_assessment(tmp_path):
    c = council()
    c.child("C1", date(2010, 4, 4), "TC", "WTC")
    immigration(c, "C1", "UASC")
    d = decisions(c, tmp_path)["C1"]
    assert (d.to_service, d.reasons[0].clause, d.date_from) == ("assessment", "11.5",
                                                                CAL_NOTICE_DATE)
    assert "shr-4.1-compass-to-assessment" in overruled(d)


@pytest.mark.covers("shr-11.5-assessment-to-uasc")
def test_uasc_moves_to_the_uasc_team_at_the_first_lac_review(tmp_path):
    c = council()
    c.child("C1", date(2010, 4, 4), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 10))
    immigration(c, "C1", "UASC")
    c.event("C1", "cla_review", date(2026, 12, 4))
    d = decisions(c, tmp_path)["C1"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest) == (
        "shr-11.5-assessment-to-uasc", "uasc", date(2026, 12, 4), date(2026, 12, 4))
    # With the review on record the 28-day limit rule gives way to it.
    assert "shr-5.7-in-care-to-cmt" not in overruled(d)
    assert "shr-11.5-uasc-28-day-limit" not in overruled(d)


@pytest.mark.covers("shr-11.5-uasc-28-day-limit", "shr-11.5-assessment-to-uasc")
def test_uasc_with_no_review_yet_moves_no_later_than_28_days_after_accommodation(tmp_path):
    c = council()
    # Accommodated Mon 9 Nov, no LAC review on record: 28 days (20 working days) to Mon 7 Dec.
    c.child("C1", date(2010, 4, 4), "TA", "WTA").looked_after("C1", "V2", date(2026, 11, 9))
    immigration(c, "C1", "UASC")
    # Accommodated Mon 19 Oct, still no review: the limit (Mon 16 Nov) has passed.
    c.child("C2", date(2010, 4, 4), "TA", "WTA").looked_after("C2", "V2", date(2026, 10, 19))
    immigration(c, "C2", "UASC")
    ds = decisions(c, tmp_path)
    d = ds["C1"]
    assert (d.rule_id, d.to_service, d.anchor, d.earliest, d.latest) == (
        "shr-11.5-uasc-28-day-limit", "uasc", date(2026, 11, 9), date(2026, 11, 9),
        date(2026, 12, 7))
    assert (d.date_from, d.date_to) == (CAL_NOTICE_DATE, date(2026, 12, 7))
    assert d.reasons[0].clause == "11.5" and d.due and "late" not in d.flags
    d = ds["C2"]
    assert (d.latest, d.flags) == (date(2026, 11, 16), ("late",))
    assert (d.date_from, d.date_to) == (CAL_NOTICE_DATE, NOW_WINDOW_END)


@pytest.mark.covers("shr-11.2-uasc-17-discussion", "shr-11.3-uasc-to-18-plus",
                    "shr-11.4-uasc-no-leave-to-remain")
def test_uasc_at_17_and_18_with_and_without_leave_to_remain(tmp_path):
    c = council()
    c.child("C1", date(2009, 5, 5), "TU", "WTU").looked_after("C1", "V2", date(2025, 1, 1))
    immigration(c, "C1", "UASC")  # 17, awaiting a decision
    c.child("C2", date(2008, 12, 1), "TU", "WTU").looked_after("C2", "V2", date(2025, 1, 1))
    immigration(c, "C2", "Refugee status")  # 17, leave to remain granted, 18 on Tue 1 Dec
    c.child("C3", date(2008, 3, 3), "TU", "WTU")
    immigration(c, "C3", "UASC")  # 18, still awaiting a decision
    ds = decisions(c, tmp_path)
    assert (ds["C1"].outcome, ds["C1"].reasons[0].clause) == ("manager_decision", "11.2")
    d = ds["C2"]
    assert (d.rule_id, d.to_service, d.earliest, d.latest, d.date_from) == (
        "shr-11.3-uasc-to-18-plus", "leaving_care", date(2026, 12, 1), date(2026, 12, 15),
        date(2026, 12, 1))
    assert overruled(d) == ["shr-11.2-uasc-17-discussion"]
    assert (ds["C3"].outcome, ds["C3"].reasons[0].clause) == ("stay", "11.4")
