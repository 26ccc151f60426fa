"""The ``caseload import`` and ``caseload reidentify`` commands: parse options, call the API.

Exit statuses: 0 the output was written and validates (ready for ``caseload plan``);
1 the source cannot be imported (nothing written; every problem is listed by file, sheet,
row and column); 7 the output was written but cannot be planned yet (no staff list), and
the report says what to supply.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_INCOMPLETE = 7


def import_command(
    format: Annotated[str, typer.Argument(help="annex-a, ssda903, ssd or staff.")],
    source: Annotated[Path, typer.Argument(help="Annex A: the .xlsx return; SSDA903 and SSD: "
                                           "the folder of CSVs; staff: the staff list.")],
    out: Annotated[Path, typer.Argument(help="New folder for the product's input format.")],
    staff: Annotated[Path | None, typer.Option(
        help="Staff list (CSV or .xlsx): worker_id, name, team, role, experience, fte, "
        "capacity, working_days, leave.")] = None,
    generate_staff: Annotated[bool, typer.Option(
        "--generate-staff", help="No staff list: generate a labelled SYNTHETIC one from the "
        "teams and worker names found, so a plan can run.")] = False,
    teams: Annotated[Path | None, typer.Option(
        help="Team mapping CSV: team_name, team_id, service, locality.")] = None,
    codes: Annotated[Path | None, typer.Option(
        help="Code mapping TOML (a copy of the shipped codes.toml, edited).")] = None,
    pack: Annotated[str, typer.Option(help="Policy pack for the services.")] = "southwark",
    council: Annotated[str, typer.Option(help="Council name for caseload.json.")] = "Imported council",
    extract_date: Annotated[str | None, typer.Option(
        "--extract-date", help="Day the data was taken (YYYY-MM-DD). Default: the latest "
        "event date in the source.")] = None,
    default_team: Annotated[str | None, typer.Option(
        "--default-team", help="SSDA903: the team that holds every imported child.")] = None,
    pseudonymise: Annotated[Path | None, typer.Option(
        "--pseudonymise", help="Key file: replace child and family ids by keyed hashes "
        "(HMAC-SHA256); keep the key outside the output.")] = None,
    new_key: Annotated[bool, typer.Option(
        "--new-key", help="Create the --pseudonymise key file (owner-only permissions).")] = False,
) -> None:
    """Import a council's national data (Annex A, SSDA903, SSD, staff list) into the input
    format, with a report accounting for every source row."""
    from allocator.importers.api import ImportOptions, run_import
    from allocator.importers.report import ImportFailed

    options = ImportOptions(pack=pack, council=council, extract_date=_date(extract_date),
                            staff=staff, generate_staff=generate_staff, teams=teams,
                            codes=codes, default_team=default_team, key_file=pseudonymise,
                            new_key=new_key)
    try:
        result = run_import(format, source, out, options)
    except ImportFailed as exc:
        typer.echo(f"Cannot import: {len(exc.issues)} problem(s). Nothing was written.", err=True)
        for issue in exc.issues[:200]:
            typer.echo(f"  {issue}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for line in result.report.summary_lines():
        typer.echo(line)
    typer.echo(f"Written to {out}/ (report: import_report.txt, import_report.json)")
    if result.lookup_file is not None:
        typer.echo(f"Pseudonym lookup kept beside the key: {result.lookup_file}")
    if not result.complete:
        typer.echo("INCOMPLETE: no staff list, so no plan can allocate workers yet. Import "
                   "again with --staff FILE or --generate-staff.", err=True)
        raise typer.Exit(EXIT_INCOMPLETE)


def reidentify_command(
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written from pseudonymised "
                                             "input.")],
    key_file: Annotated[Path, typer.Argument(help="The key file the import used.")],
    out: Annotated[Path, typer.Option(help="New folder for the re-identified plan.")] = Path(
        "out-reidentified"),
) -> None:
    """Write a copy of a plan with pseudonyms replaced by the council's own ids, using the
    key and the lookup beside it."""
    from allocator.importers.pseudonymise import KeyFileError
    from allocator.importers.reidentify import reidentify_plan

    try:
        count = reidentify_plan(plan_dir, key_file, out)
    except (KeyFileError, FileExistsError, NotADirectoryError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo(f"Re-identified {count} id(s); written to {out}/")


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        typer.echo("--extract-date must be a date written YYYY-MM-DD", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
