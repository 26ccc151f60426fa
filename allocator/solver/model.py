"""Build, solve and read back the CP-SAT model, one receiving service at a time."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

import constraints
from allocator.calendar import week_start
from allocator.plan import Assignment, Plan
from allocator.problem import AllocationProblem, Request
from allocator.solver.context import EXACT_UP_TO_REQUESTS, ServiceModel
from allocator.solver import lns
from allocator.solver.lagrangian import Bound, service_bound
from allocator.solver.polish import polish
from allocator.solver.relocate import relocate
from allocator.solver.rounding import rounded_plan
from allocator.solver.greedy import greedy_plan
from allocator.solver.meetings import assign_meetings
from allocator.solver.shortlist import worker_shortlist
from constraints import max_new_per_week

log = logging.getLogger(__name__)  # service names and figures only, never a child's details

STATUS_NAMES = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
                cp_model.INFEASIBLE: "INFEASIBLE", cp_model.MODEL_INVALID: "MODEL_INVALID",
                cp_model.UNKNOWN: "UNKNOWN"}


@dataclass
class SolveResult:
    """What the solver found: the plan, status, objective and bound, term by term."""

    plan: Plan
    status: str  # OPTIMAL when every service solved to optimality
    objective: int
    bound: int
    terms: dict[str, int]
    build_seconds: float
    solve_seconds: float
    service_status: dict[str, str] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)  # why no plan exists, in words
    blocked: dict[str, dict[str, str]] = field(default_factory=dict)  # request -> worker -> rule

    @property
    def gap(self) -> float:
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) / max(1, abs(self.objective))


def build_service_model(problem: AllocationProblem, service: str,
                        meeting_teams: frozenset[str] | None = None,
                        limited_workers: frozenset[str] | None = None,
                        explaining: bool = False,
                        dated: frozenset[str] | None = None,
                        shortlist: dict[str, frozenset[str]] | None = None) -> ServiceModel:
    """The CP-SAT model of one service with every registered constraint applied.

    ``meeting_teams`` and ``limited_workers`` say whose meeting slots and weekly limits are
    modelled, ``dated`` which requests get date variables; None models them all.
    ``shortlist`` limits the workers considered for some requests (allocator.solver.shortlist).
    """
    everyone = problem.service_workers.get(service, ())
    if meeting_teams is None:
        meeting_teams = frozenset(problem.workers[w].team for w in everyone)
    if limited_workers is None:
        limited_workers = frozenset(everyone)
    ctx = ServiceModel(problem, service, meeting_teams, limited_workers, explaining, dated,
                       shortlist)
    for module in constraints.HARD:
        module.restrict(ctx)
    ctx.create_variables()
    for module in constraints.REGISTRY:
        module.add(ctx)
    add_load_cuts(ctx)
    ctx.model.Minimize(sum(t.weight * t.expr for t in ctx.terms))
    if explaining:
        ctx.model.AddAssumptions([lit for lit, _ in ctx.assumptions])
    return ctx


@dataclass
class ServiceSolve:
    """One service's solve: its plan part, objective, bound and terms, or why none."""

    status: str
    assignments: list[Assignment]
    objective: int
    bound: int
    terms: dict[str, int]
    blocked: dict[str, dict[str, str]]
    conflicts: list[str]
    build_seconds: float
    solve_seconds: float
    checked: bool = True  # a fallback plan that failed the check is used only if none passed
    # Complete plans the rounds made along the way (each breached round's plan repaired):
    # more caseloads for the combination (allocator.solver.combine).
    seen: list[Plan] = field(default_factory=list)


LAZY_ROUNDS = 3  # rounds of lazily added limits before everything is modelled
SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)
BREACHED_SEARCH_SHARE = 0.5
# A week's relaxed plan that holds more meetings than the slots of more than this share of
# the service's teams is far from any plan: none of the budget goes to improving it, and
# the next round models those teams at once. On the 12,000-child week's assessment service
# (12 of 20 teams over their slots) the plan went from 26,600 to 26,200 and the week from
# 67,020 to 66,620; the safeguarding service's relaxations (2 of 52) search as before. A
# re-allocation's relaxed plan places thousands of children no slot concerns, and
# improving it pays whatever its meetings (the 3,000-child one: 322,220 against 323,200).
FAR_TEAM_SHARE = 0.25


