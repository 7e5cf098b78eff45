"""Writing an import to the database: file registration, chunks, derived tables, completion.

Each chunk is one short `db.write()` transaction holding its rows, its duplicates, its
quarantined lines, the people and convictions derived from its rows (set-based SQL over
the rows just inserted) and the file's running counters. A killed import therefore leaves
whole chunks only, and re-running it resumes after the last line written.

A chunk's rows reach the database through a staging table in an in-memory database
attached to the import's connection (`staging`). The reader process builds that little
database itself and hands over its serialized image (`stage_rows`), so the importing
process, which holds the write lock, never turns 5,000 rows into Python objects and binds
them one by one: it copies them with one `INSERT … SELECT` in SQLite's own code.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from triage import audit, db, digests
from triage.errors import TriageError
from triage.importers.layout import NAMED_COLUMNS

_ROW_COLUMNS = ("file_id", "line", "raw", "row_hash", *NAMED_COLUMNS, "convicted")
# Built from the constant column names above, never from input. `row_hash` is
# "SUBJECT_ID:" + BLAKE2b-128 (hex) of the record's field values (see `producer.chunks`).
_COLUMN_LIST = ", ".join(_ROW_COLUMNS)
_PLACEHOLDERS = ", ".join("?" for _ in _ROW_COLUMNS)
STAGE = "import_chunk"  # the attached in-memory database holding the chunk being written
_CREATE_STAGE = "CREATE TABLE {schema}rows (" + _COLUMN_LIST + ")"
_STAGE_ROW = f"INSERT INTO rows VALUES ({_PLACEHOLDERS})"  # noqa: S608
_FILL_STAGE = f"INSERT INTO {STAGE}.rows VALUES ({_PLACEHOLDERS})"  # noqa: S608
_CLEAR_STAGE = f"DELETE FROM {STAGE}.rows"  # noqa: S608
_COUNT_STAGE = f"SELECT count(*) FROM {STAGE}.rows"  # noqa: S608
# `ORDER BY rowid`: rows go in in file order, so ids follow physical lines.
INSERT_ROWS = (
    f"INSERT INTO main.source_rows ({_COLUMN_LIST}) "  # noqa: S608
    f"SELECT {_COLUMN_LIST} FROM {STAGE}.rows ORDER BY rowid "
    "ON CONFLICT (row_hash) DO NOTHING"
)
# Rows of the chunk that were not inserted (their hash was already held, by an earlier
# chunk or file, or by an earlier line of this chunk), each pointing at the row it repeats.
# The lines inserted come from this chunk's rowid range; `+file_id` keeps SQLite on that
# range rather than walking the file's whole (file_id, line) index.
INSERT_DUPLICATES = (
    "INSERT INTO main.duplicate_rows (file_id, line, row_id) "  # noqa: S608
    f"SELECT c.file_id, c.line, s.id FROM {STAGE}.rows AS c "
    "JOIN main.source_rows AS s ON s.row_hash = c.row_hash "
    "WHERE c.line NOT IN (SELECT line FROM main.source_rows WHERE id > ? AND +file_id = ?) "
    "ORDER BY c.rowid"
)
INSERT_QUARANTINE = "INSERT INTO quarantine (file_id, line, reason, raw) VALUES (?, ?, ?, ?)"

# The first row seen of a person gives their name, DOB and CII.
DERIVE_PEOPLE = """
INSERT INTO people (subject_id, name, dob, cii, first_row_id)
SELECT subject_id, name, dob, cii, id FROM source_rows WHERE id > ? ORDER BY id
ON CONFLICT (subject_id) DO NOTHING
"""
# One conviction per person and CNT_ORDER; later convicted rows with that CNT_ORDER are
# further sentence parts, conflicting when they disagree on the offense or its date.
DERIVE_CONVICTIONS = """
INSERT INTO convictions (key, subject_id, cnt_order, first_row_id, event_date, county, ofn,
                         offense_descr)
SELECT subject_id || ':' || cnt_order, subject_id, cnt_order, id, event_date, county, ofn,
       offense_descr
FROM source_rows WHERE id > ? AND convicted = 1 ORDER BY id
ON CONFLICT (key) DO UPDATE SET
    parts = convictions.parts + 1,
    conflicting = convictions.conflicting
        OR excluded.event_date <> convictions.event_date
        OR excluded.offense_descr <> convictions.offense_descr
