"""The decisions log: every decision entry and every note, with reviewer and time.

Both tables are append-only, so the log is the complete history, undo entries included.
Each decision says whether it accepted the pack's suggestion (`accepted_suggestion`: yes,
no, question when the pack asked instead, deferred; blank for an undo), with the grounds
given for a challenge and the note written with it (`note_id`, a row of the notes table).
With the `machine` profile values are written exactly as stored (a script reading the CSV
gets back the bytes reviewers typed); with `spreadsheet`, cells that a spreadsheet would run
as formulas get a leading apostrophe; with `xlsx`, the two tables are Excel workbooks of
text cells.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from triage.export.bundle import Bundle
from triage.export.fmt import accepted

DECISION_COLUMNS = (
    "id", "created_at", "reviewer", "action", "decision", "previous", "version",
    "conviction_key", "subject_id", "name", "run_id", "suggested", "batch", "undoes",
    "accepted_suggestion", "grounds", "note_id",
)  # fmt: skip
NOTE_COLUMNS = ("id", "created_at", "reviewer", "subject_id", "name", "conviction_key", "text")

_DECISIONS = """
SELECT d.id, d.created_at, d.reviewer, d.action, d.decision, d.previous, d.version, d.key,
       d.subject_id, coalesce(p.name, ''), d.run_id, d.suggested, d.batch, d.undoes,
       d.grounds, d.note_id
FROM decisions d LEFT JOIN people p ON p.subject_id = d.subject_id
ORDER BY d.id
"""
_NOTES = """
SELECT n.id, n.created_at, n.reviewer, n.subject_id, coalesce(p.name, ''), n.key, n.text
FROM notes n LEFT JOIN people p ON p.subject_id = n.subject_id
ORDER BY n.id
"""


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


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
                f.row([_text(v) for v in (_decision_row(row) if stem == "decisions" else row)])
                rows += 1
        counts[stem] = rows
    return counts


def _decision_row(row: sqlite3.Row | tuple[object, ...]) -> list[object]:
    """A decisions row in `DECISION_COLUMNS` order: the stored fields, then whether it
    accepted the suggestion (an undo accepts nothing), its grounds and note."""
    values = list(row)
    action, decision, suggested = values[3], values[4], values[11]
    grounds, note_id = values[14], values[15]
    # No run (suggested NULL) suggested nothing; an undo accepts nothing.
    verdict = ""
    if action == "decide" and suggested is not None:
        verdict = accepted(str(suggested), _opt(decision))
    return [*values[:14], verdict, grounds, note_id]
