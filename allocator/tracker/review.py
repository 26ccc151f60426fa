"""The tracker's review as lines for people: what is due, overdue and escalated on a date,
per council, on the council's policy pack timescales."""

from __future__ import annotations

from collections import Counter
from datetime import date

from allocator.rules.pack import Pack, load_pack
from allocator.tracker.escalation import Status, review, rules_for
from allocator.tracker.states import OPEN_STATES
from allocator.tracker.store import Tracker

HEADINGS = {"due": "DUE (agreed, in the next 5 working days)",
            "overdue": "OVERDUE (agreed date passed, not completed)",
            "escalated": "ESCALATED (notify the service manager; resolve by)"}


def pack_for(store: Tracker, council: str, pack: str | None) -> Pack | None:
    """The pack named, else the one the council's latest recorded run used."""
    name = pack
    if name is None:
        runs = [r for r in store.runs() if r.council == council and r.pack]
        name = runs[-1].pack if runs else None
    return load_pack(name) if name else None


def review_statuses(store: Tracker, as_of: date, pack: str | None = None) -> list[Status]:
    """Every council's due, overdue and escalated items on ``as_of``."""
    out: list[Status] = []
    items = store.items(states=OPEN_STATES)
    for council in sorted({i.council for i in items}):
        rules = rules_for(pack_for(store, council, pack))
        out.extend(review([i for i in items if i.council == council], as_of, rules))
    return out


def review_lines(store: Tracker, as_of: date, pack: str | None = None,
                 show_all: bool = False) -> list[str]:
    statuses = review_statuses(store, as_of, pack)
    lines = [f"Transfer tracker on {as_of}"]
    for category, heading in HEADINGS.items():
        rows = [s for s in statuses if s.category == category]
        lines.append(f"{heading}: {len(rows)}")
        lines.extend(_line(s, as_of) for s in rows)
    if show_all:
        items = store.items(states=OPEN_STATES)
        lines.append(f"OPEN ITEMS: {len(items)}")
        lines.extend(f"  item {i.id:>5} {i.child_id:>10} {i.state:<9} {i.service:>10} "
                     f"{i.worker or 'UNALLOCATED':<11} {i.agreed_date or i.planned_date or '-'}"
                     for i in items)
    counts = Counter(i.state for i in store.items())
    lines.append("States: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return lines


def _line(s: Status, as_of: date) -> str:
    i = s.item
    when = i.agreed_date or i.planned_date or "-"
    text = (f"  item {i.id:>5} {i.child_id:>10} {i.state:<9} {i.from_service or '-':>10} -> "
            f"{i.service:<10} {i.worker or 'UNALLOCATED':<11} date {when}")
    if s.raised is not None:
        text += f"  raised {s.raised}  resolve by {s.resolve_by}"
    elif s.notice_by is not None:
        text += f"  notice by {s.notice_by}  resolve by {s.resolve_by}"
    late = s.late(as_of)
    return text + (f"  [{late}]" if late else "") + f"  {s.why}"