def _first_solve_budget(requests: int, left: float) -> float:
    """Deterministic seconds for a round's first solve, which finds a plan from the hint
    and proves the round's bound. On a large service the rest goes to the neighbourhood
    search (allocator.solver.lns), which improves plans far faster than one search thread
    over the whole model."""
    if requests <= EXACT_UP_TO_REQUESTS:
        return left
    return min(left, max(3.0, 0.2 * left))


def solve_service(problem: AllocationProblem, service: str, seed: int,
                  time_limit: float) -> ServiceSolve:
    """Solve one service (:func:`solve_rounds`) and, unless its plan is proved optimal,
    prove what bound it can over the full model: the better of CP-SAT's bound (where the
    model considered every worker) and the Lagrangian bound (allocator.solver.lagrangian),
    which prices every worker without CP-SAT. The bound's master then combines the plan
    with its starts (allocator.solver.combine): kept if cheaper."""
    # The greedy plan with the mends local moves find (a family split, a later meeting
    # than a colleague's team could give, a child on a busy worker), over every worker: the
    # rounds' first hint and their fallback, so its workers join the shortlist.
    greedy = greedy_plan(problem, service)
    start = moved_greedy = Plan(tuple(relocate(problem, service, list(greedy.assignments))))
    reallocating = problem.reallocates(service)
    proved = None
    if reallocating:  # the bound first: its worker patterns, rounded, may start better
        t0 = time.perf_counter()
        start, proved = _rounded_start(problem, service, start)
        start = _combined_start(problem, service, start, moved_greedy, proved)
        early_seconds = time.perf_counter() - t0
    shortlist = worker_shortlist(problem, service, start)
    solved = solve_rounds(problem, service, seed, time_limit, start, shortlist)
    seen = solved.seen
    if proved is not None:
        solved.solve_seconds += early_seconds
    if solved.status != "FEASIBLE":
        return solved
    # Local moves the neighbourhood search may have left: a family split, a child on a
    # busy worker whose colleague has room (allocator.solver.relocate), and in a
    # re-allocation the re-allocated children (allocator.solver.polish).
    solved = _better(problem, service, solved, relocate, None)
    if reallocating:
        solved = _better(problem, service, solved, polish, None)
    t0 = time.perf_counter()
    if proved is None:
        proved = service_bound(problem, service, upper=solved.objective)
    # The plan combined with its starts through the bound's master (allocator.solver.combine).
    starts = (start,) if start is moved_greedy else (start, moved_greedy)
    solved = _combined(problem, service, solved, proved, starts)
    if seen:  # then with the rounds' repaired plans, from the plan combined so far
        solved = _combined(problem, service, solved, proved, tuple(seen))
    found = int(proved.value)
    solved.solve_seconds += time.perf_counter() - t0
    solved.bound = min(max(solved.bound, found), solved.objective)
    if solved.bound >= solved.objective:
        solved.status = "OPTIMAL"
    return solved


# A re-allocation starts from its worker patterns' rounded plan when that plan passes the
# check, costs less than the greedy start and is within this share of the bound: then the
# master was near enough its optimum for its patterns to describe a good plan. On the
# 3,000-child re-allocation every rounded plan is (the safeguarding service's 224,000
# against 216,789), and on the 12,000-child one the safeguarding service's is 7.1% above
# (694,650 against 648,508; the search from it ends at 670,520; from the greedy start,
# with a bound of fewer re-solves, at 699,050). Where generation stopped far from the
# optimum the rounded plan was 20% above the bound (739,200 against 617,177, after 400
# million table cells) and a worse start than the greedy plan.
ROUNDED_START_GAP = 0.15


def _rounded_start(problem: AllocationProblem, service: str,
                   start: Plan) -> tuple[Plan, Bound]:
    """A re-allocation's start and its service's bound: the bound is proved before the
    search, and its worker patterns' plan, rounded (allocator.solver.rounding) and
    polished, replaces ``start`` if it passes the check, costs less and is near the bound
    (:data:`ROUNDED_START_GAP`)."""
    priced = _priced(problem, service, start, None, {}, 0.0, 0.0)
    found = service_bound(problem, service, upper=priced.objective, rounding=True)
    bound = int(found.value)
    if found.rounded is None:
        return start, found
    rounded = rounded_plan(problem, service, list(start.assignments), found.rounded)
    moved = Plan(tuple(polish(problem, service, rounded, None)))
    candidate = _priced(problem, service, moved, None, {}, 0.0, 0.0)
    log.debug("service %s: start %d, rounded patterns %d (%s), bound %d", service,
              priced.objective, candidate.objective,
              "checked" if candidate.checked else "refused", bound)
    if candidate.checked and candidate.objective < priced.objective \
            and candidate.objective <= (1 + ROUNDED_START_GAP) * bound:
        return moved, found
    return start, found