"""


@dataclass
class FileState:
    """A `source_files` row as the importer tracks it."""

    id: int
    completed_at: str | None
    rows_total: int
    rows_imported: int
    rows_duplicate: int
    rows_quarantined: int
    encoding: str = ""
    resume_after: int = 0


def find_file(conn: sqlite3.Connection, sha256: str) -> FileState | None:
    row = conn.execute(
        "SELECT id, completed_at, rows_total, rows_imported, rows_duplicate, rows_quarantined, "
        "encoding FROM source_files WHERE sha256 = ?",
        (sha256,),
    ).fetchone()
    if row is None:
        return None
    return FileState(
        int(row[0]), row[1], int(row[2]), int(row[3]), int(row[4]), int(row[5]), str(row[6])
    )


def last_line(conn: sqlite3.Connection, file_id: int) -> int:
    """The last physical line already written for a file (0 if none): where to resume."""
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(line) FROM source_rows WHERE file_id = :f), 0),"
        " coalesce((SELECT max(line) FROM duplicate_rows WHERE file_id = :f), 0),"
        " coalesce((SELECT max(line) FROM quarantine WHERE file_id = :f), 0))",
        {"f": file_id},
    ).fetchone()
    return int(row[0])


def begin_file(
    conn: sqlite3.Connection,
    *,
    sha256: str,
    name: str,
    fmt: str,
    encoding: str,
    size: int,
    has_header: bool,
    column_map: str | None,
) -> FileState:
    """Register a file (or find its unfinished earlier import, to resume it)."""
    with db.write(conn):
        state = find_file(conn, sha256)
        if state is None:
            cur = conn.execute(
                "INSERT INTO source_files (sha256, name, format, encoding, size, has_header, "
                "column_map, first_imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (sha256, name, fmt, encoding, size, int(has_header), column_map, db.now()),
            )
            return FileState(int(cur.lastrowid or 0), None, 0, 0, 0, 0, encoding)
        state.resume_after = last_line(conn, state.id)
        return state


def stage_rows(rows: Sequence[tuple[object, ...]]) -> bytes | Sequence[tuple[object, ...]]:
    """A chunk's rows (`_ROW_COLUMNS` tuples) as the serialized image of a staging database,
    for `write_chunk`. Where this Python's SQLite cannot serialize, the rows themselves."""
    if not hasattr(sqlite3.Connection, "serialize"):
        return rows
    memory = sqlite3.connect(":memory:")
    try:
        memory.execute(_CREATE_STAGE.format(schema=""))
        memory.executemany(_STAGE_ROW, rows)
        memory.commit()
        return memory.serialize()
    finally:
        memory.close()


@contextlib.contextmanager
def staging(conn: sqlite3.Connection) -> Iterator[None]:
    """Attach the in-memory staging database `write_chunk` copies rows from."""
    conn.execute(f"ATTACH DATABASE ':memory:' AS {STAGE}")
    try:
        conn.execute(_CREATE_STAGE.format(schema=f"{STAGE}."))
        yield
    finally:
        conn.execute(f"DETACH DATABASE {STAGE}")


def _stage(conn: sqlite3.Connection, rows: bytes | Sequence[tuple[object, ...]]) -> int:
    """Put a chunk's rows in the staging table (outside the write transaction: the staging
    database is private to this connection); return how many there are."""
    if isinstance(rows, bytes):
        conn.deserialize(rows, name=STAGE)
    else:
        conn.execute(_CLEAR_STAGE)
        conn.executemany(_FILL_STAGE, rows)
    return int(conn.execute(_COUNT_STAGE).fetchone()[0])


def write_chunk(
    conn: sqlite3.Connection,
    state: FileState,
    rows: bytes | Sequence[tuple[object, ...]],
    quarantined: Sequence[tuple[int, int, str, str]],
) -> tuple[int, int]:
    """Write one chunk; return (imported, duplicates). `rows` is what `stage_rows` made (or
    the `_ROW_COLUMNS` tuples themselves). Needs `staging(conn)` around the import."""
    staged = _stage(conn, rows)
    with db.write(conn):
        seen = conn.execute(
            "SELECT rows_total FROM source_files WHERE id = ?", (state.id,)
        ).fetchone()
        if seen is None or int(seen[0]) != state.rows_total:
            raise TriageError(
                "another import of the same file is running; re-run this one when it ends"
            )
        before = int(conn.execute("SELECT coalesce(max(id), 0) FROM source_rows").fetchone()[0])
        imported = conn.execute(INSERT_ROWS).rowcount if staged else 0
        duplicates = staged - imported
        if duplicates:
            conn.execute(INSERT_DUPLICATES, (before, state.id))
        if quarantined:
            conn.executemany(INSERT_QUARANTINE, quarantined)
        if imported:
            conn.execute(DERIVE_PEOPLE, (before,))
            conn.execute(DERIVE_CONVICTIONS, (before,))
        total = staged + len(quarantined)
        conn.execute(
            "UPDATE source_files SET rows_total = rows_total + ?, "
            "rows_imported = rows_imported + ?, rows_duplicate = rows_duplicate + ?, "
            "rows_quarantined = rows_quarantined + ? WHERE id = ?",
            (total, imported, duplicates, len(quarantined), state.id),
        )
    state.rows_total += total
    state.rows_imported += imported
    state.rows_duplicate += duplicates
    state.rows_quarantined += len(quarantined)
    return imported, duplicates


def finish_file(
    conn: sqlite3.Connection, state: FileState, *, actor: str, name: str, sha256: str, resumed: bool
) -> None:
    """Mark the file complete and audit it, with the digest of its rows, in one transaction."""
    # Outside the transaction: the file's rows are all written, and no other import of the
    # same file can add any (`write_chunk` checks).
    rows_sha256 = digests.file_rows(conn, state.id)
    completed_at = db.now()
    with db.write(conn):
        conn.execute(
            "UPDATE source_files SET completed_at = ? WHERE id = ?", (completed_at, state.id)
        )
        detail: dict[str, object] = {
            "sha256": sha256,
            "rows": state.rows_total,
            "imported": state.rows_imported,
            "duplicates": state.rows_duplicate,
            "quarantined": state.rows_quarantined,
            "rows_sha256": rows_sha256,
        }
        if resumed:
            detail["resumed"] = True
        audit.append(conn, actor, "import", target=name, detail=detail)
    state.completed_at = completed_at


def quarantine_sample(conn: sqlite3.Connection, file_id: int, limit: int) -> list[tuple[int, str]]:
    """The first quarantined lines of a file, with reasons (no record text)."""
    return [
        (int(r[0]), str(r[1]))
        for r in conn.execute(
            "SELECT line, reason FROM quarantine WHERE file_id = ? ORDER BY line LIMIT ?",
            (file_id, limit),
        )
    ]
