"""Import benchmark: a generated DOJ file through triage, against a floor measured in the same run.

    /work/venv/bin/python bench/bench_import.py            # 1,000,000 rows
    /work/venv/bin/python bench/bench_import.py --rows 100000 --profile

Phases, each in its own child process so its peak RSS is its own:
  floor       csv parsing + `executemany` of the raw 95 fields into one table of a fresh
              SQLite database (same pragmas as triage: WAL, synchronous=FULL), one transaction.
  end-to-end  `import_files` into a fresh triage database, then `classify_run` with
              los-angeles-2019 (county LOS ANGELES, compute-at 2019-11-11).
Targets: >= 50,000 rows/s end-to-end, end-to-end/floor <= 2.0, peak RSS <= 250 MB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATE = 50_000
TARGET_RATIO = 2.0
TARGET_RSS_MB = 250


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    """User + system CPU time of this process: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def generate(path: Path, rows: int, seed: int) -> int:
    """Exactly `rows` synthetic records (people cut at the end if need be), with a header."""
    from triage import sample

    written = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(sample.COLUMNS)
        records = sample.iter_doj_rows(people=rows, seed=seed)  # far more people than needed
        for row in itertools.islice(records, rows):
            writer.writerow(row)
            written += 1
    return written


def phase_floor(source: Path, target: Path) -> dict[str, Any]:
    import sqlite3

    started, cpu = time.perf_counter(), _cpu_seconds()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    columns = ", ".join(f"c{i} TEXT" for i in range(95))
    conn.execute(f"CREATE TABLE raw ({columns})")
    marks = ", ".join("?" * 95)
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO raw VALUES ({marks})", reader)  # noqa: S608 - fixed text
        conn.execute("COMMIT")
    rows = conn.execute("SELECT count(*) FROM raw").fetchone()[0]
    conn.close()
    return {
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "cpu": _cpu_seconds() - cpu,
        "rss_mb": _peak_rss_mb(),
    }


def phase_triage(source: Path, target: Path, profile: bool) -> dict[str, Any]:
    from rules.packs import load_pack
    from triage import db
    from triage.classify import classify_run
    from triage.importers import import_files

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), _cpu_seconds()
    conn = db.connect(target, create=True)
    import_files(conn, [source], actor="bench")
    imported, import_cpu = time.perf_counter(), _cpu_seconds() - cpu
    pack = load_pack("los-angeles-2019")
    run = classify_run(
        conn, pack, county="LOS ANGELES", compute_at=dt.date(2019, 11, 11), actor="bench"
    )
    finished = time.perf_counter()
    cpu = _cpu_seconds() - cpu
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        for table in ("source_rows", "quarantine", "people", "convictions", "determinations")
    }
    conn.close()
    result = {
        "import_seconds": imported - started,
        "import_cpu": import_cpu,
        "classify_seconds": finished - imported,
        "seconds": finished - started,
        "cpu": cpu,
        "rss_mb": _peak_rss_mb(),
        "counts": counts,
        "determinations_by_outcome": run.by_outcome,
    }
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        for key in ("tottime", "cumulative"):
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats(key).print_stats(25)
            result[f"profile_{key}"] = buffer.getvalue()
    return result


def run_child(phase: str, source: Path, target: Path, profile: bool) -> dict[str, Any]:
    """Run one phase in a fresh interpreter and read its JSON result from stdout."""
    command = [sys.executable, __file__, "--phase", phase, str(source), str(target)]
    if profile:
        command.append("--profile")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"bench: the {phase} phase failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=64)
    parser.add_argument("--profile", action="store_true", help="cProfile the end-to-end phase")
    parser.add_argument("--phase", choices=("floor", "triage"), help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        source, target = (Path(p) for p in args.paths)
        if args.phase == "floor":
            result = phase_floor(source, target)
        else:
            result = phase_triage(source, target, args.profile)
        sys.stdout.write(json.dumps(result))
        return
    report(args.rows, args.seed, args.profile)


def report(rows: int, seed: int, profile: bool) -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # see progress live
    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        work = Path(tmp)
        source = work / "doj.csv"
        started = time.perf_counter()
        written = generate(source, rows, seed)
        made = time.perf_counter() - started
        size_mb = source.stat().st_size / 1_048_576
        print(f"machine    {_machine()}")
        print(f"date       {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
        print(f"input      {written:,} DOJ rows, {size_mb:,.1f} MB (generated in {made:.1f} s)")
        floor = run_child("floor", source, work / "floor.db", False)
        e2e = run_child("triage", source, work / "triage.db", profile)
    floor_rate = written / floor["seconds"]
    rate = written / e2e["seconds"]
    ratio = e2e["seconds"] / floor["seconds"]
    print(
        f"floor      {floor['seconds']:8.2f} s  {floor_rate:10,.0f} rows/s  "
        f"peak RSS {floor['rss_mb']:6.1f} MB"
    )
    print(
        f"import     {e2e['import_seconds']:8.2f} s  "
        f"{written / e2e['import_seconds']:10,.0f} rows/s  cpu {e2e['import_cpu']:.2f} s"
    )
    print(
        f"classify   {e2e['classify_seconds']:8.2f} s  "
        f"({e2e['counts']['determinations']:,} determinations)  "
        f"cpu {e2e['cpu'] - e2e['import_cpu']:.2f} s"
    )
    print(
        f"end-to-end {e2e['seconds']:8.2f} s  {rate:10,.0f} rows/s  "
        f"peak RSS {e2e['rss_mb']:6.1f} MB"
    )
    print(f"counts     {json.dumps(e2e['counts'])}")
    print(
        f"cpu        floor {floor['cpu']:.2f} s, end-to-end {e2e['cpu']:.2f} s "
        f"(ratio {e2e['cpu'] / floor['cpu']:.2f}; load average {os.getloadavg()[0]:.1f})"
    )
    print(f"ratio      end-to-end / floor = {ratio:.2f} (wall time)")
    checks = (
        (f"rows/s >= {TARGET_RATE:,}", rate >= TARGET_RATE),
        (f"ratio <= {TARGET_RATIO}", ratio <= TARGET_RATIO),
        (f"peak RSS <= {TARGET_RSS_MB} MB", e2e["rss_mb"] <= TARGET_RSS_MB),
    )
    print("targets    " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks))
    for key in ("profile_tottime", "profile_cumulative"):
        if key in e2e:
            print(f"\n--- end-to-end {key.removeprefix('profile_')} ---\n{e2e[key]}")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    main()
