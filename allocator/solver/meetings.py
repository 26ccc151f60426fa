"""Transfer meetings for teams the model does not schedule itself.

Meeting slots rarely bind, so the model leaves them out at first and prices each meeting as
if held on the team's first meeting day. After the solve each team's meetings are given in
order of transfer date, each child the team's earliest free meeting day. Where that makes a
meeting later after the transfer than the model priced (slots bind), the team is modelled
exactly in the next solve. The final plan meets every meeting rule either way, and the
independent checker verifies it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from datetime import date

from allocator.calendar import working_days_between
from allocator.plan import Assignment
from allocator.problem import AllocationProblem
from allocator.problem import last_meeting_day


def assign_meetings(problem: AllocationProblem, assignments: list[Assignment],
                    modelled: frozenset[str],
                    strict: bool = True) -> tuple[list[Assignment], set[str]]:
    """Meetings for assignments in unmodelled teams, and the teams where that failed.

    ``strict``: a meeting must be no later after the transfer than the model priced it;
    otherwise any free meeting day will do (for the greedy plan), and only a team with no
    free day at all fails.
    """
    requests = {r.id: r for r in problem.requests}
    used: Counter[tuple[str, object]] = Counter(
        (a.team, a.meeting) for a in assignments if a.team in modelled and a.meeting)
    by_team: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        if a.worker is not None and a.team not in modelled \
                and requests[a.request_id].needs_meeting:
            by_team[a.team].append(a)
    given: dict[str, Assignment] = {}
    failed: set[str] = set()
    for team, todo in sorted(by_team.items()):
        slots = problem.teams[team].meeting_slots
        # Strict: in transfer-date order, as the model priced. Otherwise earliest deadline
        # first, which finds meetings for every child whenever any assignment can.
        order = (lambda a: (a.on, a.request_id)) if strict else (
            lambda a: (last_meeting_day(requests[a.request_id]), a.on, a.request_id))
        for a in sorted(todo, key=order):
            r = requests[a.request_id]
            days = problem.meeting_days(team, last_meeting_day(r))
            free = [t for t in days if used[team, t] < slots]
            if not free or a.on is None or (strict and _late(a.on, free[0]) != _late(a.on, days[0])):
                failed.add(team)
                continue
            used[team, free[0]] += 1
            given[a.request_id] = replace(a, meeting=free[0])
    return [given.get(a.request_id, a) for a in assignments], failed


def _late(on: date, meeting: date) -> int:
    return working_days_between(on, meeting) if meeting > on else 0
