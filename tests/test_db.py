"""The database: pragmas, modes, schema version checks, append-only tables, audit chain."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from triage import audit, db
from triage.errors import SchemaError, TriageError


def test_new_database_is_private_and_wal(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "t.db"
        conn = db.connect(path, create=True)
        with db.write(conn):
            audit.append(conn, "tester", "test")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) == 0o600
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TriageError, match="no such database"):
        db.connect(tmp_path / "nope.db")


def test_foreign_sqlite_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE x (a)")
    other.commit()
    other.close()
    with pytest.raises(TriageError, match="not a triage database"):
        db.connect(path)


def test_not_sqlite_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(TriageError, match="not a triage database"):
        db.connect(path)


@pytest.mark.parametrize(("stored", "message"), [(99, "newer triage"), (0, "older triage")])
def test_other_schema_versions_refused(tmp_path: Path, stored: int, message: str) -> None:
    path = tmp_path / "t.db"
    conn = db.connect(path, create=True)
    with db.write(conn):
        db.set_meta(conn, "schema_version", str(stored))
    conn.close()
    with pytest.raises(SchemaError, match=message):
        db.connect(path)


def test_write_rolls_back_on_error(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "t.db", create=True)
    with pytest.raises(RuntimeError), db.write(conn):
        db.set_meta(conn, "k", "v")
        raise RuntimeError("boom")
    assert db.get_meta(conn, "k") is None


@pytest.mark.parametrize("table", ["decisions", "notes", "audit"])
def test_append_only_tables_refuse_update_and_delete(tmp_path: Path, table: str) -> None:
    conn = db.connect(tmp_path / "t.db", create=True)
    with db.write(conn):
        audit.append(conn, "tester", "seed")
        conn.execute(
            "INSERT INTO notes (subject_id, reviewer, created_at, text) VALUES ('1', 'r', 't', 'x')"
        )
        conn.execute(
            "INSERT INTO decisions (key, subject_id, version, action, decision, reviewer, "
            "created_at) VALUES ('1:1', '1', 1, 'decide', 'dismiss', 'r', 't')"
        )
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(f"UPDATE {table} SET id = id")  # noqa: S608 - fixed table names
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(f"DELETE FROM {table}")  # noqa: S608


def test_current_decision_follows_latest_version(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "t.db", create=True)
    insert = (
        "INSERT INTO decisions (key, subject_id, version, action, decision, reviewer, created_at)"
        " VALUES ('1:1', '1', ?, 'decide', ?, 'r', 't')"
    )
    with db.write(conn):
        conn.execute(insert, (1, "dismiss"))
        conn.execute(insert, (2, "reduce"))
    assert tuple(conn.execute("SELECT decision, version FROM current_decisions").fetchone()) == (
        "reduce",
        2,
    )
    with pytest.raises(sqlite3.IntegrityError), db.write(conn):
        conn.execute(insert, (2, "defer"))  # a second writer who also saw version 1


def test_audit_chain_detects_tampering(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "t.db", create=True)
    with db.write(conn):
        for i in range(5):
            audit.append(conn, "tester", "decide", target=f"1:{i}", detail={"n": i})
    assert audit.verify(conn).ok
    assert audit.verify(conn).entries == 5
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET actor = 'mallory' WHERE id = 3")
    report = audit.verify(conn)
    assert not report.ok
    assert report.first_bad_id == 3


def test_audit_needs_a_transaction(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "t.db", create=True)
    with pytest.raises(RuntimeError):
        audit.append(conn, "tester", "x")