def _combined_start(problem: AllocationProblem, service: str, start: Plan, greedy: Plan,
                    bound: Bound) -> Plan:
    """A re-allocation's start before the search: ``start`` moved locally
    (allocator.solver.relocate, allocator.solver.polish) and combined with ``greedy``
    through the bound's master (allocator.solver.combine), if that passes the check and
    costs less.

    On a re-allocation the combination, not the search, finds most of what is left: on
    the 12,000-child re-allocation's safeguarding service the rounded start, moved and
    combined, costs 662,520; the search from the rounded start alone reached 671,070
    with its 52.8 deterministic seconds, 661,090 once combined after. From the combined
    start, 10.6 deterministic seconds and a second combination end at 660,970, and 52.8
    at 660,880."""
    primed = _priced(problem, service, start, None, {}, 0.0, 0.0)
    if not primed.checked:
        return start
    primed = _better(problem, service, primed, relocate, None)
    primed = _better(problem, service, primed, polish, None)
    others = () if start is greedy else (greedy,)
    primed = _combined(problem, service, primed, bound, others)
    log.debug("service %s: combined start %d", service, primed.objective)
    return Plan(tuple(primed.assignments))


def _combined(problem: AllocationProblem, service: str, solved: ServiceSolve, bound: Bound,
              starts: tuple[Plan, ...]) -> ServiceSolve:
    """``solved`` or, if it passes the check and costs less, it and ``starts`` combined
    through the bound's master (allocator.solver.combine), with meetings and dates given as
    a relaxed round's are and then moved locally (allocator.solver.relocate and, in a
    re-allocation, allocator.solver.polish)."""
    from allocator.solver.combine import combined_plan

    assignments = combined_plan(problem, service, bound,
                                (Plan(tuple(solved.assignments)), *starts))
    if assignments is None:
        return solved
    repaired = _repaired(problem, assignments, frozenset())
    if repaired is None:
        return solved
    moved = relocate(problem, service, list(repaired.assignments))
    if problem.reallocates(service):
        moved = polish(problem, service, moved, None)
    priced = _priced(problem, service, Plan(tuple(moved)), solved.bound, solved.blocked,
                     solved.build_seconds, solved.solve_seconds)
    if not priced.checked or priced.objective >= solved.objective:
        return solved
    log.debug("service %s: combined from %d to %d", service, solved.objective,
              priced.objective)
    return priced


def _better(problem: AllocationProblem, service: str, solved: ServiceSolve,
            moves: Callable[[AllocationProblem, str, list[Assignment],
                             dict[str, frozenset[str]] | None], list[Assignment]],
            shortlist: dict[str, frozenset[str]] | None) -> ServiceSolve:
    """``solved`` after ``moves``, if that plan passes the check and costs less."""
    t0 = time.perf_counter()
    moved = moves(problem, service, solved.assignments, shortlist)
    priced = None
    if moved != solved.assignments:
        priced = _priced(problem, service, Plan(tuple(moved)), solved.bound, solved.blocked,
                         solved.build_seconds, solved.solve_seconds)
    solved.solve_seconds += time.perf_counter() - t0
    if priced is None or not priced.checked or priced.objective >= solved.objective:
        return solved
    priced.solve_seconds = solved.solve_seconds
    log.debug("service %s: %s from %d to %d", service, moves.__name__, solved.objective,
              priced.objective)
    return priced


