"""A `--db` that is not a triage database (empty, text, someone else's SQLite file, an SQLite
file with no tables) is refused with one line by every command, and left byte for byte as
it was: no schema, no WAL switch, no sidecar files (issue 10)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli

from triage import db
from triage.errors import TriageError
from triage.maintenance import doctor
from triage.sample import write_doj_csv


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("SUBJECT_ID,NAME\nnot a database\n")


def _other_sqlite(path: Path) -> None:
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    other.execute("INSERT INTO invoices (total) VALUES (12.5)")
    other.commit()
    other.close()


def _tableless_sqlite(path: Path) -> None:
    other = sqlite3.connect(path)
    other.execute("PRAGMA user_version = 7")  # writes the header, creates no table
    other.commit()
    other.close()


KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty": (_empty, "empty file (0 bytes), not a triage database"),
    "text": (_text, "not a triage database (not an SQLite file)"),
    "other-sqlite": (_other_sqlite, "this SQLite file is not a triage database"),
    "tableless-sqlite": (_tableless_sqlite, "an SQLite file with no triage tables"),
}

COMMANDS: dict[str, list[str]] = {
    "doctor": ["doctor"],
    "stats": ["stats"],
    "queue": ["queue"],
    "results": ["results"],
    "history": ["history", "S1:1"],
    "decide": ["decide", "S1:1", "--decision", "dismiss", "--reviewer", "alice"],
    "note": ["note", "S1", "a note", "--reviewer", "alice"],
    "undo": ["undo", "S1:1", "--reviewer", "alice"],
    "classify": ["classify", "--policy", "dismiss-all", "--county", "LOS ANGELES"],
    "backup": ["backup", "{tmp}/copy.db"],
    "export": ["export", "decisions", "--out", "{tmp}/out"],
    "review": ["review", "--reviewer", "alice"],
    "import": ["import", "{tmp}/county.csv"],
}


def _state(path: Path) -> tuple[bytes, list[str]]:
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_refuses_a_file_that_is_not_triage_and_leaves_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str
) -> None:
    make, message = KINDS[kind]
    if command == "import" and kind in ("empty", "tableless-sqlite"):
        pytest.skip("import makes databases: see test_import_may_fill_a_file_holding_no_data")
    path = tmp_path / "county.db"
    make(path)
    write_doj_csv(tmp_path / "county.csv", people=3, seed=1)
    before = _state(path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    code, _out, err = run_cli(capsys, *args, "--db", str(path))
    assert code == 1, (code, err)
    line = one_line_error(err)
    assert str(path) in line and message in line
    assert _state(path) == before
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", list(KINDS))
def test_doctor_names_what_the_file_is(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    path = tmp_path / "x.db"
    make(path)
    before = path.read_bytes()
    with pytest.raises(TriageError, match=re.escape(message)):
        doctor(path)
    assert path.read_bytes() == before


def test_doctor_on_a_missing_path_and_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "doctor", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "none.db: no such database" in one_line_error(err)
    assert not (tmp_path / "none.db").exists()
    code, _, err = run_cli(capsys, "doctor", "--db", str(tmp_path))
    assert code == 1 and "not a database file" in one_line_error(err)


@pytest.mark.parametrize("kind", ["empty", "tableless-sqlite"])
def test_import_may_fill_a_file_holding_no_data(tmp_path: Path, kind: str) -> None:
    """What a first import killed before its schema was written leaves behind (an empty
    file, or one SQLite switched to WAL) holds nothing to lose: import resumes into it."""
    path = tmp_path / "county.db"
    KINDS[kind][0](path)
    conn = db.connect(path, create=True)
    assert db.get_meta(conn, "schema_version") == str(db.SCHEMA_VERSION)
    conn.close()
