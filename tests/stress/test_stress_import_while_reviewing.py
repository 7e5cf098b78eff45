"""A 100,000-row import running while 4 reviewers decide (issue 4, test 4).

The import runs in its own process with the default chunk size, as `triage import` would;
four reviewer processes decide at a steady pace for as long as it runs. Requirements: no
reviewer error, worst decision latency under one second (the import parses outside the
write lock and commits in short chunks), every acknowledged decision stored, and the
import complete and exact.

The reviewers decide far faster than people do (5 ms apart) so that a few hundred
decisions sample the whole import; each latency is what a person deciding at that moment
would wait.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import subprocess
import sys
from pathlib import Path

import pytest
from stress_helpers import build_review_db, missing_acks, percentile, read_logs, spawn_deciders

from triage import db
from triage.importers import CHUNK_ROWS
from triage.sample import write_doj_csv

# Stress, kill -9 and concurrency: in CI and the full run; `pytest -m "not slow"` skips them.
pytestmark = pytest.mark.slow

HELPERS = Path(__file__).resolve().parents[1] / "support" / "stress_helpers.py"
REVIEWERS = 4
IMPORT_ROWS = 100_000
WORST_LATENCY_MS = 1000.0


def _parse(moment: str) -> dt.datetime:
    return dt.datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S.%fZ")


def test_import_of_100k_rows_while_four_reviewers_decide(tmp_path: Path) -> None:
    path = tmp_path / "office.db"
    keys = build_review_db(path, people=1000, seed=3)
    share = len(keys) // REVIEWERS
    source = tmp_path / "big.csv"
    rows = write_doj_csv(source, people=12_500, seed=77)  # about 104,000 rows
    assert rows >= IMPORT_ROWS

    stop = tmp_path / "import-finished"
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(REVIEWERS + 1)
    logs = [tmp_path / f"reviewer{n}.jsonl" for n in range(REVIEWERS)]
    slices = [keys[n * share : (n + 1) * share] for n in range(REVIEWERS)]
    reviewers = spawn_deciders(
        path, slices, [], logs, barrier, reviewer_prefix="reviewer", pause=0.005, stop_file=stop
    )
    for p in reviewers:
        p.start()
    try:
        barrier.wait(timeout=120)
        importer = subprocess.Popen(
            [sys.executable, str(HELPERS), "import", str(path), str(source), str(CHUNK_ROWS)]
        )
        assert importer.wait(timeout=300) == 0
    finally:
        stop.touch()  # the reviewers stop however the import ended
        for p in reviewers:
            p.join(timeout=120)
    assert [p.exitcode for p in reviewers] == [0] * REVIEWERS

    log = read_logs(logs)
    assert log.errors == []
    assert log.done == REVIEWERS
    conn = db.connect(path)
    try:
        assert missing_acks(conn, log.acks) == []
        imported = conn.execute(
            "SELECT rows_total, rows_imported + rows_duplicate, rows_quarantined, "
            "first_imported_at, completed_at FROM source_files WHERE name = 'big.csv'"
        ).fetchone()
        assert imported is not None and imported[4] is not None
        assert (imported[0], imported[1], imported[2]) == (rows, rows, 0)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The reviewers really worked while the import was writing.
        during = conn.execute(
            "SELECT count(*) FROM decisions WHERE created_at BETWEEN ? AND ?",
            (imported[3], imported[4]),
        ).fetchone()[0]
        seconds = (_parse(imported[4]) - _parse(imported[3])).total_seconds()
    finally:
        conn.close()
    assert during >= 20, f"only {during} decisions overlapped the import"

    lat = log.latencies_ms
    print(
        f"\nimport of {rows} rows in {seconds:.1f} s while {REVIEWERS} reviewers decided: "
        f"{len(log.acks)} decisions ({during} during the import), {len(log.errors)} errors, "
        f"p50 {percentile(lat, 0.5):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms, "
        f"max {max(lat):.1f} ms"
    )
    assert max(lat) < WORST_LATENCY_MS