def solve_rounds(problem: AllocationProblem, service: str, seed: int, time_limit: float,
                 greedy: Plan, shortlist: dict[str, frozenset[str]] | None) -> ServiceSolve:
    """Solve one service from the ``greedy`` plan, over ``shortlist`` (None: every worker),
    adding meeting slots and weekly limits only where they bind.

    Both rarely bind and are costly to model for every worker. A solve without them is a
    relaxation; if its plan already meets them (meetings are then given after the solve),
    it is a plan of the full model and the round's bound is a bound for the full model.
    Otherwise the teams and workers concerned are modelled and the service is solved
    again; after ``LAZY_ROUNDS`` everything is.

    Likewise a request gets date variables only when a modelled limit can see its date (or
    a manager pinned it): otherwise its date is its worker's first usable day, which is the
    cheapest date whenever no limit binds, so the round's optimum stays a lower bound.

    On a large service, a round whose first plan meets every limit is then improved by
    neighbourhood search. The budget is counted in CP-SAT's deterministic seconds, never
    the wall clock, so the plan does not depend on the machine's load.

    The complete plans the breached rounds were repaired into come back too (``seen``):
    the combination takes their caseloads (:func:`solve_service`).
    """
    everyone = problem.service_workers.get(service, ())
    all_teams = frozenset(problem.workers[w].team for w in everyone)
    teams: frozenset[str] = frozenset()
    limited: frozenset[str] = frozenset()
    build_s = solve_s = spent = 0.0
    hint, bound = greedy, None
    requests = problem.requests_in(service)
    reallocating = problem.reallocates(service)
    fallbacks = [greedy]  # complete plans of the full model, should the rounds run out
    for round_ in range(LAZY_ROUNDS + 1):
        if round_ == LAZY_ROUNDS:
            teams, limited = all_teams, frozenset(everyone)
        t0 = time.perf_counter()
        # Round 0 and the last round are relaxations of the full model (every request a
        # modelled limit can see has date variables there), so their bounds hold. On a
        # large service the rounds between model the breached teams and workers exactly
        # but keep dates implied: restrictions, small enough to solve, whose plans are
        # plans of the full model. A small service's rounds are all relaxations.
        relaxes = round_ in (0, LAZY_ROUNDS) or len(requests) <= EXACT_UP_TO_REQUESTS
        if round_ == LAZY_ROUNDS:
            dated = None
        elif relaxes:
            dated = _dated(problem, service, teams, limited)
        else:  # dates free only where the hint's meeting or weekly limit may have moved them
            dated = _dated(problem, service, frozenset(), frozenset()) | frozenset(
                a.request_id for a in hint.assignments if a.worker in limited
                or (a.worker is not None and problem.workers[a.worker].team in teams))
        ctx = solver = None  # let the last round's model go before building the next
        ctx = build_service_model(problem, service, teams, limited, dated=dated,
                                  shortlist=shortlist)
        blocked = ctx.blocked
        add_hint(ctx, hint)
        t1 = time.perf_counter()
        left = max(1.0, time_limit - spent)
        started = None if relaxes else lns.complete(ctx, hint, seed, _solver)
        if started is not None:  # a restriction proves no bound: start from the hint
            solver, status = started.solver, cp_model.FEASIBLE
        else:
            solver = _solver(seed, _first_solve_budget(len(ctx.requests), left))
            if len(ctx.requests) <= EXACT_UP_TO_REQUESTS:
                _prove(solver)
            status = solver.Solve(ctx.model)
            if status not in SOLVED and status != cp_model.INFEASIBLE and ctx.is_large:
                # Too large to presolve in the time given: search from the hint made whole,
                # with no bound from this round.
                spent += solver.deterministic_time
                started = lns.complete(ctx, hint, seed, _solver)
                if started is not None:
                    solver, status, relaxes = started.solver, cp_model.FEASIBLE, False
        spent += solver.deterministic_time
        if status == cp_model.INFEASIBLE and not relaxes:
            build_s += t1 - t0
            solve_s += time.perf_counter() - t1
            continue  # implied dates leave no plan: the next rounds free them
        if status == cp_model.INFEASIBLE:
            build_s += t1 - t0
            solve_s += time.perf_counter() - t1
            conflicts = explain_infeasible(problem, service, teams, limited, dated)
            return ServiceSolve("INFEASIBLE", [], 0, 0, {}, ctx.blocked, conflicts,
                                build_s, solve_s)
        if status not in SOLVED:
            build_s += t1 - t0
            solve_s += time.perf_counter() - t1
            break  # out of time with nothing new: the greedy plan stands
        # Read before the search below replaces the solver: a neighbourhood's bound holds
        # only for its restricted model.
        if relaxes and shortlist is None:  # a shortlist's bound holds for the shortlist only
            bound = max(bound or 0, round(solver.BestObjectiveBound()))
        objective = round(solver.ObjectiveValue())
        read = _read_plan(ctx, solver, teams, limited)
        # A plan that breaks slots or limits left out of this round is improved with part
        # of the budget only: the next round models them.
        share = BREACHED_SEARCH_SHARE if read.breaches else 1.0
        if not reallocating and len(read.late_teams) > FAR_TEAM_SHARE * len(all_teams):
            share = 0.0
        search = (time_limit - spent) * share
        if status == cp_model.FEASIBLE and search > 0.1:
            best, figures = lns.improve(ctx, lns.Incumbent(solver, objective), bound or 0,
                                        seed, search, _solver)
            spent += figures.deterministic_seconds
            if best.solver is not solver:
                solver, objective = best.solver, best.objective
                read = _read_plan(ctx, solver, teams, limited)
        build_s += t1 - t0
        solve_s += time.perf_counter() - t1
        repaired = None
        if read.breaches:
            repaired = _repaired(problem, read.found, teams)
            if repaired is not None:  # then mended, as the start was
                repaired = Plan(tuple(relocate(problem, service, list(repaired.assignments),
                                               shortlist)))
                fallbacks.append(repaired)
        log.debug("service %s round %d: %s objective %d bound %s, late teams %d, workers over "
                  "limit %d, repaired %s, %.1f deterministic s spent", service, round_,
                  "relaxation" if relaxes else "restriction", objective, bound,
                  len(read.late_teams), len(read.over), repaired is not None, spent)
        if not read.breaches:
            terms = {m.NAME: 0 for m in constraints.SOFT}
            for term in ctx.terms:
                terms[term.name] += term.weight * solver.Value(term.expr)
            status_name = "OPTIMAL" if bound is not None and objective <= bound else "FEASIBLE"
            solved = ServiceSolve(status_name, read.met, objective, bound or 0, terms,
                                  ctx.blocked, [], build_s, solve_s)
            # Unless proved optimal, a repaired plan of an earlier round may be cheaper (with
            # the greedy start alone, nothing else can be).
            if status_name != "OPTIMAL" and len(fallbacks) > 1:
                solved = _cheapest([solved] + [
                    _priced(problem, service, plan, bound, ctx.blocked, build_s, solve_s)
                    for plan in fallbacks[1:]])
            solved.seen = fallbacks[1:]
            return solved
        teams, limited = teams | frozenset(read.late_teams), limited | frozenset(read.over)
        hint = repaired if repaired is not None else Plan(tuple(read.met))
        if spent > time_limit:
            break
    cheapest = _cheapest([_priced(problem, service, plan, bound, blocked, build_s, solve_s)
                          for plan in fallbacks])
    cheapest.seen = fallbacks[1:]
    return cheapest


