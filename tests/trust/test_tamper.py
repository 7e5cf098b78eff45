"""`triage doctor` catches the ten data-changing tampering cases of issue 10.

Each test takes a database built through the real path (import a DOJ file, classify it,
decide, undo and note through the service layer, back up, export), changes it with plain
sqlite3 as someone with write access to the file but not the office's audit key would
(dropping and recreating the append-only triggers where they are in the way), and runs
`triage doctor`: it must exit 1 and name what is wrong, without printing record data.

Cases that cut the trail short leave a shorter chain that is consistent in itself: only a
head recorded outside the file (the export's manifest, the backup) shows it; the tests
say so by running doctor both without and with `--expect-head`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_support import run_cli
from stress_helpers import build_review_db

from triage import audit, db, review
from triage.export.service import run_export
from triage.maintenance import backup, doctor

NOTE_TEXT = "Client's letter mentions PRIVATE-NOTE-TEXT; call back"


@dataclass(frozen=True)
class Base:
    path: Path
    backup: Path  # taken before the last decisions: its head is an earlier point
    export: Path  # the decisions export taken last: its manifest holds the head
    keys: list[str]  # decided, in order; the last two after the backup
    names: list[str]  # people's names, which doctor must never print


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    root = tmp_path_factory.mktemp("tamper")
    path = root / "county.db"
    build_review_db(path, people=80)
    conn = db.connect(path)
    keys = [
        str(r[0])
        for r in conn.execute(
            "SELECT key FROM determinations WHERE outcome = 'review' ORDER BY key LIMIT 5"
        )
    ]
    assert len(keys) == 5
    subject = keys[0].split(":")[0]
    review.decide(conn, keys[0], "dismiss", "alice")
    review.decide(conn, keys[1], "reduce", "bob")
    review.add_note(conn, subject, NOTE_TEXT, "alice", key=keys[0])
    review.add_note(conn, subject, "Person-level PRIVATE-NOTE-TEXT", "bob")
    review.decide(conn, keys[2], "dismiss", "alice")
    review.undo(conn, keys[1], "bob")
    backup(conn, root / "backup.db", "carol")
    review.decide(conn, keys[3], "reduce", "alice")
    review.add_note(conn, keys[3].split(":")[0], "Later PRIVATE-NOTE-TEXT", "alice", key=keys[3])
    review.decide(conn, keys[4], "dismiss", "bob")
    names = [str(r[0]) for r in conn.execute("SELECT name FROM people WHERE name <> ''")]
    run_export(conn, "decisions", root / "out", actor="carol")
    conn.close()
    return Base(path, root / "backup.db", root / "out", keys, names)


@pytest.fixture
def copy(base: Base, tmp_path: Path) -> Path:
    path = tmp_path / "county.db"
    shutil.copy(base.path, path)
    return path


@contextlib.contextmanager
def tampering(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection with the append-only triggers dropped; they are put back, as
    they were, when the tampering is done (so the trigger check has nothing to say)."""
    raw = sqlite3.connect(path, isolation_level=None)
    triggers = list(raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    for name, _ in triggers:
        raw.execute(f"DROP TRIGGER {name}")
    try:
        yield raw
    finally:
        for _, sql in triggers:
            raw.execute(sql)
        raw.close()


def rehash_from(raw: sqlite3.Connection, first: int) -> None:
    """Recompute every hash from entry `first` on, as the chain's code would."""
    prev = raw.execute("SELECT hash FROM audit WHERE id = ?", (first - 1,)).fetchone()
    link = audit.GENESIS if prev is None else str(prev[0])
    rows = list(raw.execute(
        "SELECT id, at, actor, action, target, detail FROM audit WHERE id >= ? ORDER BY id",
        (first,),
    ))  # fmt: skip
    for entry_id, at, actor, action, target, detail in rows:
        digest = audit._digest(link, at, actor, action, target, detail)
        raw.execute(
            "UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (link, digest, entry_id)
        )
        link = digest


def cut_after(raw: sqlite3.Connection, last_kept: int) -> None:
    """Remove every entry after `last_kept`, their seals and the decisions and notes they
    cover, and leave `current_decisions` as the shorter log gives it: a careful attacker."""
    raw.execute("DELETE FROM audit_seals WHERE entry_id > ?", (last_kept,))
    for action, target, detail in list(
        raw.execute("SELECT action, target, detail FROM audit WHERE id > ?", (last_kept,))
    ):
        if action in ("decide", "undo"):
            version = int(json.loads(detail)["version"])
            raw.execute("DELETE FROM decisions WHERE key = ? AND version = ?", (target, version))
            raw.execute("DELETE FROM current_decisions WHERE key = ?", (target,))
            raw.execute(
                "INSERT INTO current_decisions (key, subject_id, version, decision, reviewer, "
                "decided_at, decision_id) SELECT key, subject_id, version, decision, reviewer, "
                "created_at, id FROM decisions WHERE key = ? ORDER BY version DESC LIMIT 1",
                (target,),
            )
        elif action == "note":
            note_id = int(json.loads(detail)["note_id"])
            raw.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    raw.execute("DELETE FROM audit WHERE id > ?", (last_kept,))


def entry_of(raw: sqlite3.Connection, action: str, target: str) -> int:
    row = raw.execute(
        "SELECT max(id) FROM audit WHERE action = ? AND target = ?", (action, target)
    ).fetchone()
    return int(row[0])


def check_doctor(
    capsys: pytest.CaptureFixture[str], base: Base, path: Path, check: str, *extra: str
) -> str:
    """Run `triage doctor`; it must fail, name `check` as a problem, and print no record data."""
    code, out, err = run_cli(capsys, "doctor", "--db", str(path), *extra)
    assert code == 1, out + err
    assert f"PROBLEM {check}:" in out, out
    assert "ok      append-only triggers" in out  # the attacker put them back as they were
    for secret in [*base.names, "PRIVATE-NOTE-TEXT", "mallory"]:
        assert secret not in out + err
    return out


def test_the_untouched_database_is_healthy(base: Base, copy: Path) -> None:
    report = doctor(copy, expect_heads=[str(base.export), str(base.backup)])
    assert report.ok and not report.warnings, report.checks


def test_1_current_decision_changed(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        attacker.execute(
            "UPDATE current_decisions SET decision = 'not_eligible' WHERE key = ?", (base.keys[0],)
        )
    out = check_doctor(capsys, base, copy, "current decisions")
    assert f"first: {base.keys[0]}" in out


def test_2_last_decision_and_its_entry_deleted(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        last = entry_of(attacker, "decide", base.keys[4])
        cut_after(attacker, last - 1)  # that decision, and the export entry after it
    # Consistent in itself: nothing inside the file shows what is gone...
    assert doctor(copy).ok
    # ...but the head the export recorded outside it does.
    out = check_doctor(capsys, base, copy, "expected head", "--expect-head", str(base.export))
    assert "entries were removed from its end" in out


def test_3_actor_edited_and_chain_rehashed(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        entry = entry_of(attacker, "decide", base.keys[0])
        attacker.execute("UPDATE audit SET actor = 'mallory' WHERE id = ?", (entry,))
        attacker.execute("UPDATE decisions SET reviewer = 'mallory' WHERE key = ?", (base.keys[0],))
        attacker.execute("UPDATE current_decisions SET reviewer = 'mallory' WHERE key = ?",
                         (base.keys[0],))  # fmt: skip
        rehash_from(attacker, entry)
        assert audit.verify(attacker).ok  # the hash chain alone no longer shows it
    out = check_doctor(capsys, base, copy, "audit seals")
    assert f"entry {entry} does not match its seal" in out
    check_doctor(capsys, base, copy, "expected head", "--expect-head", str(base.backup))


def test_3b_rehashed_chain_with_every_seal_removed(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        entry = entry_of(attacker, "decide", base.keys[0])
        attacker.execute("UPDATE audit SET actor = 'mallory' WHERE id = ?", (entry,))
        attacker.execute("UPDATE decisions SET reviewer = 'mallory' WHERE key = ?", (base.keys[0],))
        attacker.execute("UPDATE current_decisions SET reviewer = 'mallory' WHERE key = ?",
                         (base.keys[0],))  # fmt: skip
        rehash_from(attacker, entry)
        attacker.execute("DELETE FROM audit_seals")
    out = check_doctor(capsys, base, copy, "audit seals")
    assert "has no seal but is dated after the audit key was made" in out


def test_4_decision_inserted_without_audit_entry(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        key = base.keys[2]
        attacker.execute(
            "INSERT INTO decisions (key, subject_id, version, action, decision, previous, reviewer, "
            "created_at, run_id) VALUES (?, ?, 2, 'decide', 'not_eligible', 'dismiss', 'alice', "
            "?, 1)",
            (key, key.split(":")[0], db.now()),
        )
    out = check_doctor(capsys, base, copy, "decisions vs audit")
    assert "decisions with no audit entry (added outside triage): 1" in out


def test_5_determination_outcome_changed(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        attacker.execute(
            "UPDATE determinations SET outcome = 'not_eligible' WHERE run_id = 1 AND key = ?",
            (base.keys[0],),
        )
    out = check_doctor(capsys, base, copy, "runs vs audit")
    assert "run 1: determinations by outcome" in out


def test_5b_two_outcomes_swapped_keep_the_counts(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        dismissed = attacker.execute(
            "SELECT key FROM determinations WHERE outcome = 'dismiss' LIMIT 1"
        ).fetchone()[0]
        attacker.execute(
            "UPDATE determinations SET outcome = 'dismiss' WHERE key = ?", (base.keys[0],)
        )
        attacker.execute("UPDATE determinations SET outcome = 'review' WHERE key = ?", (dismissed,))
    out = check_doctor(capsys, base, copy, "runs vs audit")
    assert "run 1: determination contents" in out


def test_6_note_deleted(capsys: pytest.CaptureFixture[str], base: Base, copy: Path) -> None:
    with tampering(copy) as attacker:
        attacker.execute("DELETE FROM notes WHERE id = 1")
    out = check_doctor(capsys, base, copy, "notes vs audit")
    assert "audit entries whose note is missing (deleted): 1" in out


def test_7_source_row_edited(capsys: pytest.CaptureFixture[str], base: Base, copy: Path) -> None:
    with tampering(copy) as attacker:
        attacker.execute(
            "UPDATE source_rows SET event_date = '20200101' WHERE id = (SELECT first_row_id "
            "FROM convictions WHERE key = ?)",
            (base.keys[0],),
        )
    out = check_doctor(capsys, base, copy, "imports vs audit")
    assert "source row contents" in out


def test_8_decision_edited_in_place(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        key = base.keys[0]
        attacker.execute(
            "UPDATE decisions SET decision = 'not_eligible', reviewer = 'mallory' WHERE key = ?",
            (key,),
        )
        attacker.execute(
            "UPDATE current_decisions SET decision = 'not_eligible', reviewer = 'mallory' "
            "WHERE key = ?",
            (key,),
        )
    out = check_doctor(capsys, base, copy, "decisions vs audit")
    assert f"on {key}: decision, reviewer" in out


def test_9_note_text_edited(capsys: pytest.CaptureFixture[str], base: Base, copy: Path) -> None:
    with tampering(copy) as attacker:
        same_length = NOTE_TEXT.replace("call back", "no relief")
        assert len(same_length) == len(NOTE_TEXT)
        attacker.execute("UPDATE notes SET text = ? WHERE id = 1", (same_length,))
    out = check_doctor(capsys, base, copy, "notes vs audit")
    assert "note 1: text" in out


def test_10_audit_tail_truncated(
    capsys: pytest.CaptureFixture[str], base: Base, copy: Path
) -> None:
    with tampering(copy) as attacker:
        undo = entry_of(attacker, "undo", base.keys[1])
        cut_after(attacker, undo - 1)  # the undo and everything after it, rows included
        assert attacker.execute("SELECT count(*) FROM decisions").fetchone()[0] == 3
        assert attacker.execute("SELECT count(*) FROM notes").fetchone()[0] == 2
    assert doctor(copy).ok  # what is left is consistent in itself
    out = check_doctor(capsys, base, copy, "expected head", "--expect-head", str(base.backup))
    assert "entries were removed from its end" in out
    check_doctor(capsys, base, copy, "expected head", "--expect-head", str(base.export))
