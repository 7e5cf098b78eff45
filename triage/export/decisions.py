"""The decisions log: every decision entry and every note, with reviewer and time.

Both tables are append-only, so the log is the complete history, undo entries included.
With the `machine` profile values are written exactly as stored (a script reading the CSV
gets back the bytes reviewers typed); with `spreadsheet`, cells that a spreadsheet would run
as formulas get a leading apostrophe; with `xlsx`, the two tables are Excel workbooks of
text cells.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from triage.export.bundle import Bundle

DECISION_COLUMNS = (
    "id", "created_at", "reviewer", "action", "decision", "previous", "version",
    "conviction_key", "subject_id", "name", "run_id", "suggested", "batch", "undoes",
)  # fmt: skip
NOTE_COLUMNS = ("id", "created_at", "reviewer", "subject_id", "name", "conviction_key", "text")

_DECISIONS = """
SELECT d.id, d.created_at, d.reviewer, d.action, d.decision, d.previous, d.version, d.key,
       d.subject_id, coalesce(p.name, ''), d.run_id, d.suggested, d.batch, d.undoes
FROM decisions d LEFT JOIN people p ON p.subject_id = d.subject_id
ORDER BY d.id
"""
_NOTES = """
SELECT n.id, n.created_at, n.reviewer, n.subject_id, coalesce(p.name, ''), n.key, n.text
FROM notes n LEFT JOIN people p ON p.subject_id = n.subject_id
ORDER BY n.id
"""


def _text(value: object) -> str:
    return "" if value is None else str(value)


def export(conn: sqlite3.Connection, bundle: Bundle) -> dict[str, Any]:
    """Stage `decisions` and `notes` (.csv, or .xlsx under the `xlsx` profile); returns
    their row counts."""
    counts = {}
    for stem, header, query in (
        ("decisions", DECISION_COLUMNS, _DECISIONS),
        ("notes", NOTE_COLUMNS, _NOTES),
    ):
        rows = 0
        with bundle.table(stem, header) as f:
            for row in conn.execute(query):
                f.row([_text(v) for v in row])
                rows += 1
        counts[stem] = rows
    return counts
