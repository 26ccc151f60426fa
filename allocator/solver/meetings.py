"""Transfer meetings for teams the model does not schedule itself.

Meeting slots rarely bind, so the model leaves them out at first: each team's meetings are
then given in order of transfer date, each child the team's earliest free meeting day (the
schedule that meets every "on or before the transfer" it can). A team where that fails is
modelled exactly in the next solve. The final plan meets every meeting rule either way, and
the independent checker verifies it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from allocator.plan import Assignment
from allocator.problem import AllocationProblem
from constraints.transfer_meeting import last_meeting_day


def assign_meetings(problem: AllocationProblem, assignments: list[Assignment],
                    modelled: frozenset[str]) -> tuple[list[Assignment], set[str]]:
    """Meetings for assignments in unmodelled teams; the teams where one would be late."""
    requests = {r.id: r for r in problem.requests}
    used: Counter[tuple[str, object]] = Counter(
        (a.team, a.meeting) for a in assignments if a.team in modelled and a.meeting)
    by_team: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        if a.worker is not None and a.team not in modelled:
            by_team[a.team].append(a)
    given: dict[str, Assignment] = {}
    failed: set[str] = set()
    for team, todo in sorted(by_team.items()):
        slots = problem.teams[team].meeting_slots
        for a in sorted(todo, key=lambda a: (a.on, a.request_id)):
            days = [t for t in problem.meeting_days(team, last_meeting_day(requests[a.request_id]))
                    if used[team, t] < slots]
            before = [t for t in days if a.on is not None and t <= a.on]
            if not before:
                failed.add(team)
                continue
            used[team, before[0]] += 1
            given[a.request_id] = replace(a, meeting=before[0])
    return [given.get(a.request_id, a) for a in assignments], failed
