"""Classification runs: every conviction in the database through one policy pack.

A run is a snapshot: the pack's id, version and content hash, the county and compute-at
date, and one determination per relevant conviction. Runs are only ever added; reviewer
decisions and notes live in their own tables keyed by conviction, so classifying again
(with the same pack or another) never touches reviewer work.

How it stays out of reviewers' way: people are read on a second connection inside one
read transaction (a consistent snapshot that never blocks writers under WAL), classified
with no lock held, and their determinations written in short `BEGIN IMMEDIATE`
transactions of a few thousand rows. Only people with a conviction the pack may find
relevant are read at all (`PRECHECK`): SQLite asks the engine while it scans the
convictions, so the rest (most people in a DOJ extract) never reach Python. Large runs read
and classify those people in worker processes, on the same snapshot (`classify_work`).
The run becomes visible (finished, active, audited) in a last short transaction. A run
that fails or is interrupted has its determinations removed and stays unfinished, as one
killed outright does; unfinished runs are never active, and the queue, results and exports
ignore them.

A run that would mislead is refused before it becomes active, and leaves nothing behind
(`runs_checks`): one for a county no conviction is in (checked before anything is written),
one that classifies no conviction at all, and one that keeps fewer than half of the
convictions the active run determined (unless `force`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.packs import Pack
from triage import audit, authority, db, digests, review, run_checks, runs
from triage.classify_work import (
    Batch,
    Classifier,
    DeterminationRow,
    RelevanceCheck,
    Snapshot,
    available_cpus,
    classify_batches,
)
from triage.errors import RefusedError, TriageError
from triage.records_db import all_subjects, candidate_subjects, last_row_id
from triage.runs import Run

CHUNK = 4000  # determinations per write transaction: a few milliseconds of lock each
# Records built per unit of work (and per progress report). Every person read is built, so
# this bounds what each batch in flight holds (~5,000 rows; at most two per worker).
BATCH_PEOPLE = 500
PARALLEL_MIN_PEOPLE = 20_000  # below this, starting worker processes costs more than it saves
MAX_WORKERS = 8
# Read only people with a conviction the pack may find relevant: the others cannot get a
# determination, and most people are such. Tests turn it off to compare with reading all.
PRECHECK = True

ProgressCallback = Callable[[int, int], None]
"""Called as `progress(people_done, people_total)` after each batch of people and at the end."""

_INSERT = (
    "INSERT INTO determinations (run_id, key, subject_id, outcome, label, reason, step_id, "
    "citation, flags, forced_review, suggested_outcome, suggested_label, suggested_reason, "
    "trace, section, felony, conviction_date, county) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CASE_CACHES = ("review_cases", "review_case_runs")  # the queue's rows, derived per run
_HAS_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
_OUTCOME = 3  # index of the outcome in a determination row


@dataclass(frozen=True)
class RunSummary:
    """What a finished run did, for the CLI: the stored run (every run fact lives on `Run`)
    plus what only the classification itself counted (people read, determinations by
    outcome)."""

    run: Run
    people: int
    by_outcome: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (`triage classify --json`)."""
        return {
            "run": self.run.id,
            "pack": self.run.pack(),
            "county": self.run.county,
            "compute_at": self.run.compute_at,
            "people": self.people,
            "convictions": self.run.convictions,
            "by_outcome": dict(self.by_outcome),
            "seconds": round(self.run.seconds, 3),
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


def _discard_run(conn: sqlite3.Connection, run_id: int, *, refused: bool = False) -> None:
    """Remove the determinations of a run that failed before it became visible.

    The `runs` row of a failed run stays, unfinished, as the record of the attempt (and so
    that its id is never handed to another run). A refused run (`run_checks.RunRefused`) is
    no failure: it is removed whole, as if never started (no queue rows, no audit entry
    refer to it yet), so `triage doctor` has no unfinished run to warn about. Cleanup must
    never hide the error that caused it: if the database refuses, the unfinished run is left
    as a killed one would be.
    """
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        with db.write(conn):
            conn.execute("DELETE FROM determinations WHERE run_id = ?", (run_id,))
            for cache in _CASE_CACHES:  # queue rows built before a refusal at activation
                if conn.execute(_HAS_TABLE, (cache,)).fetchone() is not None:
                    conn.execute(f"DELETE FROM {cache} WHERE run_id = ?", (run_id,))  # noqa: S608
            if refused:
                conn.execute("DELETE FROM runs WHERE id = ? AND finished_at IS NULL", (run_id,))
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
    force: bool = False,
    unshared: bool = False,
) -> RunSummary:
    """Classify every person in the database with `pack` and record it as a new run.

    The new run becomes the active one, with its review queue rows built
    (`review.refresh_cases`). `options` (e.g. the gogen options the pack was built from)
    is stored with the run as JSON. `workers` is the number of processes that classify
    (default: one per CPU for large databases, else this process alone). Whatever the rules
    raise for a record they cannot handle propagates, after the partial run is removed.

    Raises `run_checks.RunRefused` (and leaves no run behind) when no conviction is in
    `county`, when the run classifies none, or, unless `force`, when it keeps fewer than
    half of the convictions the active run determined.

    Making a run active changes what the office files, so `actor` must be a supervisor
    (`authority`): otherwise `RefusedError`, audited, before anything is written, and
    checked again as the run becomes active (a role revoked meanwhile). `unshared` is for
    a caller that made the database file itself in a private folder (the sample builder):
    no other account can reach it, so no role applies, and its actor is a fixed name.
    """
    if not county.strip():
        raise TriageError("a classification run needs a county (the pack names none)")
    with authority.audited(conn):  # a refusal is written once its transaction rolled back
        if not unshared:
            _may_activate(conn, actor, pack, county)
        run_checks.check_county(conn, county)
        started = time.perf_counter()
        run_id = _start_run(conn, pack, county, compute_at, actor, options)
        try:
            with db.bulk_writes(conn):
                people, outcomes = _classify_all(
                    conn, run_id, pack, county, compute_at, progress, workers
                )
                run_checks.check_new_run(conn, run_id, pack.id, county, force=force, actor=actor)
                # Queue rows first, so the run is complete the moment it becomes active.
                review.refresh_cases(conn, run_id)
                # Only this run writes its rows, and it has finished writing them.
                determinations_sha256 = digests.run_determinations(conn, run_id)
            by_outcome = dict(sorted(outcomes.items()))
            _finish_run(
                conn, run_id, pack, actor, county=county, compute_at=compute_at, people=people,
                by_outcome=by_outcome, seconds=time.perf_counter() - started,
                determinations_sha256=determinations_sha256, checked=not unshared,
            )  # fmt: skip
        except BaseException as exc:
            refused = isinstance(exc, run_checks.RunRefused | RefusedError)
            _discard_run(conn, run_id, refused=refused)
            raise
    return RunSummary(run=runs.resolve(conn, run_id), people=people, by_outcome=by_outcome)


