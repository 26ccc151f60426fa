"""Hard: every new allocation is agreed at a transfer meeting of the receiving team, on one of
its meeting days, within the team's slots for that day, between the plan date and a week
after the last usable transfer date.

A meeting after the transfer is allowed but costed (``late_meeting``): an event-fixed
transfer such as a conference on the plan date must not leave a child unallocated for want
of a meeting slot.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from allocator.calendar import is_working_day
from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem, last_meeting_day
from allocator.solver.context import ServiceModel

NAME = "transfer_meeting"
KIND = "hard"
RULE = "A transfer meeting on one of the receiving team's meeting days, within its slots."
def restrict(ctx: ServiceModel) -> None:
    for r in ctx.requests:
        if not r.dates or not r.needs_meeting:
            continue
        for w in ctx.pool(r):
            if not ctx.problem.meeting_days(w.team, last_meeting_day(r)):
                ctx.forbid(r, w, NAME)


def add(ctx: ServiceModel) -> None:
    """``meet[r, team, t]``: r's meeting is held by team on day t; one iff r goes to the team.

    Only teams in ``ctx.meeting_teams`` are modelled; the solver assigns the others' meetings
    after the solve and models a team only when that fails (see allocator.solver.model).
    """
    m, problem = ctx.model, ctx.problem
    by_day: dict[tuple[str, object], list] = defaultdict(list)
    for r in ctx.requests:
        if not r.dates or not r.needs_meeting:
            continue
        teams: dict[str, list] = defaultdict(list)
        for w, x in ctx.worker_vars(r):
            if w.team in ctx.meeting_teams:
                teams[w.team].append(x)
        for team, xs in sorted(teams.items()):
            days = problem.meeting_days(team, last_meeting_day(r))
            meets = [(t, m.NewBoolVar(f"meet[{r.id},{team},{t}]")) for t in days]
            m.Add(sum(v for _, v in meets) == sum(xs))
            ctx.meeting[r.id, team] = meets
            for t, v in meets:
                by_day[team, t].append(v)
    for (team, _), meets in by_day.items():
        slots = problem.teams[team].meeting_slots
        if len(meets) > slots:
            ctx.enforce(m.Add(sum(meets) <= slots), NAME, RULE)
    add_slot_counts(ctx)


def add_slot_counts(ctx: ServiceModel) -> None:
    """For teams whose meetings are not modelled day by day: enough slots for the children
    the team takes, by deadline.

    Every meeting window starts on the plan date and ends on the request's last meeting
    day, so a team can give meetings to the children it takes exactly when, for every
    deadline D, the children whose window ends by D are no more than the team's slots up to
    D (earliest deadline first then succeeds). These rows are therefore a relaxation of the
    day-by-day model and keep the plan's meetings feasible without any meeting variables.
    Every service has them: a small service's breached teams are then modelled exactly in
    its next round, and its relaxed plans can be repaired meanwhile.
    """
    m, problem = ctx.model, ctx.problem
    by_team: dict[str, list] = defaultdict(list)  # team -> [(deadline, x)]
    for r in ctx.requests:
        if not r.dates or not r.needs_meeting:
            continue
        deadline = last_meeting_day(r)
        for w, x in ctx.worker_vars(r):
            if w.team not in ctx.meeting_teams:
                by_team[w.team].append((deadline, x))
    for team, pairs in sorted(by_team.items()):
        slots = problem.teams[team].meeting_slots
        pairs.sort(key=lambda p: p[0])
        deadlines = sorted({d for d, _ in pairs})
        i, upto = 0, []
        for deadline in deadlines:
            while i < len(pairs) and pairs[i][0] <= deadline:
                upto.append(pairs[i][1])
                i += 1
            room = slots * len(problem.meeting_days(team, deadline))
            if len(upto) > room:  # else the count cannot bind
                ctx.enforce(m.Add(sum(upto) <= room), NAME, RULE)


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    out = []
    requests = {r.id: r for r in problem.requests}
    held: Counter[tuple[str, object]] = Counter()
    for a in plan.assignments:
        if a.worker is None or a.team not in problem.teams or a.request_id not in requests \
                or not requests[a.request_id].needs_meeting:
            continue
        if a.meeting is None:
            out.append(Violation(NAME, (a.request_id,), "no transfer meeting"))
            continue
        held[a.team, a.meeting] += 1
        team = problem.teams[a.team]
        if a.meeting.weekday() not in team.meeting_days or not is_working_day(a.meeting):
            out.append(Violation(NAME, (a.request_id,), "meeting not on a team meeting day"))
        r = requests[a.request_id]
        if not r.dates or not problem.plan_date <= a.meeting <= last_meeting_day(r):
            out.append(Violation(NAME, (a.request_id,), "meeting outside the meeting window"))
    for (team, day), n in sorted(held.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        if n > problem.teams[team].meeting_slots:
            out.append(Violation(NAME, (team, str(day)), f"{n} meetings for the day's slots"))
    return out
