"""caseload: transfer rules, allocation and scheduling for children's social care."""

__version__ = "0.1.0"
