"""kill -9 at random points (issue 4, test 5).

An import killed several times at random moments and then re-run must end with exactly
what one clean import gives: the same lines stored, counted as duplicates and quarantined,
the same people and convictions, one completion in the audit trail, and an intact file.
A decision worker killed mid-stream must lose nothing it acknowledged (a line it wrote
after `review.decide()` returned). The random delays come from a seeded RNG; the seed is
printed so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from stress_helpers import build_review_db, missing_acks, read_logs

from triage import audit, db
from triage.importers import import_files
from triage.sample import write_doj_csv

# Stress, kill -9 and concurrency: in CI and the full run; `pytest -m "not slow"` skips them.
pytestmark = pytest.mark.slow

HELPERS = Path(__file__).resolve().parents[1] / "support" / "stress_helpers.py"
SEED = int(os.environ.get("TRIAGE_KILL_SEED", time.time_ns() % 1_000_000))
CHUNK = 1000


def _snapshot(conn: sqlite3.Connection) -> dict[str, Any]:
    """Everything an import decides, independent of row ids."""

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in conn.execute(sql)]

    return {
        "stored": rows(
            "SELECT line, row_hash, subject_id, cnt_order FROM source_rows ORDER BY line"
        ),
        "duplicates": rows(
            "SELECT d.line, s.line FROM duplicate_rows d JOIN source_rows s ON s.id = d.row_id "
            "ORDER BY d.line"
        ),
        "quarantine": rows("SELECT line, reason FROM quarantine ORDER BY line"),
        "people": rows(
            "SELECT p.subject_id, p.name, p.dob, p.cii, s.line FROM people p "
            "JOIN source_rows s ON s.id = p.first_row_id ORDER BY p.subject_id"
        ),
        "convictions": rows(
            "SELECT c.key, c.parts, c.conflicting, c.event_date, s.line FROM convictions c "
            "JOIN source_rows s ON s.id = c.first_row_id ORDER BY c.key"
        ),
        "file": rows(
            "SELECT rows_total, rows_imported, rows_duplicate, rows_quarantined, "
            "completed_at IS NOT NULL FROM source_files"
        ),
    }


def _source(tmp_path: Path) -> Path:
    """A sample county file with a duplicate and two bad lines near its end."""
    path = tmp_path / "county.csv"
    write_doj_csv(path, people=2000, seed=5)
    lines = path.read_bytes().split(b"\r\n")
    extra = [lines[10], b"TRAILER,1", lines[5].rsplit(b",", 1)[0]]
    path.write_bytes(b"\r\n".join(lines[:-1] + extra) + b"\r\n")
    return path


def _import_process(db_path: Path, source: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(HELPERS), "import", str(db_path), str(source), str(CHUNK)],
        stderr=subprocess.DEVNULL,
    )


def _wait_for_rows(path: Path, target: int, proc: subprocess.Popen[bytes]) -> None:
    """Return once the import in `proc` has stored at least `target` rows (or ended)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists():
            # A bare read-only probe: db.connect() would create the schema itself if it
            # caught the file between its creation and the importer's schema transaction.
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
            try:
                count = conn.execute("SELECT count(*) FROM source_rows").fetchone()[0]
            except sqlite3.DatabaseError:
                count = -1  # schema not created yet
            finally:
                conn.close()
            if count >= target:
                return
        time.sleep(0.005)


