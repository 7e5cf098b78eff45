"""Notes on a person or a conviction: append-only, each with its audit entry.

Re-exported by the `triage.review` façade (the service layer the CLI and the TUI call)."""

from __future__ import annotations

import hashlib
import sqlite3

from triage import audit, authority, db
from triage.errors import TriageError, UsageError
from triage.review.model import Note

MAX_NOTE_CHARS = 20_000


def subject_of(conn: sqlite3.Connection, key: str) -> str:
    row = conn.execute("SELECT subject_id FROM convictions WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise TriageError(f"no conviction with key {key} (keys look like SUBJECT_ID:CNT_ORDER)")
    return str(row[0])


def insert_note(
    conn: sqlite3.Connection, subject_id: str, key: str | None, text: str, reviewer: str
) -> Note:
    """Write a note and its audit entry (inside the caller's write transaction)."""
    body = text.strip("\n")
    if not body.strip():
        raise UsageError("note: the text is empty")
    if len(body) > MAX_NOTE_CHARS:
        raise UsageError(f"note: at most {MAX_NOTE_CHARS} characters (got {len(body)})")
    at = db.now()
    cur = conn.execute(
        "INSERT INTO notes (subject_id, key, reviewer, created_at, text) VALUES (?, ?, ?, ?, ?)",
        (subject_id, key, reviewer, at, body),
    )
    note_id = int(cur.lastrowid or 0)
    # The audit trail names the note, never its text (which may quote the record); the
    # text's digest lets doctor find a note edited in the file (`triage.coverage`).
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    audit.append(
        conn, reviewer, "note", key or subject_id,
        {"note_id": note_id, "chars": len(body), "sha256": digest}, at=at,
    )  # fmt: skip
    return Note(note_id, subject_id, key, reviewer, at, body)


def add_note(conn: sqlite3.Connection, subject_id: str, text: str, reviewer: str, *,
             key: str | None = None) -> Note:  # fmt: skip
    """Add a note on a person, or on one of their convictions with `key`."""
    with authority.audited(conn), db.write(conn):
        authority.require_role(conn, reviewer, "note", key or subject_id)
        if key is not None:
            owner = subject_of(conn, key)
            if owner != subject_id:
                raise TriageError(f"conviction {key} does not belong to SUBJECT_ID {subject_id}")
        elif (
            conn.execute("SELECT 1 FROM people WHERE subject_id = ?", (subject_id,)).fetchone()
            is None
        ):
            raise TriageError(f"no person with SUBJECT_ID {subject_id}")
        return insert_note(conn, subject_id, key, text, reviewer)


def add_note_to(conn: sqlite3.Connection, target: str, text: str, reviewer: str) -> Note:
    """Add a note on `target`: a conviction key (SUBJECT_ID:CNT_ORDER) or a SUBJECT_ID."""
    row = conn.execute("SELECT subject_id FROM convictions WHERE key = ?", (target,)).fetchone()
    if row is not None:
        return add_note(conn, str(row[0]), text, reviewer, key=target)
    if ":" in target and (
        conn.execute("SELECT 1 FROM people WHERE subject_id = ?", (target,)).fetchone() is None
    ):
        raise TriageError(f"no conviction with key {target}")
    return add_note(conn, target, text, reviewer)