def _cheapest(solves: list[ServiceSolve]) -> ServiceSolve:
    """The cheapest plan that passed the check (the first, if none did: the caller's
    independent check then refuses it)."""
    return min((s for s in solves if s.checked), key=lambda s: s.objective, default=solves[0])


def _repaired(problem: AllocationProblem, assignments: list[Assignment],
              teams: frozenset[str]) -> Plan | None:
    """A relaxed round's plan made a plan of the full model, if that is simple.

    Meetings are given earliest deadline first (the slot counts in the model guarantee
    there is a day for each, though perhaps later than the round priced). Then each child
    takes the usable date that is cheapest now that the meeting is known (a transfer on or
    after the meeting saves the late-meeting cost at a smaller delay cost) in a week where
    the worker still has room for a new child. None if some child has no such date. The
    plan is priced and checked by the caller.
    """
    met, failed = assign_meetings(problem, assignments, teams, strict=False)
    if failed:
        log.debug("repair: no meeting day in %d team(s)", len(failed))
        return None
    requests = {r.id: r for r in problem.requests}
    pinned = {o.request_id for o in problem.overrides if o.action == "pin_date"}
    count: dict[tuple[str, object], int] = {}
    fixed, free = [], []
    for a in met:
        if a.worker is None or a.on is None or a.request_id in pinned or a.meeting is None:
            r = requests[a.request_id]
            if a.worker is not None and a.on is not None and r.new_to(a.worker):
                key = (a.worker, week_start(a.on))
                count[key] = count.get(key, 0) + 1
            fixed.append(a)
        else:
            free.append(a)
    # Earliest last date first (then fewest dates): a child fixed by an event has no other
    # week, and a child who could wait leaves this week's room to one who cannot.
    free.sort(key=lambda a: (requests[a.request_id].dates[-1:],
                             len(requests[a.request_id].dates), a.request_id))
    for earliest_week in (False, True):
        dated = _dates_within_limits(problem, requests, free, dict(count), earliest_week)
        if dated is not None:
            return Plan(tuple(sorted(fixed + dated, key=lambda a: a.request_id)))
    log.debug("repair: a child has no date within the worker's weekly limit")
    return None


