"""Read a source CSV file or workbook sheet into rows of text cells, with their locations.

Why it exists: every importer needs the same guarded reading (a size cap, UTF-8 with or
without a byte-order mark, a workbook read through defusedxml, Excel error cells and dates
told apart from numbers) before any format-specific meaning is given to a column. Cells
leave here as text; meaning is given by :mod:`allocator.importers.cells`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from allocator.importers.cells import EXCEL_ERRORS, clean
from allocator.importers.report import ImportFailed, ImportReport, Issue

MAX_INPUT_BYTES = 256 * 1024 * 1024  # one source file
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024  # a workbook's parts once unzipped (zip bombs)
MAX_ROWS = 1_000_000
MAX_CELL_CHARS = 2000
_HEADER_SEARCH_ROWS = 10  # a title block above the header is common in Annex A returns


@dataclass
class SourceTable:
    """One CSV file or sheet: its header and its non-blank rows as text, by column name."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    header_row: int = 1
    error_cells: list[tuple[int, str | None]] = field(default_factory=list)  # Excel #N/A ...

    def report_errors(self, report: ImportReport, columns: set[str] | None = None) -> None:
        """Warn of Excel error cells read as blank, in ``columns`` (all when None)."""
        for row, column in self.error_cells:
            if columns is None or column in columns:
                report.warn(self.where(row, column, "EXCEL_ERROR", "the cell holds an Excel "
                                       "error value (such as #N/A); read as blank"))

    def where(self, row: int | None, column: str | None, code: str, message: str) -> Issue:
        """An issue located in this table."""
        return Issue(self.file, self.sheet, row, column, code, message)


def check_size(path: Path) -> None:
    """Refuse a file over the cap before reading a byte of it."""
    if not path.is_file():
        raise ImportFailed([Issue(path.name, None, None, None, "FILE_MISSING", "file not found")])
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise ImportFailed([Issue(path.name, None, None, None, "TOO_LARGE",
                                  f"larger than the {MAX_INPUT_BYTES // 2**20} MiB limit; "
                                  "split the extract")])


