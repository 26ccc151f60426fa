"""The evolving council: the product's own input tables, held as text rows in memory.

The simulation changes the council the way its case management system would (a referral
row opened, an involvement ended, a worker's leaving date set) and writes the tables out
each week for the real pipeline to read, validate and plan. Nothing is short-cut: what the
weekly plan sees is exactly the input format a council supplies.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from allocator import domain as d

Row = dict[str, str]


@dataclass
class World:
    """Every input table (header and rows, as text) plus the manifest."""

    manifest: dict[str, str]
    headers: dict[str, list[str]]
    tables: dict[str, list[Row]]
    counters: dict[str, int] = field(default_factory=dict)

    def rows(self, model: type[d.Row]) -> list[Row]:
        return self.tables.setdefault(model.TABLE, [])

    def add(self, model: type[d.Row], row: Row) -> None:
        header = self.headers.setdefault(model.TABLE, list(model.model_fields))
        self.rows(model).append({h: row.get(h, "") for h in header})

    def new_id(self, prefix: str) -> str:
        """A fresh id that cannot collide with the council's own (they never use 'S')."""
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"S{prefix}{self.counters[prefix]:06d}"

    def write(self, folder: Path, on: date) -> None:
        """The tables as the input folder of a council extracted on ``on``."""
        folder.mkdir(parents=True, exist_ok=True)
        manifest = dict(self.manifest, extract_date=on.isoformat())
        (folder / "caseload.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        for table, header in self.headers.items():
            buf = io.StringIO()
            writer = csv.DictWriter(buf, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(self.tables.get(table, []))
            (folder / f"{table}.csv").write_text(buf.getvalue(), encoding="utf-8")

    def worker_team(self) -> dict[str, str]:
        return {r["prof_professional_id"]: r["prof_professional_department"]
                for r in self.rows(d.Professional)}

    def team_service(self) -> dict[str, str]:
        return {r["tpro_team_id"]: r["tpro_service"] for r in self.rows(d.TeamProfile)}


def demo_folder() -> Path:
    """The shipped demo council's input folder."""
    return Path(str(resources.files("scenarios") / "demo"))


def load_world(council: str) -> World:
    """The council's input folder ("demo" for the shipped one) as an editable world."""
    folder = demo_folder() if council == "demo" else Path(council)
    manifest = json.loads((folder / "caseload.json").read_text(encoding="utf-8"))
    headers: dict[str, list[str]] = {}
    tables: dict[str, list[Row]] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            headers[path.stem] = list(reader.fieldnames or [])
            tables[path.stem] = [dict(r) for r in reader]
    return World(manifest, headers, tables)


def is_open(start: str, end: str, on: date) -> bool:
    """The input format's rule: open from the start date, closed from the end date."""
    return (not start or date.fromisoformat(start) <= on) and \
        (not end or date.fromisoformat(end) > on)