def _dates_within_limits(problem: AllocationProblem, requests: dict[str, Request],
                         todo: list[Assignment], count: dict[tuple[str, object], int],
                         earliest_week: bool) -> list[Assignment] | None:
    """Each child's date, in ``todo``'s order, within the worker's weekly limit: the
    cheapest usable date now that the meeting is known or, with ``earliest_week``, the
    cheapest in the earliest week with room (which always succeeds when each child's weeks
    are a run and the limits' week counts hold, as the relaxation ensures). None if some
    child has no date."""
    from dataclasses import replace

    from allocator.calendar import working_days_between

    weights = problem.config.weights
    out = []
    for a in todo:
        r = requests[a.request_id]
        new = r.new_to(a.worker or "")
        worker = problem.workers[a.worker or ""]
        meeting = a.meeting
        assert meeting is not None

        def cost(t: date) -> tuple[object, ...]:
            late = working_days_between(t, meeting) if meeting > t else 0
            price = weights.date_delay * r.dates.index(t) + weights.late_meeting * late
            return (week_start(t), price, t) if earliest_week else (price, t)

        usable = [t for t in r.dates if t in worker.available and (
            not new or count.get((worker.id, week_start(t)), 0) < worker.max_new_per_week)]
        if not usable:
            return None
        day = min(usable, key=cost)
        if new:
            count[worker.id, week_start(day)] = count.get((worker.id, week_start(day)), 0) + 1
        out.append(replace(a, on=day))
    return out


@dataclass
class _RoundPlan:
    """A round's plan as read from its solver: the assignments, the same with meetings given
    for the teams the round did not model, and what that plan breaks among the slots and
    limits the round left out (the next round models them)."""

    found: list[Assignment]
    met: list[Assignment]
    late_teams: set[str]
    over: set[str]

    @property
    def breaches(self) -> bool:
        return bool(self.late_teams or self.over)


def _read_plan(ctx: ServiceModel, solver: cp_model.CpSolver, teams: frozenset[str],
               limited: frozenset[str]) -> _RoundPlan:
    problem = ctx.problem
    found = _read_assignments(ctx, solver)
    met, late_teams = assign_meetings(problem, found, teams)
    over = max_new_per_week.over_limit(Plan(tuple(met)), problem) - limited
    return _RoundPlan(found, met, set(late_teams), over)


def _priced(problem: AllocationProblem, service: str, plan: Plan, bound: int | None,
            blocked: dict[str, dict[str, str]], build_s: float,
            solve_s: float) -> ServiceSolve:
    """A complete plan made outside a solve (the greedy start, a repaired or polished
    plan), priced term by term by the checker."""
    from allocator.alternatives import service_problem
    from allocator.checker import check_plan

    report = check_plan(plan, service_problem(problem, service))
    terms = {m.NAME: 0 for m in constraints.SOFT}
    terms.update(report.terms)
    return ServiceSolve("FEASIBLE", list(plan.assignments), report.objective,
                        bound if bound is not None else 0, terms, blocked, [], build_s, solve_s,
                        checked=report.ok)


def solve(problem: AllocationProblem, seed: int = 0, time_limit: float = 30.0) -> SolveResult:
    """Solve every service's model; deterministic for the same problem and seed.

    The time limit is shared among services in proportion to their requests.
    """
    assignments: list[Assignment] = []
    terms: dict[str, int] = {}
    objective = bound = 0
    build_s = solve_s = 0.0
    statuses: dict[str, str] = {}
    blocked: dict[str, dict[str, str]] = {}
    for service, part in _solve_services(problem, seed, time_limit):
        build_s += part.build_seconds
        solve_s += part.solve_seconds
        statuses[service] = part.status
        blocked.update(part.blocked)
        if part.status not in ("OPTIMAL", "FEASIBLE"):
            return SolveResult(Plan(()), part.status, 0, 0, {}, build_s, solve_s, statuses,
                               part.conflicts, blocked)
        assignments += part.assignments
        for name, value in part.terms.items():
            terms[name] = terms.get(name, 0) + value
        objective += part.objective
        bound += part.bound
    overall = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses.values()) else "FEASIBLE"
    plan = Plan(tuple(sorted(assignments, key=lambda a: a.request_id)))
    return SolveResult(plan, overall, objective, bound, terms, build_s, solve_s, statuses,
                       blocked=blocked)


