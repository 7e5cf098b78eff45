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

from triage import identity

TARGET_RATE = 50_000
TARGET_RATIO = 2.0
TARGET_RSS_MB = 250


def _peak_rss_mb() -> float:
    """Peak RSS of this process (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _helper_rss_mb() -> float:
    """Peak RSS of the largest helper process this one has waited for."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of the helper processes it has waited for
    (the importer and classifier may use some): steadier than wall time on a busy machine."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _tree_memory(root: Any) -> tuple[int, int]:
    """Summed RSS and PSS of a process and all its descendants. RSS counts a page shared by
    forked helpers once per process; PSS splits it between them, so its sum is the memory
    the phase really holds."""
    import psutil

    rss = pss = 0
    for proc in (root, *root.children(recursive=True)):
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue  # ended between listing and reading
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss, pss


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
    stage = target.with_suffix(".stage")  # tells the parent which step its memory samples are
    stage.write_text("import", encoding="utf-8")
    started, cpu = time.perf_counter(), _cpu_seconds()
    conn = db.connect(target, create=True)
    import_files(conn, [source], actor="bench")
    imported, import_cpu = time.perf_counter(), _cpu_seconds() - cpu
    stage.write_text("classify", encoding="utf-8")
    pack = load_pack("los-angeles-2019")
    run = classify_run(
        conn,
        pack,
        county="LOS ANGELES",
        compute_at=dt.date(2019, 11, 11),
        actor=identity.os_account(),
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
        "helper_rss_mb": _helper_rss_mb(),
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
    """Run one phase in a fresh interpreter, sampling the memory of its whole process tree
    from here (so the sampling costs the measured process nothing), and read its result."""
    import psutil

    out = target.with_suffix(".json")
    command = [sys.executable, __file__, "--phase", phase, str(source), str(target), str(out)]
    if profile:
        command.append("--profile")
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        watched = psutil.Process(child.pid)
        stage = target.with_suffix(".stage")
        peak_rss = peak_pss = 0
        stage_pss: dict[str, int] = {}
        while child.poll() is None:
            try:
                rss, pss = _tree_memory(watched)
                step = stage.read_text(encoding="utf-8") if stage.exists() else "start"
            except (psutil.Error, OSError):
                continue  # the child has just ended, or is writing the stage file
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            stage_pss[step] = max(stage_pss.get(step, 0), pss)
            time.sleep(0.05)
        if child.returncode != 0:
            errors.seek(0)
            sys.stderr.write(errors.read()[-4000:].decode("utf-8", "replace"))
            raise SystemExit(f"bench: the {phase} phase failed (exit {child.returncode})")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["tree_rss_mb"] = peak_rss / 1_048_576
    result["tree_pss_mb"] = peak_pss / 1_048_576
    result["stage_pss_mb"] = {step: round(v / 1_048_576) for step, v in stage_pss.items()}
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
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run both phases this many times, alternating, and keep each one's fastest run "
        "(steadier figures on a busy machine)",
    )
    parser.add_argument("--phase", choices=("floor", "triage"), help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        source, target, out = (Path(p) for p in args.paths)
        if args.phase == "floor":
            result = phase_floor(source, target)
        else:
            result = phase_triage(source, target, args.profile)
        out.write_text(json.dumps(result), encoding="utf-8")
        return
    report(args.rows, args.seed, args.profile, max(1, args.repeat))


def print_figures(written: int, floor: dict[str, Any], e2e: dict[str, Any]) -> None:
    rate = written / e2e["seconds"]
    ratio = e2e["seconds"] / floor["seconds"]
    cpu_ratio = e2e["cpu"] / floor["cpu"]
    memory = e2e["tree_pss_mb"]
    print(
        f"floor      {floor['seconds']:8.2f} s  {written / floor['seconds']:10,.0f} rows/s  "
        f"cpu {floor['cpu']:7.2f} s  peak RSS {floor['rss_mb']:.0f} MB"
    )
    print(
        f"import     {e2e['import_seconds']:8.2f} s  "
        f"{written / e2e['import_seconds']:10,.0f} rows/s  cpu {e2e['import_cpu']:7.2f} s"
    )
    print(
        f"classify   {e2e['classify_seconds']:8.2f} s  {'':17}  "
        f"cpu {e2e['cpu'] - e2e['import_cpu']:7.2f} s  "
        f"({e2e['counts']['determinations']:,} determinations)"
    )
    print(
        f"end-to-end {e2e['seconds']:8.2f} s  {rate:10,.0f} rows/s  cpu {e2e['cpu']:7.2f} s  "
        f"peak memory {memory:.0f} MB"
    )
    print(
        f"memory     end-to-end, all processes: PSS {memory:.0f} MB, RSS {e2e['tree_rss_mb']:.0f} "
        f"MB (shared pages counted per process); main process peak RSS {e2e['rss_mb']:.0f} MB, "
        f"largest helper {e2e['helper_rss_mb']:.0f} MB; PSS peak by step "
        f"{json.dumps(e2e['stage_pss_mb'])}"
    )
    print(f"counts     {json.dumps(e2e['counts'])}")
    print(
        f"ratio      end-to-end / floor = {ratio:.2f} wall, {cpu_ratio:.2f} cpu "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    checks = (
        (f"rows/s >= {TARGET_RATE:,}", rate >= TARGET_RATE),
        (f"ratio <= {TARGET_RATIO}", ratio <= TARGET_RATIO),
        (f"peak memory (PSS) <= {TARGET_RSS_MB} MB", memory <= TARGET_RSS_MB),
    )
    print("targets    " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks))


def report(rows: int, seed: int, profile: bool, repeat: int) -> None:
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
        floors, runs = [], []
        for n in range(repeat):
            floors.append(run_child("floor", source, work / f"floor{n}.db", False))
            runs.append(run_child("triage", source, work / f"triage{n}.db", profile))
            for name in (f"floor{n}.db", f"triage{n}.db"):
                for leftover in work.glob(f"{name}*"):
                    leftover.unlink()
        floor = min(floors, key=lambda r: r["seconds"])
        e2e = min(runs, key=lambda r: r["seconds"])
        if repeat > 1:
            walls = ", ".join(
                f"{f['seconds']:.1f}/{r['seconds']:.1f}" for f, r in zip(floors, runs, strict=True)
            )
            print(f"runs       floor/end-to-end wall seconds: {walls} (fastest of each kept)")
    print_figures(written, floor, e2e)
    for key in ("profile_tottime", "profile_cumulative"):
        if key in e2e:
            print(f"\n--- end-to-end {key.removeprefix('profile_')} ---\n{e2e[key]}")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    main()
