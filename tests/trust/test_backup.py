"""`triage backup`: a consistent, private snapshot taken while a reviewer keeps deciding."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from cli_support import run_cli
from review_fixtures import build, decide_all, many_people, new_db

from triage import audit, db
from triage import backup as backup_module
from triage.errors import TriageError
from triage.maintenance import backup, doctor


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    conn = new_db(path)
    build(conn, many_people(400))
    conn.close()
    return path


@pytest.mark.slow  # concurrency / kill -9
def test_backup_during_writes_is_consistent_private_and_passes_doctor(
    dbfile: Path, tmp_path: Path
) -> None:
    keys = [f"P{i:04d}:001001001000" for i in range(400)]
    conn = db.connect(dbfile)
    old = os.umask(0o022)
    ctx = multiprocessing.get_context("spawn")
    try:
        with ctx.Pool(1) as pool:
            pending = pool.apply_async(decide_all, ((str(dbfile), keys, "alice"),))
            while conn.execute("SELECT count(*) FROM decisions").fetchone()[0] < 20:
                if pending.ready():
                    break
            dest = tmp_path / "backups" / "snap.db"
            dest.parent.mkdir()
            result = backup(conn, dest, "bob")
            assert pending.get(timeout=120) == 400
    finally:
        os.umask(old)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    report = doctor(dest)
    assert report.ok and not report.warnings, report.checks
    snap = db.connect(dest)
    copied = snap.execute("SELECT count(*) FROM decisions").fetchone()[0]
    assert 20 <= copied < 400  # taken while the reviewer was still deciding
    # A snapshot: the copy holds exactly the first N decisions and their N audit entries
    # (after the fixture's import and classification entries).
    assert [r[0] for r in snap.execute("SELECT key FROM decisions ORDER BY id")] == keys[:copied]
    entries = snap.execute("SELECT count(*) FROM audit").fetchone()[0]
    assert entries == copied + 2 == result.audit_entries
    assert result.audit_head == audit.head(snap)
    snap.close()
    entry = conn.execute(
        "SELECT id, actor, target, detail FROM audit WHERE action = 'backup'"
    ).fetchone()
    detail = json.loads(entry["detail"])
    assert (entry["actor"], entry["target"]) == ("bob", "snap.db")
    assert detail["sha256"] == hashlib.sha256(dest.read_bytes()).hexdigest() == result.sha256
    assert detail["audit_head"] == result.audit_head
    # The live trail still holds the head the backup recorded.
    assert audit.compare_head(conn, result.audit_head) is None
    assert not backup_module.partial_path(dest).exists()
    assert audit.verify(conn).ok
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 400


def test_backup_refuses_to_overwrite(dbfile: Path, tmp_path: Path) -> None:
    dest = tmp_path / "exists.db"
    dest.write_bytes(b"keep me")
    conn = db.connect(dbfile)
    with pytest.raises(TriageError, match="already exists"):
        backup(conn, dest, "bob")
    assert dest.read_bytes() == b"keep me"
    with pytest.raises(TriageError, match="does not exist"):
        backup(conn, tmp_path / "nope" / "b.db", "bob")
    assert conn.execute("SELECT count(*) FROM audit WHERE action = 'backup'").fetchone()[0] == 0


def test_backup_command(dbfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "cli-backup.db"
    # Started under a permissive umask: the backup is still the owner's alone.
    code, out, _ = run_cli(capsys, "backup", str(dest), "--db", str(dbfile), umask=0o000)
    assert code == 0
    assert "backup written" in out
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert doctor(dest).ok
    conn = db.connect(dest)
    assert f"audit head: {audit.head(conn)}\n" in out
    conn.close()
    # The backup is a recorded head: the live database must still hold it.
    code, out, _ = run_cli(capsys, "doctor", "--db", str(dbfile), "--expect-head", str(dest))
    assert code == 0 and "ok      expected head" in out


def test_backup_over_a_killed_backups_partial_file(dbfile: Path, tmp_path: Path) -> None:
    """What a backup killed mid-copy leaves (a partial file with a hot journal under the
    private name) neither blocks the retry nor leaks into it."""
    dest = tmp_path / "snap.db"
    partial = backup_module.partial_path(dest)
    partial.write_bytes(b"SQLite format 3\x00" + b"\x00" * 5000)
    Path(f"{partial}-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\x00" * 600)
    conn = db.connect(dbfile)
    result = backup(conn, dest, "bob")
    assert doctor(dest).ok and result.sha256 == hashlib.sha256(dest.read_bytes()).hexdigest()
    assert not partial.exists() and not Path(f"{partial}-journal").exists()
    conn.close()


@pytest.mark.slow  # concurrency / kill -9
def test_doctor_while_a_reviewer_decides_reads_one_state(dbfile: Path) -> None:
    """Doctor holds the decision log to the audit trail in one snapshot: decisions written
    while it runs are never taken for decisions without their entry."""
    keys = [f"P{i:04d}:001001001000" for i in range(400)]
    conn = db.connect(dbfile)
    ctx = multiprocessing.get_context("spawn")
    reports = []
    with ctx.Pool(1) as pool:
        pending = pool.apply_async(decide_all, ((str(dbfile), keys, "alice"),))
        while conn.execute("SELECT count(*) FROM decisions").fetchone()[0] < 5:
            if pending.ready():
                break
        while not pending.ready():
            reports.append(doctor(dbfile))
        assert pending.get(timeout=120) == 400
    conn.close()
    assert reports
    for report in reports:
        assert report.ok, report.problems
