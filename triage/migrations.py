"""Creating a triage database and bringing an older one up to the current schema.

`ensure_schema` runs on every `db.connect`: an empty file (made by `connect(create=True)`)
gets the whole schema; a file of an older schema version is migrated step by step, each
step in the one write transaction that bumps the version; a newer one is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from triage import db
from triage.errors import SchemaError, is_disk_full
from triage.schema import (
    ACCOUNTS_SCHEMA,
    SCHEMA_VERSION,
    SEALS_SCHEMA,
    VIEWS,
    append_only_triggers,
    create_script,
    split,
)


def ensure_schema(conn: sqlite3.Connection, p: Path) -> None:
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if has_meta is None:  # an empty file `connect(create=True)` may fill (see above)
        with db.write(conn):
            for statement in split(create_script()):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            conn.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (db.now(),))
            create_views(conn)
        return
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"{p}: written by a newer triage (schema {version}, this triage knows "
            f"{SCHEMA_VERSION}); upgrade triage to open it"
        )
    if version < SCHEMA_VERSION:
        _migrate(conn, p, version)


# Each migration takes a database from the schema version it is keyed by to the next, in
# one write transaction with the version bump. Rows stay as they were: source_rows are
# immutable, so a column added here is '' for rows imported before it.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], list[str]]] = {
    # 1 -> 2: the arrest cycle's date, which the statute rules read as the offense date.
    # Older rows keep '' (no backfill from their raw text): the rules then use the event
    # date, as they did before, and the california-statute pack asks a person where that
    # could change the answer. Re-importing the files into a new database fills it.
    1: lambda conn: ["ALTER TABLE source_rows ADD COLUMN cyc_date TEXT NOT NULL DEFAULT ''"],
    # 2 -> 3: audit seals (HMAC of each entry with the office key). Older entries stay
    # unsealed; doctor reports them as checked by hash only.
    2: lambda conn: _seals_statements(),
    # 3 -> 4: a reviewer's grounds for a decision (and the note written with it), roles,
    # and each reviewer's saved place in the queue. Older decisions keep '' grounds.
    3: lambda conn: [
        *_missing_columns(
            conn,
            "decisions",
            {"grounds": "TEXT NOT NULL DEFAULT ''", "note_id": "INTEGER REFERENCES notes(id)"},
        ),
        *split(ACCOUNTS_SCHEMA),
        *_missing_triggers(conn, "role_changes"),
    ],
    # 4 -> 5: the supervisor's `review_status` view (schema.VIEWS). sqlite-utils creates it
    # on this connection, so it is part of this step's transaction; no statements are left.
    4: lambda conn: create_views(conn),
}


def create_views(conn: sqlite3.Connection) -> list[str]:
    """Create (or replace, when its text differs) every view in schema.VIEWS through
    sqlite-utils, in the caller's transaction. Returns no statements (see _MIGRATIONS)."""
    sdb = db.introspect(conn)
    for name, select in VIEWS.items():
        sdb.create_view(name, select, replace=True)
    return []


def _migrate(conn: sqlite3.Connection, p: Path, version: int) -> None:
    """Bring an older database up to SCHEMA_VERSION, step by step."""
    if version not in _MIGRATIONS:
        raise SchemaError(
            f"{p}: written by an older triage (schema {version}, this triage needs "
            f"{SCHEMA_VERSION}); no migration exists for it"
        )
    current = version
    try:
        with db.write(conn):
            # Re-read under the write lock: another process may have migrated meanwhile.
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            current = int(row[0]) if row else 0
            while current < SCHEMA_VERSION:
                for statement in _MIGRATIONS[current](conn):
                    conn.execute(statement)
                db.set_meta(conn, f"migrated_to_{current + 1}", db.now())
                current += 1
            db.set_meta(conn, "schema_version", str(current))
    except sqlite3.DatabaseError as exc:
        if is_disk_full(exc):
            raise  # connect() words it as a full disk
        # The file is a triage database that could not be brought up to date (a table a
        # step expects was altered by hand, say): say that, not "not a triage database".
        raise SchemaError(
            f"{p}: could not migrate from schema {version} to {SCHEMA_VERSION} (step "
            f"{current} -> {current + 1} failed: {exc.__class__.__name__}); the file was "
            "left as it was; run `triage doctor` on a copy, or restore a backup"
        ) from None


def _missing_columns(conn: sqlite3.Connection, table: str, columns: dict[str, str]) -> list[str]:
    """ALTER statements for the columns `table` lacks: a file restored from a half-applied
    hand repair must still migrate, and ADD COLUMN has no IF NOT EXISTS."""
    have = set(db.introspect(conn)[table].columns_dict)
    return [
        f"ALTER TABLE {table} ADD COLUMN {name} {decl}"
        for name, decl in columns.items()
        if name not in have
    ]


def _missing_triggers(conn: sqlite3.Connection, table: str) -> list[str]:
    """The append-only triggers `table` lacks (same reason as `_missing_columns`)."""
    have = {t.name for t in db.introspect(conn).triggers}
    return [
        t
        for t in split(append_only_triggers())
        if f" ON {table} " in t and t.split()[2] not in have
    ]


def _seals_statements() -> list[str]:
    """The audit seals table and its append-only triggers (migration 2 -> 3)."""
    triggers = [t for t in split(append_only_triggers()) if " ON audit_seals " in t]
    return split(SEALS_SCHEMA) + triggers
