"""Classification runs: every conviction in the database through one policy pack.

A run is a snapshot: the pack's id, version and content hash, the county and compute-at
date, and one determination per relevant conviction. Runs are only ever added; reviewer
decisions and notes live in their own tables keyed by conviction, so classifying again
(with the same pack or another) never touches reviewer work.

How it stays out of reviewers' way: people are read on a second connection inside one
read transaction (a consistent snapshot that never blocks writers under WAL), classified
with no lock held, and their determinations written in short `BEGIN IMMEDIATE`
transactions of a few thousand rows. The run becomes visible (finished, active, audited)
in a last short transaction. A run that fails or is interrupted has its determinations
removed and stays unfinished, as one killed outright does; unfinished runs are never
active, and the queue, results and exports ignore them.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.packs import Pack
from triage import audit, db, review
from triage.classify_work import Classifier, DeterminationRow, available_cpus, classify_batches
from triage.errors import TriageError
from triage.records_db import iter_raw_people

CHUNK = 4000  # determinations per write transaction: a few milliseconds of lock each
READ_BATCH = 4000  # source rows fetched at a time
BATCH_PEOPLE = 2000  # people per unit of work (and per progress report)
PARALLEL_MIN_PEOPLE = 20_000  # below this, starting worker processes costs more than it saves
MAX_WORKERS = 8
PRECHECK = True  # skip building records that cannot get a determination (tests turn it off)

ProgressCallback = Callable[[int, int], None]
"""Called as `progress(people_done, people_total)` after each batch of people and at the end."""

_INSERT = (
    "INSERT INTO determinations (run_id, key, subject_id, outcome, label, reason, step_id, "
    "citation, flags, forced_review, suggested_outcome, suggested_label, suggested_reason, "
    "trace, section, felony, conviction_date, county) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_OUTCOME = 3  # index of the outcome in a determination row


@dataclass(frozen=True)
class RunSummary:
    """What a finished run did, for the CLI and the audit trail."""

    run_id: int
    pack_id: str
    pack_title: str
    pack_version: str
    pack_hash: str
    county: str
    compute_at: str
    people: int
    convictions: int  # determinations written
    by_outcome: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (`triage classify --json`)."""
        return {
            "run": self.run_id,
            "pack": {
                "id": self.pack_id,
                "title": self.pack_title,
                "version": self.pack_version,
                "hash": self.pack_hash,
            },
            "county": self.county,
            "compute_at": self.compute_at,
            "people": self.people,
            "convictions": self.convictions,
            "by_outcome": dict(self.by_outcome),
            "seconds": round(self.seconds, 3),
        }


