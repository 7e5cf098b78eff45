"""Review statistics for the stats screen: counts by outcome, reason and decision, and
decisions over time. Read-only; one short query per figure.

"Still under review" has one definition, here (`is_unresolved`, `unresolved`): a conviction
the run sent to review that no reviewer has decided, or one whose current decision is
`defer`. The office has no position on it yet, so court exports leave it off and count it.
The queue's per-person `pending` is the first half only (a deferred conviction has a
decision, and the queue offers it under the `defer` filter instead).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewStats:
    run_id: int
    by_outcome: tuple[tuple[str, int], ...]  # determinations in the run
    by_reason: tuple[tuple[str, int], ...]  # review determinations, most frequent first
    by_decision: tuple[tuple[str, int], ...]  # current decisions on the run's convictions
    by_reviewer: tuple[tuple[str, int], ...]
    per_day: tuple[tuple[str, int], ...]  # decisions recorded per UTC day, oldest first
    undecided_review: int


# SQL over `determinations d LEFT JOIN current_decisions cd`; kept beside `is_unresolved`.
UNDECIDED_SQL = "(d.outcome = 'review' AND cd.decision IS NULL)"
DEFERRED_SQL = "(cd.decision = 'defer')"


def is_unresolved(outcome: str, decision: str | None) -> bool:
    """Whether a conviction is still under review (see the module docstring)."""
    return decision == "defer" or (decision is None and outcome == "review")


@dataclass(frozen=True)
class Unresolved:
    """A run's convictions still under review."""

    undecided: int  # sent to review, no decision yet
    deferred: int  # current decision `defer`

    @property
    def total(self) -> int:
        return self.undecided + self.deferred


def unresolved(conn: sqlite3.Connection, run_id: int) -> Unresolved:
    """How many of the run's convictions are still under review."""
    row = conn.execute(
        f"SELECT coalesce(sum({UNDECIDED_SQL}), 0), coalesce(sum({DEFERRED_SQL}), 0) "  # noqa: S608 - constants
        "FROM determinations d LEFT JOIN current_decisions cd ON cd.key = d.key "
        "WHERE d.run_id = ?",
        (run_id,),
    ).fetchone()
    return Unresolved(int(row[0]), int(row[1]))


def _pairs(rows: list[sqlite3.Row]) -> tuple[tuple[str, int], ...]:
    return tuple((str(r[0]), int(r[1])) for r in rows)


def review_stats(
    conn: sqlite3.Connection, run_id: int, *, reasons: int = 12, days: int = 30
) -> ReviewStats:
    """Figures for one run. `reasons` and `days` bound the lists shown as bars."""
    by_outcome = conn.execute(
        "SELECT outcome, count(*) FROM determinations WHERE run_id = ? "
        "GROUP BY outcome ORDER BY count(*) DESC, outcome",
        (run_id,),
    ).fetchall()
    by_reason = conn.execute(
        "SELECT reason, count(*) FROM determinations WHERE run_id = ? AND outcome = 'review' "
        "GROUP BY reason ORDER BY count(*) DESC, reason LIMIT ?",
        (run_id, reasons),
    ).fetchall()
    by_decision = conn.execute(
        "SELECT cd.decision, count(*) FROM current_decisions cd "
        "JOIN determinations d ON d.key = cd.key AND d.run_id = ? "
        "WHERE cd.decision IS NOT NULL GROUP BY cd.decision ORDER BY count(*) DESC",
        (run_id,),
    ).fetchall()
    by_reviewer = conn.execute(
        "SELECT cd.reviewer, count(*) FROM current_decisions cd "
        "JOIN determinations d ON d.key = cd.key AND d.run_id = ? "
        "WHERE cd.decision IS NOT NULL GROUP BY cd.reviewer ORDER BY count(*) DESC LIMIT 12",
        (run_id,),
    ).fetchall()
    per_day = conn.execute(
        "SELECT day, n FROM (SELECT substr(created_at, 1, 10) AS day, count(*) AS n "
        "FROM decisions WHERE action = 'decide' "
        "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = decisions.id) "
        "GROUP BY day ORDER BY day DESC LIMIT ?) "
        "ORDER BY day",
        (days,),
    ).fetchall()
    undecided = unresolved(conn, run_id).undecided
    return ReviewStats(
        run_id=run_id,
        by_outcome=_pairs(by_outcome),
        by_reason=_pairs(by_reason),
        by_decision=_pairs(by_decision),
        by_reviewer=_pairs(by_reviewer),
        per_day=_pairs(per_day),
        undecided_review=int(undecided),
    )
