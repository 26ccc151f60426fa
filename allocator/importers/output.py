"""Write an import as the product's input folder, atomically, and check it as `plan` will.

Why it exists: a half-written folder could be planned as if it were a council's whole
caseload. Everything is written into a temporary folder beside the target, read back with
the product's own reader and pack check, and only then renamed into place; on any error
the temporary folder is removed and nothing appears at the target.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

from allocator import domain as d
from allocator.errors import InputError
from allocator.importers.report import REPORT_JSON, REPORT_TEXT, ImportFailed, ImportReport, Issue
from allocator.io.reader import MANIFEST_FILE

MAPPINGS_DIR = "import_mappings"  # the team mapping used, for a council to edit and pass back


def check_target(out: Path) -> None:
    """Refuse an output folder that exists and holds anything (never overwrite data)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ImportFailed([Issue(out.name, None, None, None, "OUT_EXISTS",
                                  "the output folder exists and is not empty; choose a new one")])


def write_import(out: Path, manifest: d.Manifest, tables: dict[str, list[dict[str, str]]],
                 teams_csv: str, report: ImportReport) -> None:
    """Write tables, manifest, team mapping and report into ``out`` as one step."""
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for model in d.TABLES:
            _write_table(tmp / f"{model.TABLE}.csv", model, tables.get(model.TABLE, []))
        (tmp / MANIFEST_FILE).write_text(
            json.dumps(manifest.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
        (tmp / MAPPINGS_DIR).mkdir()
        (tmp / MAPPINGS_DIR / "teams.csv").write_text(teams_csv, encoding="utf-8")
        _validate(tmp, manifest)
        report.written = {m.TABLE: len(tables.get(m.TABLE, [])) for m in d.TABLES}
        (tmp / REPORT_JSON).write_text(report.to_json(), encoding="utf-8")
        (tmp / REPORT_TEXT).write_text(report.to_text(), encoding="utf-8")
        if out.exists():
            out.rmdir()  # empty (checked above): rename needs the name free
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_table(path: Path, model: type[d.Row], rows: list[dict[str, str]]) -> None:
    columns = list(model.model_fields)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([row.get(c, "") for c in columns] for row in rows)


def _validate(folder: Path, manifest: d.Manifest) -> None:
    """Read the folder back as `caseload plan` will; any problem stops the import."""
    from allocator.io.reader import read_caseload
    from allocator.pipeline import pack_problems
    from allocator.rules.pack import load_pack

    try:
        caseload = read_caseload(folder)
        problems = pack_problems(caseload, load_pack(manifest.pack))
        if problems:
            raise InputError(problems)
    except InputError as exc:
        raise ImportFailed([Issue(p.file, None, p.row, p.field, "OUTPUT_INVALID",
                                  f"the imported tables do not validate: {p.message}")
                            for p in exc.problems]) from None
