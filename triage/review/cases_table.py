"""Building the review queue's derived rows (`review_cases`) for a run.

One row per run, outcome ('*' for any outcome) and person with matching convictions,
holding what the queue shows and sorts by. The classifier calls `refresh_cases` after
writing a run; a run nobody built is built on first use; decisions keep `pending`
current through `recount_pending`. All of it can be dropped and rebuilt from
determinations and current decisions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from triage import db, runs, schema
from triage.errors import TriageError

ANY_OUTCOME = "*"

_AGGREGATE = """
INSERT INTO {target} (run_id, outcome, subject_id, name, dob, cii, convictions, pending,
                          label, reason, flags, county, first_date)
SELECT run_id, outcome, subject_id, name, dob, cii, n, pending, label, reason, flags, county,
       first_date
FROM (
    SELECT d.run_id AS run_id, {outcome} AS outcome, d.subject_id AS subject_id,
           coalesce(p.name, '') AS name, coalesce(p.dob, '') AS dob, coalesce(p.cii, '') AS cii,
           count(*) AS n, sum(cd.decision IS NULL) AS pending,
           -- bare columns: SQLite takes them from the row that holds the single min()
           d.label AS label, d.reason AS reason,
           coalesce(group_concat(nullif(d.flags, ''), ' '), '') AS flags,
           d.county AS county, d.conviction_date AS first_date,
           min(d.conviction_date || char(31) || d.key) AS first
    FROM determinations d
    LEFT JOIN people p ON p.subject_id = d.subject_id
    LEFT JOIN current_decisions cd ON cd.key = d.key
    WHERE d.run_id = ?
    GROUP BY {group}
)
"""


def _has_case_table(conn: sqlite3.Connection) -> bool:
    """Whether the derived queue tables exist in their current shape."""
    row = conn.execute(
        "SELECT 1 FROM pragma_table_info('review_case_runs') WHERE name = 'run_started_at'"
    ).fetchone()
    return row is not None


def _create_case_table(conn: sqlite3.Connection) -> None:
    # Derived data: an older shape is simply dropped and rebuilt.
    conn.execute("DROP TABLE IF EXISTS review_case_runs")
    conn.execute("DROP TABLE IF EXISTS review_cases")
    for statement in schema.split(schema.CASES_SCHEMA):
        conn.execute(statement)


def refresh_cases(conn: sqlite3.Connection, run_id: int) -> int:
    """Rebuild the queue's per-person rows for a run from its determinations.

    The classifier calls this after writing a run's determinations (before making the run
    active). Inside the caller's transaction it works in place; otherwise it aggregates
    under a read snapshot into a private temp table, with no lock held, and copies the
    result in short write transactions, so reviewers are never blocked for long. Returns
    the number of cases (people) in the run.
    """
    if conn.in_transaction:
        _refresh_in_place(conn, run_id)
    else:
        _refresh_staged(conn, run_id)
    row = conn.execute(
        "SELECT count(*) FROM review_cases WHERE run_id = ? AND outcome = ?",
        (run_id, ANY_OUTCOME),
    ).fetchone()
    return int(row[0])


_COPY_CHUNK = 5_000
# A build whose heartbeat is older than this was interrupted; the next reader rebuilds it.
_BUILD_STALE = dt.timedelta(minutes=10)


def _mark(conn: sqlite3.Connection, run_id: int, complete: bool) -> None:
    started = conn.execute("SELECT started_at FROM runs WHERE id = ?", (run_id,)).fetchone()
    conn.execute(
        "INSERT INTO review_case_runs (run_id, run_started_at, refreshed_at, complete) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET "
        "run_started_at = excluded.run_started_at, refreshed_at = excluded.refreshed_at, "
        "complete = excluded.complete",
        (run_id, "" if started is None else str(started[0]), db.now(), int(complete)),
    )


def _refresh_in_place(conn: sqlite3.Connection, run_id: int) -> None:
    if not _has_case_table(conn):
        _create_case_table(conn)
    conn.execute("DELETE FROM review_cases WHERE run_id = ?", (run_id,))
    for outcome, group in (("d.outcome", "d.outcome, d.subject_id"), ("'*'", "d.subject_id")):
        conn.execute(
            _AGGREGATE.format(target="review_cases", outcome=outcome, group=group), (run_id,)
        )
    _mark(conn, run_id, True)


def _refresh_staged(conn: sqlite3.Connection, run_id: int) -> None:
    if not _has_case_table(conn):
        with db.write(conn):
            _create_case_table(conn)
    with db.write(conn):
        _mark(conn, run_id, False)
    conn.execute("DROP TABLE IF EXISTS temp.case_stage")
    conn.execute("CREATE TEMP TABLE case_stage AS SELECT * FROM main.review_cases WHERE 0")
    try:
        conn.execute("BEGIN")  # one read snapshot for the aggregation and its decision mark
        try:
            mark = int(conn.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0])
            for outcome, group in (
                ("d.outcome", "d.outcome, d.subject_id"),
                ("'*'", "d.subject_id"),
            ):
                conn.execute(
                    _AGGREGATE.format(target="temp.case_stage", outcome=outcome, group=group),
                    (run_id,),
                )
        finally:
            conn.execute("COMMIT")
        while True:  # drop an earlier build of the same run, a chunk at a time
            with db.write(conn):
                gone = conn.execute(
                    "DELETE FROM review_cases WHERE rowid IN (SELECT rowid FROM review_cases "
                    "WHERE run_id = ? LIMIT ?)",
                    (run_id, _COPY_CHUNK),
                ).rowcount
                _mark(conn, run_id, False)
            if gone < _COPY_CHUNK:
                break
        last = int(
            conn.execute("SELECT coalesce(max(rowid), 0) FROM temp.case_stage").fetchone()[0]
        )
        for low in range(0, last, _COPY_CHUNK):
            with db.write(conn):
                conn.execute(
                    "INSERT OR REPLACE INTO main.review_cases SELECT * FROM temp.case_stage "
                    "WHERE rowid > ? AND rowid <= ?",
                    (low, low + _COPY_CHUNK),
                )
                _mark(conn, run_id, False)
        with db.write(conn):
            # Decisions made while aggregating are not in the staged counts.
            for (subject_id,) in conn.execute(
                "SELECT DISTINCT subject_id FROM decisions WHERE id > ?", (mark,)
            ).fetchall():
                recount_pending(conn, str(subject_id))
            _mark(conn, run_id, True)
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.case_stage")


def ensure_cases(conn: sqlite3.Connection, run_id: int) -> None:
    """Make sure the run's queue rows exist (building them now if nobody has)."""
    run = runs.resolve(conn, run_id, finished=False)  # the run being classified builds them
    if _has_case_table(conn):
        row = conn.execute(
            "SELECT complete, run_started_at, refreshed_at FROM review_case_runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is not None and row[1] == run.started_at:
            if row[0]:
                return
            beat = dt.datetime.strptime(str(row[2]), "%Y-%m-%dT%H:%M:%S.%fZ")
            now = dt.datetime.strptime(db.now(), "%Y-%m-%dT%H:%M:%S.%fZ")
            if now - beat < _BUILD_STALE:
                raise TriageError(
                    f"the review queue of run {run_id} is being prepared; try again shortly"
                )
    if conn.in_transaction:
        _refresh_in_place(conn, run_id)
    else:
        _refresh_staged(conn, run_id)


def recount_pending(conn: sqlite3.Connection, subject_id: str) -> None:
    """Recount a person's undecided convictions in every run's queue rows. The caller
    holds the write transaction that changed a decision."""
    if not _has_case_table(conn):
        return
    conn.execute(
        "UPDATE review_cases SET pending = ("
        " SELECT count(*) FROM determinations d"
        " LEFT JOIN current_decisions cd ON cd.key = d.key"
        " WHERE d.run_id = review_cases.run_id AND d.subject_id = review_cases.subject_id"
        " AND (review_cases.outcome = '*' OR d.outcome = review_cases.outcome)"
        " AND cd.decision IS NULL"
        ") WHERE subject_id = ?",
        (subject_id,),
    )
