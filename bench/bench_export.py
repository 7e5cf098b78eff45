"""Benchmark: every export kind and a what-if on a synthetic county. Prints figures only.

    /work/venv/bin/python bench/bench_export.py                  # 5,000 fictional people
    /work/venv/bin/python bench/bench_export.py --people 50000 --db /tmp/bench_export.db

Builds the database once with `triage sample` (imported and classified with
los-angeles-2019), then runs each export (court also with `--profile xlsx`) in a fresh child process and reports wall time,
lines per second and the child's peak RSS; then `triage whatif` gogen vs los-angeles-2019.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from triage.export.service import KINDS


def _child(args: list[str]) -> tuple[float, float, str]:
    """Run `triage ARGS` in a child; (seconds, peak RSS MB of children so far, stdout)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "triage", *args], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--db", type=Path, default=None)
    ns = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_export_"))
    db_path = ns.db or work / "sample.db"
    if not db_path.exists():
        print(f"building {db_path} ({ns.people} people)...", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "triage",
                "sample",
                "--out",
                str(db_path),
                "--people",
                str(ns.people),
            ],
            check=True,
            capture_output=True,
        )
    for kind, profile in [(k, None) for k in KINDS] + [("court", "xlsx")]:
        out = work / (kind + (f"-{profile}" if profile else ""))
        # The sample leaves convictions in review: the court export must be told to go on.
        extra = ["--allow-pending"] if kind == "court" else []
        extra += ["--profile", profile] if profile else []
        seconds, peak, stdout = _child(
            ["export", kind, "--out", str(out), "--db", str(db_path), "--json", *extra]
        )
        manifest = json.loads(stdout)
        rows = sum(f["rows"] or 0 for f in manifest["files"])
        size = sum(f["bytes"] for f in manifest["files"]) / 1e6
        rate = rows / seconds if seconds else 0.0
        print(
            f"export {kind + ('/' + profile if profile else ''):<10} {seconds:6.2f} s  {rows:>9,} rows  {rate:>9,.0f} rows/s  "
            f"{size:7.1f} MB  peak RSS <= {peak:.0f} MB"
        )
    seconds, peak, stdout = _child(
        [
            "whatif",
            "--policy",
            "los-angeles-2019",
            "--policy",
            "gogen",
            "--county",
            "LOS ANGELES",
            "--db",
            str(db_path),
            "--json",
        ]
    )
    report = json.loads(stdout)
    print(
        f"whatif           {seconds:6.2f} s  {report['people']:>9,} people  "
        f"{len(report['changes']):,} changed convictions  peak RSS <= {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
