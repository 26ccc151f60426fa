"""Plain-English explanations of decisions, for a team manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocator.rules.engine import Decision
from allocator.rules.pack import Pack

if TYPE_CHECKING:
    from allocator.alternatives import Explanation

OUTCOME_WORDS = {
    "stay": "stays with the current team",
    "allocate": "needs a lead worker allocated in the team that holds the case",
    "transfer": "transfers",
    "start_coworking": "keeps the current lead and gains a co-worker",
    "coworker_becomes_lead": "the co-worker becomes the lead worker",
    "step_down": "steps down out of social care",
    "close": "closes",
    "manager_decision": "needs a manager's decision (the policy leaves it to them)",
}
FLAG_WORDS = {
    "late": "The policy's transfer point has already passed: the transfer is overdue.",
    "short_notice": "The transfer point comes before the full notice period can run: "
                    "notice is short and the point still stands.",
    "manager_decision": "The policy leaves this to managers: no transfer is planned until "
                        "they decide.",
    "siblings_follow": "This child moves with a sibling so the family stays in one team.",
}


def _service_name(pack: Pack, service_id: str | None) -> str:
    if service_id is None:
        return "-"
    try:
        return pack.service(service_id).name
    except KeyError:
        return service_id


def explain_decision(dec: Decision, pack: Pack) -> list[str]:
    """The decision in sentences: what, where, when, why, and what was overruled."""
    lines = [f"Child {dec.child_id} (family {dec.family_id}), held by "
             f"{_service_name(pack, dec.from_service)}"
             + (f", team {dec.from_team}, worker {dec.from_worker}" if dec.from_worker
                else ", with no lead worker") + "."]
    what = OUTCOME_WORDS.get(dec.outcome, dec.outcome)
    if dec.outcome in ("transfer", "step_down"):
        what += f" to {_service_name(pack, dec.to_service)}"
    if dec.outcome == "start_coworking":
        what += f" from {_service_name(pack, dec.to_service)}"
    lines.append(f"Decision: the child {what}.")
    if dec.earliest is not None:
        lines.append(f"When: {dec.point}; the policy window runs {dec.earliest} to "
                     f"{dec.latest}; this plan may use {dec.date_from} to {dec.date_to}.")
        if dec.notice_working_days:
            lines.append(f"Notice: at least {dec.notice_working_days} working days.")
    for flag in dec.flags:
        if flag in FLAG_WORDS:
            lines.append(FLAG_WORDS[flag])
    lines.append("Why:")
    for r in dec.reasons:
        lines.append(f"  - {r.text} (clause {r.clause}: \"{r.quote}\")")
    if dec.overruled:
        lines.append("Also considered, and outranked by the rule above:")
        for r in dec.overruled:
            lines.append(f"  - {r.text} "
                         f"(clause {r.clause}, rule {r.rule_id})")
    lines.append(f"Source: {pack.pack.title}, {pack.pack.council}.")
    return lines


TERM_WORDS = {
    "unallocated": "left unallocated",
    "capacity": "points above the worker's capacity",
    "balance": "new points to a busy worker (shared by the worker's new children)",
    "siblings_together": "siblings split across workers",
    "continuity": "a worker who knows the child not kept",
    "earliest_date": "transfer later than the first usable date",
    "late_meeting": "transfer meeting after the transfer",
    "locality": "move to another locality",
}


def explain_allocation(expl: "Explanation") -> list[str]:
    """The allocation of one request in sentences: choice, constraints, cost, alternative."""
    a = expl.assignment
    role = "lead worker" if a.role == "lead" else "co-worker"
    if a.worker is None:
        lines = [f"No {role} could be allocated in {a.service}: " + "; ".join(a.blocked_by)
                 + ". Escalate to a senior manager."]
    else:
        lines = [f"Allocated {role}: {a.worker} (team {a.team}), transfer on {a.on}, "
                 f"transfer meeting on {a.meeting}."]
    if expl.ruled_out:
        lines.append("Workers ruled out by hard rules: " + "; ".join(
            f"{n} by {rule}" for rule, n in expl.ruled_out)
            + f" ({expl.candidates} remained).")
    costs = [f"{TERM_WORDS.get(p.term, p.term)}: {p.cost}" for p in expl.terms]
    lines.append("Cost in the plan: " + ("; ".join(costs) if costs else "none") + ".")
    alt = expl.alternative
    if alt is not None:
        why = "; ".join(f"{TERM_WORDS.get(t, t)} +{v}" for t, v in alt.rises) or "no term rises"
        lines.append(f"Best alternative turned down: {alt.worker} (team {alt.team}) on {alt.on}, "
                     f"{alt.extra_cost} more ({why}).")
    elif a.worker is not None:
        lines.append("No other worker could take the child without breaking a hard rule.")
    return lines
