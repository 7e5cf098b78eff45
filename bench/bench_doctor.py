"""Doctor benchmark: what `triage doctor` costs on a large database, check by check.

    .venv/bin/python bench/bench_doctor.py                   # 1,000,000 rows
    .venv/bin/python bench/bench_doctor.py --rows 100000     # a quick look

Builds a database the real way (a generated DOJ file imported, classified with
los-angeles-2019, `--decisions` review decisions and a note on every tenth through the
service layer), then times the digests the import and the run record (what they add to
import and classify) and one full `doctor`, check by check. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_import import generate  # noqa: E402

from rules.packs import load_pack  # noqa: E402
from triage import db, digests, identity, review, tamper, tamper_sources  # noqa: E402
from triage.checks import DoctorReport  # noqa: E402
from triage.classify import classify_run  # noqa: E402
from triage.importers import import_files  # noqa: E402
from triage.maintenance import doctor  # noqa: E402


def _timed(label: str, fn: object, *args: object) -> float:
    started = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:7.2f} s")
    return seconds


def build(folder: Path, rows: int, decisions: int) -> Path:
    source, path = folder / "county.csv", folder / "county.db"
    written = generate(source, rows, 64)
    conn = db.connect(path, create=True)
    started = time.perf_counter()
    import_files(conn, [source], actor="bench")
    classify_run(conn, load_pack("los-angeles-2019"), county="LOS ANGELES",
                 compute_at=dt.date(2019, 11, 11), actor=identity.os_account())  # fmt: skip
    print(f"built {written:,} rows in {time.perf_counter() - started:.1f} s (import + classify)")
    keys = [str(r[0]) for r in conn.execute("SELECT key FROM determinations LIMIT ?", (decisions,))]
    for n, key in enumerate(keys):
        review.decide(conn, key, "dismiss", "bench")
        if n % 10 == 0:
            review.add_note(conn, key.split(":")[0], "bench note", "bench", key=key)
    conn.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="triage-bench-doctor-") as tmp:
        os.environ.setdefault("TRIAGE_AUDIT_KEY", str(Path(tmp) / "audit.key"))
        path = build(Path(tmp), args.rows, args.decisions)
        conn = db.connect(path)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                  for t in ("source_rows", "determinations", "decisions", "notes", "audit")}  # fmt: skip
        print("counts: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        print("digests (each also paid once by import / classify):")
        _timed("source rows of the file (digests.file_rows)", digests.file_rows, conn, 1)
        _timed("determinations of the run", digests.run_determinations, conn, 1)
        print("doctor's tamper checks, one by one:")
        report = DoctorReport(str(path))
        key = Path(os.environ["TRIAGE_AUDIT_KEY"])
        _timed("audit seals", tamper.check_seals, report, conn, key)
        _timed("decisions vs audit", tamper.check_decisions, report, conn)
        _timed("notes vs audit", tamper.check_notes, report, conn)
        _timed("current decisions", tamper.check_current_decisions, report, conn)
        _timed("imports vs audit", tamper_sources.check_imports, report, conn)
        _timed("runs vs audit", tamper_sources.check_runs, report, conn)
        conn.close()
        assert report.ok, report.problems
        print("whole doctor:")
        _timed("triage doctor (integrity_check included)", doctor, path)


if __name__ == "__main__":
    main()
