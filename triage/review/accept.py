"""What "accept the suggestion" records for a conviction: the one rule the CLI shares with
the review app's accept key (issue 11).

A review determination carries the pack's suggestion, or a question when no suggestion is
honest (`rules.suggest`); a deciding determination suggests its own outcome. Accepting a
question is refused: a person answers it and chooses a decision.
"""

from __future__ import annotations

import sqlite3

from triage.errors import TriageError

ACCEPTABLE = ("dismiss", "reduce", "not_eligible")


def accepted_decision(conn: sqlite3.Connection, key: str, run_id: int) -> str:
    """The decision accepting run `run_id`'s suggestion for `key` records.

    Raises TriageError (one line, no record text) when the run did not classify the
    conviction or suggests nothing (it asks a question instead)."""
    row = conn.execute(
        "SELECT outcome, suggested_outcome FROM determinations WHERE run_id = ? AND key = ?",
        (run_id, key),
    ).fetchone()
    if row is None:
        if conn.execute("SELECT 1 FROM convictions WHERE key = ?", (key,)).fetchone() is None:
            raise TriageError(f"no conviction with key {key} (keys look like SUBJECT_ID:CNT_ORDER)")
        raise TriageError(
            f"{key}: run {run_id} did not classify this conviction; nothing to accept"
        )
    for value in (row[1], row[0]):
        if value in ACCEPTABLE:
            return str(value)
    raise TriageError(
        f"{key}: no suggestion to accept, the pack asks a question "
        f"(`triage history {key}` shows it); choose --decision"
    )
