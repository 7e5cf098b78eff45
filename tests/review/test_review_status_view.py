"""The supervisor's `review_status` view: one row per conviction of the active run, read
with sqlite-utils (the library and its `sqlite-utils rows` command), as Datasette would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlite_utils
from review_fixtures import Conv, Person, build, new_db, sample_people

from triage import db, review

KEYS = [
    "S1:001001001000", "S1:002001001000", "S2:001001001000", "S3:001001001000",
    "S3:001001002000", "S4:001001001000", "S5:001001001000",
]  # fmt: skip


def _rows(path: Path) -> dict[str, dict[str, object]]:
    """The view's rows by key, through sqlite-utils as a supervisor's script would read them."""
    return {str(r["key"]): r for r in sqlite_utils.Database(path)["review_status"].rows}


def test_decided_and_undecided_convictions(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    conn = new_db(path)
    run_id = build(conn, sample_people())
    review.decide(conn, "S2:001001001000", "not_eligible", "alice",
                  note="court file shows a 290 registration", grounds_text="super-strike-or-290")  # fmt: skip
    conn.close()
    rows = _rows(path)
    # Every conviction the run determined (S2's burglary has no determination), once.
    assert sorted(rows) == KEYS
    decided = rows["S2:001001001000"]
    assert {k: decided[k] for k in ("run_id", "subject_id", "name", "dob", "county", "section",
                                    "outcome", "reason", "flags")} == {
        "run_id": run_id, "subject_id": "S2", "name": "BAKER,BOB", "dob": "19700101",
        "county": "SAN JOAQUIN", "section": "11359 HS", "outcome": "review",
        "reason": "Currently serving sentence", "flags": "charge_in_comment partial_date",
    }  # fmt: skip
    assert decided["decision"] == "not_eligible" and decided["reviewer"] == "alice"
    assert decided["decision_version"] == 1 and decided["decided_at"]
    assert decided["grounds"] == "super-strike-or-290"
    assert decided["note"] == "court file shows a 290 registration"
    undecided = rows["S1:001001001000"]
    assert undecided["outcome"] == "review" and undecided["name"] == "ADAMS,ANN"
    assert [undecided[k] for k in ("decision", "reviewer", "decided_at", "note")] == [None] * 4
    assert undecided["grounds"] == ""


def test_undo_and_a_suggestion_show(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    conn = new_db(path)
    build(conn, [Person("P1", "ROE,RAY", [Conv("001001001000", suggested="reduce")])])
    review.decide(conn, "P1:001001001000", "dismiss", "alice")
    review.undo(conn, "P1:001001001000", "alice")
    conn.close()
    row = _rows(path)["P1:001001001000"]
    assert row["suggestion"] == "reduce"
    # After an undo the conviction is undecided again, and the view says who undid it.
    assert row["decision"] is None and row["reviewer"] == "alice" and row["decision_version"] == 2


def test_it_follows_the_active_run(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    conn = new_db(path)
    first = build(conn, sample_people())
    second = build(conn, [Person("S9", "FOX,FAY", [Conv("001001001000")])])
    assert set(r["run_id"] for r in _rows(path).values()) == {second}
    assert list(_rows(path)) == ["S9:001001001000"]
    with db.write(conn):
        db.set_meta(conn, "active_run", str(first))  # where classify records the active run
    conn.close()
    assert sorted(_rows(path)) == KEYS


def test_sqlite_utils_command_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    conn = new_db(path)
    build(conn, sample_people())
    conn.close()
    tool = Path(sys.executable).parent / "sqlite-utils"
    out = subprocess.run([str(tool), "rows", str(path), "review_status"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert sorted(r["key"] for r in json.loads(out)) == KEYS
