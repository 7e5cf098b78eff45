"""Decisions, undo, bulk decisions and notes through the service layer, checked in the
database and the audit trail."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from review_fixtures import build, new_db, sample_people

from triage import audit, db, identity, review, roles
from triage.errors import ConflictError, TriageError, UsageError

K1 = "S1:001001001000"
K3A = "S3:001001001000"
K3B = "S3:001001002000"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[sqlite3.Connection, int, Path]:
    path = tmp_path / "t.db"
    conn = new_db(path)
    return conn, build(conn, sample_people()), path


def _bob_supervises(conn: sqlite3.Connection) -> None:
    """Bob may replace Alice's decisions (a reviewer may not: tests/test_roles.py)."""
    roles.grant(conn, identity.os_account(), "bob", "supervisor")


def _audit(conn: sqlite3.Connection, action: str) -> list[sqlite3.Row]:
    return list(conn.execute("SELECT * FROM audit WHERE action = ? ORDER BY id", (action,)))


def test_decide_records_entry_current_state_and_audit(setup: tuple) -> None:
    conn, run, _ = setup
    res = review.decide(conn, K1, "dismiss", "alice", expected_version=0, note="checked docket")
    assert (res.version, res.decision, res.previous) == (1, "dismiss", None)
    row = conn.execute("SELECT * FROM decisions WHERE id = ?", (res.id,)).fetchone()
    assert (row["reviewer"], row["action"], row["run_id"], row["suggested"]) == (
        "alice",
        "decide",
        run,
        "review",
    )
    cur = conn.execute("SELECT * FROM current_decisions WHERE key = ?", (K1,)).fetchone()
    assert (cur["version"], cur["decision"], cur["decision_id"]) == (1, "dismiss", res.id)
    note = conn.execute("SELECT * FROM notes WHERE key = ?", (K1,)).fetchone()
    assert (note["text"], note["reviewer"], note["subject_id"]) == ("checked docket", "alice", "S1")
    (entry,) = _audit(conn, "decide")
    detail = json.loads(entry["detail"])
    assert (entry["actor"], entry["target"]) == ("alice", K1)
    assert (detail["decision"], detail["previous"], detail["version"]) == ("dismiss", None, 1)
    assert audit.verify(conn).ok


def test_second_decision_records_previous_value(setup: tuple) -> None:
    conn, _, _ = setup
    _bob_supervises(conn)
    review.decide(conn, K1, "dismiss", "alice")
    res = review.decide(conn, K1, "defer", "bob", expected_version=1)
    assert (res.version, res.decision, res.previous) == (2, "defer", "dismiss")
    detail = json.loads(_audit(conn, "decide")[-1]["detail"])
    assert detail["previous"] == "dismiss"


def test_unknown_decision_and_key_are_refused_without_writing(setup: tuple) -> None:
    conn, _, _ = setup
    with pytest.raises(UsageError, match="decision: use one of"):
        review.decide(conn, K1, "pardon", "alice")
    with pytest.raises(TriageError, match="no conviction with key"):
        review.decide(conn, "S9:000", "dismiss", "alice")
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    # (the fixture's run has its classification entry; nothing else was written)
    assert conn.execute("SELECT count(*) FROM audit WHERE actor <> 'fixture'").fetchone()[0] == 0


def test_conflict_between_two_connections_keeps_first_and_audits_both(setup: tuple) -> None:
    conn, _, path = setup
    other = db.connect(path)
    seen = review.load_case(conn, "S1", 1).convictions[0].decision_version
    assert seen == review.load_case(other, "S1", 1).convictions[0].decision_version == 0
    review.decide(conn, K1, "dismiss", "alice", expected_version=seen)
    with pytest.raises(ConflictError) as info:
        review.decide(other, K1, "reduce", "bob", expected_version=seen)
    exc = info.value
    assert (exc.current_decision, exc.current_reviewer, exc.current_version) == (
        "dismiss",
        "alice",
        1,
    )
    assert (exc.attempted, exc.expected_version) == ("reduce", 0)
    assert "dismiss" in str(exc) and "reduce" in str(exc)
    rows = conn.execute("SELECT decision, reviewer FROM decisions WHERE key = ?", (K1,)).fetchall()
    assert [tuple(r) for r in rows] == [("dismiss", "alice")]
    (won,) = _audit(conn, "decide")
    (lost,) = _audit(conn, "decide.conflict")
    assert won["actor"] == "alice" and lost["actor"] == "bob"
    assert json.loads(lost["detail"])["attempted"] == "reduce"
    assert audit.verify(conn).ok
    other.close()


def test_undo_appends_restoring_entry_and_never_deletes(setup: tuple) -> None:
    conn, _, _ = setup
    review.decide(conn, K1, "dismiss", "alice")
    review.decide(conn, K1, "reduce", "alice")
    res = review.undo(conn, K1, "alice", expected_version=2)
    assert (res.version, res.decision, res.previous) == (3, "dismiss", "reduce")
    res = review.undo(conn, K1, "alice")
    assert (res.version, res.decision, res.previous) == (4, None, "dismiss")
    rows = conn.execute(
        "SELECT version, action, decision, undoes FROM decisions WHERE key = ? ORDER BY version",
        (K1,),
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        (1, "decide", "dismiss", None),
        (2, "decide", "reduce", None),
        (3, "undo", "dismiss", 2),
        (4, "undo", None, 1),
    ]
    cur = conn.execute("SELECT version, decision FROM current_decisions WHERE key = ?", (K1,))
    assert tuple(cur.fetchone()) == (4, None)
    with pytest.raises(TriageError, match="nothing to undo"):
        review.undo(conn, K1, "alice")
    assert len(_audit(conn, "undo")) == 2
    assert [e.action for e in review.history(conn, K1)] == ["decide", "decide", "undo", "undo"]


