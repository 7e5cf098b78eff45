"""Benchmark: the review queue's service calls on a county-sized database.

Builds (once, with plain SQL) a database of N source rows: people with a few convictions
and arrests each, one finished run with determinations, then times the calls the TUI and
CLI make. Prints figures; asserts nothing.

    python bench/review_queue.py [--rows 1000000] [--db /tmp/review-bench.db]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from triage import db, review
from triage.review import QueueFilter
from triage.review import cases_table as casebuild

OUTCOMES = ["review"] * 4 + ["dismiss"] * 4 + ["reduce", "not_eligible"]
REASONS = ["Currently serving sentence", "No applicable eligibility criteria", "Other 11357"]


def build(path: Path, rows: int) -> int:
    conn = db.connect(path, create=True)
    rng = random.Random(64)
    people = rows // 7
    t = time.perf_counter()
    with db.write(conn):
        conn.execute(
            "INSERT INTO source_files (id, sha256, name, format, encoding, size, "
            "first_imported_at) VALUES (1, 'x', 'bench.csv', 'doj', 'utf-8', 0, ?)",
            (db.now(),),
        )
        conn.execute(
            "INSERT INTO runs (id, pack_id, pack_title, pack_version, pack_hash, county, "
            "compute_at, started_at, finished_at, created_by) VALUES (1, 'bench', 'Bench', '1', "
            "'h', 'SAN JOAQUIN', '2019-07-01', ?, ?, 'bench')",
            (db.now(), db.now()),
        )
    line = 0
    batch_rows: list[tuple[Any, ...]] = []
    batch_people: list[tuple[Any, ...]] = []
    batch_convs: list[tuple[Any, ...]] = []
    batch_dets: list[tuple[Any, ...]] = []

    def flush() -> None:
        with db.write(conn):
            conn.execute("PRAGMA defer_foreign_keys = ON")
            conn.executemany(
                "INSERT INTO source_rows (id, file_id, line, raw, row_hash, subject_id, "
                "cnt_order, stp_type, event_date, county, name, convicted, ofn, offense_descr) "
                "VALUES (?, 1, ?, 'raw', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch_rows,
            )
            conn.executemany(
                "INSERT INTO people (subject_id, name, dob, cii, first_row_id) "
                "VALUES (?, ?, ?, ?, ?)",
                batch_people,
            )
            conn.executemany(
                "INSERT INTO convictions (key, subject_id, cnt_order, first_row_id, event_date, "
                "county, ofn, offense_descr) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                batch_convs,
            )
            conn.executemany(
                "INSERT INTO determinations (run_id, key, subject_id, outcome, label, reason, "
                "step_id, flags, section, felony, conviction_date, county) "
                "VALUES (1, ?, ?, ?, 'Label', ?, 'step', ?, '11359 HS', 1, ?, 'SAN JOAQUIN')",
                batch_dets,
            )
        for b in (batch_rows, batch_people, batch_convs, batch_dets):
            b.clear()

    for i in range(people):
        sid = f"{i:08d}"
        name = f"{rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}{i:07d},PERSON"
        first = line + 1
        for j in range(7):
            line += 1
            convicted = j < 3
            cnt = f"{j + 1:03d}001001000"
            date = f"{rng.randint(1990, 2016)}0{rng.randint(1, 9)}15"
            ofn = f"CR{i:07d}{j}" if convicted else ""
            batch_rows.append(
                (line, line, f"h{line}", sid, cnt, "COURT ACTION" if convicted else "ARREST",
                 date, "SAN JOAQUIN", name, int(convicted), ofn, "11359 HS-POSSESS")
            )  # fmt: skip
            if convicted:
                key = f"{sid}:{cnt}"
                batch_convs.append((key, sid, cnt, line, date, "SAN JOAQUIN", ofn, "11359 HS"))
                if j < 2:
                    batch_dets.append(
                        (key, sid, rng.choice(OUTCOMES), rng.choice(REASONS),
                         rng.choice(["", "", "partial_date"]), date)
                    )  # fmt: skip
        batch_people.append((sid, name, "19700101", f"A{i:08d}", first))
        if len(batch_rows) >= 50_000:
            flush()
    flush()
    print(f"built {line:,} source rows, {people:,} people in {time.perf_counter() - t:.1f} s")
    conn.close()
    timed_refresh(path)
    return 1


def timed_refresh(path: Path) -> None:
    """Rebuild the run's queue rows, reporting the longest write-lock hold."""
    conn = db.connect(path)
    holds: list[float] = []
    real_write = casebuild.db.write

    @contextlib.contextmanager
    def timed_write(c: Any) -> Iterator[Any]:
        t0 = time.perf_counter()
        with real_write(c) as inner:
            yield inner
        holds.append(time.perf_counter() - t0)

    casebuild.db.write = timed_write  # type: ignore[assignment]
    try:
        t = time.perf_counter()
        cases = review.refresh_cases(conn, 1)
        took = time.perf_counter() - t
    finally:
        casebuild.db.write = real_write  # type: ignore[assignment]
    print(
        f"refresh_cases: {cases:,} people in {took:.2f} s; {len(holds)} write transactions, "
        f"longest {max(holds) * 1000:.0f} ms, total {sum(holds):.2f} s"
    )
    conn.close()


