"""The database: pragmas, modes, schema version checks, append-only tables, audit chain."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from rules.packs import load_pack
from triage import audit, db, identity, schema
from triage.classify import classify_run
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


def _schema_1(path: Path) -> None:
    """A database as triage wrote it at schema 1 (source_rows without cyc_date), holding one
    imported conviction row."""
    script = schema.SCHEMA
    for later in (
        "    cyc_date TEXT NOT NULL DEFAULT '',\n",  # schema 2
        "    grounds TEXT NOT NULL DEFAULT '',\n",  # schema 4
        "    note_id INTEGER REFERENCES notes(id),\n",  # schema 4
    ):
        assert later in script
        script = script.replace(later, "")
    conn = sqlite3.connect(path)
    later_tables = (" ON audit_seals ", " ON role_changes ")
    triggers = [
        t
        for t in schema.split(schema.append_only_triggers())
        if not any(n in t for n in later_tables)
    ]
    for statement in schema.split(script + schema.CASES_SCHEMA) + triggers:
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO source_files (id, sha256, name, format, encoding, size, first_imported_at) "
        "VALUES (1, 'h', 'old.csv', 'doj', 'utf-8', 1, 'then')"
    )
    conn.execute(
        "INSERT INTO source_rows (file_id, line, raw, row_hash, subject_id, cnt_order, "
        "stp_type, event_date, county, dob, offense_descr, conv_stat, disp_descr, convicted) "
        "VALUES (1, 2, 'raw', 'S1:h', 'S1', '001001001000', 'COURT ACTION', '20100301', "
        "'LOS ANGELES', '19700101', '11359 HS', 'FELONY', 'CONVICTED', 1)"
    )
    conn.execute("INSERT INTO people VALUES ('S1', 'DOE,JO', '19700101', '', 1)")
    conn.execute(
        "INSERT INTO convictions (key, subject_id, cnt_order, first_row_id, event_date, county) "
        "VALUES ('S1:001001001000', 'S1', '001001001000', 1, '20100301', 'LOS ANGELES')"
    )
    conn.commit()
    conn.close()
    os.chmod(path, 0o600)


def test_a_schema_1_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _schema_1(path)
    conn = db.connect(path)
    assert db.get_meta(conn, "schema_version") == str(db.SCHEMA_VERSION) == "5"
    for step in ("2", "3", "4", "5"):
        assert db.get_meta(conn, f"migrated_to_{step}") is not None
    # The row imported before the column existed reads '' (the rules then fall back to the
    # event date); the table is still append-only.
    rows = conn.execute("SELECT subject_id, cyc_date FROM source_rows").fetchall()
    assert [tuple(r) for r in rows] == [("S1", "")]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE source_rows SET cyc_date = '20100101'")
    conn.close()
    # The migrated table has the columns, in the order, a new database has.
    fresh = db.connect(tmp_path / "new.db", create=True)
    migrated = sqlite3.connect(path)
    for table in ("source_rows", "decisions", "role_changes", "reviewer_state"):
        columns = f"SELECT name FROM pragma_table_info('{table}')"  # noqa: S608
        assert migrated.execute(columns).fetchall() == [tuple(r) for r in fresh.execute(columns)]
    migrated.close()
    conn = db.connect(path)  # opening it again changes nothing
    # Classified as before: the offense date falls back to the conviction date.
    classify_run(
        conn,
        load_pack("california-statute"),
        county="LOS ANGELES",
        compute_at=dt.date(2019, 11, 11),
        actor=identity.os_account(),
    )
    got = conn.execute("SELECT step_id, outcome, flags FROM determinations").fetchall()
    assert [tuple(r) for r in got] == [("felony-11359", "reduce", "")]
    conn.close()


def test_a_schema_4_database_gets_the_review_status_view(tmp_path: Path) -> None:
    """Schema 4 is schema 5 without its views: migration 4 -> 5 adds them (through
    sqlite-utils, in the migration's transaction) and leaves the rows alone."""
    from review_fixtures import build, new_db, sample_people

    from triage import review
    from triage.maintenance import doctor

    path = tmp_path / "four.db"
    conn = new_db(path)
    build(conn, sample_people())
    review.decide(conn, "S1:001001001000", "dismiss", "alice")
    conn.close()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP VIEW review_status")
    raw.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    before = raw.execute("SELECT count(*) FROM audit").fetchone()[0]
    raw.close()
    conn = db.connect(path)
    assert db.get_meta(conn, "schema_version") == "5"
    assert db.get_meta(conn, "migrated_to_5") is not None
    assert db.get_meta(conn, "migrated_to_4") is None  # only the one step ran
    assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    row = conn.execute(
        "SELECT decision, reviewer FROM review_status WHERE key = 'S1:001001001000'"
    ).fetchone()
    assert tuple(row) == ("dismiss", "alice")
    # The same view text a new database gets, so doctor holds both to one definition.
    fresh = db.connect(tmp_path / "new.db", create=True)
    view = "SELECT sql FROM sqlite_master WHERE name = 'review_status'"
    assert conn.execute(view).fetchone()[0] == fresh.execute(view).fetchone()[0]
    conn.close()
    fresh.close()
    report = doctor(path)
    assert report.ok and not report.warnings, report.checks


def test_a_failed_migration_leaves_schema_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view is created inside the migration's write transaction: if the step fails
    after it, neither the view nor the version bump stays."""
    path = tmp_path / "four.db"
    db.connect(path, create=True).close()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP VIEW review_status")
    raw.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    raw.close()

    def failing_set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db, "set_meta", failing_set_meta)
    with pytest.raises(TriageError):
        db.connect(path)
    monkeypatch.undo()
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("4",)
    assert raw.execute("SELECT count(*) FROM sqlite_master WHERE type = 'view' "
                       "AND name = 'review_status'").fetchone() == (0,)  # fmt: skip
    raw.close()


def test_a_migration_that_fails_says_so_and_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """A triage file whose migration cannot run (here: a table stands where schema 5's view
    goes) is named as such, not as "not a triage database", and keeps its version."""
    path = tmp_path / "t.db"
    db.connect(path, create=True).close()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP VIEW review_status")
    raw.execute("CREATE TABLE review_status (x)")
    raw.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    raw.close()
    with pytest.raises(SchemaError, match=r"could not migrate from schema 4 to 5 \(step 4 -> 5"):
        db.connect(path)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("4",)
    assert raw.execute(
        "SELECT type FROM sqlite_master WHERE name = 'review_status'"
    ).fetchone() == ("table",)
    raw.close()
