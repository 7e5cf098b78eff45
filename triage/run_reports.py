"""Read-only reports on classification runs: the results of a run and the database stats.

Used by `triage results`, `triage stats` and `triage classify` (and available to the TUI and
scripts). Every query is fixed text with bound parameters; rows stream from a cursor, never
loaded whole.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from triage import runs
from triage.display import clean
from triage.runs import Run

RESULT_COLUMNS: tuple[str, ...] = (
    "file",
    "line",
    "SUBJECT_ID",
    "CNT_ORDER",
    "name",
    "county",
    "conviction_date",
    "code_section",
    "felony",
    "outcome",
    "label",
    "reason",
    "step_id",
    "flags",
    "suggested_outcome",  # a review's suggestion ('' when none: then suggested_reason asks)
    "suggested_reason",
)

# Fixed text: the run id is the only parameter.
_RESULTS_SQL = """
SELECT f.name, s.line, c.subject_id, c.cnt_order, p.name, d.county, d.conviction_date,
       d.section, d.felony, d.outcome, d.label, d.reason, d.step_id, d.flags,
       coalesce(d.suggested_outcome, ''), d.suggested_reason
FROM determinations AS d
JOIN convictions AS c ON c.key = d.key
JOIN source_rows AS s ON s.id = c.first_row_id
JOIN source_files AS f ON f.id = s.file_id
JOIN people AS p ON p.subject_id = d.subject_id
WHERE d.run_id = ?
ORDER BY d.subject_id, d.key
"""


def result_rows(conn: sqlite3.Connection, run_id: int) -> Iterator[tuple[Any, ...]]:
    """The run's determinations as RESULT_COLUMNS tuples (raw values), streamed."""
    cur = conn.cursor()
    cur.row_factory = None
    cur.arraysize = 1000
    cur.execute(_RESULTS_SQL, (run_id,))
    while True:
        chunk = cur.fetchmany()
        if not chunk:
            return
        yield from chunk


def incomplete_imports(conn: sqlite3.Connection) -> list[str]:
    """Names of source files whose import has not completed (killed, or still running), in
    import order: a run classifies only the rows they hold so far."""
    return [
        str(name)
        for (name,) in conn.execute(
            "SELECT name FROM source_files WHERE completed_at IS NULL ORDER BY id"
        )
    ]


def _count(conn: sqlite3.Connection, sql: str, *args: Any) -> int:
    return int(conn.execute(sql, args).fetchone()[0])


def _grouped(conn: sqlite3.Connection, sql: str, *args: Any) -> dict[str, int]:
    # Reasons can quote charge text from the records: cleaned for JSON readers' terminals too.
    return {clean(k): int(n) for k, n in conn.execute(sql, args)}


@dataclass(frozen=True)
class DatabaseStats:
    """The database's counts and the active run (`triage stats`). The run is the stored
    `Run` itself (None before the first run): its facts are never copied here."""

    rows: int
    people: int
    convictions: int
    quarantined: int
    determinations: dict[str, Any]  # the active run's: total, by_outcome, by_reason
    decisions: dict[str, Any]  # entries, current, by_kind
    notes: int
    run: Run | None

    def as_dict(self) -> dict[str, Any]:
        """`triage stats --json`: keys rows, people, convictions, quarantined,
        determinations, decisions, notes, run (`Run.facts()`, or null)."""
        return {
            "rows": self.rows, "people": self.people, "convictions": self.convictions,
            "quarantined": self.quarantined, "determinations": self.determinations,
            "decisions": self.decisions, "notes": self.notes,
            "run": None if self.run is None else self.run.facts(),
        }  # fmt: skip


def gather_stats(conn: sqlite3.Connection) -> DatabaseStats:
    """Counts for `triage stats`, all from one snapshot, even while an import or reviewers
    write."""
    if conn.in_transaction:
        return _stats(conn)
    conn.execute("BEGIN")
    try:
        return _stats(conn)
    finally:
        conn.execute("COMMIT")


def _stats(conn: sqlite3.Connection) -> DatabaseStats:
    run = runs.active(conn)
    determinations: dict[str, Any] = {"total": 0, "by_outcome": {}, "by_reason": {}}
    if run is not None:
        run_id = run.id
        determinations = {
            "total": _count(conn, "SELECT count(*) FROM determinations WHERE run_id = ?", run_id),
            "by_outcome": _grouped(
                conn,
                "SELECT outcome, count(*) FROM determinations WHERE run_id = ? "
                "GROUP BY outcome ORDER BY outcome",
                run_id,
            ),
            "by_reason": _grouped(
                conn,
                "SELECT reason, count(*) AS n FROM determinations WHERE run_id = ? "
                "GROUP BY reason ORDER BY n DESC, reason",
                run_id,
            ),
        }
    return DatabaseStats(
        rows=_count(conn, "SELECT count(*) FROM source_rows"),
        people=_count(conn, "SELECT count(*) FROM people"),
        convictions=_count(conn, "SELECT count(*) FROM convictions"),
        quarantined=_count(conn, "SELECT count(*) FROM quarantine"),
        determinations=determinations,
        decisions={
            "entries": _count(conn, "SELECT count(*) FROM decisions"),
            "current": _count(
                conn, "SELECT count(*) FROM current_decisions WHERE decision IS NOT NULL"
            ),
            "by_kind": _grouped(
                conn,
                "SELECT decision, count(*) FROM current_decisions WHERE decision IS NOT NULL "
                "GROUP BY decision ORDER BY decision",
            ),
        },
        notes=_count(conn, "SELECT count(*) FROM notes"),
        run=run,
    )
