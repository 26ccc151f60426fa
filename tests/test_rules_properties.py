"""Properties of the rule engine over generated children (Hypothesis)."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.rules.engine import Engine
from allocator.rules.pack import STATUS_FLAGS, load_pack
from allocator.state import ChildState, Event
from allocator.domain import CHILD_FLAGS, EVENT_TYPES

from allocator.rules.pack import available_packs

PACKS = {name: load_pack(name) for name in available_packs()}
WEEK = date(2026, 11, 23)


@st.composite
def children(draw, pack_name: str = "southwark") -> ChildState:
    services = [s.id for s in PACKS[pack_name].services if s.social_care]
    dob = draw(st.one_of(st.none(), st.dates(date(2004, 1, 1), date(2026, 11, 20))))
    events = tuple(sorted(
        (Event(draw(st.sampled_from(EVENT_TYPES)),
               WEEK + timedelta(days=draw(st.integers(-120, 60))),
               draw(st.sampled_from(["scheduled", "held", "deferred"])))
         for _ in range(draw(st.integers(0, 4)))),
        key=lambda e: (e.on, e.kind)))
    flags = frozenset(draw(st.sets(st.sampled_from(STATUS_FLAGS)))) | {"open_case"}
    return ChildState(
        child_id=draw(st.text("ABC123", min_size=1, max_size=4)), family_id="F",
        dob=dob, expected_dob=None if dob else date(2027, 1, 1),
        age=None if dob is None else (WEEK - dob).days // 366, service=draw(st.sampled_from(services)),
        team="T", lead_worker=draw(st.one_of(st.none(), st.just("W"))), co_workers=(),
        flags=flags, legal_status=None,
        child_flags=frozenset(draw(st.sets(st.sampled_from(sorted(CHILD_FLAGS)), max_size=3))),
        events=events, episode_start=WEEK - timedelta(days=draw(st.integers(1, 400))),
        cla_start=None, on=WEEK)


@pytest.mark.parametrize("pack_name", sorted(PACKS))
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_decision_with_a_cited_clause_and_a_sane_window(pack_name, data):
    child = data.draw(children(pack_name))
    engine = Engine(PACKS[pack_name], WEEK)
    first = engine.decide(child)
    assert first == engine.decide(child)  # same input, same decision
    assert first.child_id == child.child_id and first.reasons and first.reasons[0].clause
    if first.earliest is not None:
        assert first.earliest <= first.latest
        assert first.date_from <= first.date_to
        assert first.date_from >= engine.plan_date


@pytest.mark.parametrize("pack_name", sorted(PACKS))
@settings(deadline=None)
@given(data=st.data())
def test_every_child_gets_exactly_one_decision(pack_name, data):
    kids = data.draw(st.lists(children(pack_name), min_size=1, max_size=8,
                              unique_by=lambda c: c.child_id))
    decisions = Engine(PACKS[pack_name], WEEK).decide_all(kids)
    assert [d.child_id for d in decisions] == [c.child_id for c in kids]