def timed(label: str, fn: Callable[[], object], repeat: int = 5) -> None:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    print(f"{label:<48} median {statistics.median(times):8.2f} ms  max {max(times):8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/review-bench.db"))
    parser.add_argument("--refresh", action="store_true", help="Rebuild the queue rows first.")
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.rows)
    elif args.refresh:
        timed_refresh(args.db)
    conn = db.connect(args.db)
    run = 1
    flt = QueueFilter()
    total = review.queue_count(conn, run, flt)
    print(f"review queue: {total:,} cases")
    timed("queue_count (review)", lambda: review.queue_count(conn, run, flt))
    timed(
        "queue_count (undecided)", lambda: review.queue_count(conn, run, QueueFilter(decided=False))
    )
    timed("queue_page first 100 by name", lambda: review.queue_page(conn, run, flt))
    timed("queue_page offset 50,000", lambda: review.queue_page(conn, run, flt, offset=50_000))
    timed(
        "queue_page by date, descending",
        lambda: review.queue_page(conn, run, flt, sort="conviction_date", descending=True),
    )
    timed(
        "queue_page reason filter",
        lambda: review.queue_page(conn, run, QueueFilter(reason=REASONS[0])),
    )
    timed(
        "queue_count reason filter",
        lambda: review.queue_count(conn, run, QueueFilter(reason=REASONS[0])),
    )
    timed(
        "queue_page flag filter",
        lambda: review.queue_page(conn, run, QueueFilter(flag="partial_date")),
    )
    timed(
        "queue_page search 'M00012'",
        lambda: review.queue_page(conn, run, QueueFilter(search="M00012")),
    )
    timed(
        "queue_page search court number",
        lambda: review.queue_page(conn, run, QueueFilter(search="CR00001")),
    )
    first = review.queue_page(conn, run, flt, limit=1)[0].subject_id
    timed("load_case", lambda: review.load_case(conn, first, run))
    timed("progress", lambda: review.progress(conn, run, "bench", db.now()))
    keys = [
        c.key for c in review.queue_convictions(conn, run, QueueFilter(decided=False), limit=200)
    ]
    it = iter(keys)
    timed(
        "decide (write + audit + recount)",
        lambda: review.decide(conn, next(it), "dismiss", "bench"),
        50,
    )
    timed("undo_last", lambda: review.undo_last(conn, "bench"), 20)
    timed("claim_next", lambda: review.claim_next(conn, run, "bench", flt), 20)
    # fmt: skip


if __name__ == "__main__":
    main()
