"""A killed import: SIGKILL part-way, re-run, and the database holds exactly the file.

The import runs in a subprocess; the test watches the database until some chunks are
committed, kills the process, then imports the same file again in-process and compares
every table with a clean import of the same file.
"""

from __future__ import annotations

import csv
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from triage import audit, db
from triage.importers import DOJ_COLUMNS, import_files

# Stress, kill -9 and concurrency: in CI and the full run; `pytest -m "not slow"` skips them.
pytestmark = pytest.mark.slow

CHILD = """
import sys, time
from triage import db
from triage.importers import import_files, producer

path, source, chunk, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
if sys.argv[5] == "helper":
    producer.HELPER_MIN_BYTES, producer.HELPER_MIN_CPUS = 0, 1  # read it in a helper process
conn = db.connect(path, create=True)
import_files(conn, [source], chunk_rows=chunk, actor="kill-test",
             progress=lambda *_: time.sleep(pause))
"""


def write_source(path: Path, records: int) -> tuple[Path, int]:
    """A DOJ file with duplicates and bad lines mixed in; returns (path, physical records)."""
    subject = DOJ_COLUMNS.index("SUBJECT_ID")
    order = DOJ_COLUMNS.index("CNT_ORDER")
    disp = DOJ_COLUMNS.index("DISP_DESCR")
    name = DOJ_COLUMNS.index("PRI_NAME")
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(DOJ_COLUMNS)
        for n in range(records):
            fields = [""] * len(DOJ_COLUMNS)
            fields[subject] = str(70_000_000 + n // 4)
            fields[order] = f"001{n % 4 + 1:03d}001000"
            fields[disp] = "CONVICTED" if n % 3 else "DISMISSED"
            fields[name] = f"SAMPLE,PERSON {n // 4}"
            if n % 41 == 40:
                fields[subject] = str(70_000_000 + (n - 40) // 4)  # an exact duplicate row
                fields[order] = f"001{(n - 40) % 4 + 1:03d}001000"
                fields[disp] = "CONVICTED" if (n - 40) % 3 else "DISMISSED"
                fields[name] = f"SAMPLE,PERSON {(n - 40) // 4}"
            if n % 97 == 96:
                fields = fields[:94]  # a bad line
            out.writerow(fields)
            written += 1
    return path, written


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "source_rows": "SELECT * FROM source_rows ORDER BY id",
        "duplicate_rows": "SELECT * FROM duplicate_rows ORDER BY line",
        "quarantine": "SELECT line, reason, raw FROM quarantine ORDER BY line",
        "people": "SELECT * FROM people ORDER BY subject_id",
        "convictions": "SELECT * FROM convictions ORDER BY key",
        "files": "SELECT rows_total, rows_imported, rows_duplicate, rows_quarantined, "
        "completed_at IS NOT NULL FROM source_files",
    }
    return {name: [tuple(r) for r in conn.execute(sql)] for name, sql in queries.items()}


def progress_of(path: Path) -> tuple[int, bool]:
    """(records written so far, completed) as another process sees them."""
    if not path.exists():
        return 0, False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT rows_total, completed_at FROM source_files").fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0, False  # schema not there yet
    return (0, False) if row is None else (int(row[0]), row[1] is not None)


@pytest.mark.parametrize(
    ("pause", "kill_after", "reader"),
    [(0.05, 600, "inline"), (0.0, 1, "inline"), (0.05, 600, "helper")],
    ids=["between-chunks", "anywhere", "with-helper-process"],
)
def test_killed_import_resumes_to_exactly_the_file(
    tmp_path: Path, pause: float, kill_after: int, reader: str
) -> None:
    source, records = write_source(tmp_path / "big.csv", 6000)
    target = tmp_path / "killed.db"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), str(source), "200", str(pause), reader],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            written, done = progress_of(target)
            if written >= kill_after or done or child.poll() is not None:
                break
            time.sleep(0.005)
        helpers = psutil.Process(child.pid).children()
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert bool(helpers) == (reader == "helper")  # the reader (and multiprocessing's tracker)
    # A helper left behind notices its importer is gone and stops.
    _gone, alive = psutil.wait_procs(helpers, timeout=20)
    assert alive == []
    written, done = progress_of(target)
    assert not done and 0 < written < records, "the kill must land part-way through the import"

    conn = db.connect(target)
    report = import_files(conn, [source], actor="kill-test")
    assert report.files[0].status == "resumed"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    clean = db.connect(tmp_path / "clean.db", create=True)
    expected = import_files(clean, [source], actor="kill-test")
    assert snapshot(conn) == snapshot(clean)
    assert (report.imported, report.duplicates, report.quarantined) == (
        expected.imported, expected.duplicates, expected.quarantined,
    )  # fmt: skip
    assert expected.imported + expected.duplicates + expected.quarantined == records
    assert expected.duplicates > 100 and expected.quarantined > 50

    entries = conn.execute("SELECT action, detail FROM audit").fetchall()
    assert len(entries) == 1 and entries[0][0] == "import"
    assert json.loads(entries[0][1])["resumed"] is True
    assert audit.verify(conn).ok

    again = import_files(conn, [source])
    assert again.files[0].status == "skipped"
    assert snapshot(conn) == snapshot(clean)