def read_csv(path: Path, report: ImportReport) -> SourceTable:
    """A CSV file as text rows; the header is row 1 and blank rows are skipped."""
    check_size(path)
    data = path.read_bytes()
    fail = lambda code, msg: ImportFailed([Issue(path.name, None, None, None, code, msg)])
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # xlsx (zip) or old .xls
        raise fail("NOT_CSV", "is a spreadsheet workbook, not a CSV file; save it as CSV UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        report.note(f"{path.name}: byte-order mark removed")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail("NOT_UTF8", "is not UTF-8 text; save it as CSV UTF-8") from None
    if "\x00" in text:
        raise fail("NOT_CSV", "contains NUL bytes: not a CSV file")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        raise fail("NOT_CSV", "is not well-formed CSV (check quotes)") from None
    if not rows or not any(c.strip() for c in rows[0]):
        raise fail("EMPTY", "is empty: it needs a header row")
    table = SourceTable(path.name, None, _header(rows[0], path.name, None, report))
    for number, cells in enumerate(rows[1:], start=2):
        if any(c.strip() for c in cells):
            table.rows.append((number, _row(table, number, cells, report)))
    _check_rows(table)
    return table


def _header(cells: list[str], file: str, sheet: str | None, report: ImportReport) -> list[str]:
    header = [clean(c).text for c in cells]
    while header and not header[-1]:
        header.pop()
    if len(set(header)) != len(header):
        raise ImportFailed([Issue(file, sheet, None, None, "DUPLICATE_COLUMN",
                                  "a column name appears twice in the header")])
    if any(c != clean(c).text for c in cells):
        report.note(f"{file}{f' [{sheet}]' if sheet else ''}: spaces tidied in column names")
    return header


def _row(table: SourceTable, number: int, cells: list[str], report: ImportReport) -> dict[str, str]:
    """Cells by column name; extra cells beyond the header must be blank."""
    width = len(table.header)
    extra = [c for c in cells[width:] if c.strip()]
    if extra:
        report.warn(table.where(number, None, "EXTRA_CELLS",
                                f"has {len(extra)} filled cell(s) beyond the last named column; "
                                "they were not read"))
    out = {}
    for name, raw in zip(table.header, cells[:width] + [""] * (width - len(cells))):
        if not name:
            continue
        if len(raw) > MAX_CELL_CHARS:
            report.warn(table.where(number, name, "CELL_TOO_LONG", "cell longer than "
                                    f"{MAX_CELL_CHARS} characters; treated as blank"))
            raw = ""
        cleaned = clean(raw)
        if cleaned.had_nbsp:
            report.note(f"{table.file}{_sheet(table)}: non-breaking spaces replaced in column "
                        f"'{name}'")
        elif cleaned.had_stray_space:
            report.note(f"{table.file}{_sheet(table)}: stray spaces trimmed in column '{name}'")
        out[name] = cleaned.text
    return out


def _sheet(table: SourceTable) -> str:
    return f" [{table.sheet}]" if table.sheet else ""


def _check_rows(table: SourceTable) -> None:
    if len(table.rows) > MAX_ROWS:
        raise ImportFailed([table.where(None, None, "TOO_LARGE",
                                        f"more than {MAX_ROWS} rows; split the extract")])


def read_workbook(path: Path, report: ImportReport,
                  wanted: Callable[[str], bool] = lambda title: True) -> dict[str, SourceTable]:
    """Every sheet of an .xlsx workbook as text rows, read through defusedxml.

    A cell Excel stores as a date becomes ``yyyy-mm-dd`` text; a number stays a number (so
    a date column holding a bare number is refused later, not read as an Excel serial); an
    error value such as ``#N/A`` becomes blank with a warning.
    """
    check_size(path)
    _check_zip(path)
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise ImportFailed([Issue(path.name, None, None, None, "UNSAFE",
                                  "defusedxml is not installed; refusing to parse a workbook")])
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        raise ImportFailed([Issue(path.name, None, None, None, "NOT_XLSX",
                                  "is not a readable .xlsx workbook")]) from None
    try:
        for title in book.sheetnames:
            if not wanted(title):
                report.note(f"{path.name} [{title}]: sheet not read (not used by this import)")
        return {ws.title: _sheet_table(path.name, ws, report) for ws in book.worksheets
                if wanted(ws.title)}
    finally:
        book.close()


def _check_zip(path: Path) -> None:
    fail = lambda msg: ImportFailed([Issue(path.name, None, None, None, "NOT_XLSX", msg)])
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise fail("is not an .xlsx workbook (not a zip package); if it is CSV, name it .csv") from None
    if total > MAX_UNZIPPED_BYTES:
        raise fail(f"unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MiB; refused")


def _sheet_table(file: str, ws: object, report: ImportReport) -> SourceTable:
    header: list[str] | None = None
    table = SourceTable(file, ws.title, [])  # type: ignore[attr-defined]
    for number, row in enumerate(ws.iter_rows(), start=1):  # type: ignore[attr-defined]
        names = header or []
        texts = [_cell_text(table, number, cell, report, names[i] if i < len(names) else None)
                 for i, cell in enumerate(row)]
        if header is None:
            if any(texts):
                table.header = header = _header(texts, file, table.sheet, report)
                table.header_row = number
            elif number >= _HEADER_SEARCH_ROWS:
                break
            continue
        if any(t.strip() for t in texts):
            table.rows.append((number, _row(table, number, texts, report)))
            if len(table.rows) > MAX_ROWS:
                _check_rows(table)
    return table


def _cell_text(table: SourceTable, number: int, cell: object, report: ImportReport,
               column: str | None) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "e" or (isinstance(value, str) and value in EXCEL_ERRORS):
        table.error_cells.append((number, column or _column_letter(cell)))
        return ""
    if isinstance(value, datetime):
        if value.time() != time(0):
            report.note(f"{table.file} [{table.sheet}]: time of day dropped from date cells")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | float):
        return _number_text(value, getattr(cell, "number_format", "General"))
    return str(value)


def _number_text(value: float, number_format: str) -> str:
    """A number as its digits; a zero-padded id format (``000000``) keeps its zeros."""
    if isinstance(value, float) and not value.is_integer():
        return repr(value)
    digits = str(int(value))
    if re.fullmatch(r"0{2,}", number_format or ""):
        digits = digits.zfill(len(number_format))
    return digits


def _column_letter(cell: object) -> str | None:
    return getattr(cell, "column_letter", None)
