"""The plan as one self-contained HTML page: summary, charts, roster, explanations.

The page loads nothing: no scripts, fonts, images or styles from anywhere, enforced by a
Content-Security-Policy that allows only this page's own stylesheet and search script by
their hashes. Every piece of case data is escaped. The page is byte-identical for the same
plan (no clock, no random ids).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

from allocator.report import charts
from allocator.report.data import UNALLOCATED, ReportData, headline_figures

STYLE = """
:root{--ink:#1d2733;--muted:#5b6673;--line:#d5dbe2;--alert:#b03a2e;--ok:#2e7d4f;--accent:#2f6fb0}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:var(--ink);background:#f4f6f8}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}
header{padding-top:14px}
.draft{background:#fff4e5;border:2px solid #d98c1f;color:#7a3e00;font-weight:600;
padding:8px 12px;border-radius:6px;margin:0 0 10px}
h1{font-size:26px;margin:6px 0 2px}
h2{font-size:20px;margin:26px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}
.meta{color:var(--muted);margin:0 0 8px}
nav{display:flex;gap:14px;flex-wrap:wrap;margin:8px 0 0;font-size:14px}
nav a{color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid var(--ok);
border-radius:6px;padding:10px 12px}
.card.alert{border-left-color:var(--alert)}
.card.info{border-left-color:var(--accent)}
.card .n{font-size:30px;font-weight:700;line-height:1.1}
.card.alert .n{color:var(--alert)}
.card .l{color:var(--muted);font-size:13px}
.panel{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 14px;
margin:10px 0}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:12px;align-items:start}
.panel h3:first-child{margin-top:0}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
svg.chart{width:100%;height:auto;display:block}
svg.chart text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.note{color:var(--muted);font-size:13px;margin:4px 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#e8eef4;position:sticky;top:0}
td.num{text-align:right}
td.date{white-space:nowrap}
tr.unallocated td,tr.over td{background:#fbe3e0}
.scroll{overflow-x:auto;max-height:70vh;overflow-y:auto;border:1px solid var(--line)}
table.figures{width:auto;min-width:420px}
.search{margin:6px 0;font-size:14px}
.search input{font-size:14px;padding:5px 8px;width:320px;max-width:100%}
footer{color:var(--muted);font-size:13px;padding-bottom:30px}
@media print{
body{background:#fff;font-size:10pt}
nav,.search{display:none}
.scroll{max-height:none;overflow:visible;border:0}
th{position:static}
.panel,svg.chart,.card{break-inside:avoid}
h2{break-after:avoid}
@page{size:A4;margin:12mm}
}
""".strip()

SEARCH_SCRIPT = """
document.querySelectorAll("input[data-table]").forEach(function (box) {
  var table = document.getElementById(box.getAttribute("data-table"));
  var shown = document.getElementById(box.getAttribute("data-count"));
  box.addEventListener("input", function () {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var n = 0;
    table.tBodies[0].querySelectorAll("tr").forEach(function (tr) {
      var text = tr.textContent.toLowerCase();
      var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
      tr.hidden = !hit;
      if (hit) { n += 1; }
    });
    shown.textContent = String(n);
  });
});
""".strip()

# Drawing widths close to the width shown on a laptop, so chart text stays at reading size.
HALF = 560
FULL = 1100
ROSTER_HEADERS = ("Child", "Family", "Outcome", "From team / worker", "To team / worker",
                  "Transfer point", "Transfer date", "Meeting", "Notice (working days)",
                  "Joint visit by", "Introduction letter by", "Flags", "Clause")


def content_security_policy() -> str:
    """Nothing may load; only this page's own stylesheet and script may run."""
    return ("default-src 'none'; "
            f"style-src '{_sha256(STYLE)}'; script-src '{_sha256(SEARCH_SCRIPT)}'; "
            "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; "
            "form-action 'none'")


def html_report(data: ReportData) -> str:
    """The whole page as text."""
    week = _long_date(data.week)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>DRAFT caseload plan, week beginning {_e(week)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        _header(data, week),
        "<main>",
        _summary(data),
        _movement(data),
        _workers(data),
        _exceptions(data),
        _roster(data),
        _explanations(data),
        "</main>",
        _footer(data),
        f"<script>{SEARCH_SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ])


def _header(data: ReportData, week: str) -> str:
    links = "".join(f'<a href="#{i}">{_e(t)}</a>' for i, t in (
        ("summary", "Summary"), ("movement", "Transfers"), ("capacity", "Workers"),
        ("exceptions", "Exceptions"), ("roster", "Roster"), ("explanations", "Explanations")))
    return (f'<header><p class="draft" id="draft">{_e(data.draft)}</p>'
            f"<h1>Caseload plan: week beginning {_e(week)}</h1>"
            f'<p class="meta">{_e(data.council)} &middot; policy pack {_e(data.pack_title)} '
            f"({_e(data.pack_id)})</p><nav>{links}</nav></header>")


URGENT = {"Statutory children unallocated", "Children unallocated", "Manager decisions needed",
          "Workers over capacity after the plan", "Sibling groups split",
          "CP/looked-after children led by an ASYE", "Hard violations (independent check)"}
CARDS = ("Statutory children unallocated", "Children unallocated", "Manager decisions needed",
         "Workers over capacity after the plan", "Sibling groups split",
         "Children moving or allocated this plan")


def _summary(data: ReportData) -> str:
    """Headline cards, then capacity per team and the before/after comparison: what a
    manager should see without scrolling."""
    figures = dict(headline_figures(data))
    cards = []
    for label in CARDS:
        value = figures[label]
        kind = "info" if label not in URGENT else ("alert" if value else "ok")
        cards.append(f'<div class="card {kind}"><div class="n">{_e(value)}</div>'
                     f'<div class="l">{_e(label)}</div></div>')
    teams = [charts.LoadBar(f"{t.team} {t.name}", t.load_before, t.load_after, t.capacity)
             for t in data.teams]
    pairs = [(p.label, p.before, p.after) for p in data.before_after]
    rows = "".join(f'<tr><th scope="row">{_e(k)}</th><td class="num">{_e(v)}</td></tr>'
                   for k, v in headline_figures(data))
    return ('<section id="summary"><h2>The week at a glance</h2>'
            f'<div class="cards">{"".join(cards)}</div>'
            '<div class="grid2">'
            '<div class="panel" id="chart-teams"><h3>Caseload against capacity per team</h3>'
            + charts.load_chart(teams, "Caseload against capacity per team", 280, HALF)
            + '<p class="note">Weighted case points. Red: above capacity after the plan; '
            "black tick: capacity; thin grey bar: load before the plan.</p></div>"
            '<div class="panel" id="chart-before-after"><h3>Before and after the plan</h3>'
            + charts.paired_bars(pairs, "Before and after the plan", 250, HALF)
            + f'<h3>All figures</h3><table class="figures">{rows}</table></div></div>'
            "</section>")


def _movement(data: ReportData) -> str:
    together = data.sibling_groups - data.sibling_groups_split
    kept = data.known_worker_requests - data.known_worker_not_kept
    splits = [("Sibling groups placed", [("together", together, charts.KEPT),
                                         ("split", data.sibling_groups_split, charts.SPLIT)]),
              ("Children with a known worker", [("kept", kept, charts.KEPT),
                                                ("not kept", data.known_worker_not_kept,
                                                 charts.SPLIT)])]
    return ('<section id="movement"><h2>Transfers, siblings and continuity</h2>'
            '<div class="grid2">'
            '<div class="panel" id="chart-days"><h3>Children moving on each day</h3>'
            + charts.column_chart(data.transfers_by_day, "Transfers by day", HALF)
            + '</div><div class="panel" id="chart-siblings"><h3>Siblings and continuity</h3>'
            + charts.split_bars(splits, "Sibling and continuity figures", 210, HALF)
            + '<p class="note">A known worker is the current worker, co-worker or a '
            "sibling's worker in the receiving service.</p></div></div></section>")


def _workers(data: ReportData) -> str:
    workers = [charts.LoadBar(f"{r['worker_id']} {r['worker_name']}", _int(r["load_before"]),
                              _int(r["load_after"]), _int(r["capacity"]),
                              group=f"{r['team']} {data.team_names.get(str(r['team']), '')}")
               for r in data.rows.capacity]
    return ('<section id="capacity"><h2>Caseload against capacity per worker</h2>'
            '<div class="panel" id="chart-workers">'
            + charts.load_chart(workers, "Caseload against capacity per worker", 230, FULL)
            + "</div></section>")


def _exceptions(data: ReportData) -> str:
    rows = [[r["kind"], r["child_id"], r["family_id"], r["team"], r["detail"], r["clause"],
             r["cost"]] for r in data.exceptions]
    body = (_table("exceptions-table", ("Exception", "Child", "Family", "Team", "Detail",
                                        "Clause or id", "Cost"), rows)
            if rows else '<p class="note">Nothing needs a manager\'s attention.</p>')
    return f'<section id="exceptions"><h2>For a manager\'s attention</h2>{body}</section>'


def _roster(data: ReportData) -> str:
    rows, classes = [], []
    for r in data.rows.roster:
        to_name = data.worker_names.get(str(r["to_worker"]), "")
        rows.append([r["child_id"], r["family_id"], f"{r['outcome']} ({r['role']})",
                     _pair(r["from_team"], r["from_worker"]),
                     _pair(r["to_team"], f"{r['to_worker']} {to_name}".strip()),
                     r["transfer_point"], r["transfer_date"], r["transfer_meeting"],
                     r["notice_working_days"], r["joint_visit_by"], r["introduction_by"],
                     r["flags"], r["clause"]])
        classes.append("unallocated" if r["to_worker"] == UNALLOCATED else "")
    return ('<section id="roster"><h2>Transfer roster</h2>'
            + _search("roster-table", "roster-count", len(rows), "child, worker, team, clause")
            + _table("roster-table", ROSTER_HEADERS, rows, classes) + "</section>")


def _explanations(data: ReportData) -> str:
    decisions = {(r["child_id"], r["role"]): r for r in data.rows.roster}
    rows = []
    for e in data.rows.explanations:
        dec = decisions.get((e["child_id"], e["role"]), {})
        why = f"{dec.get('reason', '')} (clause {dec.get('clause', '')})" if dec else ""
        rows.append([e["child_id"], e["worker"], e["transfer_date"], why, e["explanation"]])
    return ('<section id="explanations"><h2>Why each child was allocated as they were</h2>'
            + _search("explanations-table", "explanations-count", len(rows), "child or worker")
            + _table("explanations-table", ("Child", "Worker", "Transfer date", "Decision",
                                            "Allocation"), rows)
            + "</section>")


def _footer(data: ReportData) -> str:
    return (f"<footer><p>{_e(data.draft)}. Made by caseload {_e(data.version)} with solver "
            f"seed {_e(data.seed)}; the same input and seed give the same plan. The CSV, JSON "
            "and Excel files written beside this page hold the same figures.</p></footer>")


def _search(table: str, count: str, n: int, what: str) -> str:
    return (f'<p class="search"><label>Search <input type="search" data-table="{table}" '
            f'data-count="{count}" placeholder="{_e(what)}" autocomplete="off"></label> '
            f'<span id="{count}">{n}</span> shown</p>')


def _table(table_id: str, headers: Sequence[str], rows: Iterable[Sequence[object]],
           classes: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = classes[i] if i < len(classes) and classes[i] else ""
        cells = "".join(_cell(v) for v in row)
        body.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    return (f'<div class="scroll"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _cell(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    if isinstance(value, date):
        return f'<td class="date">{_e(value.strftime("%a %d %b %Y"))}</td>'
    return f"<td>{_e(value)}</td>"


def _pair(team: object, worker: object) -> str:
    return " / ".join(str(v) for v in (team, worker) if v) or "-"


def _e(value: object) -> str:
    """Escaped text: None empty, lists joined, everything else through html.escape."""
    if value is None:
        return ""
    if isinstance(value, (tuple, list)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        value = "Y" if value else "N"
    return escape(str(value), quote=True)


def _long_date(day: date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _int(value: object) -> int:
    return int(value) if isinstance(value, (int, float)) else 0
