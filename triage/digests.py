"""Digests of what an import and a classification run wrote, kept in their audit entries.

Source rows and determinations are too many to give each its own audit entry, so the
entry that closes an import (or a run) records one SHA-256 over all the rows it wrote.
`triage doctor` recomputes it: a source row or a determination edited in the file, added
or removed no longer matches the digest its (sealed) audit entry recorded.

SQLite renders each row as a JSON array (every column, in a fixed order; JSON escapes make
the rendering unambiguous), so Python only feeds lines to the hash: a million rows take a
few seconds. The column lists are fixed here, not read from the table, so a column a later
version adds does not change the digest of rows written before it.
"""

from __future__ import annotations

import hashlib
import sqlite3

SOURCE_ROW_COLUMNS = (
    "id", "file_id", "line", "raw", "row_hash", "subject_id", "cnt_order", "stp_type",
    "event_date", "county", "name", "dob", "cii", "ofn", "offense_descr", "offense_toc",
    "disp_descr", "conv_stat", "sent_length", "sent_time_code", "comment_text", "convicted",
)  # fmt: skip
DETERMINATION_COLUMNS = (
    "run_id", "key", "subject_id", "outcome", "label", "reason", "step_id", "citation",
    "flags", "forced_review", "suggested_outcome", "suggested_label", "suggested_reason",
    "trace", "section", "felony", "conviction_date", "county",
)  # fmt: skip

# Built from the constant column lists above, never from input.
_FILE_ROWS = (
    f"SELECT json_array({', '.join(SOURCE_ROW_COLUMNS)}) FROM source_rows "  # noqa: S608
    "WHERE file_id = ? ORDER BY line"
)
_RUN_ROWS = (
    f"SELECT json_array({', '.join(DETERMINATION_COLUMNS)}) FROM determinations "  # noqa: S608
    "WHERE run_id = ? ORDER BY key"
)
_BATCH = 2000


def _digest(conn: sqlite3.Connection, sql: str, arg: int) -> str:
    digest = hashlib.sha256()
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: a Row per line would double the cost
    cur.execute(sql, (arg,))
    while batch := cur.fetchmany(_BATCH):
        digest.update(("\n".join([row[0] for row in batch]) + "\n").encode("utf-8"))
    return digest.hexdigest()


def file_rows(conn: sqlite3.Connection, file_id: int) -> str:
    """SHA-256 of a file's source rows, in line order."""
    return _digest(conn, _FILE_ROWS, file_id)


def run_determinations(conn: sqlite3.Connection, run_id: int) -> str:
    """SHA-256 of a run's determinations, in conviction key order."""
    return _digest(conn, _RUN_ROWS, run_id)
