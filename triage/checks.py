"""What `triage doctor` reports: named checks, each ok, a warning or a problem.

Messages name files, tables, keys, ids and counts, never record text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OK, WARN, PROBLEM = "ok", "warn", "problem"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | problem
    message: str


@dataclass
class DoctorReport:
    path: str
    checks: list[Check] = field(default_factory=list)
    audit_head: str | None = None  # `ENTRIES:HASH`, to keep outside the database

    def add(self, name: str, status: str, message: str) -> None:
        self.checks.append(Check(name, status, message))

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status == PROBLEM]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == WARN]

    @property
    def ok(self) -> bool:
        return not self.problems


def first_of(items: list[str]) -> str:
    """'3, first decision 7 on S1:1': how many, and the first (no record text)."""
    return f"{len(items)}, first {items[0]}" if items else "0"


def findings(kinds: list[tuple[str, list[str]]]) -> list[str]:
    """'LABEL: N, first X' for each kind of finding that has any, in the given order."""
    return [f"{label}: {first_of(items)}" for label, items in kinds if items]
