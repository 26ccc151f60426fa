"""The import report: every source row accounted for, every problem located.

Why it exists: a council's data officer must be able to reconcile an import with the
source without opening the product's code. For each source table the report states rows
read = rows accepted + rows rejected; every rejection and warning names its code, file,
sheet, row and column and says what to change; every free-text team name and code the
mapping files did not resolve is listed with the file that resolves it; and everything the
national format lacks is listed with how to supply it. It never quotes a cell's value for a
person (names, dates of birth, ids): rows are referred to by number.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

REPORT_JSON = "import_report.json"
REPORT_TEXT = "import_report.txt"


@dataclass(frozen=True, order=True)
class Issue:
    """One located problem: a rejected row, a warning about an accepted row, or a fatal one.

    ``row`` is the spreadsheet row (header = 1); None when the issue is with a whole file,
    sheet or column.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f" [{self.sheet}]" if self.sheet else "")
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.code}: {self.message}"


class ImportFailed(Exception):
    """The source cannot be imported at all (unreadable file, missing columns): nothing is
    written. Carries every such problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = sorted(issues, key=lambda i: (i.file, i.sheet or "", i.row or 0))
        super().__init__(f"{len(self.issues)} problem(s) stop the import")


@dataclass
class TableCount:
    """Rows of one source table (a CSV file or a workbook sheet)."""

    file: str
    sheet: str | None
    read: int = 0
    accepted: int = 0
    rejected: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.accepted + self.rejected


@dataclass
class Unmapped:
    """A free-text team name or a code no mapping resolved, and the file that resolves it."""

    kind: str  # "team" | a codes.toml section such as "legal_status"
    value: str
    rows: int
    mapping_file: str
    how: str


@dataclass(frozen=True)
class Missing:
    """Something the product needs that the national format does not hold."""

    what: str
    why: str
    how_to_supply: str


@dataclass
class ImportReport:
    """Everything an import did, in a form a person and a program can read."""

    format: str
    source: str
    tables: dict[tuple[str, str | None], TableCount] = field(default_factory=dict)
    rejections: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    unmapped_by_key: dict[tuple[str, str], Unmapped] = field(default_factory=dict)
    missing: list[Missing] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)

    def table(self, file: str, sheet: str | None = None) -> TableCount:
        """The counter for a source table, created on first use."""
        return self.tables.setdefault((file, sheet), TableCount(file, sheet))

    def reject(self, issue: Issue) -> None:
        """Record a rejected source row (one rejection per row, however many problems)."""
        self.rejections.append(issue)

    def warn(self, issue: Issue) -> None:
        self.warnings.append(issue)

    def note(self, text: str, count: int = 1) -> None:
        """Count a handled oddity (a byte-order mark, non-breaking spaces in a column)."""
        self.notes[text] += count

    @property
    def unmapped(self) -> list[Unmapped]:
        return sorted(self.unmapped_by_key.values(), key=lambda u: (u.kind, u.value))

    def unmapped_code(self, section: str, value: str, mapping_file: str) -> None:
        """Count a row whose code no mapping resolved (codes are not personal data)."""
        self._unmapped(section, value, mapping_file,
                       f"add the code under [{section}] in a copy of codes.toml")

    def unmapped_team(self, name: str, mapping_file: str) -> None:
        """Count a row whose free-text team name no mapping resolved."""
        self._unmapped("team", name, mapping_file, "add a row team_name,team_id,service "
                       "to the teams file and import again with --teams")

    def _unmapped(self, kind: str, value: str, mapping_file: str, how: str) -> None:
        entry = self.unmapped_by_key.setdefault((kind, value),
                                                Unmapped(kind, value, 0, mapping_file, how))
        entry.rows += 1

    def add_missing(self, what: str, why: str, how: str) -> None:
        self.missing.append(Missing(what, why, how))

    def finalise(self) -> None:
        """Count each table's rejected rows (a row with several problems counts once)."""
        rejected: dict[tuple[str, str | None], set[int]] = {}
        for issue in self.rejections:
            rejected.setdefault((issue.file, issue.sheet), set()).add(issue.row or 0)
        for key, table in self.tables.items():
            table.rejected = len(rejected.get(key, ()))
            table.accepted = table.read - table.rejected

    def rejected_rows(self) -> set[tuple[str, str | None, int]]:
        """(file, sheet, row) of every rejected source row."""
        return {(i.file, i.sheet, i.row or 0) for i in self.rejections}

    def balanced(self) -> bool:
        """Rows read = accepted + rejected for every source table."""
        return all(t.balanced for t in self.tables.values())

    def to_json(self) -> str:
        doc = {
            "format": self.format, "source": self.source, "settings": self.settings,
            "balanced": self.balanced(),
            "tables": [asdict(t) | {"balanced": t.balanced} for t in self._sorted_tables()],
            "written": self.written,
            "rejections": [asdict(i) for i in sorted(self.rejections)],
            "warnings": [asdict(i) for i in sorted(self.warnings)],
            "notes": dict(sorted(self.notes.items())),
            "unmapped": [asdict(u) for u in self.unmapped],
            "missing": [asdict(m) for m in self.missing],
            "generated": self.generated,
        }
        return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"

    def _sorted_tables(self) -> list[TableCount]:
        return sorted(self.tables.values(), key=lambda t: (t.file, t.sheet or ""))

    def summary_lines(self) -> list[str]:
        """The per-table accounting and headline counts, for the terminal."""
        lines = [f"Import of {self.format} from {self.source}"]
        for t in self._sorted_tables():
            name = t.file + (f" [{t.sheet}]" if t.sheet else "")
            lines.append(f"  {name:<40} read {t.read:>6} = accepted {t.accepted:>6} + "
                         f"rejected {t.rejected:>5}")
        lines.append(f"  rejections {len(self.rejections)}, warnings {len(self.warnings)}, "
                     f"unmapped {len(self.unmapped)}, missing {len(self.missing)}")
        return lines

    def to_text(self) -> str:
        lines = self.summary_lines() + ["", "Written (rows per product table):"]
        lines += [f"  {name}: {n}" for name, n in sorted(self.written.items())]
        sections: list[tuple[str, list[str]]] = [
            ("Missing from the national format, and how to supply it",
             [f"- {m.what}: {m.why} Supply it: {m.how_to_supply}" for m in self.missing]),
            ("Unmapped names and codes", [f"- {u.kind} '{u.value}' ({u.rows} row(s)): {u.how} "
                                          f"(mapping file: {u.mapping_file})"
                                          for u in self.unmapped]),
            ("Generated (synthetic) data", [f"- {g}" for g in self.generated]),
            ("Handled without loss", [f"- {k}: {v}" for k, v in sorted(self.notes.items())]),
            ("Rejected rows", [f"- {i}" for i in sorted(self.rejections)]),
            ("Warnings", [f"- {i}" for i in sorted(self.warnings)]),
        ]
        for title, body in sections:
            lines += ["", f"{title}:"] + (body or ["  none"])
        return "\n".join(lines) + "\n"
