"""Read a council's input folder (CSV per table) or workbook (.xlsx, a sheet per table).

Cells are read as text and handed to the row models, which parse strictly. Every problem
is collected with its file, row and field; nothing is read past a problem silently and
nothing is written. Call :func:`read_caseload` and catch :class:`InputError`.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from pydantic import ValidationError

from allocator import domain as d
from allocator.caseload import Caseload
from allocator.errors import InputError, InputProblem
from allocator.validation import cross_reference_problems

MANIFEST_FILE = "caseload.json"
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_CELL_CHARS = 1000

RawTable = tuple[str, list[str], list[tuple[int, list[str]]]]  # (file, header, [(row, cells)])


def read_caseload(source: Path) -> Caseload:
    """Read and validate a caseload from a folder of CSVs or an .xlsx workbook."""
    source = Path(source)
    if source.is_dir():
        manifest, raw, problems = _read_folder(source)
    elif source.suffix.lower() == ".xlsx" and source.is_file():
        manifest, raw, problems = _read_workbook(source)
    else:
        raise InputError([InputProblem(source.name, None, None,
                                       "not found, or neither a folder nor an .xlsx workbook")])
    tables, row_numbers, row_problems = _parse_tables(raw)
    problems += row_problems
    if problems or manifest is None:
        raise InputError(problems)
    files = {name: file for name, (file, _, _) in raw.items()}
    caseload = Caseload(manifest=manifest, tables=tables, row_numbers=row_numbers, file_names=files)
    problems = cross_reference_problems(caseload)
    if problems:
        raise InputError(problems)
    return caseload


def read_table(path: Path, model: type[d.Row]) -> tuple[d.Row, ...]:
    """Read one CSV table outside an input folder (for example manager overrides)."""
    problems: list[InputProblem] = []
    if not Path(path).is_file():
        raise InputError([InputProblem(Path(path).name, None, None, "file not found")])
    raw = _read_csv(Path(path), problems)
    if raw is None:
        raise InputError(problems)
    file, header, body = raw
    if not _header_ok(model, file, header, problems):
        raise InputError(problems)
    numbered = list(_parse_rows(model, file, header, body, problems))
    _duplicate_keys(model, file, numbered, problems)
    if problems:
        raise InputError(problems)
    return tuple(row for _, row in numbered)


def _read_folder(folder: Path) -> tuple[d.Manifest | None, dict[str, RawTable], list[InputProblem]]:
    problems: list[InputProblem] = []
    manifest = _read_manifest_file(folder / MANIFEST_FILE, problems)
    raw: dict[str, RawTable] = {}
    for path in sorted(folder.glob("*.csv")):
        name = path.stem
        if name not in d.TABLE_BY_NAME:
            problems.append(InputProblem(path.name, None, None, "unknown table; expected one of "
                                         + ", ".join(sorted(d.TABLE_BY_NAME))))
            continue
        table = _read_csv(path, problems)
        if table is not None:
            raw[name] = table
    _require_tables(raw, problems, suffix=".csv")
    return manifest, raw, problems


def _read_manifest_file(path: Path, problems: list[InputProblem]) -> d.Manifest | None:
    if not path.is_file():
        problems.append(InputProblem(path.name, None, None, "file missing: it names the "
                                     "format version, council, policy pack and extract date"))
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        problems.append(InputProblem(path.name, None, None, "is not valid UTF-8 JSON"))
        return None
    return _manifest_from(data, path.name, problems)


def _manifest_from(data: object, file: str, problems: list[InputProblem]) -> d.Manifest | None:
    try:
        return d.Manifest.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_input=False, include_url=False):
            field = ".".join(str(x) for x in err["loc"]) or None
            problems.append(InputProblem(file, None, field, err["msg"]))
        return None


def _read_csv(path: Path, problems: list[InputProblem]) -> RawTable | None:
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.append(InputProblem(path.name, None, None,
                                     f"larger than the {MAX_FILE_BYTES // 2**20} MiB limit"))
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(InputProblem(path.name, None, None,
                                     "is not UTF-8 text; save it as CSV UTF-8"))
        return None
    if "\x00" in text:
        problems.append(InputProblem(path.name, None, None, "contains NUL bytes: not a CSV file"))
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        problems.append(InputProblem(path.name, None, None, f"is not well-formed CSV ({exc})"))
        return None
    if not rows:
        problems.append(InputProblem(path.name, None, None, "is empty: it needs a header row"))
        return None
    header = [h.strip() for h in rows[0]]
    body = [(i, cells) for i, cells in enumerate(rows[1:], start=2) if any(c.strip() for c in cells)]
    return path.name, header, body


def _read_workbook(path: Path) -> tuple[d.Manifest | None, dict[str, RawTable], list[InputProblem]]:
    import openpyxl  # openpyxl reads through defusedxml when it is installed

    problems: list[InputProblem] = []
    if path.stat().st_size > MAX_FILE_BYTES:
        return None, {}, [InputProblem(path.name, None, None, "larger than the size limit")]
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        return None, {}, [InputProblem(path.name, None, None, "is not a readable .xlsx workbook")]
    raw: dict[str, RawTable] = {}
    manifest: d.Manifest | None = None
    try:
        for sheet in book.worksheets:
            where = f"{path.name}[{sheet.title}]"
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if sheet.title == "caseload":
                data = {r[0]: r[1] for r in rows[1:] if len(r) >= 2 and r[0]}
                version = data.get("format_version")
                if isinstance(version, str) and version.strip().isdigit():
                    data["format_version"] = int(version)  # cells are read as text
                manifest = _manifest_from(data, where, problems)
                continue
            if sheet.title not in d.TABLE_BY_NAME:
                problems.append(InputProblem(where, None, None, "unknown sheet"))
                continue
            if not rows:
                problems.append(InputProblem(where, None, None, "is empty: it needs a header row"))
                continue
            header = [h.strip() for h in rows[0]]
            body = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
            raw[sheet.title] = (where, header, body)
    finally:
        book.close()
    if manifest is None and not any(p.file.endswith("[caseload]") for p in problems):
        problems.append(InputProblem(path.name, None, None, "sheet 'caseload' missing"))
    _require_tables(raw, problems, suffix="")
    return manifest, raw, problems


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _require_tables(raw: dict[str, RawTable], problems: list[InputProblem], suffix: str) -> None:
    for name in sorted(d.REQUIRED_TABLES - raw.keys()):
        problems.append(InputProblem(name + suffix, None, None, "required table missing"))


def _parse_tables(
    raw: dict[str, RawTable],
) -> tuple[dict[str, tuple[d.Row, ...]], dict[str, tuple[int, ...]], list[InputProblem]]:
    tables: dict[str, tuple[d.Row, ...]] = {}
    row_numbers: dict[str, tuple[int, ...]] = {}
    problems: list[InputProblem] = []
    for name, (file, header, body) in raw.items():
        model = d.TABLE_BY_NAME[name]
        if not _header_ok(model, file, header, problems):
            continue
        numbered = list(_parse_rows(model, file, header, body, problems))
        tables[name] = tuple(row for _, row in numbered)
        row_numbers[name] = tuple(n for n, _ in numbered)
        _duplicate_keys(model, file, numbered, problems)
    return tables, row_numbers, problems


def _header_ok(model: type[d.Row], file: str, header: list[str], problems: list[InputProblem]) -> bool:
    known = set(model.model_fields)
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    ok = True
    for column in sorted(required - set(header)):
        problems.append(InputProblem(file, 1, column, "required column missing"))
        ok = False
    for column in header:
        if column not in known:
            problems.append(InputProblem(file, 1, column or "(blank)", "unknown column"))
            ok = False
    if len(set(header)) != len(header):
        problems.append(InputProblem(file, 1, None, "a column name appears twice"))
        ok = False
    return ok


def _parse_rows(model: type[d.Row], file: str, header: list[str],
                body: list[tuple[int, list[str]]],
                problems: list[InputProblem]) -> Iterator[tuple[int, d.Row]]:
    width = len(header)
    for row_no, cells in body:
        if len(cells) != width:
            problems.append(InputProblem(file, row_no, None,
                                         f"has {len(cells)} cells; the header has {width}"))
            continue
        long = [h for h, c in zip(header, cells) if len(c) > MAX_CELL_CHARS]
        if long:
            problems += [InputProblem(file, row_no, h, "cell longer than the limit") for h in long]
            continue
        values = {h: c for h, c in zip(header, cells) if c.strip() != ""}
        try:
            yield row_no, model.model_validate(values)
        except ValidationError as exc:
            for err in exc.errors(include_input=False, include_url=False):
                field = ".".join(str(x) for x in err["loc"]) or None
                message = err["msg"].removeprefix("Value error, ")
                problems.append(InputProblem(file, row_no, field, message))


def _duplicate_keys(model: type[d.Row], file: str, numbered: list[tuple[int, d.Row]],
                    problems: list[InputProblem]) -> None:
    if model.KEY is None:
        return
    first_row: dict[str, int] = {}
    for row_no, row in numbered:
        key = getattr(row, model.KEY)
        if key in first_row:
            problems.append(InputProblem(file, row_no, model.KEY,
                                         f"duplicate id: already used on row {first_row[key]}"))
        else:
            first_row[key] = row_no
