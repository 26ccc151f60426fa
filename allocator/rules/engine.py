"""The transfer-rule engine: one decision per open child, each citing its clauses.

For a child, every rule whose conditions hold is a candidate; the highest priority wins
(file order breaks ties) and the others are kept as overruled reasons. The winner's
transfer point is turned into exact dates: the policy window, then the dates the plan may
use once the plan date and the notice period are applied. No solver is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from dateutil.relativedelta import relativedelta

from allocator.calendar import (
    add_working_days, birthday, next_working_day, previous_working_day, whichever_sooner,
    working_days_between,
)
from allocator.rules.pack import Pack, Rule
from allocator.state import ChildState, Event

MOVING = frozenset({"allocate", "transfer", "start_coworking", "coworker_becomes_lead", "step_down"})


@dataclass(frozen=True)
class Reason:
    rule_id: str
    clause: str
    quote: str
    text: str


@dataclass(frozen=True)
class Decision:
    """What happens to one child, when, and why."""

    child_id: str
    family_id: str
    outcome: str
    rule_id: str
    from_service: str
    from_team: str | None
    from_worker: str | None
    to_service: str | None  # receiving service for transfer / allocate / co-working
    point: str  # the transfer point in words
    anchor: date | None  # the event or birthday the point is set by
    earliest: date | None  # the policy window
    latest: date | None
    date_from: date | None  # what the plan may use: window, plan date and notice applied
    date_to: date | None
    notice_working_days: int
    coworking_service: str | None
    joint_visit_by: date | None
    introduction_by: date | None
    escalate_after: date | None  # a delay past the window is escalated after this date
    resolve_by: date | None  # and must be resolved by this date
    statutory: bool
    due: bool  # the transfer falls inside this plan's horizon
    flags: tuple[str, ...]  # late, short_notice, manager_decision, siblings_follow ...
    reasons: tuple[Reason, ...]
    overruled: tuple[Reason, ...]

    @property
    def needs_allocation(self) -> bool:
        """True when this plan must choose a worker for the child."""
        return self.due and self.outcome in ("allocate", "transfer", "start_coworking",
                                             "coworker_becomes_lead")


def rule_applies(rule: Rule, child: ChildState) -> bool:
    """Whether every condition of ``rule`` holds for ``child``."""
    w = rule.when
    if w.from_services and child.service not in w.from_services:
        return False
    if child.service in w.not_from:
        return False
    if w.re_referral_within_weeks is not None and (
            child.weeks_since_closure is None
            or child.weeks_since_closure > w.re_referral_within_weeks):
        return False
    if w.re_referral_after_weeks is not None and (
            child.weeks_since_closure is None
            or child.weeks_since_closure <= w.re_referral_after_weeks):
        return False
    if rule.to == "@previous" and child.previous_service is None:
        return False
    if any(f not in child.flags for f in w.all):
        return False
    if any(f in child.flags for f in w.none):
        return False
    if w.any and not any(f in child.flags for f in w.any):
        return False
    if w.legal_any and child.legal_status not in w.legal_any:
        return False
    if w.child_flags_any and not child.child_flags & set(w.child_flags_any):
        return False
    if child.child_flags & set(w.child_flags_none):
        return False
    if w.min_age is not None and (child.age is None or child.age < w.min_age):
        return False
    if w.max_age is not None and (child.age is None or child.age > w.max_age):
        return False
    if w.has_event and not any(e.kind in w.has_event and e.on >= child.episode_start
                               for e in child.events):
        return False
    if w.has_held_event and not any(e.kind in w.has_held_event and e.status == "held"
                                    and e.on >= child.episode_start for e in child.events):
        return False
    if w.lacks_event and any(e.kind in w.lacks_event and e.on >= child.episode_start
                             for e in child.events):
        return False
    if child.co_worker_services & set(w.no_coworker_from):
        return False
    if w.previous_from and child.previous_service not in w.previous_from:
        return False
    if not _re_referral_months_hold(w.re_referral_within_months, w.re_referral_after_months,
                                    child):
        return False
    if rule.point is not None and not rule.point.immediate and _anchor(rule, child)[0] is None:
        return False  # the point cannot be placed: the rule does not apply yet
    return True


def _notice_working_days(rule: Rule | None, pack_notice: int, today: date) -> int:
    """The rule's notice if it sets one (calendar days turned into working days from today),
    else the pack's."""
    if rule is not None and rule.notice_calendar_days is not None:
        return working_days_between(today, today + relativedelta(days=rule.notice_calendar_days))
    if rule is not None and rule.notice_working_days is not None:
        return rule.notice_working_days
    return pack_notice


def _re_referral_months_hold(within: int | None, after: int | None, child: ChildState) -> bool:
    if within is None and after is None:
        return True
    if child.last_closure is None or child.reopened_on is None:
        return False
    reopened = child.reopened_on
    limit_within = child.last_closure + relativedelta(months=within) if within else None
    limit_after = child.last_closure + relativedelta(months=after) if after else None
    if limit_within is not None and reopened > limit_within:
        return False
    if limit_after is not None and reopened <= limit_after:
        return False
    return True


