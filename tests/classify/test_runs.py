"""`triage.runs`: one typed run and one "which run?" answer, worded alike by every command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_support import run_cli
from review_fixtures import build, new_db, sample_people

from triage import db, review, runs
from triage.errors import TriageError


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, sqlite3.Connection]:
    path = tmp_path / "t.db"
    conn = new_db(path)
    build(conn, sample_people())
    return path, conn


def _unfinish(conn: sqlite3.Connection, run_id: int) -> None:
    with db.write(conn):
        conn.execute("UPDATE runs SET finished_at = NULL WHERE id = ?", (run_id,))


def test_resolve_active_and_explicit(built: tuple[Path, sqlite3.Connection]) -> None:
    _, conn = built
    active = runs.resolve(conn)
    assert active.id == db.active_run_id(conn) and active.finished
    assert runs.resolve(conn, active.id) == active
    assert active.county == "SAN JOAQUIN" and active.compute_date.year >= 2000
    # The review app's run is built from the same row.
    info = review.current_run(conn)
    assert info is not None and (info.id, info.pack_id, info.county, info.convictions) == (
        active.id, active.pack_id, active.county, active.convictions,
    )  # fmt: skip
    assert info == active  # the same typed record, not a copy with an untyped extra


def test_resolve_refusals_are_worded_once(tmp_path: Path) -> None:
    conn = new_db(tmp_path / "empty.db")
    with pytest.raises(TriageError) as none:
        runs.resolve(conn)
    assert str(none.value) == runs.NO_RUN
    with pytest.raises(TriageError, match=r"^--run 9: no such run \(see `triage stats`\)$"):
        runs.resolve(conn, 9)


def test_unfinished_run_is_refused_unless_asked(built: tuple[Path, sqlite3.Connection]) -> None:
    _, conn = built
    run_id = runs.resolve(conn).id
    _unfinish(conn, run_id)
    with pytest.raises(TriageError, match=rf"^--run {run_id}: that run never finished"):
        runs.resolve(conn, run_id)
    looked = runs.resolve(conn, run_id, finished=False)
    assert looked.id == run_id and not looked.finished and looked.finished_at is None


@pytest.mark.parametrize("command", [["queue"], ["results"], ["claim", "--next"]])
def test_cli_commands_agree_on_an_unfinished_run(
    built: tuple[Path, sqlite3.Connection], capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path, conn = built
    run_id = runs.resolve(conn).id
    _unfinish(conn, run_id)
    code, _, err = run_cli(capsys, *command, "--run", str(run_id), "--db", str(path))
    assert code == 1 and "Traceback" not in err
    assert err.strip() == f"triage: --run {run_id}: that run never finished; classify again"
    code, _, err = run_cli(capsys, *command, "--run", "99", "--db", str(path))
    assert code == 1 and err.strip() == "triage: --run 99: no such run (see `triage stats`)"
