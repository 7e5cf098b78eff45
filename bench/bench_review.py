"""Benchmark: the review app on a county-sized database. Prints figures; asserts nothing.

    /work/venv/bin/python bench/bench_review.py                    # 1,000,000 source rows
    /work/venv/bin/python bench/bench_review.py --rows 100000 --db /tmp/small.db

Builds (once, then reused) a database from the synthetic DOJ generator (triage/sample.py),
imported and classified with los-angeles-2019 like `triage sample`, then measures in a
fresh child process (so its peak RSS is the app's own):
  first paint   ReviewApp constructed → first page of the queue on screen (headless, 120×40)
  end of queue  `end` pressed → the last page of the queue on screen
  next case     decision key pressed → the next case shown (decisions are really written;
                the benchmark database is scratch)
  peak RSS      of the child process
Targets: first paint <= 1 s, next case <= 50 ms, peak RSS <= 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from triage import identity

TARGET_PAINT_S = 1.0
TARGET_NEXT_MS = 50.0
TARGET_RSS_MB = 200.0


def build(path: Path, rows: int) -> dict[str, Any]:
    from rules.packs import load_pack
    from triage import db, sample
    from triage.classify import classify_run
    from triage.importers import import_files

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doj.csv"
        with open(source, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(sample.COLUMNS)
            for row in itertools.islice(sample.iter_doj_rows(people=rows, seed=64), rows):
                writer.writerow(row)
        conn = db.connect(path, create=True)
        import_files(conn, [source], actor="bench")
    classify_run(
        conn,
        load_pack("los-angeles-2019"),
        county="LOS ANGELES",
        compute_at=dt.date(2019, 11, 11),
        actor=identity.os_account(),
    )
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
        for t in ("source_rows", "people", "convictions", "determinations")
    }
    conn.close()
    return {"build_seconds": round(time.perf_counter() - started, 1), **counts}


async def measure(path: Path, decisions: int) -> dict[str, Any]:
    started = time.perf_counter()
    from textual import events

    from triage.tui.app import ReviewApp
    from triage.tui.screens.case import CaseScreen
    from triage.tui.widgets.queue_view import QueueView

    imported = time.perf_counter()
    from triage.review import QueueFilter

    # The reviewer's working view: cases with something left to decide (so earlier runs
    # of this benchmark, which really decide, do not change what is measured).
    app = ReviewApp(path, "bench", queue_filter=QueueFilter(decided=False))
    out: dict[str, Any] = {"import_seconds": round(imported - started, 3)}
    async with app.run_test(size=(120, 40)) as pilot:
        while True:
            views = app.screen.query(QueueView)
            if views and views.first().row(0) is not None:
                break
            await asyncio.sleep(0.002)
        await pilot.pause()  # one refresh: the rows are on screen
        out["first_paint_seconds"] = round(time.perf_counter() - imported, 3)
        view = app.screen.query_one(QueueView)
        while view.total is None:
            await asyncio.sleep(0.005)
        out["queue_cases"] = view.total
        out["count_seconds"] = round(time.perf_counter() - imported, 3)

        t = time.perf_counter()
        await pilot.press("end")
        while view.row(view.cursor) is None:
            await asyncio.sleep(0.002)
        await pilot.pause()
        out["end_of_queue_ms"] = round((time.perf_counter() - t) * 1000, 1)
        await pilot.press("home")
        while view.row(0) is None:
            await asyncio.sleep(0.002)

        t = time.perf_counter()
        await pilot.press("enter")
        out["open_case_ms"] = round((time.perf_counter() - t) * 1000, 1)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        next_case: list[float] = []
        same_case: list[float] = []
        next_cpu: list[float] = []  # UI-thread CPU time: less sensitive to a busy machine
        # The clock stops at the first compositor refresh (the frame written to the
        # terminal) after the decision's handler has finished drawing the next case.
        frames: list[tuple[float, float]] = []
        handled: list[float] = []
        composite = screen._compositor_refresh
        decide = screen.action_decide

        def traced_composite() -> None:
            composite()
            frames.append((time.perf_counter(), time.thread_time()))

        def traced_decide(decision: str) -> None:
            decide(decision)
            handled.append(time.perf_counter())

        screen._compositor_refresh = traced_composite  # type: ignore[method-assign]
        screen.action_decide = traced_decide  # type: ignore[method-assign]
        for _ in range(decisions):
            before = screen.subject_id
            frames.clear()
            handled.clear()
            t, cpu = time.perf_counter(), time.thread_time()
            app.post_message(events.Key("f", "f"))  # defer: a real decision
            while not handled or not any(f[0] > handled[0] for f in frames):
                await asyncio.sleep(0.0005)
            frame = next(f for f in frames if f[0] > handled[0])
            wall = (frame[0] - t) * 1000
            if screen.subject_id != before:
                next_case.append(wall)
                next_cpu.append((frame[1] - cpu) * 1000)
            else:
                same_case.append(wall)
            # A reviewer reads before the next key: let the toast, the progress update and
            # the page prefetch finish, so one decision's background work is not timed as
            # part of the next.
            await pilot.pause()
            while any(w.is_running for w in app.workers):
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.05)
    series = (
        ("next_case_ms", next_case),
        ("next_case_cpu_ms", next_cpu),
        ("next_conviction_ms", same_case),
    )
    for name, values in series:
        if values:
            values.sort()
            out[name] = {
                "n": len(values),
                "median": round(statistics.median(values), 1),
                "p95": round(values[min(len(values) - 1, int(len(values) * 0.95))], 1),
                "max": round(values[-1], 1),
            }
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--decisions", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / f"triage-bench-review-{args.rows}.db"
    if args.child:
        print(json.dumps(asyncio.run(measure(path, args.decisions))))
        return
    if args.rebuild or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"building {path} from {args.rows:,} generated rows...", flush=True)
        print(json.dumps(build(path, args.rows)), flush=True)
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--db",
            str(path),
            "--rows",
            str(args.rows),
            "--decisions",
            str(args.decisions),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    nxt = result.get("next_case_ms", {})
    print(json.dumps(result, indent=2))
    print(
        f"first paint   {result['first_paint_seconds']:.3f} s   (target <= {TARGET_PAINT_S} s; "
        f"plus {result['import_seconds']:.2f} s importing Python modules)"
    )
    print(
        f"next case     median {nxt.get('median', float('nan'))} ms, p95 "
        f"{nxt.get('p95', float('nan'))} ms   (target <= {TARGET_NEXT_MS} ms)"
    )
    cpu = result.get("next_case_cpu_ms", {})
    print(
        f"              CPU per next case: median {cpu.get('median', float('nan'))} ms "
        f"(wall time suffers first on a loaded machine; load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    print(f"peak RSS      {result['peak_rss_mb']} MB   (target <= {TARGET_RSS_MB} MB)")


if __name__ == "__main__":
    main()
