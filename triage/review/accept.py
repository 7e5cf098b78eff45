"""What "accept the suggestion" records for a conviction: the one rule the CLI shares with
the review app's accept key (issue 11).

A review determination carries the pack's suggestion, or a question when no suggestion is
honest (`rules.suggest`); a deciding determination suggests its own outcome. Accepting a
question is refused: a person answers it and chooses a decision. Accepting not_eligible
also takes the grounds the pack's step cites (`triage.grounds.suggested_grounds`): the
challenged list then prints the same reason and law the pack relied on.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from triage import grounds
from triage.errors import TriageError
from triage.review.model import ConvictionItem

ACCEPTABLE = ("dismiss", "reduce", "not_eligible")


@dataclass(frozen=True)
class Acceptance:
    """What accepting records: the decision and, for not_eligible, the implied grounds."""

    decision: str
    implied: grounds.Implied | None = None

    @property
    def grounds_text(self) -> str | None:
        """The grounds as `review.decide(grounds_text=...)` takes them (None: none)."""
        if self.implied is None or not self.implied.ids:
            return None
        return ",".join(self.implied.ids)


def acceptance(conn: sqlite3.Connection, key: str, run_id: int) -> Acceptance:
    """What accepting run `run_id`'s suggestion for `key` records.

    Raises TriageError (one line, no record text) when the run did not classify the
    conviction or suggests nothing (it asks a question instead)."""
    row = conn.execute(
        "SELECT outcome, suggested_outcome, step_id, citation, reason, suggested_reason "
        "FROM determinations WHERE run_id = ? AND key = ?",
        (run_id, key),
    ).fetchone()
    if row is None:
        if conn.execute("SELECT 1 FROM convictions WHERE key = ?", (key,)).fetchone() is None:
            raise TriageError(f"no conviction with key {key} (keys look like SUBJECT_ID:CNT_ORDER)")
        raise TriageError(
            f"{key}: run {run_id} did not classify this conviction; nothing to accept"
        )
    outcome, suggested, step_id, citation, reason, suggested_reason = tuple(row)
    for value in (suggested, outcome):
        if value in ACCEPTABLE:
            implied = grounds.suggested_grounds(
                outcome=outcome, step_id=step_id, citation=citation, reason=reason,
                suggested_outcome=suggested, suggested_reason=suggested_reason,
            )  # fmt: skip
            return Acceptance(str(value), implied)
    raise TriageError(
        f"{key}: no suggestion to accept, the pack asks a question "
        f"(`triage history {key}` shows it); choose --decision"
    )


def accepted_decision(conn: sqlite3.Connection, key: str, run_id: int) -> str:
    """The decision accepting run `run_id`'s suggestion for `key` records."""
    return acceptance(conn, key, run_id).decision


def implied_grounds(c: ConvictionItem) -> grounds.Implied | None:
    """For a conviction on screen: what the pack's not_eligible (said or suggested) rests
    on, or None when the pack does not say not_eligible."""
    return grounds.suggested_grounds(
        outcome=c.outcome, step_id=c.step_id, citation=c.citation, reason=c.reason,
        suggested_outcome=c.suggested_outcome, suggested_reason=c.suggested_reason,
    )  # fmt: skip