def database_path(conn: sqlite3.Connection) -> str:
    """The file behind a connection's main database (to open a second connection on it)."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return str(row[2])
    raise RuntimeError("classification needs a database file, not an in-memory database")


def _start_run(
    conn: sqlite3.Connection,
    pack: Pack,
    county: str,
    compute_at: dt.date,
    actor: str,
    options: Mapping[str, Any] | None,
) -> int:
    with db.write(conn):
        cur = conn.execute(
            "INSERT INTO runs (pack_id, pack_title, pack_version, pack_hash, county, "
            "compute_at, options, started_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pack.id,
                pack.title,
                pack.version,
                pack.content_hash,
                county,
                compute_at.isoformat(),
                json.dumps(dict(options or {}), sort_keys=True, ensure_ascii=False),
                db.now(),
                actor,
            ),
        )
        return int(cur.lastrowid or 0)


def _write_chunk(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        with db.write(conn):
            conn.executemany(_INSERT, rows)


def _discard_run(conn: sqlite3.Connection, run_id: int) -> None:
    """Remove the determinations of a run that failed before it became visible.

    The `runs` row stays, unfinished, as the record of the attempt (and so that its id is
    never handed to another run). Cleanup must never hide the error that caused it: if the
    database refuses, the unfinished run is left as a killed one would be.
    """
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        with db.write(conn):
            conn.execute("DELETE FROM determinations WHERE run_id = ?", (run_id,))
    except sqlite3.Error:
        pass


def classify_run(
    conn: sqlite3.Connection,
    pack: Pack,
    *,
    county: str,
    compute_at: dt.date,
    actor: str,
    options: Mapping[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
) -> RunSummary:
    """Classify every person in the database with `pack` and record it as a new run.

    The new run becomes the active one, with its review queue rows built
    (`review.refresh_cases`). `options` (e.g. the gogen options the pack was built from)
    is stored with the run as JSON. `workers` is the number of processes that classify
    (default: one per CPU for large databases, else this process alone). Whatever the rules
    raise for a record they cannot handle propagates, after the partial run is removed.
    """
    if not county.strip():
        raise TriageError("a classification run needs a county (the pack names none)")
    started = time.perf_counter()
    run_id = _start_run(conn, pack, county, compute_at, actor, options)
    try:
        people, outcomes = _classify_all(conn, run_id, pack, county, compute_at, progress, workers)
        # Queue rows first, so the run is complete the moment it becomes active.
        review.refresh_cases(conn, run_id)
        seconds = time.perf_counter() - started
        total = sum(outcomes.values())
        by_outcome = dict(sorted(outcomes.items()))
        with db.write(conn):
            conn.execute(
                "UPDATE runs SET finished_at = ?, convictions = ?, seconds = ? WHERE id = ?",
                (db.now(), total, round(seconds, 3), run_id),
            )
            db.set_meta(conn, "active_run", str(run_id))
            audit.append(
                conn,
                actor,
                "classify",
                f"run:{run_id}",
                {
                    "pack": pack.id,
                    "version": pack.version,
                    "hash": pack.content_hash,
                    "county": county,
                    "compute_at": compute_at.isoformat(),
                    "people": people,
                    "convictions": total,
                    "by_outcome": by_outcome,
                },
            )
    except BaseException:
        _discard_run(conn, run_id)
        raise
    return RunSummary(
        run_id=run_id,
        pack_id=pack.id,
        pack_title=pack.title,
        pack_version=pack.version,
        pack_hash=pack.content_hash,
        county=county,
        compute_at=compute_at.isoformat(),
        people=people,
        convictions=total,
        by_outcome=by_outcome,
        seconds=seconds,
    )


def _workers(requested: int | None, people: int) -> int:
    if requested is not None:
        return max(1, requested)
    if people < PARALLEL_MIN_PEOPLE:
        return 1
    return max(1, min(available_cpus(), MAX_WORKERS))


def _classify_all(
    conn: sqlite3.Connection,
    run_id: int,
    pack: Pack,
    county: str,
    compute_at: dt.date,
    progress: ProgressCallback | None,
    workers: int | None,
) -> tuple[int, Counter[str]]:
    reader = db.connect(database_path(conn))
    outcomes: Counter[str] = Counter()
    people = 0
    try:
        reader.execute("BEGIN")  # one snapshot for the whole run
        total = int(reader.execute("SELECT count(*) FROM people").fetchone()[0])
        if progress is not None:
            progress(0, total)
        classifier = Classifier(pack, county, compute_at, run_id, precheck=PRECHECK)
        pending: list[DeterminationRow] = []
        for done, rows in classify_batches(
            classifier,
            (raw for _, raw in iter_raw_people(reader, batch=READ_BATCH)),
            workers=_workers(workers, total),
            batch_size=BATCH_PEOPLE,
        ):
            people += done
            pending.extend(rows)
            outcomes.update(r[_OUTCOME] for r in rows)
            while len(pending) >= CHUNK:
                _write_chunk(conn, pending[:CHUNK])
                del pending[:CHUNK]
            if progress is not None:
                progress(people, max(total, people))
        _write_chunk(conn, pending)
        if progress is not None:
            progress(people, max(total, people))
    finally:
        reader.close()
    return people, outcomes
