"""Charts of one figure over the weeks, as inline SVG: a line per scenario run, or (over
several seeds) a scenario's mean line inside its min-max band.

Built from the plan report's SVG helpers (presentation attributes, escaped text), so the
scenario page keeps the same strict Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from allocator.report.charts import _legend, _svg, _text

COLOURS = ("#2f6fb0", "#c0392b", "#2e8b57", "#d98c1f", "#7b4fa0", "#1a202c", "#9aa5b1")
HEIGHT, LEFT, TOP, BOTTOM = 230, 44, 30, 190


@dataclass(frozen=True)
class Band:
    """One scenario's figure over the weeks across seeds: mean, lowest and highest."""

    name: str
    mean: list[float]
    low: list[float]
    high: list[float]


def line_chart(weeks: list[str], series: list[tuple[str, list[float]]], title: str,
               width: int = 560) -> str:
    """Weeks along the bottom, the figure up the side, a line and points per scenario."""
    peak = max([v for _, vals in series for v in vals] + [1])
    x, y = _scales(weeks, peak, width)
    parts = _frame(weeks, peak, [name for name, _ in series], width, x, y)
    for k, (name, vals) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        parts.append(_polyline(x, y, vals, colour))
        for i, v in enumerate(vals):
            parts.append(_point(x(i), y(v), colour, f"{name}, week of {weeks[i]}: {_num(v)}"))
    return _svg(width, HEIGHT, title, "".join(parts))


def band_chart(weeks: list[str], bands: list[Band], title: str, width: int = 560) -> str:
    """Per scenario, the band between the lowest and highest seed each week, shaded, and
    the mean over the seeds as a line with points (hover: mean and range)."""
    peak = max([v for b in bands for v in b.high] + [1])
    x, y = _scales(weeks, peak, width)
    parts = _frame(weeks, peak, [b.name for b in bands], width, x, y)
    for k, b in enumerate(bands):
        colour = COLOURS[k % len(COLOURS)]
        edge = [(x(i), y(v)) for i, v in enumerate(b.high)] + \
               [(x(i), y(v)) for i, v in reversed(list(enumerate(b.low)))]
        parts.append(f'<polygon points="{" ".join(f"{round(px, 1)},{py}" for px, py in edge)}" '
                     f'fill="{colour}" fill-opacity="0.18" stroke="none"/>')
        parts.append(_polyline(x, y, b.mean, colour))
        for i, v in enumerate(b.mean):
            parts.append(_point(x(i), y(v), colour,
                                f"{b.name}, week of {weeks[i]}: mean {_num(v)}, "
                                f"range {_num(b.low[i])} to {_num(b.high[i])}"))
    return _svg(width, HEIGHT, title, "".join(parts))


def _scales(weeks: list[str], peak: float,
            width: int) -> tuple[Callable[[int], float], Callable[[float], float]]:
    step = (width - LEFT - 12) / max(len(weeks) - 1, 1)
    return (lambda i: LEFT + i * step), (lambda v: round(BOTTOM - (BOTTOM - TOP) * v / peak, 1))


def _frame(weeks: list[str], peak: float, names: list[str], width: int,
           x: Callable[[int], float], y: Callable[[float], float]) -> list[str]:
    """Legend, axis, the scale's top and bottom, and about six week labels."""
    parts = [_legend([(COLOURS[i % len(COLOURS)], n) for i, n in enumerate(names)], LEFT, 14),
             f'<line x1="{LEFT}" x2="{width - 8}" y1="{BOTTOM}" y2="{BOTTOM}" stroke="#666"/>',
             _text(LEFT - 6, y(peak) + 4, _num(peak), anchor="end", size=11),
             _text(LEFT - 6, BOTTOM + 4, "0", anchor="end", size=11)]
    every = max(1, len(weeks) // 6)
    labelled = {i for i in range(0, len(weeks), every) if len(weeks) - 1 - i >= every / 2}
    labelled.add(len(weeks) - 1)  # the last week always, clear of the label before it
    for i, week in enumerate(weeks):
        if i in labelled:
            anchor = "end" if i == len(weeks) - 1 and i else "middle"  # stay inside the frame
            parts.append(_text(round(x(i), 1), BOTTOM + 16, week[5:], anchor=anchor, size=10))
    return parts


def _polyline(x: Callable[[int], float], y: Callable[[float], float], vals: list[float],
              colour: str) -> str:
    points = " ".join(f"{round(x(i), 1)},{y(v)}" for i, v in enumerate(vals))
    return f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'


def _point(cx: float, cy: float, colour: str, label: str) -> str:
    return (f'<circle cx="{round(cx, 1)}" cy="{cy}" r="2.5" fill="{colour}">'
            f"<title>{escape(label)}</title></circle>")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"
