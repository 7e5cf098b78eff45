"""What the office files needs a supervisor: `triage classify` making a run active, `--force`
over the run checks, and `triage export court` (issue 10, "Who may do what").

The test process owns each database it makes, so its account is the bootstrap supervisor.
Another account is the name the OS reports for the process (`identity.os_account`, the only
source of the CLI's actor): set to "bob" or "carol", the command runs exactly as it would from
their own login, without the root a real second account would take.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import re
from pathlib import Path

import pytest
from classify_support import conviction, people_rows, seed
from cli_support import one_line_error, run_cli

from rules.packs import load_pack
from triage import db, identity, roles
from triage.classify import classify_run
from triage.errors import RefusedError

ME = identity.os_account()
LA = ("--policy", "los-angeles-2019")
DAY = dt.date(2019, 11, 11)


@pytest.fixture
def dbpath(tmp_path: Path) -> Path:
    rows = [*people_rows(), conviction("1005", "001001001000", "459 PC-BURGLARY", county="KERN")]
    return seed(tmp_path / "t.db", rows)


def _as(monkeypatch: pytest.MonkeyPatch, account: str) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: account)


def _state(path: Path) -> tuple[int | None, int, int, int]:
    """(active run, runs, determinations, queue rows)."""
    conn = db.connect(path)
    try:
        counts = [
            int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # noqa: S608
            for t in ("runs", "determinations", "review_cases")
        ]
        return (db.active_run_id(conn), *counts)  # type: ignore[return-value]
    finally:
        conn.close()


def _audit(path: Path) -> list[tuple[str, str, str, dict[str, object]]]:
    conn = db.connect(path)
    try:
        rows = conn.execute("SELECT action, actor, target, detail FROM audit ORDER BY id")
        return [(str(r[0]), str(r[1]), str(r[2]), json.loads(r[3])) for r in rows]
    finally:
        conn.close()


def _grant(path: Path, account: str, role: str) -> None:
    conn = db.connect(path)
    try:
        roles.grant(conn, ME, account, role)
    finally:
        conn.close()


def test_a_reviewer_is_refused_classify_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, dbpath: Path
) -> None:
    assert run_cli(capsys, "classify", *LA, "--db", str(dbpath))[0] == 0
    before, trail = _state(dbpath), _audit(dbpath)
    _as(monkeypatch, "bob")
    code, out, err = run_cli(capsys, "classify", *LA, "--force", "--db", str(dbpath))
    assert (code, out) == (1, "")
    assert one_line_error(err) == (
        "triage: refused: making a new classification run active (triage classify) needs the "
        "supervisor role (account bob is a reviewer)"
    )
    assert _state(dbpath) == before
    assert _audit(dbpath) == [*trail, ("refused", "bob", "pack:los-angeles-2019", {
        "attempted": "classify", "account": "bob", "role": "reviewer", "needs": "supervisor",
        "county": "LOS ANGELES"})]  # fmt: skip


def test_a_reviewer_is_refused_export_court_but_not_the_other_exports(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dbpath: Path,
    tmp_path: Path,
) -> None:
    assert run_cli(capsys, "classify", *LA, "--db", str(dbpath))[0] == 0
    trail = _audit(dbpath)
    _as(monkeypatch, "bob")
    court = tmp_path / "court"
    code, out, err = run_cli(capsys, "export", "court", "--out", str(court), "--allow-pending",
                             "--db", str(dbpath))  # fmt: skip
    assert (code, out) == (1, "")
    assert one_line_error(err) == (
        "triage: refused: export court (what the office files with the court) needs the "
        "supervisor role (account bob is a reviewer)"
    )
    assert not court.exists()
    assert _audit(dbpath) == [*trail, ("refused", "bob", "export:court", {
        "attempted": "export", "account": "bob", "role": "reviewer",
        "needs": "supervisor"})]  # fmt: skip
    for kind in ("decisions", "summary", "gogen"):
        code, _, err = run_cli(capsys, "export", kind, "--out", str(tmp_path / kind),
                               "--db", str(dbpath))  # fmt: skip
        assert code == 0, err
    exports = [(a, t) for action, a, t, _ in _audit(dbpath) if action == "export"]
    assert exports == [("bob", "export:decisions"), ("bob", "export:summary"),
                       ("bob", "export:gogen")]  # fmt: skip


def test_a_granted_supervisor_and_the_owner_classify_and_export_court(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dbpath: Path,
    tmp_path: Path,
) -> None:
    assert run_cli(capsys, "classify", *LA, "--db", str(dbpath))[0] == 0  # the owner
    assert run_cli(capsys, "export", "court", "--out", str(tmp_path / "mine"), "--allow-pending",
                   "--db", str(dbpath))[0] == 0  # fmt: skip
    _grant(dbpath, "carol", "supervisor")
    _as(monkeypatch, "carol")
    code, out, err = run_cli(capsys, "classify", *LA, "--db", str(dbpath))
    assert code == 0, err
    assert "run 2 is now the active run" in out
    code, _, err = run_cli(capsys, "export", "court", "--out", str(tmp_path / "hers"),
                           "--allow-pending", "--db", str(dbpath))  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "hers" / "manifest.json").is_file()
    acts = [(action, actor) for action, actor, _, _ in _audit(dbpath)
            if action in ("classify", "export", "refused")]  # fmt: skip
    assert acts == [("classify", ME), ("export", ME), ("classify", "carol"), ("export", "carol")]


def test_a_revoked_supervisor_cannot_activate_or_force_a_run_already_under_way(
    dbpath: Path,
) -> None:
    """The role is checked again as the run becomes active, and when `force` overrides the
    loss check: a supervisor revoked while the run was classifying activates nothing."""
    conn = db.connect(dbpath)
    classify_run(conn, load_pack("los-angeles-2019"), county="LOS ANGELES",
                 compute_at=DAY,
                 actor=ME)  # fmt: skip
    roles.grant(conn, ME, "carol", "supervisor")
    before = _state(dbpath)

    def revoke(done: int, total: int) -> None:
        if done == 0:  # another connection, as the owner would from their own login
            other = db.connect(dbpath)
            try:
                roles.revoke(other, ME, "carol")
            finally:
                other.close()

    cases = [
        ("los-angeles-2019", "LOS ANGELES", False, "making a new classification run active"),
        ("california-statute", "SACRAMENTO", True, r"overriding the run checks \(--force\)"),
    ]
    for pack_id, county, force, message in cases:
        pack = load_pack(pack_id)
        with pytest.raises(RefusedError, match=message + ".*account carol is without a role"):
            classify_run(conn, pack, county=county, compute_at=DAY,
                         actor="carol", progress=revoke, force=force)  # fmt: skip
        roles.grant(conn, ME, "carol", "supervisor")
    conn.close()
    assert _state(dbpath) == before  # the refused runs were removed whole
    refused = [(t, d["attempted"]) for action, _, t, d in _audit(dbpath) if action == "refused"]
    assert refused == [("pack:los-angeles-2019", "classify"),
                       ("pack:california-statute", "classify --force")]  # fmt: skip


@pytest.mark.skipif(os.geteuid() != 0, reason="giving the database to another account needs root")
def test_a_real_non_owner_account_is_refused_classify_and_export_court(
    capsys: pytest.CaptureFixture[str], dbpath: Path, tmp_path: Path
) -> None:
    """The same refusals with no stand-in: the file belongs to another OS account."""
    assert run_cli(capsys, "classify", *LA, "--db", str(dbpath))[0] == 0
    owner = next(e for e in pwd.getpwall()
                 if e.pw_uid != os.getuid() and re.fullmatch(r"[a-z][a-z0-9-]*", e.pw_name))  # fmt: skip
    os.chown(dbpath, owner.pw_uid, -1)  # we (root) are now just another account of the group
    before = _state(dbpath)
    code, _, err = run_cli(capsys, "classify", *LA, "--db", str(dbpath))
    assert code == 1 and f"(account {ME} is a reviewer)" in one_line_error(err)
    code, _, err = run_cli(capsys, "export", "court", "--out", str(tmp_path / "c"),
                           "--allow-pending", "--reviewer", "ann", "--db", str(dbpath))  # fmt: skip
    assert code == 2 and "only the database's owner" in one_line_error(err)
    code, _, err = run_cli(capsys, "export", "court", "--out", str(tmp_path / "c"),
                           "--allow-pending", "--db", str(dbpath))  # fmt: skip
    assert code == 1 and "export court" in one_line_error(err)
    assert _state(dbpath) == before and not (tmp_path / "c").exists()
    refused = [(a, d["attempted"]) for action, a, _, d in _audit(dbpath) if action == "refused"]
    assert refused == [(ME, "classify"), (ME, "--reviewer"), (ME, "export")]
