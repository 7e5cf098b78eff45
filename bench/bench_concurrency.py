"""Concurrency benchmark: reviewers deciding at once, and reviewers deciding during an import.

    /work/venv/bin/python bench/bench_concurrency.py                  # 8 x 500, 100k-row import
    /work/venv/bin/python bench/bench_concurrency.py --processes 4 --decisions 200 --rows 50000

Scenario 1 (issue 4, test 1): N processes each make M decisions through
`triage.review.decide` on their own convictions as fast as they can, and every tenth
decision also races the others for one of a few shared convictions (conflicts are expected
there). Prints decisions/s, p50/p99/max latency, conflicts and errors.

Scenario 2 (issue 4, test 4): a DOJ file of about R rows is imported in a child process
(default chunk size) while 4 reviewer processes decide with a short pause between
decisions, for as long as the import runs. Prints the import's rows/s and the reviewers'
latencies; the requirement is 0 errors and a worst latency under 1 s.

The worker code is shared with the tests (tests/support/stress_helpers.py). The machine's load
average is printed too: on a shared 2-core box other work changes these figures a lot.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from stress_helpers import (  # noqa: E402 - the path above makes the shared workers importable
    WorkerLog,
    build_review_db,
    percentile,
    read_logs,
    spawn_deciders,
)

HELPERS = ROOT / "tests" / "support" / "stress_helpers.py"
CONTENDED = 12
ROWS_PER_PERSON = 8.8  # the sample generator's average, to size the import file


def _figures(log: WorkerLog) -> str:
    lat = log.latencies_ms
    if not lat:
        return "no decisions"
    return (
        f"p50 {percentile(lat, 0.5):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms, "
        f"max {max(lat):.1f} ms"
    )


def decisions_at_once(work: Path, processes: int, decisions: int) -> None:
    path = work / "decide.db"
    people = int(processes * decisions / 2.6) + 200
    keys = build_review_db(path, people=people)
    if len(keys) < processes * decisions + CONTENDED:
        raise SystemExit("not enough convictions for that many decisions; lower --decisions")
    contended = keys[-CONTENDED:]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    logs = [work / f"decide{n}.jsonl" for n in range(processes)]
    slices = [keys[n * decisions : (n + 1) * decisions] for n in range(processes)]
    procs = spawn_deciders(path, slices, contended, logs, barrier)
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    log = read_logs(logs)
    print(f"scenario 1: {processes} processes x {decisions} decisions "
          f"(+ every 10th on {CONTENDED} shared convictions)")  # fmt: skip
    print(f"  stored {len(log.acks)}, conflicts {len(log.conflicts)} (expected on shared "
          f"convictions), errors {len(log.errors)}")  # fmt: skip
    print(f"  {len(log.acks) / elapsed:.0f} decisions/s over {elapsed:.1f} s; {_figures(log)}")


def import_while_reviewing(work: Path, rows: int, reviewers: int, pause: float) -> None:
    from triage.importers import CHUNK_ROWS
    from triage.sample import write_doj_csv

    path = work / "office.db"
    keys = build_review_db(path, people=1000, seed=3)
    source = work / "big.csv"
    written = write_doj_csv(source, people=int(rows / ROWS_PER_PERSON) + 1, seed=77)
    stop = work / "import-finished"
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(reviewers + 1)
    share = len(keys) // reviewers
    logs = [work / f"reviewer{n}.jsonl" for n in range(reviewers)]
    slices = [keys[n * share : (n + 1) * share] for n in range(reviewers)]
    procs = spawn_deciders(
        path, slices, [], logs, barrier, reviewer_prefix="reviewer", pause=pause, stop_file=stop
    )
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    code = subprocess.call(
        [sys.executable, str(HELPERS), "import", str(path), str(source), str(CHUNK_ROWS)]
    )
    seconds = time.perf_counter() - started
    stop.touch()
    for p in procs:
        p.join()
    log = read_logs(logs)
    worst = max(log.latencies_ms, default=0.0)
    print(f"scenario 2: import of {written} rows (chunks of {CHUNK_ROWS}) while {reviewers} "
          f"reviewers decide ({pause * 1000:.0f} ms pause between decisions)")  # fmt: skip
    print(f"  import exit {code}, {seconds:.1f} s, {written / seconds:.0f} rows/s")
    print(f"  {len(log.acks)} decisions, errors {len(log.errors)}; {_figures(log)}")
    print(f"  requirement (0 errors, worst < 1000 ms): "
          f"{'met' if not log.errors and worst < 1000 else 'NOT met'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--decisions", type=int, default=500, help="per process")
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the import file")
    parser.add_argument("--reviewers", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.005, help="seconds between decisions")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="triage-bench-") as folder:
        work = Path(folder)
        decisions_at_once(work, args.processes, args.decisions)
        import_while_reviewing(work, args.rows, args.reviewers, args.pause)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
