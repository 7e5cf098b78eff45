"""Worker functions for the stress, crash and concurrency tests (and bench_concurrency.py).

Workers run in their own processes (multiprocessing `spawn`, or as a script for the kill
tests: `python tests/support/stress_helpers.py decide|import ...`) and open their own connections
through `triage.db.connect`. A decision worker writes one JSON line per outcome to its
output file with `os.write` right after `review.decide()` returns, so a line on disk means
the decision was acknowledged to the caller, even when the worker is then killed -9.

Output lines:
    {"ack": KEY, "version": V, "id": DECISION_ID, "reviewer": R, "ms": LATENCY}
    {"conflict": KEY, "ms": LATENCY}            (expected: someone decided it first)
    {"unchanged": KEY, "ms": LATENCY}           (it already carried that decision)
    {"error": "ExceptionType", "key": KEY}       (unexpected: the tests require none)
    {"done": true}
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage import db, identity, review
from triage.errors import ConflictError

DECISION_KINDS = ("dismiss", "reduce", "not_eligible", "defer")


def spawn_deciders(
    db_path: Path,
    key_slices: Sequence[Sequence[str]],
    contended: Sequence[str],
    logs: Sequence[Path],
    barrier: Any,
    *,
    reviewer_prefix: str = "rev",
    pause: float = 0.0,
    stop_file: Path | None = None,
) -> list[Any]:
    """One `decide_worker` process per key slice (spawned, not yet started)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    return [
        ctx.Process(
            target=decide_worker,
            args=(
                str(db_path),
                f"{reviewer_prefix}{n}",
                list(keys),
                list(contended),
                str(logs[n]),
                barrier,
                pause,
                None if stop_file is None else str(stop_file),
            ),
        )  # fmt: skip
        for n, keys in enumerate(key_slices)
    ]


def build_review_db(
    path: Path, *, people: int, seed: int = 11, county: str = "LOS ANGELES"
) -> list[str]:
    """A database imported from the sample generator and classified with the LA pack.
    Returns every conviction key, sorted."""
    from rules.packs import load_pack
    from triage.classify import classify_run
    from triage.importers import import_files
    from triage.sample import write_doj_csv

    source = path.with_suffix(".source.csv")
    write_doj_csv(source, people=people, seed=seed, home_county=county)
    conn = db.connect(path, create=True)
    try:
        import_files(conn, [source], actor="stress-setup")
        classify_run(
            conn,
            load_pack("los-angeles-2019"),
            county=county,
            compute_at=dt.date(2019, 7, 1),
            actor=identity.os_account(),
        )
        return [str(r[0]) for r in conn.execute("SELECT key FROM convictions ORDER BY key")]
    finally:
        conn.close()
        source.unlink()


def _emit(fd: int, entry: dict[str, Any]) -> None:
    os.write(fd, (json.dumps(entry) + "\n").encode())


def _current_version(conn: Any, key: str) -> int:
    row = conn.execute("SELECT version FROM current_decisions WHERE key = ?", (key,)).fetchone()
    return 0 if row is None else int(row[0])


