"""Scenario figures over time, side by side: one self-contained HTML page and a workbook.

The page loads nothing (a Content-Security-Policy allows only its own stylesheet, by hash),
escapes every label and draws its charts as inline SVG. Both files carry no clock, so the
same results give the same bytes. Figures only: no child or worker appears in them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from allocator.report.html_report import STYLE, _sha256
from allocator.simulation.charts import Band, band_chart, line_chart
from allocator.simulation.figures import FIGURES, WeekFigures
from allocator.simulation.run import ScenarioResult
from allocator.simulation.spread import Spread, spreads

TOTALS = [  # (key of ScenarioResult.totals(), heading)
    ("unallocated_child_days", "Unallocated child-days, all"),
    ("unallocated_child_days_statutory", "Unallocated child-days, CP / looked after"),
    ("asye_leading_statutory_max", "Most CP / looked-after children led by an ASYE in a week"),
    ("workers_over_capacity_mean", "Workers over capacity, weekly mean"),
    ("worker_changes", "Worker changes"),
    ("worker_changes_per_child", "Worker changes per open child"),
    ("transfers_late", "Transfers late against the policy window"),
    ("sibling_groups_split", "Sibling groups split (summed over weekly plans)"),
    ("items_escalated_mean", "Tracker items escalated at a week's end, weekly mean"),
    ("statutory_escalated_mean", "CP / looked-after children escalated, weekly mean"),
    ("statutory_escalated_max", "Most CP / looked-after children escalated in a week"),
    ("agreed_moves_not_held", "Agreed moves that could not hold"),
    ("pins_dropped", "of which pins left out so that the week had a plan"),
]
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def csp() -> str:
    return (f"default-src 'none'; style-src '{_sha256(STYLE)}'; img-src 'none'; "
            "script-src 'none'; base-uri 'none'; form-action 'none'")


def html_page(results: Sequence[ScenarioResult]) -> str:
    """Totals side by side, then one chart per figure with a line per scenario."""
    names = [_label(r) for r in results]
    weeks = [w.week for w in results[0].weeks] if results else []
    charts = [f'<div class="panel"><h3>{escape(heading)}</h3>'
              + line_chart(weeks, [(n, [float(getattr(w, key)) for w in r.weeks])
                                   for n, r in zip(names, results)], heading) + "</div>"
              for key, heading in FIGURES]
    totals = _table(["Over the horizon"] + names,
                    [[heading] + [r.totals()[key] for r in results] for key, heading in TOTALS])
    weekly = "".join(f"<h3>{escape(n)}</h3>{_weekly(r.weeks)}" for n, r in zip(names, results))
    spread = _spread_section(spreads(results))
    start, end = (weeks[0], weeks[-1]) if weeks else ("", "")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp()}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Capacity scenarios</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        ("<header><p class=\"draft\">SIMULATION: figures from weekly plans on a simulated "
         "council, for planning capacity; not a plan for any child.</p>"),
        (f"<h1>Capacity scenarios</h1><p class=\"meta\">{len(weeks)} weeks from "
         f"{escape(start)} to {escape(end)}; {len(results)} scenario run(s).</p></header>"),
        "<main>",
        f"<h2>Over the horizon</h2>{totals}",
        spread,
        f'<h2>Week by week</h2><div class="grid2">{"".join(charts)}</div>',
        f"<h2>Weekly figures</h2>{weekly}", "</main>",
        ("<footer><p>Each week is planned by the allocation model and re-checked by the "
         "independent checker; the same scenario files and seeds give the same figures."
         "</p></footer>"), "</body>", "</html>", ""])


def workbook(results: Sequence[ScenarioResult]) -> bytes:
    """A 'Totals' sheet side by side; over several seeds, 'Spread totals' and 'Spread'
    (mean, min and max over the seeds, per scenario, figure and week); then one sheet of
    weekly figures per scenario run."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Totals"
    _rows(ws, ["Over the horizon"] + [_label(r) for r in results],
          [[h] + [r.totals()[k] for r in results] for k, h in TOTALS])
    groups = spreads(results)
    if groups:
        _rows(wb.create_sheet("Spread totals"),
              ["Over the horizon", "Scenario", "Seeds", "Mean", "Min", "Max"],
              [[h, g.name, len(g.seeds), g.totals[k].mean, g.totals[k].low, g.totals[k].high]
               for g in groups for k, h in TOTALS])
        _rows(wb.create_sheet("Spread"),
              ["Figure", "Scenario", "Week", "Seeds", "Mean", "Min", "Max"],
              [[h, g.name, week, len(g.seeds), st.mean, st.low, st.high]
               for g in groups for k, h in FIGURES
               for week, st in zip(g.weeks, g.figures[k])])
    for i, r in enumerate(results, 1):
        sheet = wb.create_sheet(f"{i} {r.name}"[:31].replace("/", "-"))
        fields = list(WeekFigures.__dataclass_fields__)
        _rows(sheet, fields, [[getattr(w, f) for f in fields] for w in r.weeks])
    wb.properties.creator = "caseload"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _spread_section(groups: list[Spread]) -> str:
    """Over several seeds: each total as mean (min-max), and a band chart per figure."""
    if not groups:
        return ""
    heads = ["Over the horizon: mean (min-max)"] + [
        f"{g.name} ({len(g.seeds)} seeds)" for g in groups]
    rows: list[list[object]] = [[h, *(g.totals[k].text() for g in groups)] for k, h in TOTALS]
    table = _table(heads, rows)
    weeks = list(groups[0].weeks)
    charts = [f'<div class="panel"><h3>{escape(h)}</h3>' + band_chart(weeks, [
        Band(g.name, [s.mean for s in g.figures[k]], [s.low for s in g.figures[k]],
             [s.high for s in g.figures[k]]) for g in groups], f"{h}: spread over seeds")
        + "</div>" for k, h in FIGURES]
    return (f"<h2>Spread over seeds</h2><p>Each scenario's mean over its seeds (the line) "
            f"and the lowest and highest seed (the shaded band).</p>{table}"
            f'<div class="grid2">{"".join(charts)}</div>')


def _rows(ws: object, header: list[str], rows: list[list[object]]) -> None:
    ws.append(header)  # type: ignore[attr-defined]
    for cell in ws[1]:  # type: ignore[index]
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for row in rows:
        ws.append(row)  # type: ignore[attr-defined]
    ws.freeze_panes = "B2"  # type: ignore[attr-defined]
    ws.column_dimensions["A"].width = 44  # type: ignore[attr-defined]


def _weekly(weeks: Sequence[WeekFigures]) -> str:
    heads = ["Week"] + [h for _, h in FIGURES] + ["Arrivals", "Closures"]
    rows = [[w.week] + [getattr(w, k) for k, _ in FIGURES] + [w.arrivals, w.closures] for w in weeks]
    return f'<div class="scroll">{_table(heads, rows)}</div>'


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td class="num">{v}</td>' if isinstance(v, (int, float)) else f"<td>{escape(str(v))}</td>"
        for v in row) + "</tr>" for row in rows)
    return f'<table class="figures"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _label(r: ScenarioResult) -> str:
    return f"{r.name} (seed {r.seed})"
