"""Issue 10: a full disk is "disk full", exit 74, and nothing is half-written.

The disk fills for real as far as SQLite can tell: the command's connection gets
`PRAGMA max_page_count` just above the database's size, so SQLite itself answers
SQLITE_FULL exactly as it does on a full file system. For export files, ENOSPC is raised
where a staged file is flushed to disk. Each test then checks the real database or folder.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli

from triage import audit, db
from triage.errors import is_disk_full

ROOT = Path(__file__).resolve().parents[2]


def _tight(pages: int) -> Callable[..., sqlite3.Connection]:
    """`open_db` whose connection may grow the database by `pages` pages at most."""

    def open_db(path: Path, *, create: bool = False) -> sqlite3.Connection:
        conn = db.connect(path, create=create)
        size = int(conn.execute("PRAGMA page_count").fetchone()[0])
        conn.execute(f"PRAGMA max_page_count = {size + pages}")
        return conn

    return open_db


def _counts(path: Path, *tables: str) -> dict[str, int]:
    conn = db.connect(path)
    try:
        return {
            t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # noqa: S608
            for t in tables
        }
    finally:
        conn.close()


def test_sqlite_full_and_enospc_are_recognised(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError) as full:
        conn.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    assert is_disk_full(full.value)
    if Path("/dev/full").exists():
        with pytest.raises(OSError) as nospace, open("/dev/full", "wb") as handle:
            handle.write(b"x")
            handle.flush()
        assert is_disk_full(nospace.value)
    try:
        raise ValueError("wrapped") from full.value
    except ValueError as wrapped:
        assert is_disk_full(wrapped)
    assert not is_disk_full(sqlite3.OperationalError("database is locked"))


def test_import_disk_full_keeps_whole_chunks_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage import sample

    source = tmp_path / "county.csv"
    sample.write_doj_csv(source, people=400, seed=3, home_county="SAN JOAQUIN")
    path = tmp_path / "t.db"
    monkeypatch.setattr("triage.cli.importing.open_db", _tight(60))
    code, out, err = run_cli(capsys, "import", "--db", str(path), str(source))
    assert (code, out) == (74, "")
    assert one_line_error(err) == (
        "triage: disk full while importing: the chunk being written was rolled back, the rows "
        "before it are kept; free space and run the same import again to finish it"
    )
    held = _counts(path, "source_rows", "duplicate_rows", "quarantine")
    assert sum(held.values()) % 5000 == 0  # whole chunks only
    monkeypatch.undo()
    code, out, err = run_cli(capsys, "import", "--db", str(path), str(source))
    assert code == 0, err
    clean = tmp_path / "clean.db"
    assert run_cli(capsys, "import", "--db", str(clean), str(source))[0] == 0
    tables = ("source_rows", "duplicate_rows", "quarantine", "people", "convictions")
    assert _counts(path, *tables) == _counts(clean, *tables)
    assert run_cli(capsys, "doctor", "--db", str(path))[0] == 0


def _sample_copy(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    shutil.copy(ROOT / "sample.db", path)
    return path


def test_decide_disk_full_saves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _sample_copy(tmp_path)
    conn = db.connect(path)
    key = str(conn.execute("SELECT key FROM determinations LIMIT 1").fetchone()[0])
    conn.close()
    before = _counts(path, "decisions", "notes", "audit")
    monkeypatch.setattr("triage.cli.reviewing.open_db", _tight(1))
    note = "checked the court file " * 800  # needs overflow pages the disk no longer has
    code, _, err = run_cli(
        capsys, "decide", key, "--decision", "dismiss", "--note", note, "--reviewer", "ana",
        "--db", str(path),
    )  # fmt: skip
    assert code == 74
    assert one_line_error(err) == "triage: disk full while saving: nothing was saved"
    assert _counts(path, "decisions", "notes", "audit") == before
    conn = db.connect(path)
    assert audit.verify(conn).ok
    conn.close()


def test_classify_disk_full_leaves_the_active_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _sample_copy(tmp_path)
    before = _counts(path, "audit", "review_cases")
    monkeypatch.setattr("triage.cli.classifying.open_db", _tight(2))
    code, _, err = run_cli(capsys, "classify", "--policy", "los-angeles-2019", "--db", str(path))
    assert code == 74
    assert one_line_error(err) == (
        "triage: disk full while classifying: the new run was not made active; the active run "
        "is unchanged"
    )
    conn = db.connect(path)
    assert db.active_run_id(conn) == 1
    assert conn.execute("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM determinations WHERE run_id > 1").fetchone()[0] == 0
    conn.close()
    assert _counts(path, "audit", "review_cases") == before


def test_export_disk_full_leaves_the_folder_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage.export import bundle

    path = _sample_copy(tmp_path)
    out = tmp_path / "court"
    args = ("export", "court", "--out", str(out), "--db", str(path), "--allow-pending")
    assert run_cli(capsys, *args)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    exports = _counts(path, "audit")["audit"]
    real_sync = bundle._sync
    synced: list[int] = []

    def no_space_on_second_file(handle: object) -> None:
        synced.append(1)
        if len(synced) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_sync(handle)

    monkeypatch.setattr(bundle, "_sync", no_space_on_second_file)
    code, _, err = run_cli(capsys, *args)
    assert code == 74
    assert one_line_error(err) == (
        "triage: disk full while exporting: the staged files were removed; the files in the "
        "folder are untouched"
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging left either
    assert _counts(path, "audit")["audit"] == exports