PARALLEL_FROM_REQUESTS = 150  # below this, starting processes costs more than it saves


def _solve_services(problem: AllocationProblem, seed: int,
                    time_limit: float) -> list[tuple[str, ServiceSolve]]:
    """Every service's solve, in service order; large plans use one process per core.

    Services are independent and each is searched by one deterministic thread, so running
    them side by side changes nothing in the plan, only the wall time.
    """
    total = max(1, len(problem.requests))
    shares = {s: time_limit * len(problem.requests_in(s)) / total for s in problem.services}
    cores = os.cpu_count() or 1
    if cores < 2 or len(shares) < 2 or len(problem.requests) < PARALLEL_FROM_REQUESTS:
        return [(s, solve_service(problem, s, seed, shares[s])) for s in problem.services]
    largest_first = sorted(shares, key=lambda s: -shares[s])
    with ProcessPoolExecutor(max_workers=min(cores, len(shares))) as pool:
        futures = {s: pool.submit(solve_service, problem, s, seed, shares[s])
                   for s in largest_first}
        return [(s, futures[s].result()) for s in problem.services]


def add_load_cuts(ctx: ServiceModel) -> None:
    """Valid inequalities that price each child's share of a worker's load cost.

    A worker's load cost (capacity and balance terms together) is a convex function of the
    points the plan adds, zero at none, so it is at least the sum of what each new child
    would cost the worker alone. Without this, the LP relaxation spreads fractions of
    children over many workers at no cost and its bound is weak; with it, the bound prices
    every child. The cut removes no whole-number plan.
    """
    for w in ctx.workers:
        terms = ctx.load_terms.get(w.id)
        if not terms:
            continue
        alone = []
        for r, x in ctx.request_vars(w):
            cost = sum(weight * max(0, w.base_load + r.points - threshold)
                       for weight, _, threshold in terms)
            if cost:
                alone.append((cost, x))
        if alone:
            ctx.model.Add(sum(weight * var for weight, var, _ in terms)
                          >= sum(c * x for c, x in alone))


def _dated(problem: AllocationProblem, service: str, teams: frozenset[str],
           limited: frozenset[str]) -> frozenset[str]:
    """Requests whose date a modelled limit can move: any request a modelled team could
    take, a request spanning weeks that a limited worker could take, and pinned dates."""
    pinned = {o.request_id for o in problem.overrides if o.action == "pin_date"}
    workers = [problem.workers[w] for w in problem.service_workers.get(service, ())]
    in_teams = [w for w in workers if w.team in teams]
    capped = [w for w in workers if w.id in limited]
    out = set()
    for r in problem.requests_in(service):
        if r.restructure and r.id not in pinned:
            continue  # no meeting and no weekly limit: the implied date is exact
        spans_weeks = len({week_start(t) for t in r.dates}) > 1
        if r.id in pinned or any(t in w.available for w in in_teams for t in r.dates) or (
                spans_weeks and any(t in w.available for w in capped for t in r.dates)):
            out.add(r.id)
    return frozenset(out)


def add_hint(ctx: ServiceModel, plan: Plan) -> None:
    """Start the search from a complete plan (the greedy one): every request's variables
    and every modelled meeting hinted."""
    values = lns.plan_values(ctx, plan)
    for r in ctx.requests:
        for v, value in zip(lns.request_variables(ctx, r), values[r.id]):
            ctx.model.AddHint(v, value)
    for v, value in lns.meeting_values(ctx, plan):
        ctx.model.AddHint(v, value)


