"""The office's audit key and the seals it puts on the audit trail (issue 10): where the key
lives and how it is made, what doctor says with it, without it and with another one, and
how a database written before seals existed is read."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli
from review_fixtures import build, new_db, sample_people

from triage import audit, auditkey, db, review
from triage.errors import TriageError
from triage.maintenance import OK, PROBLEM, WARN, doctor


def _status(path: Path, key: Path | None = None) -> tuple[str, str]:
    (check,) = [c for c in doctor(path, key_path=key).checks if c.name == "audit seals"]
    return check.status, check.message


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    conn = new_db(path)
    build(conn, sample_people())
    review.decide(conn, "S1:001001001000", "dismiss", "alice")
    conn.close()
    return path


def test_the_key_is_made_private_on_first_write_where_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    monkeypatch.delenv(auditkey.ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    path = config / "triage" / "audit.key"
    assert auditkey.default_path() == path
    conn = db.connect(tmp_path / "t.db", create=True)
    with db.write(conn):
        audit.append(conn, "alice", "test")
    key = auditkey.load(path)
    assert key is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    seal = conn.execute("SELECT key_id, mac FROM audit_seals WHERE entry_id = 1").fetchone()
    entry_hash = conn.execute("SELECT hash FROM audit WHERE id = 1").fetchone()[0]
    assert tuple(seal) == (key.key_id, key.seal(entry_hash))
    # The same key is used from then on, not made again.
    assert auditkey.load_or_create(path) == key
    conn.close()


def test_a_damaged_key_is_one_clear_error_and_nothing_is_written(
    dbfile: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    monkeypatch.setenv(auditkey.ENV, str(bad))
    code, _, err = run_cli(capsys, "decide", "S2:001001001000", "--decision", "dismiss",
                           "--db", str(dbfile))  # fmt: skip
    assert code == 1 and "bad.key: not a triage audit key" in one_line_error(err)
    conn = db.connect(dbfile)
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
    conn.close()
    assert _status(dbfile, bad)[0] == PROBLEM


def test_doctor_with_the_key_without_it_and_with_another(dbfile: Path, tmp_path: Path) -> None:
    status, message = _status(dbfile)
    assert status == OK and message.startswith("3 entries sealed with key ")
    status, message = _status(dbfile, tmp_path / "nowhere.key")
    assert status == WARN and "3 sealed entries could not be checked" in message
    other = tmp_path / "other.key"
    auditkey.load_or_create(other)
    status, message = _status(dbfile, other)
    assert status == PROBLEM and "entry 1 is sealed with another key" in message


def test_an_unsealed_entry_after_sealed_ones_is_a_problem(dbfile: Path) -> None:
    conn = db.connect(dbfile)
    with audit.sealing(None), db.write(conn):
        audit.append(conn, "mallory", "decide", "S2:001001001000")
    conn.close()
    status, message = _status(dbfile)
    assert status == PROBLEM and "entry 4 has no seal but follows sealed entries" in message


def test_a_database_from_before_seals_opens_and_is_read_honestly(tmp_path: Path) -> None:
    """What an office's existing file looks like: no audit_seals table, every entry dated
    before the key was made. It opens (the table is added), its old entries are reported
    as checked by hash only, and entries written from now on are sealed."""
    path = tmp_path / "old.db"
    db.set_clock(dt.datetime(2021, 3, 1, tzinfo=dt.UTC))
    try:
        with audit.sealing(None):
            conn = new_db(path)
            build(conn, sample_people())
            review.decide(conn, "S1:001001001000", "dismiss", "alice")
            conn.close()
    finally:
        db.set_clock(None)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP TABLE audit_seals")  # its triggers go with it
    raw.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")  # before seals
    raw.close()
    conn = db.connect(path)  # migrated: adds the table back, empty
    review.decide(conn, "S2:001001001000", "reduce", "bob")
    conn.close()
    report = doctor(path)
    assert report.ok and not report.warnings, report.checks
    status, message = _status(path)
    assert status == OK
    assert message.endswith("entries 1-3 predate the key and are checked by hash only")
    assert message.startswith("1 entries sealed")


def test_doctor_refuses_a_head_it_cannot_read(
    dbfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "doctor", "--db", str(dbfile), "--expect-head", "12:abc")
    assert code == 2 and "neither ENTRIES:HASH nor an export manifest" in one_line_error(err)
    text = tmp_path / "manifest.json"
    text.write_text("{}")
    code, _, err = run_cli(capsys, "doctor", "--db", str(dbfile), "--expect-head", str(text))
    assert code == 1 and "not an export manifest with an audit head" in one_line_error(err)


def test_doctor_prints_the_head_and_accepts_it_back(
    dbfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = db.connect(dbfile)
    head = audit.head(conn)
    conn.close()
    code, out, _ = run_cli(capsys, "doctor", "--db", str(dbfile))
    assert code == 0 and f"head {head}" in out
    code, out, _ = run_cli(capsys, "doctor", "--db", str(dbfile), "--json")
    assert code == 0 and json.loads(out)["audit_head"] == head
    code, out, _ = run_cli(capsys, "doctor", "--db", str(dbfile), "--expect-head", head)
    assert code == 0 and "ok      expected head" in out
    entries, digest = audit.parse_head(head)
    wrong = f"{entries}:{'0' * 64}"
    code, out, _ = run_cli(capsys, "doctor", "--db", str(dbfile), "--expect-head", wrong)
    assert code == 1 and f"entry {entries} is not the one head" in out


def test_key_file_readable_by_others_is_a_warning(dbfile: Path) -> None:
    path = Path(os.environ[auditkey.ENV])
    mode = stat.S_IMODE(path.stat().st_mode)
    try:
        os.chmod(path, 0o644)
        status, message = _status(dbfile)
        assert status == WARN and "other accounts can read the audit key" in message
    finally:
        os.chmod(path, mode)


def test_load_refuses_what_is_not_a_key(tmp_path: Path) -> None:
    path = tmp_path / "k"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(TriageError, match="cannot read the audit key"):
        auditkey.load(path)
    assert auditkey.load(tmp_path / "absent") is None
