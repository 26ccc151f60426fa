"""A line chart of one figure over the weeks, one line per scenario, as inline SVG.

Built from the plan report's SVG helpers (presentation attributes, escaped text), so the
scenario page keeps the same strict Content-Security-Policy.
"""

from __future__ import annotations

from html import escape

from allocator.report.charts import _legend, _svg, _text

COLOURS = ("#2f6fb0", "#c0392b", "#2e8b57", "#d98c1f", "#7b4fa0", "#1a202c", "#9aa5b1")


def line_chart(weeks: list[str], series: list[tuple[str, list[float]]], title: str,
               width: int = 560) -> str:
    """Weeks along the bottom, the figure up the side, a line and points per scenario."""
    height, left, top, bottom = 230, 44, 30, 190
    peak = max([v for _, vals in series for v in vals] + [1])
    step = (width - left - 12) / max(len(weeks) - 1, 1)

    def y(v: float) -> float:
        return round(bottom - (bottom - top) * v / peak, 1)

    parts = [_legend([(COLOURS[i % len(COLOURS)], name) for i, (name, _) in enumerate(series)],
                     left, 14),
             f'<line x1="{left}" x2="{width - 8}" y1="{bottom}" y2="{bottom}" stroke="#666"/>',
             _text(left - 6, y(peak) + 4, _num(peak), anchor="end", size=11),
             _text(left - 6, bottom + 4, "0", anchor="end", size=11)]
    every = max(1, len(weeks) // 6)
    labelled = {i for i in range(0, len(weeks), every) if len(weeks) - 1 - i >= every / 2}
    labelled.add(len(weeks) - 1)  # the last week always, clear of the label before it
    for i, week in enumerate(weeks):
        if i in labelled:
            anchor = "end" if i == len(weeks) - 1 and i else "middle"  # stay inside the frame
            parts.append(_text(left + i * step, bottom + 16, week[5:], anchor=anchor, size=10))
    for k, (name, vals) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{round(left + i * step, 1)},{y(v)}" for i, v in enumerate(vals))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')
        for i, v in enumerate(vals):
            parts.append(f'<circle cx="{round(left + i * step, 1)}" cy="{y(v)}" r="2.5" '
                         f'fill="{colour}"><title>{escape(name)}, week of {escape(weeks[i])}: '
                         f'{_num(v)}</title></circle>')
    return _svg(width, height, title, "".join(parts))


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"