def _may_activate(conn: sqlite3.Connection, actor: str, pack: Pack, county: str) -> None:
    authority.require_supervisor(
        conn, actor, "classify", f"pack:{pack.id}", extra={"county": county.strip()},
        what="making a new classification run active (triage classify)",
    )  # fmt: skip


def _finish_run(
    conn: sqlite3.Connection,
    run_id: int,
    pack: Pack,
    actor: str,
    *,
    county: str,
    compute_at: dt.date,
    people: int,
    by_outcome: dict[str, int],
    seconds: float,
    determinations_sha256: str,
    checked: bool,
) -> None:
    """Mark the run finished, make it the active one and audit it, in one transaction."""
    total = sum(by_outcome.values())
    with db.write(conn):
        if checked:  # the role as it is now, not as it was when the run started
            _may_activate(conn, actor, pack, county)
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
                "determinations_sha256": determinations_sha256,
            },
        )


def _workers(requested: int | None, people: int) -> int:
    if requested is not None:
        return max(1, requested)
    if people < PARALLEL_MIN_PEOPLE:
        return 1
    return max(1, min(available_cpus(), MAX_WORKERS))


def _people_between(reader: sqlite3.Connection, after: str | None, upto: str) -> int:
    """People in the snapshot after subject `after` (None: from the start) up to `upto`."""
    if after is None:
        row = reader.execute("SELECT count(*) FROM people WHERE subject_id <= ?", (upto,))
    else:
        row = reader.execute(
            "SELECT count(*) FROM people WHERE subject_id > ? AND subject_id <= ?", (after, upto)
        )
    return int(row.fetchone()[0])


def _batches(
    reader: sqlite3.Connection, subjects: list[str], size: int, *, skipping: bool
) -> Iterator[tuple[int, Batch]]:
    """(people passed so far, batch) for every `size` people to classify, in subject order.

    People passed counts everyone in the snapshot up to the batch's last person, those the
    relevance check skipped (when `skipping`) included, so progress moves evenly through
    the whole database. Counting the skipped ones walks the people index between batches.
    """
    passed = 0
    last: str | None = None
    for start in range(0, len(subjects), size):
        batch = subjects[start : start + size]
        passed += _people_between(reader, last, batch[-1]) if skipping else len(batch)
        last = batch[-1]
        yield passed, batch


def _classify_all(
    conn: sqlite3.Connection,
    run_id: int,
    pack: Pack,
    county: str,
    compute_at: dt.date,
    progress: ProgressCallback | None,
    workers: int | None,
) -> tuple[int, Counter[str]]:
    """Classify the people of one snapshot; (people in it, determinations by outcome)."""
    path = database_path(conn)
    reader = db.connect(path)
    outcomes: Counter[str] = Counter()
    try:
        reader.execute("BEGIN")  # one snapshot for the whole run
        total = int(reader.execute("SELECT count(*) FROM people").fetchone()[0])
        if progress is not None:
            progress(0, total)
        snapshot = Snapshot(path, last_row_id(reader))
        if PRECHECK:
            subjects = candidate_subjects(reader, RelevanceCheck(pack, county).row)
        else:
            subjects = all_subjects(reader)
        pending: list[DeterminationRow] = []
        # On an error, stop the workers here, before the reader closes, rather than
        # whenever the garbage collector gets to the generator.
        with contextlib.closing(
            classify_batches(
                Classifier(pack, county, compute_at, run_id),
                _batches(reader, subjects, BATCH_PEOPLE, skipping=PRECHECK),
                reader=reader,
                snapshot=snapshot,
                workers=_workers(workers, total),
            )
        ) as results:
            for passed, rows in results:
                pending.extend(rows)
                outcomes.update(r[_OUTCOME] for r in rows)
                while len(pending) >= CHUNK:
                    _write_chunk(conn, pending[:CHUNK])
                    del pending[:CHUNK]
                if progress is not None and passed < total:
                    progress(passed, total)
        _write_chunk(conn, pending)
        if progress is not None:
            progress(total, total)
    finally:
        reader.close()
    return total, outcomes
