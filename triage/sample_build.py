"""Build `sample.db`: generate the synthetic county, import it, classify it, byte for byte.

The same seed gives the same file on every run: the clock is frozen, the actor is fixed,
the DOJ file has a fixed name (only names are stored, never the temporary folder), timings
are not kept, and the database is vacuumed into its canonical page layout. The file is
built beside the target and moved into place only when complete, so an interrupted build
never leaves a half-made `sample.db`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from triage import audit, db, sample
from triage.errors import TriageError, UsageError

SAMPLE_PACK = "los-angeles-2019"
SAMPLE_COUNTY = "LOS ANGELES"
SAMPLE_COMPUTE_AT = dt.date(2019, 11, 11)
SAMPLE_ACTOR = "sample"
# Everything the build stamps (created_at, imported_at, run times, audit) reads this instant.
SAMPLE_CLOCK = dt.datetime(2019, 11, 11, 9, 0, 0, tzinfo=dt.UTC)
MAX_PEOPLE = 2_000_000


@dataclass(frozen=True)
class SampleSummary:
    """What `build_sample_db` made."""

    path: Path
    seed: int
    people: int
    rows: int
    convictions: int
    quarantined: int  # records the importer refused (0 unless generator and importer disagree)
    run_id: int
    review_cases: int  # people with at least one conviction to review
    review_reasons: dict[str, int] = field(default_factory=dict)  # reason -> convictions
    sha256: str = ""
    size: int = 0


def build_sample_db(
    out: str | os.PathLike[str], *, people: int = 2000, seed: int = 64, force: bool = False
) -> SampleSummary:
    """Generate, import and classify a synthetic county into `out` (mode 0600, or 0660 in a
    shared folder).

    Refuses to replace an existing file unless `force`. Raises `TriageError` for a bad
    target or arguments; nothing is written to `out` unless the whole build succeeds.
    """
    target = check_request(out, people=people, seed=seed, force=force)
    try:
        return _build(target, people=people, seed=seed)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TriageError(f"{target}: could not build the sample ({reason}); not written") from None


def _build(target: Path, *, people: int, seed: int) -> SampleSummary:
    with tempfile.TemporaryDirectory(prefix=".triage-sample-", dir=target.parent) as tmp:
        work = Path(tmp)
        source = work / f"synthetic-county-seed{seed}.csv"
        rows = sample.write_doj_csv(source, people=people, seed=seed, home_county=SAMPLE_COUNTY)
        built = work / "sample.db"
        db.set_clock(SAMPLE_CLOCK)
        try:
            # Unsealed: a seal would differ with each machine's audit key.
            with audit.sealing(None):
                run_id, quarantined, convictions, cases, reasons = _import_and_classify(
                    built, source
                )
        finally:
            db.set_clock(None)
        with built.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        summary = SampleSummary(
            path=target,
            seed=seed,
            people=people,
            rows=rows,
            convictions=convictions,
            quarantined=quarantined,
            run_id=run_id,
            review_cases=cases,
            review_reasons=reasons,
            sha256=digest,
            size=built.stat().st_size,
        )
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            # A leftover WAL of the file being replaced would be replayed into the new one.
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        os.replace(built, target)
    os.chmod(target, db.file_mode_for(target))
    return summary


def check_request(out: str | os.PathLike[str], *, people: int, seed: int, force: bool) -> Path:
    """Refuse a build that cannot succeed, before any work: bad numbers, a missing folder,
    a folder as target, or an existing file without `force`."""
    target = Path(out)
    if not 1 <= people <= MAX_PEOPLE:
        raise UsageError(f"--people: use a number from 1 to {MAX_PEOPLE:,}")
    if seed < 0:
        raise UsageError("--seed: use a number of 0 or more")
    if target.is_dir():
        raise TriageError(f"{target}: is a folder; give a file name for the sample database")
    if not target.parent.is_dir():
        raise TriageError(f"{target}: folder {target.parent} does not exist")
    if target.exists() and not force:
        raise TriageError(f"{target}: already exists; add --force to replace it")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise TriageError(f"{target}: cannot write in folder {target.parent} (permission denied)")
    return target


def _import_and_classify(path: Path, source: Path) -> tuple[int, int, int, int, dict[str, int]]:
    """Import and classify into a fresh database; return the run id, quarantined records,
    convictions, review cases and review reasons."""
    from rules.packs import load_pack
    from triage.classify import classify_run
    from triage.importers import import_files

    pack = load_pack(SAMPLE_PACK)
    conn = db.connect(path, create=True)
    try:
        report = import_files(conn, [source], actor=SAMPLE_ACTOR)
        run = classify_run(
            conn,
            pack,
            county=SAMPLE_COUNTY,
            compute_at=pack.compute_at or SAMPLE_COMPUTE_AT,
            actor=SAMPLE_ACTOR,
            unshared=True,  # our own new file, in a private folder: no one else's role applies
        ).run
        with db.write(conn):
            # Elapsed time differs on every build; a reproducible file cannot keep it.
            conn.execute("UPDATE runs SET seconds = NULL WHERE id = ?", (run.id,))
        counts = _review_counts(conn, run.id)
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return (run.id, report.quarantined, *counts)


def _review_counts(conn: sqlite3.Connection, run_id: int) -> tuple[int, int, dict[str, int]]:
    convictions = int(conn.execute("SELECT count(*) FROM convictions").fetchone()[0])
    cases = int(
        conn.execute(
            "SELECT count(DISTINCT subject_id) FROM determinations "
            "WHERE run_id = ? AND outcome = 'review'",
            (run_id,),
        ).fetchone()[0]
    )
    reasons = {
        str(reason): int(n)
        for reason, n in conn.execute(
            "SELECT reason, count(*) FROM determinations WHERE run_id = ? "
            "AND outcome = 'review' GROUP BY reason ORDER BY count(*) DESC, reason",
            (run_id,),
        )
    }
    return convictions, cases, reasons
