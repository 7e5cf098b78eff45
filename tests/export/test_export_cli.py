"""`triage export`: every kind through the CLI, bad input, audit entries, kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import run_cli
from exportseed import add_file, add_run, doj_row, new_db

from triage import audit, db, review
from triage.export.bundle import STAGING_PREFIX


def _seed(path: Path) -> sqlite3.Connection:
    conn = new_db(path)
    add_file(conn, [
        doj_row(SUBJECT_ID="1", CNT_ORDER="001001001000", OFFENSE_DESCR="11358 HS-CULTIVATE",
                OFN="F1", STP_ORI_CODE="CA0340100", STP_ORI_DESCR="SUPERIOR COURT"),
        doj_row(SUBJECT_ID="2", CNT_ORDER="002001001000", OFFENSE_DESCR="11360 HS-TRANSPORT",
                OFN="F2", STP_ORI_CODE="CA0340100", STP_ORI_DESCR="SUPERIOR COURT",
                COMMENT_TEXT="=1+1"),
    ])  # fmt: skip
    run_id = add_run(conn, {
        "1:001001001000": {"outcome": "dismiss", "label": "Eligible for Dismissal",
                           "reason": "Dismiss all HS 11358 convictions", "section": "11358 HS"},
        "2:002001001000": {"outcome": "review", "reason": "look", "section": "11360 HS"},
    })  # fmt: skip
    review.decide(conn, "2:002001001000", "not_eligible", "ana", run_id=run_id)
    review.add_note(conn, "2", "@SUM(1)", "ana", key="2:002001001000")
    return conn


@pytest.mark.parametrize(
    ("kind", "files"),
    [
        ("gogen", {"All_Results.csv", "All_Results_Condensed.csv", "Prop64_Results.csv",
                   "gogen.json"}),
        ("court", {"exhibit-sacramento-ca0340100.csv", "exhibit-sacramento-ca0340100.pdf",
                   "order-sacramento-ca0340100.pdf",
                   "challenged.csv", "challenged.pdf", "README.txt"}),
        ("decisions", {"decisions.csv", "notes.csv"}),
        ("summary", {"summary.md", "summary.pdf"}),
    ],
)  # fmt: skip
def test_each_kind_writes_its_files_manifest_and_an_audit_entry(
    kind: str,
    files: set[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    conn = _seed(tmp_path / "t.db")
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        capsys, "export", kind, "--out", str(out), "--db", str(tmp_path / "t.db"), "--json"
    )
    assert code == 0, err
    manifest = json.loads(stdout)
    assert {f["name"] for f in manifest["files"]} == files
    assert {p.name for p in out.iterdir()} == files | {"manifest.json"}
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())
    assert manifest["kind"] == kind and manifest["run_id"] == 1
    assert manifest["pack"] == {
        "id": "test-pack",
        "title": "Test pack",
        "version": "1",
        "hash": "abc123",
    }
    assert manifest["compute_at"] == "2019-11-11" and manifest["county"] == "SACRAMENTO"
    entries = [r for r in conn.execute("SELECT * FROM audit WHERE action = 'export'")]
    assert len(entries) == 1 and entries[0]["target"] == f"export:{kind}"
    detail = json.loads(entries[0]["detail"])
    assert detail["files"] == {f["name"]: f["rows"] for f in manifest["files"]}
    assert audit.verify(conn).ok


def test_default_profiles_and_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(tmp_path / "t.db")
    dbarg = ["--db", str(tmp_path / "t.db")]
    run_cli(capsys, "export", "decisions", "--out", str(tmp_path / "s"), *dbarg)
    assert "'@SUM(1)" in (tmp_path / "s" / "notes.csv").read_text(encoding="utf-8-sig")
    run_cli(
        capsys, "export", "decisions", "--out", str(tmp_path / "m"), "--profile", "machine", *dbarg
    )
    assert ",@SUM(1)\n" in (tmp_path / "m" / "notes.csv").read_text()
    run_cli(capsys, "export", "gogen", "--out", str(tmp_path / "g"), *dbarg)
    assert ",=1+1," in (tmp_path / "g" / "All_Results.csv").read_text()  # as gogen wrote
    code, stdout, _ = run_cli(
        capsys, "export", "gogen", "--out", str(tmp_path / "gs"), "--profile", "spreadsheet", *dbarg
    )
    assert code == 0 and "spreadsheet profile" in stdout
    assert ",'=1+1," in (tmp_path / "gs" / "All_Results.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["export", "pdf"], 2, "unknown kind 'pdf'"),
        (["export", "gogen", "--profile", "excel"], 2, "--profile"),
        (["export", "gogen", "--run", "42"], 1, "--run 42: no such run"),
        (["export", "gogen", "--out", "{tmp}/no/such/dir"], 1, "does not exist"),
        (["export", "gogen", "--db", "{tmp}/missing.db"], 1, "no such database"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    argv: list[str],
    code: int,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    conn = _seed(tmp_path / "t.db")
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    if "--db" not in args:
        args += ["--db", str(tmp_path / "t.db")]
    got, stdout, err = run_cli(capsys, *args)
    assert got == code
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert conn.execute("SELECT count(*) FROM audit WHERE action = 'export'").fetchone()[0] == 0


def test_unfinished_run_and_no_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = new_db(tmp_path / "t.db")
    dbarg = ["--db", str(tmp_path / "t.db")]
    code, _, err = run_cli(capsys, "export", "summary", "--out", str(tmp_path / "o"), *dbarg)
    assert code == 1 and "no classification run yet" in err
    code, stdout, _ = run_cli(capsys, "export", "decisions", "--out", str(tmp_path / "d"), *dbarg)
    assert code == 0 and "no run" in stdout  # the decisions log needs no run
    add_run(conn, {})
    with db.write(conn):
        conn.execute("UPDATE runs SET finished_at = NULL")
    code, _, err = run_cli(
        capsys, "export", "court", "--out", str(tmp_path / "o"), "--run", "1", *dbarg
    )
    assert code == 1 and "never finished" in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def _big_db(path: Path, people: int) -> None:
    conn = new_db(path)
    rows = []
    dets: dict[str, dict[str, object]] = {}
    for i in range(people):
        sid = f"{i:07d}"
        for j in range(4):
            cnt = f"{i % 900 + 100:03d}001{j:03d}000"
            rows.append(
                doj_row(
                    SUBJECT_ID=sid,
                    CNT_ORDER=cnt,
                    OFN=f"C{i}",
                    OFFENSE_DESCR="11358 HS-CULTIVATE",
                    COMMENT_TEXT="x" * 40,
                )
            )
            dets[f"{sid}:{cnt}"] = {"outcome": "dismiss", "reason": "r"}
    add_file(conn, rows)
    add_run(conn, dets)
    conn.close()


@pytest.mark.slow  # concurrency / kill -9
def test_kill_9_during_a_real_export_leaves_no_partial_file(tmp_path: Path) -> None:
    _big_db(tmp_path / "big.db", people=1500)
    out = tmp_path / "out"
    export = [sys.executable, "-m", "triage", "export", "gogen", "--out", str(out)]
    export += ["--db", str(tmp_path / "big.db")]
    proc = subprocess.Popen(export, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    staged: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        staged = [p for p in out.glob(f"{STAGING_PREFIX}*/All_Results.csv") if p.stat().st_size > 0]
        if staged:
            break
        time.sleep(0.002)
    assert staged, "the export finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert [p.name for p in out.iterdir() if not p.name.startswith(STAGING_PREFIX)] == []
    # The next export clears the dead one's staging folder and completes.
    done = subprocess.run(export, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "All_Results.csv",
        "All_Results_Condensed.csv",
        "Prop64_Results.csv",
        "gogen.json",
        "manifest.json",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert {f["name"]: f["rows"] for f in manifest["files"]}["All_Results.csv"] == 6000
