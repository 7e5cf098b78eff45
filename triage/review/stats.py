"""Review statistics for the stats screen: counts by outcome, reason and decision, and
decisions over time. Read-only; one short query per figure."""

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
        "FROM decisions WHERE action = 'decide' GROUP BY day ORDER BY day DESC LIMIT ?) "
        "ORDER BY day",
        (days,),
    ).fetchall()
    undecided = conn.execute(
        "SELECT count(*) FROM determinations d LEFT JOIN current_decisions cd ON cd.key = d.key "
        "WHERE d.run_id = ? AND d.outcome = 'review' AND cd.decision IS NULL",
        (run_id,),
    ).fetchone()[0]
    return ReviewStats(
        run_id=run_id,
        by_outcome=_pairs(by_outcome),
        by_reason=_pairs(by_reason),
        by_decision=_pairs(by_decision),
        by_reviewer=_pairs(by_reviewer),
        per_day=_pairs(per_day),
        undecided_review=int(undecided),
    )
