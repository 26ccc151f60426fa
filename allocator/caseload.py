"""A validated council caseload: every table's rows, looked up by stable ids."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TypeVar

from allocator import domain as d

R = TypeVar("R", bound=d.Row)


@dataclass(frozen=True)
class Caseload:
    """All input tables after row and cross-reference validation.

    Build it with :func:`allocator.io.reader.read_caseload`, which validates; constructing
    one by hand skips those checks and is for tests that mean to.
    """

    manifest: d.Manifest
    tables: dict[str, tuple[d.Row, ...]]
    row_numbers: dict[str, tuple[int, ...]] | None = None  # spreadsheet row of each row
    file_names: dict[str, str] | None = None  # where each table was read from

    def row_number(self, model: type[d.Row], index: int) -> int | None:
        """The file row (header = 1) of the ``index``-th row of ``model``'s table."""
        if self.row_numbers is None or model.TABLE not in self.row_numbers:
            return None
        return self.row_numbers[model.TABLE][index]

    def file_name(self, model: type[d.Row]) -> str:
        return self.file_names.get(model.TABLE, model.TABLE + ".csv") if self.file_names else model.TABLE + ".csv"

    def rows(self, model: type[R]) -> tuple[R, ...]:
        """Every row of ``model``'s table, in file order."""
        return self.tables.get(model.TABLE, ())  # type: ignore[return-value]

    def by_key(self, model: type[R]) -> dict[str, R]:
        """Rows of ``model``'s table by their key column."""
        assert model.KEY is not None
        return {getattr(r, model.KEY): r for r in self.rows(model)}

    def grouped(self, model: type[R], column: str) -> dict[str, list[R]]:
        """Rows of ``model``'s table grouped by ``column`` (for example a person id)."""
        out: dict[str, list[R]] = defaultdict(list)
        for r in self.rows(model):
            out[getattr(r, column)].append(r)
        return out

    def count(self, model: type[d.Row]) -> int:
        return len(self.tables.get(model.TABLE, ()))
