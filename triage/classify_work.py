"""The work of a classification run: people in, determination rows out.

`Classifier` turns one person's raw source rows into database rows for the determinations
table. `classify_batches` runs it over batches of people (SUBJECT_IDs), either in this
process or, for large databases, in forked worker processes (one per CPU): reading people's
rows, building records and running the engine is nearly all of a run's time, and it is pure
Python, so it only scales across processes. Each worker reads the rows of its own batches
on its own read-only connection, pinned to the caller's snapshot by its last source row id
(`records_db.people_rows`), so rows never travel between processes. The caller picks the
people, and writes (short transactions). Results come back in the order the batches went
out, so a run writes the same rows in the same order however many workers it used.

`RelevanceCheck` is the test that picks the people (inside SQLite, see
`records_db.candidate_subjects`) so that people who cannot get a determination are never read.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import multiprocessing
import os
import signal
import sqlite3
import sys
from collections import deque
from collections.abc import Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from rules.charges import parse_charge
from rules.engine import classify, relevant
from rules.model import Conviction, Determination, PartialDate, PersonRecord
from rules.packs import Pack
from rules.records import build_person
from triage.records_db import RawRow, as_doj_rows, open_reader, people_rows

DeterminationRow = tuple[Any, ...]
Batch = list[str]  # people, by SUBJECT_ID, in order
Tag = TypeVar("Tag")  # what the caller attaches to a batch (classify: people passed)

_NO_DATE = PartialDate(raw="", value=None)


def available_cpus() -> int:
    """CPUs this process may run on (the container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class RelevanceCheck:
    """Tells, before a person's rows are even read, whether a conviction row of theirs could
    get a determination: most people in a DOJ extract have no relevant conviction, and
    reading rows and building records is most of a run's time.

    `row` asks the engine's own `relevant()` about a conviction's county and charge (its
    first row's, as `build_person` reads them); the caller's connection calls it from SQLite
    for each conviction (`records_db.candidate_subjects`). So it can only err towards
    building a record that then gets no determination, never the other way.
    Answers are cached by (county, offense, comment) text, which repeats heavily across a
    file. tests/classify/test_classify.py checks that runs with and without it agree.
    """

    MAX_CACHED = 200_000

    def __init__(self, pack: Pack, county: str) -> None:
        self.pack = pack
        self.county = county
        self.cache: dict[tuple[str, str, str], bool] = {}

    def row(self, county: str, offense: str, comment: str) -> bool:
        """Could a conviction with this county and charge text be relevant?"""
        key = (county, offense, comment)
        known = self.cache.get(key)
        if known is not None:
            return known
        probe = Conviction(
            key="",
            cnt_order="",
            date=_NO_DATE,
            county=county.strip(),
            charge=parse_charge(offense.strip(), comment.strip()),
            offense_descr="",
            comment="",
            felony=False,
        )
        answer = relevant(probe, self.pack, self.county)
        if len(self.cache) >= self.MAX_CACHED:
            self.cache.clear()
        self.cache[key] = answer
        return answer


def _trace_json(det: Determination) -> str:
    return json.dumps([[t.step_id, t.matched, t.detail] for t in det.trace], ensure_ascii=False)


def _row(
    run_id: int, subject_id: str, det: Determination, conv: Conviction | None
) -> DeterminationRow:
    suggested = det.suggested_outcome.value if det.suggested_outcome is not None else None
    return (
        run_id,
        det.key,
        subject_id,
        det.outcome.value,
        det.label,
        det.reason,
        det.step_id,
        det.citation,
        " ".join(f.value for f in det.flags),
        int(det.forced_review),
        suggested,
        det.suggested_label,
        det.suggested_reason,
        _trace_json(det),
        # Display copies of the conviction's facts, so lists need no record rebuild.
        conv.charge.display if conv is not None else "",
        int(conv.felony) if conv is not None else 0,
        conv.date.raw if conv is not None else "",
        conv.county if conv is not None else "",
    )


def determination_rows(
    run_id: int, person: PersonRecord, determinations: Iterable[Determination]
) -> list[DeterminationRow]:
    """Database rows for one person's determinations (column order of `classify._INSERT`)."""
    by_key = {c.key: c for c in person.convictions}
    return [_row(run_id, person.subject_id, d, by_key.get(d.key)) for d in determinations]


class Classifier:
    """One run's settings, applied person by person."""

    def __init__(self, pack: Pack, county: str, compute_at: dt.date, run_id: int) -> None:
        self.pack = pack
        self.county = county
        self.compute_at = compute_at
        self.run_id = run_id

    def person(self, raw: list[RawRow]) -> list[DeterminationRow]:
        """Determination rows for one person's raw rows (often none)."""
        record = build_person(as_doj_rows(raw))
        dets = classify(record, self.pack, county=self.county, compute_at=self.compute_at)
        return determination_rows(self.run_id, record, dets) if dets else []

    def batch(self, people: list[list[RawRow]]) -> list[DeterminationRow]:
        out: list[DeterminationRow] = []
        for raw in people:
            out.extend(self.person(raw))
        return out


@dataclass(frozen=True)
class Snapshot:
    """Where the people of a run are read: the database file and the id of the last source
    row the run's snapshot holds (see `records_db.people_rows`)."""

    path: str
    upto: int


# --- worker processes ---------------------------------------------------------------------

_worker: Classifier | None = None
_reader: sqlite3.Connection | None = None
_upto = 0


def _start_worker(
    pack: Pack, county: str, compute_at: dt.date, run_id: int, snapshot: Snapshot
) -> None:
    global _worker, _reader, _upto
    # Ctrl-C is the parent's to handle: it stops the pool and removes the partial run.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = Classifier(pack, county, compute_at, run_id)
    _reader = open_reader(snapshot.path)
    _upto = snapshot.upto


def _work(subjects: Batch) -> list[DeterminationRow]:
    if _worker is None or _reader is None:  # pragma: no cover - the initializer runs first
        raise RuntimeError("classification worker was not started")
    return _worker.batch(people_rows(_reader, subjects, _upto))


def _release_free_heap() -> None:
    """Hand memory the caller has freed back to the OS before forking workers, so they do
    not each map it. After a 1,000,000-row import in the same process that is ~75 MB of
    free heap (glibc keeps it): the run's peak memory, workers included, drops by ~70 MB.
    glibc only; elsewhere nothing happens."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _start_method() -> multiprocessing.context.BaseContext:
    """fork on Linux: a worker starts in milliseconds and never re-imports the caller's main
    script (which spawn would, running an unguarded script a second time). Workers only
    compute: they never touch the parent's database handles or its threads' locks, and
    they leave with os._exit, so nothing of the parent's is closed or flushed twice.
    Elsewhere (macOS, where fork is unsafe) spawn."""
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def classify_batches(
    classifier: Classifier,
    batches: Iterable[tuple[Tag, Batch]],
    *,
    reader: sqlite3.Connection,
    snapshot: Snapshot,
    workers: int,
) -> Generator[tuple[Tag, list[DeterminationRow]], None, None]:
    """(tag, determination rows) for each (tag, batch of people), in order.

    In this process the rows are read on `reader` (the caller's snapshot). With `workers`
    > 1 the people are read, built and classified in that many processes, each reading
    `snapshot` on a connection of its own, with at most two batches per worker in flight.
    """
    if workers <= 1:
        for tag, batch in batches:
            yield tag, classifier.batch(people_rows(reader, batch, snapshot.upto))
        return
    _release_free_heap()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_start_method(),
        initializer=_start_worker,
        initargs=(
            classifier.pack,
            classifier.county,
            classifier.compute_at,
            classifier.run_id,
            snapshot,
        ),
    )
    inflight: deque[tuple[Tag, Future[list[DeterminationRow]]]] = deque()
    try:
        for tag, batch in batches:
            inflight.append((tag, pool.submit(_work, batch)))
            if len(inflight) >= 2 * workers:
                done, future = inflight.popleft()
                yield done, future.result()
        while inflight:
            done, future = inflight.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
