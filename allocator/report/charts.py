"""Inline SVG charts drawn by our own code: no script, no library, no network.

Each function returns one ``<svg>`` element as text. Colours and sizes are presentation
attributes (not ``style=``), so the report's Content-Security-Policy can forbid inline
styles other than its own stylesheet. Every label is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH = 760
BEFORE = "#9aa5b1"
AFTER = "#2f6fb0"
OVER = "#c0392b"
CAPACITY_LINE = "#1a202c"
KEPT = "#2e8b57"
SPLIT = "#d98c1f"


@dataclass(frozen=True)
class LoadBar:
    """One worker's or team's weighted load before and after, against capacity."""

    label: str
    before: int
    after: int
    capacity: int
    group: str | None = None  # a heading drawn above the first bar of each group


def load_chart(bars: list[LoadBar], title: str, label_width: int = 190,
               width: int = WIDTH) -> str:
    """Horizontal bars: load before (thin, grey), after (blue, red when over capacity),
    and a black tick at capacity; the figures after/capacity at the right."""
    row, top = 18, 34
    scale_max = max([max(b.before, b.after, b.capacity) for b in bars] + [1]) * 1.04
    plot = width - label_width - 80
    parts, y, group = [_legend([(BEFORE, "before"), (AFTER, "after"),
                                (OVER, "after, over capacity"),
                                (CAPACITY_LINE, "capacity")], 0, 14)], top, None
    for b in bars:
        if b.group is not None and b.group != group:
            group = b.group
            y += 6
            parts.append(_text(0, y + 11, group, weight="bold"))
            y += row
        x0 = label_width
        over = b.after > b.capacity

        def w(v: int) -> float:
            return round(plot * v / scale_max, 1)

        parts.append(f'<g class="bar{" over" if over else ""}">'
                     f'<title>{escape(b.label)}: {b.before} before, {b.after} after, '
                     f'capacity {b.capacity}</title>'
                     + _text(x0 - 6, y + 12, b.label, anchor="end")
                     + _rect(x0, y + 1, w(b.before), 4, BEFORE)
                     + _rect(x0, y + 6, w(b.after), 9, OVER if over else AFTER)
                     + f'<line x1="{x0 + w(b.capacity)}" x2="{x0 + w(b.capacity)}" y1="{y}" '
                     f'y2="{y + row - 1}" stroke="{CAPACITY_LINE}" stroke-width="2"/>'
                     + _text(x0 + plot + 6, y + 12, f"{b.after}/{b.capacity}",
                             fill=OVER if over else "#333")
                     + "</g>")
        y += row
    return _svg(width, y + 6, title, "".join(parts))


def column_chart(days: list[tuple[date, int]], title: str, width: int = WIDTH) -> str:
    """Vertical bars, one per day, with the count above each bar."""
    if not days:
        return _svg(width, 40, title, _text(0, 24, "No transfers dated in this plan."))
    height, base, top = 206, 170, 24
    slot = min(90, (width - 20) // len(days))
    peak = max(n for _, n in days)
    parts = []
    for i, (day, n) in enumerate(days):
        h = round((base - top) * n / peak, 1)
        x = 10 + i * slot
        parts.append(f'<g class="day"><title>{day.isoformat()}: {n}</title>'
                     + _rect(x + 6, base - h, slot - 12, h, AFTER)
                     + _text(x + slot / 2, base - h - 4, str(n), anchor="middle")
                     + _text(x + slot / 2, base + 14, day.strftime("%a"), anchor="middle",
                             size=11)
                     + _text(x + slot / 2, base + 27, f"{day.day} {day.strftime('%b')}",
                             anchor="middle", size=11)
                     + "</g>")
    parts.append(f'<line x1="0" x2="{width}" y1="{base}" y2="{base}" stroke="#666"/>')
    return _svg(width, height, title, "".join(parts))


def split_bars(items: list[tuple[str, list[tuple[str, int, str]]]], title: str,
               label_width: int = 200, width: int = WIDTH) -> str:
    """One stacked bar per item: its parts side by side, each labelled with its count."""
    row, plot = 34, width - label_width - 10
    parts, y = [], 6
    for label, segments in items:
        total = sum(v for _, v, _ in segments)
        parts.append(_text(label_width - 8, y + 19, label, anchor="end"))
        x = float(label_width)
        if total == 0:
            parts.append(_text(x, y + 19, "none in this plan", fill="#555"))
        for name, value, colour in segments:
            if value == 0:
                continue
            w = round(plot * value / total, 1)
            parts.append(f'<g class="segment"><title>{escape(name)}: {value}</title>'
                         + _rect(x, y + 4, w, 22, colour)
                         + _text(x + 6, y + 19, f"{name}: {value}", fill="#fff", size=12)
                         + "</g>")
            x += w
        y += row
    return _svg(width, y + 4, title, "".join(parts))


def paired_bars(pairs: list[tuple[str, int, int]], title: str, label_width: int = 280,
                width: int = WIDTH) -> str:
    """For each figure, a grey bar before and a blue bar after, with the numbers."""
    row, plot = 34, width - label_width - 50
    peak = max([max(b, a) for _, b, a in pairs] + [1])
    parts, y = [_legend([(BEFORE, "before the plan"), (AFTER, "after the plan")], 0, 14)], 26
    for label, before, after in pairs:
        parts.append(f'<g class="pair"><title>{escape(label)}: {before} before, {after} after'
                     '</title>'
                     + _text(label_width - 8, y + 18, label, anchor="end")
                     + _rect(label_width, y + 2, round(plot * before / peak, 1), 12, BEFORE)
                     + _text(label_width + round(plot * before / peak, 1) + 4, y + 12,
                             str(before), size=11)
                     + _rect(label_width, y + 15, round(plot * after / peak, 1), 12, AFTER)
                     + _text(label_width + round(plot * after / peak, 1) + 4, y + 25,
                             str(after), size=11)
                     + "</g>")
        y += row
    return _svg(width, y + 4, title, "".join(parts))


def _svg(width: int, height: float, title: str, body: str) -> str:
    return (f'<svg class="chart" role="img" '
            f'viewBox="0 0 {width} {round(height)}" aria-label="{escape(title)}">'
            f"<title>{escape(title)}</title>{body}</svg>")


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{x}" y="{y}" width="{max(0.0, w)}" height="{h}" fill="{fill}"/>'


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 12,
          fill: str = "#222", weight: str = "normal") -> str:
    return (f'<text x="{x}" y="{y}" font-size="{size}" fill="{fill}" text-anchor="{anchor}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def _legend(entries: list[tuple[str, str]], x: float, y: float) -> str:
    out = []
    for colour, name in entries:
        out.append(_rect(x, y - 9, 10, 10, colour) + _text(x + 14, y, name, size=11))
        x += 24 + 7 * len(name)
    return f'<g class="legend">{"".join(out)}</g>'