def decide_worker(
    db_path: str,
    reviewer: str,
    keys: Sequence[str],
    contended: Sequence[str],
    out_path: str,
    barrier: Any = None,
    pause: float = 0.0,
    stop_file: str | None = None,
) -> None:
    """Decide every key in `keys` (expected_version=0: nobody else touches them), and after
    every tenth one, one of the `contended` keys at the version just read (others race for
    it). Waits at `barrier` (a multiprocessing Barrier) so all workers begin together;
    sleeps `pause` seconds between decisions; stops early once `stop_file` exists (to keep
    deciding exactly as long as a concurrent import runs)."""
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    conn = db.connect(db_path)
    kinds = DECISION_KINDS
    try:
        if barrier is not None:
            barrier.wait()
        for n, key in enumerate(keys):
            if stop_file is not None and os.path.exists(stop_file):
                break
            _one(conn, fd, key, kinds[n % len(kinds)], reviewer, expected=0)
            if contended and n % 10 == 9:
                target = contended[(n // 10) % len(contended)]
                _one(conn, fd, target, kinds[(n // 10) % 4], reviewer, expected=None)
            if pause:
                time.sleep(pause)
        _emit(fd, {"done": True})
    finally:
        conn.close()
        os.close(fd)


def _one(conn: Any, fd: int, key: str, kind: str, reviewer: str, *, expected: int | None) -> None:
    version = _current_version(conn, key) if expected is None else expected
    started = time.perf_counter()
    try:
        result = review.decide(conn, key, kind, reviewer, expected_version=version)
    except ConflictError:
        _emit(fd, {"conflict": key, "ms": (time.perf_counter() - started) * 1000})
        return
    except Exception as exc:  # noqa: BLE001 - the tests count every unexpected failure
        _emit(fd, {"error": type(exc).__name__, "key": key})
        return
    ms = (time.perf_counter() - started) * 1000
    if not result.changed:  # the key already carried this decision: nothing was written
        _emit(fd, {"unchanged": key, "ms": ms})
        return
    _emit(
        fd,
        {"ack": key, "version": result.version, "id": result.id, "reviewer": reviewer,
         "kind": kind, "ms": ms},
    )  # fmt: skip


@dataclass
class WorkerLog:
    """What the decision workers wrote, merged."""

    acks: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    done: int = 0

    @property
    def latencies_ms(self) -> list[float]:
        return [float(e["ms"]) for e in self.acks + self.conflicts + self.unchanged]


def read_logs(paths: Sequence[Path]) -> WorkerLog:
    """Parse worker output files. A last line cut by a kill (no newline) is ignored: its
    decision was not yet acknowledged."""
    log = WorkerLog()
    for path in paths:
        if not path.exists():
            continue
        text = path.read_text("utf-8")
        complete = text if text.endswith("\n") else text[: text.rfind("\n") + 1]
        for raw in complete.splitlines():
            entry = json.loads(raw)
            if "ack" in entry:
                log.acks.append(entry)
            elif "conflict" in entry:
                log.conflicts.append(entry)
            elif "unchanged" in entry:
                log.unchanged.append(entry)
            elif "error" in entry:
                log.errors.append(entry)
            elif entry.get("done"):
                log.done += 1
    return log


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation): the value `fraction` of samples reach."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def missing_acks(conn: Any, acks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Acknowledged decisions not stored exactly as acknowledged (id, key, version, reviewer,
    decision)."""
    stored = {
        int(r[0]): (str(r[1]), int(r[2]), str(r[3]), r[4])
        for r in conn.execute("SELECT id, key, version, reviewer, decision FROM decisions")
    }
    return [
        a
        for a in acks
        if stored.get(int(a["id"])) != (a["ack"], int(a["version"]), a["reviewer"], a["kind"])
    ]


def import_worker(db_path: str, csv_path: str, chunk_rows: int) -> None:
    """Import one DOJ file (used as a subprocess that the kill tests SIGKILL)."""
    from triage.importers import import_files

    conn = db.connect(db_path, create=True)
    try:
        import_files(conn, [csv_path], chunk_rows=chunk_rows, actor="stress-import")
    finally:
        conn.close()


def main(argv: Sequence[str]) -> int:
    """`decide DB REVIEWER KEYS_FILE OUT [PAUSE]` or `import DB CSV CHUNK_ROWS`."""
    if argv[0] == "decide":
        keys = Path(argv[3]).read_text("utf-8").split()
        pause = float(argv[5]) if len(argv) > 5 else 0.0
        decide_worker(argv[1], argv[2], keys, [], argv[4], pause=pause)
    elif argv[0] == "import":
        import_worker(argv[1], argv[2], int(argv[3]))
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