def explain_infeasible(problem: AllocationProblem, service: str, teams: frozenset[str],
                       limited: frozenset[str], dated: frozenset[str] | None) -> list[str]:
    """The overrides and hard-rule groups that together admit no plan, in words.

    The model is rebuilt with one assumption literal per override and per hard-rule group.
    CP-SAT's sufficient assumptions need not be minimal, so each is dropped in turn while
    the rest stay infeasible: every one named is needed for the conflict.
    """
    ctx = build_service_model(problem, service, teams, limited, explaining=True, dated=dated)
    solver = _solver(0, 30.0, workers=1)
    if solver.Solve(ctx.model) != cp_model.INFEASIBLE:
        return [f"service {service}: no plan was found in the time allowed"]
    label = {lit.Index(): text for lit, text in ctx.assumptions}
    lits = {lit.Index(): lit for lit, _ in ctx.assumptions}
    core = [i for i in solver.SufficientAssumptionsForInfeasibility() if i in label]
    for i in list(core):
        rest = [j for j in core if j != i]
        ctx.model.ClearAssumptions()
        ctx.model.AddAssumptions([lits[j] for j in rest])
        if _solver(0, 10.0, workers=1).Solve(ctx.model) == cp_model.INFEASIBLE:
            core = rest
    found = sorted(label[i] for i in core)
    return found or [f"service {service}: the hard rules cannot all hold"]


SEARCH_WORKERS = 1  # one search thread: the same model and seed give the same plan


def _solver(seed: int, time_limit: float, workers: int = SEARCH_WORKERS) -> cp_model.CpSolver:
    """CP-SAT with a deterministic search: same model and seed, same plan.

    Several search strategies are interleaved in one thread of control
    (``interleave_search``), so the portfolio's strength comes without the timing-dependent
    races of parallel search.
    """
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.random_seed = seed
    p.num_workers = workers
    p.interleave_search = workers > 1
    # Probing in presolve costs seconds on a large service (tens of thousands of worker
    # literals) and, measured on the demo councils, buys no better plan.
    p.cp_model_probing_level = 0
    # The limit is in deterministic time, so where it stops does not depend on the machine's
    # load; the wall-clock limit is only a backstop.
    p.max_deterministic_time = max(0.05, time_limit)
    # A wall-clock backstop far beyond the deterministic limit: if it ever ended a search,
    # the plan would depend on the machine's load.
    p.max_time_in_seconds = 30.0 + 20 * time_limit
    return solver


def _prove(solver: cp_model.CpSolver) -> None:
    """A small service is solved whole, to a proof: its search is CP-SAT's default search
    interleaved with its lower-bound tree search, which closes the last few points where
    the default search stalls. On the 3,000-child week's assessment service (30 requests,
    10.8 deterministic seconds) the default search alone proved the optimum at 2 of CP-SAT
    seeds 1-4, the tree search alone at all 4 but with worse plans where the budget is
    short (the 30,000-child disability service: 5,590 against 5,440), the two interleaved
    at 3 of 4 (5,520 there). Interleaved in one thread, the search stays deterministic."""
    p = solver.parameters
    p.num_workers = 2
    p.interleave_search = True
    p.subsolvers.extend(["default_lp", "lb_tree_search"])


def _read_assignments(ctx: ServiceModel, solver: cp_model.CpSolver) -> list[Assignment]:
    out = []
    for r in ctx.requests:
        worker = next((w for w, x in ctx.worker_vars(r) if solver.BooleanValue(x)), None)
        day = None
        if worker is not None:
            day = next((t for t, lit in ctx.date_terms(r) if solver.BooleanValue(lit)), None)
        blocked = () if worker else _blocked_reasons(ctx, r)
        meeting = None
        if worker is not None:
            meets = ctx.meeting.get((r.id, worker.team), [])
            meeting = next((t for t, v in meets if solver.BooleanValue(v)), None)
        out.append(Assignment(
            request_id=r.id, child_id=r.child_id, role=r.role, service=r.service,
            worker=worker.id if worker else None, team=worker.team if worker else None,
            on=day if worker else None, blocked_by=blocked, meeting=meeting))
    return out


def _blocked_reasons(ctx: ServiceModel, request: Request) -> tuple[str, ...]:
    """Why a request is unallocated, in words, by the constraints that ruled workers out."""
    if not ctx.workers:
        return (f"no case-holding worker exists in service '{request.service}'",)
    if not request.dates:
        return ("no usable transfer date in the plan's horizon",)
    counts: dict[str, int] = {}
    for constraint in ctx.blocked[request.id].values():
        counts[constraint] = counts.get(constraint, 0) + 1
    reasons = [f"{name}: rules out {n} of {len(ctx.workers)} workers"
               for name, n in sorted(counts.items())]
    left = len(ctx.workers) - len(ctx.blocked[request.id])
    if left:
        reasons.append(f"max_new_per_week: the {left} remaining eligible workers are at their "
                       "weekly limit of new children")
    return tuple(reasons)
