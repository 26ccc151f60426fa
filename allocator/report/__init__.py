"""Reports that managers read: an Excel workbook and a self-contained HTML page.

Both are built from the same rows as the CSVs (:class:`allocator.io.writer.PlanRows`), so
every figure agrees with them, and both say the plan is a draft for a manager to approve.
"""

from __future__ import annotations

from allocator.io.writer import PlanRows
from allocator.pipeline import PlanRun
from allocator.report.data import report_data
from allocator.report.html_report import html_report
from allocator.report.workbook import workbook_bytes

WORKBOOK = "plan.xlsx"
HTML = "report.html"


def report_files(run: PlanRun, rows: PlanRows) -> dict[str, str | bytes]:
    """The workbook's bytes and the HTML page's text, by file name."""
    data = report_data(run, rows)
    return {WORKBOOK: workbook_bytes(data), HTML: html_report(data)}