def test_undo_with_stale_version_conflicts(setup: tuple) -> None:
    conn, _, _ = setup
    _bob_supervises(conn)
    review.decide(conn, K1, "dismiss", "alice")
    review.decide(conn, K1, "reduce", "bob")
    with pytest.raises(ConflictError):
        review.undo(conn, K1, "alice", expected_version=1)
    assert _audit(conn, "undo.conflict")[0]["actor"] == "alice"


def test_bulk_is_one_batch_and_all_or_nothing(setup: tuple) -> None:
    conn, _, _ = setup
    review.decide(conn, K3B, "defer", "bob")
    with pytest.raises(ConflictError) as info:
        review.decide_many(conn, [(K1, 0), (K3A, 0), (K3B, 0)], "dismiss", "alice")
    assert info.value.key == K3B
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
    assert [r["target"] for r in _audit(conn, "decide.conflict")] == [K3B]

    results = review.decide_many(conn, [(K1, 0), (K3A, 0), (K3B, 1)], "dismiss", "alice")
    assert [r.version for r in results] == [1, 1, 2]
    batches = {r[0] for r in conn.execute("SELECT batch FROM decisions WHERE reviewer = 'alice'")}
    assert len(batches) == 1 and None not in batches
    with pytest.raises(UsageError):
        review.decide_many(conn, [(K1, 1), (K1, 1)], "reduce", "alice")


def test_undo_last_takes_back_a_whole_batch_then_earlier_decisions(setup: tuple) -> None:
    conn, _, _ = setup
    review.decide(conn, "S5:001001001000", "reduce", "alice")
    review.decide_many(conn, [(K1, 0), (K3A, 0)], "dismiss", "alice")
    review.decide(conn, K3B, "defer", "bob")  # someone else's work is never undone
    undone = review.undo_last_many(conn, "alice")
    assert sorted(r.key for r in undone) == [K1, K3A]
    assert all(r.decision is None for r in undone)
    last = review.undo_last(conn, "alice")
    assert last is not None and last.key == "S5:001001001000"
    assert review.undo_last(conn, "alice") is None
    cur = dict(conn.execute("SELECT key, decision FROM current_decisions").fetchall())
    assert cur == {K1: None, K3A: None, K3B: "defer", "S5:001001001000": None}


def test_undo_last_skips_a_decision_someone_else_replaced(setup: tuple) -> None:
    conn, _, _ = setup
    _bob_supervises(conn)
    review.decide(conn, K1, "dismiss", "alice")
    review.decide(conn, K3A, "dismiss", "alice")
    review.decide(conn, K3A, "reduce", "bob")
    res = review.undo_last(conn, "alice")
    assert res is not None and res.key == K1
    cur = conn.execute("SELECT decision FROM current_decisions WHERE key = ?", (K3A,)).fetchone()
    assert cur[0] == "reduce"


def test_notes_on_person_and_conviction(setup: tuple) -> None:
    conn, run, _ = setup
    n1 = review.add_note(conn, "S2", "[b]call[/b] the clerk\x1b[31m", "alice")
    n2 = review.add_note(conn, "S3", "second count", "bob", key=K3B)
    assert (n1.key, n2.key) == (None, K3B)
    case = review.load_case(conn, "S3", run)
    assert [(n.text, n.reviewer) for n in case.notes] == [("second count", "bob")]
    stored = conn.execute("SELECT text FROM notes WHERE id = ?", (n1.id,)).fetchone()[0]
    assert stored == "[b]call[/b] the clerk\x1b[31m"  # stored as written; cleaned on display
    entries = _audit(conn, "note")
    assert [e["target"] for e in entries] == ["S2", K3B]
    assert "clerk" not in entries[0]["detail"]  # the trail never holds the note's text
    with pytest.raises(UsageError, match="empty"):
        review.add_note(conn, "S2", "   ", "alice")
    with pytest.raises(TriageError, match="does not belong"):
        review.add_note(conn, "S2", "x", "alice", key=K1)
    with pytest.raises(TriageError, match="no person"):
        review.add_note(conn, "S99", "x", "alice")


def test_append_only_tables_refuse_edits(setup: tuple) -> None:
    conn, _, _ = setup
    review.decide(conn, K1, "dismiss", "alice")
    review.add_note(conn, "S1", "n", "alice")
    for sql in ("UPDATE decisions SET decision = 'reduce'", "DELETE FROM notes"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            with db.write(conn):
                conn.execute(sql)


def test_same_decision_again_writes_nothing(setup: tuple) -> None:
    conn, run, _ = setup
    first = review.decide(conn, K1, "dismiss", "alice", expected_version=0)
    again = review.decide(conn, K1, "dismiss", "alice", expected_version=1)
    assert first.changed and not again.changed
    assert (again.version, again.decision) == (1, "dismiss")
    assert conn.execute("SELECT count(*) FROM decisions WHERE key = ?", (K1,)).fetchone()[0] == 1
    assert len(_audit(conn, "decide")) == 1
    # In bulk the unchanged one is skipped and the other written.
    results = review.decide_many(conn, [(K1, 1), (K3A, 0)], "dismiss", "alice", run_id=run)
    assert [(r.key, r.changed) for r in results] == [(K1, False), (K3A, True)]
    assert len(_audit(conn, "decide")) == 2


def test_today_and_session_counts_leave_out_undone_decisions(setup: tuple) -> None:
    conn, run, _ = setup
    start = db.now()
    review.decide(conn, K1, "dismiss", "alice")
    review.decide(conn, K3A, "reduce", "alice")
    review.undo(conn, K3A, "alice")
    p = review.progress(conn, run, "alice", start)
    assert (p.decided_today, p.decided_this_session) == (1, 1)