def _anchor(rule: Rule, child: ChildState) -> tuple[date | None, Event | None]:
    point = rule.point
    assert point is not None
    if point.age is not None:
        return (birthday(child.dob, point.age) if child.dob else None), None
    picked: list[Event] = []
    for kind in point.events:
        since = child.cla_start if kind == "cla_review" and child.cla_start else child.episode_start
        pool = [e for e in child.events if e.kind == kind and e.on >= since]
        if point.select == "next":
            pool = [e for e in pool if e.on >= child.on]
        if point.select == "after":
            marks = [e.on for e in child.events if e.kind == point.after and e.on >= since]
            pool = [e for e in pool if marks and e.on >= max(marks)]
        pool.sort(key=lambda e: e.on)
        index = point.n - 1 if point.select == "nth" else 0
        if len(pool) > index:
            picked.append(pool[index])
    if not picked:
        return None, None
    first = min(picked, key=lambda e: e.on)
    return whichever_sooner(e.on for e in picked), first


class Engine:
    """Decides every open child's transfer for one pack and plan date."""

    def __init__(self, pack: Pack, plan_date: date):
        self.pack = pack
        self.plan_date = next_working_day(plan_date)
        ts = pack.timescales
        self.horizon_end = add_working_days(self.plan_date, ts.planning_horizon_working_days - 1)

    def decide(self, child: ChildState) -> Decision:
        matches = [r for r in self.pack.rules if rule_applies(r, child)]
        if not matches:
            return self._stay(child)
        ranked = sorted(enumerate(matches), key=lambda ir: (-ir[1].priority, ir[0]))
        winner = ranked[0][1]
        overruled = tuple(_reason(r) for _, r in ranked[1:])
        return self._decision(child, winner, overruled)

    def _stay(self, child: ChildState) -> Decision:
        info = self.pack.pack
        reason = Reason("default-stay", info.default_clause, info.default_quote,
                        "No transfer point applies this period: the case stays where it is.")
        return self._record(child, "stay", "default-stay", None, "none", None, None, None,
                            (reason,), (), ())

    def _decision(self, child: ChildState, rule: Rule, overruled: tuple[Reason, ...]) -> Decision:
        reasons = [_reason(rule)]
        flags = ("manager_decision",) if rule.outcome == "manager_decision" else ()
        if rule.point is None:
            return self._record(child, rule.outcome, rule.id, rule.to, "none", None, None, None,
                                tuple(reasons), overruled, flags)
        anchor, event = (self.plan_date, None) if rule.point and rule.point.immediate \
            else _anchor(rule, child)
        assert anchor is not None and rule.point is not None
        earliest, latest = self._window(rule, anchor)
        ends = [e.on for e in child.events
                if rule.point.until and e.kind in rule.point.until and e.on >= anchor]
        if ends and min(ends) < latest:
            latest = max(earliest, min(ends))
            reasons.append(Reason(rule.id, rule.clause, rule.quote,
                                  f"The window ends sooner, at the "
                                  f"{EVENT_WORDS.get(_kind_at(child, min(ends)), 'event')} "
                                  f"on {min(ends).isoformat()} (whichever is sooner)."))
        words = _point_words(rule, anchor, event)
        if event is not None and event.original is not None:
            reasons.append(Reason(rule.id, rule.clause, rule.quote,
                                  f"The {event.kind.replace('_', ' ')} was deferred from "
                                  f"{event.original.isoformat()}: the transfer point moves with it."))
        to = rule.to if rule.outcome != "start_coworking" else (
            rule.coworking.service if rule.coworking else None)
        if to == "@previous":
            to = child.previous_service
        if rule.outcome == "allocate":
            to = child.service
        return self._record(child, rule.outcome, rule.id, to, words, anchor, earliest, latest,
                            tuple(reasons), overruled, flags, rule)

    def _window(self, rule: Rule, anchor: date) -> tuple[date, date]:
        point = rule.point
        assert point is not None
        start = anchor + relativedelta(days=point.from_calendar_days)
        earliest = add_working_days(start, point.from_wd)
        if point.to_months is not None:
            latest = previous_working_day(start + relativedelta(months=point.to_months))
        else:
            span = point.to_wd if point.to_wd is not None else (
                point.from_wd + self.pack.timescales.default_window_working_days)
            latest = add_working_days(start, span)
        return earliest, max(latest, earliest)

    def _record(self, child: ChildState, outcome: str, rule_id: str, to: str | None, words: str,
                anchor: date | None, earliest: date | None, latest: date | None,
                reasons: tuple[Reason, ...], overruled: tuple[Reason, ...],
                flags: tuple[str, ...], rule: Rule | None = None) -> Decision:
        ts = self.pack.timescales
        flag_list = list(flags)
        date_from = date_to = None
        notice = 0
        joint = intro = escalate = resolve = None
        due = False
        if earliest is not None and latest is not None:
            # Notice is the sending team's, about a case it holds: a child with no worker
            # (a new referral at the front door) has nobody to give it.
            held = child.lead_worker is not None
            notice = _notice_working_days(rule, ts.notice_working_days, self.plan_date) \
                if held and outcome in ("transfer", "step_down") else 0
            date_from, date_to, late, short = self._usable_dates(earliest, latest, notice)
            if late:
                flag_list.append("late")
            if short:
                flag_list.append("short_notice")
            due = date_from <= self.horizon_end
            if rule is not None and rule.joint_visit_working_days is not None:
                joint = add_working_days(date_from, rule.joint_visit_working_days)
            if rule is not None and rule.joint_visit_before_working_days is not None:
                joint = add_working_days(earliest, -rule.joint_visit_before_working_days)
            if ts.introduction_working_days is not None:
                intro = add_working_days(date_from, ts.introduction_working_days)
            if ts.escalation_working_days is not None:
                escalate = add_working_days(date_to, ts.escalation_working_days)
                if ts.resolution_working_days is not None:
                    resolve = add_working_days(date_to, ts.resolution_working_days)
        return Decision(
            child_id=child.child_id, family_id=child.family_id, outcome=outcome, rule_id=rule_id,
            from_service=child.service, from_team=child.team, from_worker=child.lead_worker,
            to_service=to, point=words, anchor=anchor, earliest=earliest, latest=latest,
            date_from=date_from, date_to=date_to, notice_working_days=notice,
            coworking_service=to if outcome == "start_coworking" else None,
            joint_visit_by=joint, introduction_by=intro, escalate_after=escalate,
            resolve_by=resolve,
            statutory=child.statutory, due=due, flags=tuple(flag_list), reasons=reasons,
            overruled=overruled,
        )

    def _usable_dates(self, earliest: date, latest: date,
                      notice: int) -> tuple[date, date, bool, bool]:
        """The dates a plan may use, with flags for a passed window or short notice.

        A window that has already closed is late: the transfer is due now, within the pack's
        default window. Notice counts from the plan date; where the policy's point comes
        sooner than full notice allows (a conference already fixed), the point stands and the
        decision is flagged short notice rather than moved off its event.
        """
        today = self.plan_date
        late = latest < today
        if late:
            earliest = today
            latest = add_working_days(today, self.pack.timescales.default_window_working_days)
        earliest = max(earliest, today)
        notice_date = add_working_days(today, notice) if notice else today
        if notice_date <= latest:
            return max(earliest, notice_date), latest, late, False
        return earliest, latest, late, notice_date > earliest

    def decide_all(self, children: list[ChildState]) -> list[Decision]:
        """One decision per child, then siblings follow where a winning rule says so."""
        decisions = {c.child_id: self.decide(c) for c in children}
        return [decisions[c.child_id] for c in children] if not self._follow_rules() \
            else self._siblings_follow(children, decisions)

    def _follow_rules(self) -> bool:
        return any(r.siblings_follow for r in self.pack.rules)

    def _siblings_follow(self, children: list[ChildState],
                         decisions: dict[str, Decision]) -> list[Decision]:
        by_rule = {r.id: r for r in self.pack.rules}
        by_family: dict[str, list[ChildState]] = {}
        for c in children:
            by_family.setdefault(c.family_id, []).append(c)
        for c in children:
            lead = decisions[c.child_id]
            rule = by_rule.get(lead.rule_id)
            if rule is None or not rule.siblings_follow:
                continue
            for sib in by_family[c.family_id]:
                own = decisions[sib.child_id]
                own_rule = by_rule.get(own.rule_id)
                outranks = own_rule is None or own_rule.priority < rule.priority
                if sib.child_id == c.child_id or not outranks or sib.service == lead.to_service:
                    continue
                note = Reason(rule.id, rule.clause, rule.quote,
                              f"A sibling ({c.child_id}) moves to {lead.to_service} under "
                              f"{rule.clause}: siblings follow so the family stays together.")
                decisions[sib.child_id] = replace(
                    lead, child_id=sib.child_id, from_service=sib.service, from_team=sib.team,
                    from_worker=sib.lead_worker, statutory=sib.statutory,
                    flags=lead.flags + ("siblings_follow",), reasons=(note,),
                    overruled=own.reasons + own.overruled)
        return [decisions[c.child_id] for c in children]


def _kind_at(child: ChildState, day: date) -> str:
    return next((e.kind for e in child.events if e.on == day), "event")


def _reason(rule: Rule) -> Reason:
    return Reason(rule.id, rule.clause, rule.quote, rule.summary)


def _point_words(rule: Rule, anchor: date, event: Event | None) -> str:
    point = rule.point
    assert point is not None
    if point.immediate:
        return "now, on allocation"
    if point.age is not None:
        return f"at the {point.age}th birthday on {anchor.isoformat()}"
    kind = EVENT_WORDS.get(event.kind, event.kind.replace("_", " ")) if event else "event"
    return f"at the {kind} on {anchor.isoformat()}"


EVENT_WORDS = {
    "icpc": "initial child protection conference", "rcpc": "review child protection conference",
    "cla_review": "looked-after review", "cin_review": "child in need review",
    "irh": "issues resolution hearing", "first_hearing": "first court hearing",
    "final_hearing": "final hearing", "return_home": "return home",
}
