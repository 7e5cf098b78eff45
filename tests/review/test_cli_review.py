"""The review commands end to end through `triage.cli.main`: output, exit codes, the
database afterwards, and who is recorded."""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import pytest
from cli_support import run_cli
from review_fixtures import Conv, Person, build, new_db, sample_people

from triage import db

K1 = "S1:001001001000"
# The tests own their databases, so `--reviewer NAME` is recorded "NAME via ACCOUNT".
ME = pwd.getpwuid(os.getuid()).pw_name
ALICE, BOB = f"alice via {ME}", f"bob via {ME}"


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    conn = new_db(path)
    people = sample_people()
    people.append(
        Person(
            "S7", "[bold]EVIL[/bold]\x1b]52;c;AAAA\x07", [Conv("001001001000", reason="x\x1b[2J")]
        )
    )
    build(conn, people)
    conn.close()
    return path


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = db.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_queue_lists_keys_and_json(dbfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "queue", "--db", str(dbfile))
    assert code == 0
    assert "5 cases; 6 convictions listed" in out
    assert K1 in out and "S3:001001002000" in out
    code, out, _ = run_cli(
        capsys, "queue", "--db", str(dbfile), "--json", "--reason", "Currently serving sentence"
    )
    data = json.loads(out)
    assert [c["key"] for c in data["convictions"]] == ["S2:001001001000", "S3:001001002000"]
    assert data["cases"] == 2
    code, out, err = run_cli(capsys, "queue", "--db", str(dbfile), "--outcome", "bogus")
    assert code == 2 and "outcome" in err and "Traceback" not in err


def test_record_text_is_printed_inert(dbfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "queue", "--db", str(dbfile), "--search", "[bold]")
    assert code == 0
    assert "[bold]EVIL[/bold]" in out  # markup shown literally
    assert "\x1b" not in out and "\x07" not in out


def test_decide_note_undo_history_round_trip(
    dbfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("--db", str(dbfile), "--reviewer", "alice")
    code, out, _ = run_cli(
        capsys, "decide", K1, "--decision", "dismiss", "--note", "per minute order", *base
    )
    assert code == 0 and "dismiss (version 1)" in out
    code, _, err = run_cli(
        capsys,
        "decide",
        K1,
        "--decision",
        "reduce",
        "--expect-version",
        "0",
        "--db",
        str(dbfile),
        "--reviewer",
        "bob",
    )
    assert code == 1 and "conflict" in err and "dismiss" in err and "reduce" in err
    code, out, _ = run_cli(capsys, "note", "S2", "call the clerk", *base)
    assert code == 0
    code, out, _ = run_cli(capsys, "undo", K1, *base)
    assert code == 0 and "back to undecided" in out
    assert _rows(dbfile, "SELECT version, action, decision, reviewer FROM decisions") == [
        (1, "decide", "dismiss", ALICE),
        (2, "undo", None, ALICE),
    ]
    assert _rows(dbfile, "SELECT subject_id, key, text FROM notes ORDER BY id") == [
        ("S1", K1, "per minute order"),
        ("S2", None, "call the clerk"),
    ]
    code, out, _ = run_cli(capsys, "history", K1, "--db", str(dbfile), "--json")
    story = json.loads(out)
    assert [d["action"] for d in story["decisions"]] == ["decide", "undo"]
    # A note given with a decision is written first, so the decision can name it (note_id).
    assert [a["action"] for a in story["audit"]] == ["note", "decide", "decide.conflict", "undo"]
    assert story["audit"][2]["actor"] == BOB
    assert story["determinations"][0]["outcome"] == "review"
    code, out, _ = run_cli(capsys, "history", K1, "--db", str(dbfile))
    assert "decide.conflict" in out and "per minute order" in out


def test_bad_arguments_are_one_line_errors(
    dbfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "decide", K1, "--decision", "pardon", "--db", str(dbfile))
    assert code == 2 and err.count("\n") == 1
    code, _, err = run_cli(capsys, "decide", "S9:1", "--decision", "defer", "--db", str(dbfile))
    assert code == 1 and "no conviction with key S9:1" in err
    code, _, err = run_cli(
        capsys, "decide", K1, "--decision", "defer", "--reviewer", "bad name!", "--db", str(dbfile)
    )
    assert code == 2 and "--reviewer" in err
    code, _, err = run_cli(capsys, "undo", "--db", str(dbfile))
    assert code == 2
    code, _, err = run_cli(capsys, "queue", "--db", str(dbfile.parent / "none.db"))
    assert code == 1 and "no such database" in err
    assert _rows(dbfile, "SELECT count(*) FROM decisions") == [(0,)]


def test_reviewer_is_the_os_account_not_user_env(dbfile: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    code, _, _ = run_cli(capsys, "decide", K1, "--decision", "defer", "--db", str(dbfile))
    assert code == 0
    account = pwd.getpwuid(os.getuid()).pw_name
    assert account != "mallory"
    assert _rows(dbfile, "SELECT reviewer FROM decisions") == [(account,)]
    assert _rows(dbfile, "SELECT actor FROM audit WHERE actor <> 'fixture'") == [(account,)]


def test_claim_and_release(dbfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = ("--db", str(dbfile), "--reviewer", "alice")
    b = ("--db", str(dbfile), "--reviewer", "bob")
    code, out, _ = run_cli(capsys, "claim", "--next", *a)
    assert code == 0 and out.startswith(f"S1: claimed by {ALICE}")
    code, out, _ = run_cli(capsys, "claim", "S1", *b)
    assert code == 1 and "already claimed by alice" in out
    code, _, err = run_cli(capsys, "release", "S1", *b)
    assert code == 1 and "--supervisor" in err
    code, out, _ = run_cli(capsys, "release", "S1", "--supervisor", *b)
    assert code == 0 and "released" in out
    assert _rows(dbfile, "SELECT count(*) FROM claims") == [(0,)]
    detail = _rows(dbfile, "SELECT actor, detail FROM audit WHERE action = 'release'")
    assert detail[0][0] == BOB and json.loads(str(detail[0][1]))["holder"] == ALICE


def test_same_decision_twice_is_a_no_op(dbfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ("--reviewer", "alice", "--db", str(dbfile))
    code, _, _ = run_cli(capsys, "decide", K1, "--decision", "dismiss", *base)
    assert code == 0
    code, out, _ = run_cli(capsys, "decide", K1, "--decision", "dismiss", *base)
    assert code == 0 and "already dismiss, nothing written" in out
    assert _rows(dbfile, "SELECT count(*) FROM decisions") == [(1,)]
