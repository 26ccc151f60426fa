"""One import, end to end: read a national format, assemble, pseudonymise, write.

Why it exists: the command line and the tests call the same function, so what a council
runs is what is tested. :func:`run_import` returns the report; it raises
:class:`ImportFailed` (nothing written) when the source cannot be imported at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from allocator import domain as d
from allocator.importers.assemble import Assembled, assemble
from allocator.importers.extract import Extract
from allocator.importers.mappings import TEAM_COLUMNS, Mappings, load_mappings
from allocator.importers.output import check_target, write_import
from allocator.importers.report import ImportFailed, ImportReport, Issue
from allocator.importers.staff import read_staff
from allocator.rules.pack import load_pack

FORMATS = ("annex-a", "ssda903", "ssd", "staff")


@dataclass(frozen=True)
class ImportOptions:
    """Everything a council chooses for one import."""

    pack: str = "southwark"
    council: str = "Imported council"
    extract_date: date | None = None
    staff: Path | None = None
    generate_staff: bool = False
    teams: Path | None = None
    codes: Path | None = None
    default_team: str | None = None
    key_file: Path | None = None
    new_key: bool = False


@dataclass(frozen=True)
class ImportResult:
    report: ImportReport
    complete: bool  # True when the output validates and can be planned as it is
    lookup_file: Path | None = None


def run_import(fmt: str, source: Path, out: Path, options: ImportOptions) -> ImportResult:
    """Import ``source`` in format ``fmt`` into a new input folder ``out``."""
    if fmt not in FORMATS:
        raise ImportFailed([Issue(str(fmt), None, None, None, "UNKNOWN_FORMAT",
                                  "format must be one of " + ", ".join(FORMATS))])
    check_target(out)
    key = _key(options, out)
    report = ImportReport(format=fmt, source=Path(source).name)
    mappings = load_mappings(options.teams, options.codes)
    pack = _pack(options.pack)
    staff = read_staff(options.staff, report) if options.staff is not None else None
    extract = _read(fmt, Path(source), mappings, report, options)
    if fmt == "staff":
        staff = staff if staff is not None else read_staff(Path(source), report)
    extract_date = options.extract_date or extract.latest_date or date.today()
    report.settings = {"pack": options.pack, "extract_date": extract_date.isoformat(),
                       "extract_date_from": "option" if options.extract_date else "latest date "
                       "in the source", "staff": "supplied" if staff is not None else
                       ("generated" if options.generate_staff else "none"),
                       "pseudonymised": "yes" if key else "no"}
    assembled = assemble(extract, staff, options.generate_staff, mappings, pack, extract_date,
                         report)
    if not assembled.complete:
        report.add_missing("staff list", "no worker tables were written, so a plan would have "
                           "no one to allocate to.", "import again with --staff FILE or "
                           "--generate-staff")
    lookup = None
    if key is not None:
        from allocator.importers.pseudonymise import pseudonymise_tables

        lookup = pseudonymise_tables(assembled.tables, key)
    report.finalise()
    manifest = d.Manifest(council=options.council, pack=options.pack, extract_date=extract_date)
    write_import(out, manifest, assembled.tables, _teams_csv(assembled, mappings, report),
                 report)
    lookup_file = None
    if lookup is not None and options.key_file is not None:
        from allocator.importers.pseudonymise import write_lookup

        lookup_file = write_lookup(options.key_file, lookup)
    return ImportResult(report, assembled.complete, lookup_file)


def _pack(name: str):  # type: ignore[no-untyped-def]
    try:
        return load_pack(name)
    except (ValueError, FileNotFoundError, OSError):
        raise ImportFailed([Issue(name, None, None, None, "UNKNOWN_PACK",
                                  "no such policy pack")]) from None


def _key(options: ImportOptions, out: Path) -> bytes | None:
    if options.key_file is None:
        return None
    from allocator.importers.pseudonymise import KeyFileError, create_key, load_key

    key_file = Path(options.key_file)
    if _inside(key_file, out):
        raise ImportFailed([Issue(key_file.name, None, None, None, "KEY_IN_OUTPUT",
                                  "the key file must be kept outside the output folder")])
    try:
        if options.new_key:
            create_key(key_file)
        return load_key(key_file)
    except FileExistsError:
        raise ImportFailed([Issue(key_file.name, None, None, None, "KEY_EXISTS",
                                  "--new-key given but the key file exists; drop --new-key "
                                  "to use it")]) from None
    except KeyFileError as exc:
        raise ImportFailed([Issue(key_file.name, None, None, None, "BAD_KEY", str(exc))]) from None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _read(fmt: str, source: Path, mappings: Mappings, report: ImportReport,
          options: ImportOptions) -> Extract:
    if fmt == "annex-a":
        from allocator.importers.annex_a import read_annex_a

        return read_annex_a(source, mappings, report)
    if fmt == "ssda903":
        from allocator.importers.ssda903 import DEFAULT_TEAM, read_ssda903

        return read_ssda903(source, mappings, report, options.default_team or DEFAULT_TEAM)
    if fmt == "ssd":
        from allocator.importers.ssd import read_ssd

        return read_ssd(source, mappings, report)
    return Extract(format="staff")


def _teams_csv(assembled: Assembled, mappings: Mappings, report: ImportReport) -> str:
    """The team mapping this import used, plus every unmapped name with blanks to fill."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TEAM_COLUMNS)
    names = {r["dept_team_id"]: r["dept_team_name"] for r in assembled.tables["ssd_department"]}
    for r in assembled.tables["csl_team_profile"]:
        writer.writerow((names[r["tpro_team_id"]], r["tpro_team_id"], r["tpro_service"],
                         r.get("tpro_locality", ""), r.get("tpro_meeting_days", ""),
                         r.get("tpro_meeting_slots", "")))
    for u in report.unmapped:
        if u.kind == "team":
            writer.writerow((u.value, "", "", "", "", ""))
    return buffer.getvalue()

