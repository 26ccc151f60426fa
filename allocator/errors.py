"""Errors the product reports to people: each names where, never what a child's data says."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class InputProblem:
    """One problem with the input, located by file, row and field.

    ``row`` is the spreadsheet row number (the header is row 1); ``None`` when the
    problem is with the whole file. Messages never quote cell values: a value could be
    a child's name or date of birth.
    """

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Raised when input is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.row or 0, p.field or ""))
        super().__init__(f"{len(self.problems)} problem(s) in the input")


class PlanCheckError(Exception):
    """Raised when the independent checker finds a hard violation: the plan is not written."""

    def __init__(self, violations: list[str]):
        self.violations = violations
        super().__init__(f"{len(violations)} hard violation(s) in the plan")


class NoPlanError(Exception):
    """Raised when the hard rules, with the manager's overrides, admit no plan; carries the
    conflicting overrides and rules in words."""

    def __init__(self, conflicts: list[str]):
        self.conflicts = conflicts
        super().__init__("no plan satisfies the hard rules and overrides together")
