"""`triage doctor`: a healthy database passes; tampering, orphans, broken references and
loose file modes are reported plainly."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from cli_support import run_cli
from review_fixtures import build, new_db, sample_people

from triage import review
from triage.maintenance import PROBLEM, WARN, doctor


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    conn = new_db(path)
    build(conn, sample_people())
    for key in ("S1:001001001000", "S2:001001001000", "S3:001001001000"):
        review.decide(conn, key, "dismiss", "alice")
    review.add_note(conn, "S2", "note", "alice")
    conn.close()
    return path


def _raw(path: Path) -> sqlite3.Connection:
    """A plain connection, as an attacker with write access to the file would use."""
    return sqlite3.connect(path, isolation_level=None)


def _status(path: Path) -> dict[str, tuple[str, str]]:
    return {c.name: (c.status, c.message) for c in doctor(path).checks}


def test_healthy_database(dbfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = doctor(dbfile)
    assert report.ok and not report.warnings, report.checks
    assert _status(dbfile)["audit chain"][1].startswith("6 entries")
    assert _status(dbfile)["views"] == ("ok", "review_status present and unchanged")
    code, out, _ = run_cli(capsys, "doctor", "--db", str(dbfile))
    assert code == 0 and "healthy" in out


def test_tampering_with_triggers_dropped_is_detected(
    dbfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(dbfile, copy)
    raw = _raw(copy)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("DROP TRIGGER decisions_no_update")
    raw.execute(
        """UPDATE audit SET detail = replace(detail, '"dismiss"', '"reduce"') WHERE id = 2"""
    )
    raw.execute("UPDATE decisions SET decision = 'reduce' WHERE id = 2")
    raw.close()
    status = _status(copy)
    assert status["audit chain"] == (PROBLEM, "entry 2 was altered (entry 2)")
    assert status["append-only triggers"][0] == PROBLEM
    assert "audit_no_update" in status["append-only triggers"][1]
    code, out, _ = run_cli(capsys, "doctor", "--db", str(copy))
    assert code == 1 and "PROBLEM audit chain" in out
    assert doctor(dbfile).ok  # the original is untouched


def test_deleted_audit_entry_and_neutered_trigger(dbfile: Path) -> None:
    raw = _raw(dbfile)
    raw.execute("DROP TRIGGER audit_no_delete")
    raw.execute("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT 1; END")
    raw.execute("DELETE FROM audit WHERE id = 3")
    raw.close()
    status = _status(dbfile)
    assert status["audit chain"][0] == PROBLEM and "jump from 2 to 4" in status["audit chain"][1]
    assert status["append-only triggers"] == (
        PROBLEM,
        "changed: audit_no_delete (the file was altered outside triage; compare with a backup)",
    )


def test_orphans_and_broken_references(dbfile: Path) -> None:
    raw = _raw(dbfile)
    raw.execute(
        "INSERT INTO decisions (key, subject_id, version, action, decision, reviewer, "
        "created_at) VALUES ('GONE:1', 'GONE', 1, 'decide', 'dismiss', 'x', 'now')"
    )
    raw.execute(
        "INSERT INTO notes (subject_id, key, reviewer, created_at, text) "
        "VALUES ('S1', 'S1:404', 'x', 'now', 't')"
    )
    raw.execute("INSERT INTO determinations (run_id, key, subject_id, outcome, label, reason, "
                "step_id) VALUES (1, 'NOPE:1', 'NOPE', 'review', '', '', 's')")  # fmt: skip
    raw.close()
    status = _status(dbfile)
    assert status["orphaned rows"] == (
        PROBLEM,
        "1 decisions on unknown convictions; 1 notes on unknown convictions",
    )
    assert status["foreign keys"][0] == PROBLEM and "determinations" in status["foreign keys"][1]


def test_loose_modes_warn_and_strict_fails(
    dbfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chmod(dbfile, 0o644)
    report = doctor(dbfile)
    assert report.ok
    (warning,) = report.warnings
    assert warning.status == WARN and "t.db is 0644" in warning.message
    os.chmod(dbfile, 0o640)
    code, out, _ = run_cli(capsys, "doctor", "--db", str(dbfile), "--strict")
    assert code == 1 and "WARN    file modes" in out


def test_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "doctor", "--db", str(tmp_path / "none.db"))
    assert code == 1
    assert "none.db: no such database" in err


def test_one_dropped_trigger_is_named(dbfile: Path) -> None:
    raw = _raw(dbfile)
    raw.execute("DROP TRIGGER notes_no_delete")
    raw.close()
    assert _status(dbfile)["append-only triggers"] == (
        PROBLEM,
        "missing: notes_no_delete (the file was altered outside triage; compare with a backup)",
    )


def test_a_dropped_or_rewritten_supervisor_view_is_a_problem(dbfile: Path, tmp_path: Path) -> None:
    """A `review_status` that hides decisions would show a supervisor a false state of review."""
    copy = tmp_path / "copy.db"
    shutil.copy(dbfile, copy)
    raw = _raw(dbfile)
    raw.execute("DROP VIEW review_status")
    raw.close()
    assert _status(dbfile)["views"] == (
        PROBLEM,
        "missing: review_status (the file was altered outside triage)",
    )
    raw = _raw(copy)
    raw.execute("DROP VIEW review_status")
    raw.execute(
        "CREATE VIEW review_status AS SELECT key, outcome, NULL AS decision FROM determinations"
    )
    raw.close()
    assert _status(copy)["views"] == (
        PROBLEM,
        "changed: review_status (the file was altered outside triage)",
    )
