"""`triage roles`, refusals on the command line and in the review app (issue 10)."""

from __future__ import annotations

import json
import os
import pwd
import re
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli
from review_fixtures import build, new_db, sample_people
from tui_harness import make_app, make_db, pilot_test, settle

from triage import db, identity, review, roles
from triage.tui.widgets.keybar import MessageLine

K1 = "S1:001001001000"
ME = identity.os_account()


def _other_account() -> pwd.struct_passwd:
    """An existing account that is not ours (every Unix has several: daemon, nobody...)."""
    for entry in pwd.getpwall():
        if entry.pw_uid != os.getuid() and re.fullmatch(r"[a-z][a-z0-9-]*", entry.pw_name):
            return entry
    pytest.skip("no other OS account on this machine")


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    conn = new_db(path)
    build(conn, sample_people())
    conn.close()
    return path


def _audit(path: Path, action: str) -> list[tuple[str, str, dict[str, object]]]:
    conn = db.connect(path)
    try:
        rows = conn.execute("SELECT actor, target, detail FROM audit WHERE action = ?", (action,))
        return [(str(r[0]), str(r[1]), json.loads(r[2])) for r in rows]
    finally:
        conn.close()


def test_roles_list_grant_revoke(dbfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = _other_account().pw_name
    base = ("--db", str(dbfile))
    code, out, err = run_cli(capsys, "roles", "grant", other, "supervisor", *base)
    assert code == 0, err
    assert out.strip() == f"{other}: supervisor (was reviewer), by {ME}"
    code, out, _ = run_cli(capsys, "roles", "list", *base, "--json")
    listed = [(e["account"], e["role"], e["source"]) for e in json.loads(out)]
    assert listed == [(ME, "supervisor", "owner"), (other, "supervisor", "granted")]
    code, out, _ = run_cli(capsys, "roles", "revoke", other, *base, "--json")
    assert code == 0 and json.loads(out)["role"] == "none"
    code, out, _ = run_cli(capsys, "roles", "list", *base)
    assert f"{other}" in out and "none" in out and "owner of the database file" in out
    assert [(t, d["role"]) for _, t, d in _audit(dbfile, "role")] == [
        (other, "supervisor"),
        (other, "none"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("grant", "no-such-account-x9", "reviewer"), "no OS account of that name"),
        (("grant", "root", "admin"), "ROLE: use reviewer or supervisor"),
        (("revoke", "bad name!"), "--reviewer: use 1-64"),
    ],
)
def test_roles_bad_arguments_are_one_line(
    dbfile: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run_cli(capsys, "roles", *args, "--db", str(dbfile))
    assert code == 2 and message in one_line_error(err)
    assert _audit(dbfile, "role") == []


def test_release_refusal_is_one_line_exit_1_and_audited(
    dbfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = db.connect(dbfile)
    review.claim(conn, "S1", "alice")
    conn.close()
    code, _, err = run_cli(capsys, "release", "S1", "--db", str(dbfile))
    assert code == 1
    assert one_line_error(err).startswith("triage: refused: case S1 is claimed by alice")
    assert [(a, t) for a, t, _ in _audit(dbfile, "refused")] == [(ME, "S1")]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving the database to another account needs root")
def test_a_non_owner_is_refused_reviewer_and_undoing_anothers_decision(
    dbfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = db.connect(dbfile)
    review.decide(conn, K1, "dismiss", "alice")
    conn.close()
    owner = _other_account()
    os.chown(dbfile, owner.pw_uid, -1)  # we (root) are now just another account of the group
    code, _, err = run_cli(capsys, "decide", K1, "--decision", "defer", "--reviewer", "ann",
                           "--db", str(dbfile))  # fmt: skip
    assert code == 2
    assert one_line_error(err) == (
        f"triage: --reviewer: only the database's owner ({owner.pw_name}) may record work for "
        f"someone else; as {ME}, leave --reviewer out and your work is recorded under your own "
        "account"
    )
    code, _, err = run_cli(capsys, "note", "S2", "seen", "--reviewer", ME, "--db", str(dbfile))
    assert code == 0, err  # naming oneself is allowed (and recorded plainly)
    code, _, err = run_cli(capsys, "undo", K1, "--db", str(dbfile))
    assert code == 1 and "undoing another reviewer's decision needs the supervisor role" in (
        one_line_error(err)
    )
    refused = _audit(dbfile, "refused")
    assert [(a, t, d["attempted"]) for a, t, d in refused] == [
        (ME, "ann", "--reviewer"),
        (ME, K1, "undo"),
    ]
    conn = db.connect(dbfile)
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
    conn.close()


@pilot_test
async def test_the_review_app_shows_a_refusal_and_saves_nothing(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    conn = db.connect(path)
    roles.revoke(conn, ME, "bob")
    conn.close()
    app = make_app(path, reviewer="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "d")
        await pilot.pause()
        shown = app.screen.query_one(MessageLine).text  # the one message line
    assert "refused: account bob has no role in this database" in shown
    conn = db.connect(path)
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    conn.close()
