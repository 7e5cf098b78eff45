"""`triage stats`: counts of rows, people, convictions, determinations, decisions, notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from classify_support import add_decision, people_rows, seed
from cli_support import run_cli

from triage import db

KEYS = [
    "rows",
    "people",
    "convictions",
    "quarantined",
    "determinations",
    "decisions",
    "notes",
    "run",
]


@pytest.fixture
def dbpath(tmp_path: Path) -> Path:
    return seed(tmp_path / "t.db", people_rows())


def _quarantine_one(path: Path) -> None:
    conn = db.connect(path)
    with db.write(conn):
        conn.execute(
            "INSERT INTO quarantine (file_id, line, reason, raw) "
            "VALUES (1, 99, '94 fields, expected 95', 'x')"
        )
    conn.close()


def test_stats_json_before_any_run(capsys: pytest.CaptureFixture[str], dbpath: Path) -> None:
    code, out, err = run_cli(capsys, "stats", "--json", "--db", str(dbpath))
    assert (code, err) == (0, "")
    stats = json.loads(out)
    assert list(stats) == KEYS
    assert (stats["rows"], stats["people"], stats["convictions"], stats["quarantined"]) == (
        8,
        4,
        6,
        0,
    )
    assert stats["determinations"] == {"total": 0, "by_outcome": {}, "by_reason": {}}
    assert stats["decisions"] == {"entries": 0, "current": 0, "by_kind": {}}
    assert (stats["notes"], stats["run"]) == (0, None)


def test_stats_json_follows_the_active_run(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    run_cli(capsys, "classify", "--policy", "los-angeles-2019", "--db", str(dbpath))
    add_decision(dbpath, "1001:001002001000", "dismiss")
    add_decision(dbpath, "1001:001002001000", "defer")  # the same reviewer changes their mind
    add_decision(dbpath, "1002:001001001000", "dismiss")
    _quarantine_one(dbpath)
    code, out, _ = run_cli(capsys, "stats", "--json", "--db", str(dbpath))
    stats = json.loads(out)
    assert code == 0 and list(stats) == KEYS
    assert stats["quarantined"] == 1
    dets = stats["determinations"]
    assert dets["total"] == 3 == sum(dets["by_outcome"].values()) == sum(dets["by_reason"].values())
    assert dets["by_outcome"] == {"dismiss": 2, "review": 1}
    assert dets["by_reason"]["Misdemeanor or Infraction"] == 1
    assert stats["decisions"] == {"entries": 3, "current": 2, "by_kind": {"defer": 1, "dismiss": 1}}
    assert stats["notes"] == 3
    run = stats["run"]
    assert (run["id"], run["pack_id"], run["county"], run["compute_at"]) == (
        1,
        "los-angeles-2019",
        "LOS ANGELES",
        "2019-11-11",
    )
    assert run["finished_at"] and run["convictions"] == 3 and len(run["pack_hash"]) == 64

    run_cli(capsys, "classify", "--policy", "dismiss-all", "--county", "SACRAMENTO", "--force",
            "--db", str(dbpath))  # fmt: skip
    stats = json.loads(run_cli(capsys, "stats", "--json", "--db", str(dbpath))[1])
    assert stats["run"]["id"] == 2 and stats["run"]["pack_id"] == "dismiss-all"
    assert stats["determinations"]["by_outcome"] == {"dismiss": 1}
    assert stats["decisions"]["current"] == 2  # reviewer work outlives re-classification


def test_stats_text(capsys: pytest.CaptureFixture[str], dbpath: Path) -> None:
    code, out, _ = run_cli(capsys, "stats", "--db", str(dbpath))
    assert code == 0 and "none yet" in out
    run_cli(capsys, "classify", "--policy", "los-angeles-2019", "--db", str(dbpath))
    code, out, err = run_cli(capsys, "stats", "--db", str(dbpath))
    assert (code, err) == (0, "")
    lines = [line.split() for line in out.splitlines()]
    assert ["source", "rows", "8", "(quarantined", "0)"] in lines
    assert ["people", "4"] in lines and ["convictions", "6"] in lines
    assert ["determinations", "3"] in lines and ["dismiss", "2"] in lines
    assert "run             1: los-angeles-2019 v2019.2 (LOS ANGELES" in out
    assert "Misdemeanor or Infraction" in out
