"""Arrivals and closures drawn from the scenario's rates, seeded.

A closure ends everything open on the child's record (referral, plan, looked-after period,
legal status, involvements) on the Monday of the week. An arrival is a new referral to a
front-door team, with a child protection plan or a looked-after period by the case mix,
sometimes a sibling, dated on a working day of the week, and the key dates such a case
brings (:data:`FOLLOW_UP`). The rule engine then decides what
happens to them, as it would for a real referral.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from allocator import domain as d
from allocator.simulation.model import Demand
from allocator.simulation.world import World, is_open


@dataclass(frozen=True)
class DemandDraw:
    arrivals: int  # children
    closures: int


def open_children(world: World, on: date) -> list[str]:
    """Children with an open referral, plan, looked-after period or lead worker on ``on``."""
    ids: set[str] = set()
    for model, person, start, end in _EPISODES:
        ids |= {r[person] for r in world.rows(model) if is_open(r[start], r[end], on)}
    ids |= {r["invo_person_id"] for r in world.rows(d.Involvement)
            if r["invo_professional_role_id"] == d.LEAD_ROLE
            and is_open(r["invo_involvement_start_date"], r["invo_involvement_end_date"], on)}
    return sorted(ids)


def baseline_rate(demand: Demand, open_count: int) -> float:
    """Referrals (families) a week that balance expected closures, before any change."""
    if demand.referrals_per_week is not None:
        return demand.referrals_per_week
    return demand.closure_rate * open_count / (1 + demand.sibling_share)


def draw_week(world: World, demand: Demand, rate: float, week: date, front_teams: list[str],
              rng: random.Random) -> DemandDraw:
    """Close and open cases for the week beginning ``week``."""
    closing = [c for c in open_children(world, week) if rng.random() < demand.closure_rate]
    for child in closing:
        close_child(world, child, week)
    families = _poisson(rate * (1 + demand.referral_change), rng)
    arrivals = 0
    for _ in range(families):
        arrivals += add_family(world, demand, week, front_teams, rng)
    return DemandDraw(arrivals, len(closing))


def close_child(world: World, child: str, on: date) -> None:
    for model, person, start, end in _EPISODES + _ALSO_CLOSED:
        for r in world.rows(model):
            if r[person] == child and is_open(r[start], r[end], on):
                r[end] = max(r[start], on.isoformat())


def add_family(world: World, demand: Demand, week: date, front_teams: list[str],
               rng: random.Random) -> int:
    """One referral: a child, sometimes with a sibling, in one family. Returns children."""
    family = world.new_id("F")
    mix = demand.case_mix
    kind = rng.choices(("cin", "cp", "looked_after"), (mix.cin, mix.cp, mix.looked_after))[0]
    day = week + timedelta(days=rng.randrange(5))
    team = rng.choice(front_teams)
    size = 2 if rng.random() < demand.sibling_share else 1
    for _ in range(size):
        child = world.new_id("P")
        age_days = rng.randrange(0, 16 * 365)
        world.add(d.Person, {"pers_person_id": child,
                             "pers_dob": (day - timedelta(days=age_days)).isoformat()})
        world.add(d.FamilyMember, {"fami_table_id": world.new_id("FM"),
                                   "fami_family_id": family, "fami_person_id": child})
        world.add(d.CinEpisode, {"cine_referral_id": world.new_id("R"), "cine_person_id": child,
                                 "cine_referral_date": day.isoformat(),
                                 "cine_cin_primary_need_code": "N1", "cine_referral_team": team})
        add_key_dates(world, child, kind, day)
        if kind == "cp":
            world.add(d.CpPlan, {"cppl_cp_plan_id": world.new_id("CP"), "cppl_person_id": child,
                                 "cppl_cp_plan_start_date": day.isoformat()})
        elif kind == "looked_after":
            world.add(d.ClaEpisode, {"clae_cla_episode_id": world.new_id("CE"),
                                     "clae_person_id": child,
                                     "clae_cla_episode_start_date": day.isoformat(),
                                     "clae_cla_id": world.new_id("LA")})
            world.add(d.LegalStatus, {"lega_legal_status_id": world.new_id("LS"),
                                      "lega_person_id": child, "lega_legal_status": "V2",
                                      "lega_legal_status_start_date": day.isoformat()})
    return size


# Key dates a new referral brings, by kind, in days from the referral: the events the
# pack's transfer points are set by (a first CIN review, an initial and a review child
# protection conference, looked-after reviews at 20 working days and then months apart).
FOLLOW_UP: dict[str, tuple[tuple[str, int], ...]] = {
    "cin": (("assessment_completed", 42), ("cin_review", 70), ("cin_review", 161)),
    "cp": (("strategy_discussion", 1), ("icpc", 21), ("rcpc", 112), ("rcpc", 294)),
    "looked_after": (("cla_review", 28), ("cla_review", 119), ("cla_review", 301)),
}


def add_key_dates(world: World, child: str, kind: str, referral: date) -> None:
    for event, days in FOLLOW_UP[kind]:
        world.add(d.KeyDate, {"kdat_key_date_id": world.new_id("K"), "kdat_person_id": child,
                              "kdat_event_type": event,
                              "kdat_event_date": (referral + timedelta(days=days)).isoformat(),
                              "kdat_status": "scheduled"})


def _poisson(mean: float, rng: random.Random) -> int:
    """Knuth's method: exact, seeded by ``rng``, fine for the small means of a week."""
    if mean <= 0:
        return 0
    if mean > 30:  # normal approximation keeps large councils fast
        return max(0, round(rng.gauss(mean, mean ** 0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


_EPISODES: list[tuple[type[d.Row], str, str, str]] = [
    (d.CinEpisode, "cine_person_id", "cine_referral_date", "cine_close_date"),
    (d.CpPlan, "cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
    (d.ClaEpisode, "clae_person_id", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
]
_ALSO_CLOSED: list[tuple[type[d.Row], str, str, str]] = [
    (d.LegalStatus, "lega_person_id", "lega_legal_status_start_date", "lega_legal_status_end_date"),
    (d.Involvement, "invo_person_id", "invo_involvement_start_date", "invo_involvement_end_date"),
]