def test_import_killed_at_random_points_resumes_exactly(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    print(f"\nkill seed {SEED} (replay with TRIAGE_KILL_SEED={SEED})")
    source = _source(tmp_path)

    reference = db.connect(tmp_path / "reference.db", create=True)
    import_files(reference, [source], chunk_rows=CHUNK)
    expected = _snapshot(reference)
    reference.close()
    assert expected["quarantine"] and expected["duplicates"]

    # Kill points: random row counts, ascending since each run resumes the last; after
    # reaching one, a random extra delay. The first kill comes before any chunk is written.
    total = len(expected["stored"])
    targets = [0, *sorted(rng.sample(range(CHUNK, total - CHUNK), 5))]
    path = tmp_path / "killed.db"
    partial_counts = set()
    for target in targets:
        proc = _import_process(path, source)
        _wait_for_rows(path, target, proc)
        time.sleep(rng.uniform(0.0, 0.05))
        was_running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if was_running and path.exists():
            conn = db.connect(path)
            done = conn.execute("SELECT completed_at FROM source_files").fetchone()
            if done is not None and done[0] is None:
                partial_counts.add(conn.execute("SELECT count(*) FROM source_rows").fetchone()[0])
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
    assert len(partial_counts) >= 3, f"kills did not land inside the import: {partial_counts}"

    assert _import_process(path, source).wait(timeout=120) == 0
    conn = db.connect(path)
    try:
        assert _snapshot(conn) == expected
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert audit.verify(conn).ok
        completions = conn.execute("SELECT count(*) FROM audit WHERE action = 'import'")
        assert completions.fetchone()[0] == 1
        # And once complete, a further run adds nothing.
        assert import_files(conn, [source]).files[0].status == "skipped"
        assert _snapshot(conn) == expected
    finally:
        conn.close()


def test_decisions_acknowledged_before_kill_are_all_stored(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    print(f"\nkill seed {SEED} (replay with TRIAGE_KILL_SEED={SEED})")
    path = tmp_path / "review.db"
    keys = build_review_db(path, people=900, seed=8)
    share = len(keys) // 3
    logs = []
    for n in range(3):
        keys_file = tmp_path / f"keys{n}.txt"
        keys_file.write_text("\n".join(keys[n * share : (n + 1) * share]), "utf-8")
        logs.append(tmp_path / f"acks{n}.jsonl")
        proc = subprocess.Popen(
            [sys.executable, str(HELPERS), "decide", str(path), f"reviewer{n}", str(keys_file),
             str(logs[n])],
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        # Kill once the worker has acknowledged some decisions, at a random later moment.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            not logs[n].exists() or logs[n].stat().st_size < 2000
        ):
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))
        assert proc.poll() is None, "the worker finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    log = read_logs(logs)
    assert log.errors == [] and log.done == 0
    assert len(log.acks) >= 3 * 20
    conn = db.connect(path)
    try:
        assert missing_acks(conn, log.acks) == []
        stored = conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
        # At most one decision per kill was committed but not yet acknowledged.
        assert len(log.acks) <= stored <= len(log.acks) + 3
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert audit.verify(conn).ok
        decided = conn.execute("SELECT count(*) FROM audit WHERE action = 'decide'").fetchone()[0]
        assert decided == stored
    finally:
        conn.close()


def _group_members(pgid: int) -> list[int]:
    """Live processes in process group `pgid` (from /proc; zombies do not count)."""
    members = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat_file.parent.name))
    return members


def test_killed_large_import_leaves_no_helper_and_resumes(tmp_path: Path) -> None:
    """A file big enough for the importer's reading helper process: killing the importer
    (only its own pid, as `kill -9 PID` does) must not leave the helper running, and the
    re-run must end with every record once."""
    from triage.importers.producer import HELPER_MIN_BYTES, use_helper

    source = tmp_path / "large.csv"
    people = 4000
    records = write_doj_csv(source, people=people, seed=6)
    while source.stat().st_size < HELPER_MIN_BYTES:
        people *= 2
        records = write_doj_csv(source, people=people, seed=6)
    helper_expected = use_helper(source.stat().st_size)  # not on a 1-CPU machine
    path = tmp_path / "large.db"
    proc = subprocess.Popen(
        [sys.executable, str(HELPERS), "import", str(path), str(source), str(CHUNK * 10)],
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, to find the helper it starts
    )
    _wait_for_rows(path, CHUNK * 20, proc)
    assert proc.poll() is None, "the import ended before it could be killed"
    if helper_expected:
        assert len(_group_members(proc.pid)) >= 2, "no reading helper was started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _group_members(proc.pid)
    for pid in left:  # do not leak them into the rest of the run, but fail
        os.kill(pid, signal.SIGKILL)
    assert left == [], "the importer's helper outlived it"

    assert _import_process(path, source).wait(timeout=300) == 0
    conn = db.connect(path)
    try:
        lines = {
            int(r[0])
            for r in conn.execute(
                "SELECT line FROM source_rows UNION ALL SELECT line FROM duplicate_rows"
            )
        }
        assert lines == set(range(2, records + 2))
        assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
        totals = conn.execute("SELECT rows_total, completed_at FROM source_files").fetchone()
        assert totals[0] == records and totals[1] is not None
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
