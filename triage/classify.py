"""Classification runs: every conviction in the database through one policy pack.

A run is a snapshot: the pack's id, version and content hash, the county and compute-at
date, and one determination per relevant conviction. Runs are only ever added; reviewer
decisions and notes live in their own tables keyed by conviction, so classifying again
(with the same pack or another) never touches reviewer work.

How it stays out of reviewers' way: people are read on a second connection inside one
read transaction (a consistent snapshot that never blocks writers under WAL), classified
with no lock held, and their determinations written in short `BEGIN IMMEDIATE`
transactions of a few thousand rows. The run becomes visible (finished, active, audited)
in a last short transaction; a run that fails or is interrupted is removed again, and one
killed outright stays unfinished, which the queue and exports ignore.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.charges import parse_charge
from rules.engine import classify, relevant
from rules.model import Conviction, Determination, PartialDate, PersonRecord
from rules.packs import Pack
from rules.records import build_person
from triage import audit, db, review
from triage.errors import TriageError
from triage.records_db import RawRow, as_doj_rows, column_index, iter_raw_people

CHUNK = 4000  # determinations per write transaction: a few milliseconds of lock each
READ_BATCH = 4000
PRECHECK = True  # skip building records that cannot get a determination (tests turn it off)

ProgressCallback = Callable[[int, int], None]
"""Called as `progress(people_done, people_total)` every few thousand people and at the end."""

_INSERT = (
    "INSERT INTO determinations (run_id, key, subject_id, outcome, label, reason, step_id, "
    "citation, flags, forced_review, suggested_outcome, suggested_label, suggested_reason, "
    "trace, section, felony, conviction_date, county) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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


_OFFENSE = column_index("OFFENSE_DESCR")
_COMMENT = column_index("COMMENT_TEXT")
_COUNTY = column_index("STP_ORI_CNTY_NAME")
_DISPOSITION = column_index("DISP_DESCR")
_NO_DATE = PartialDate(raw="", value=None)


class RelevanceCheck:
    """Tells, before a person's record is built, whether any of their rows could get a
    determination: most people in a DOJ extract have no relevant conviction, and building
    their records is most of a run's time.

    It asks the engine's own `relevant()` about each convicted row's county and charge, as
    `build_person` would read them, so it can only err towards building a record that then
    gets no determination, never the other way. Answers are cached by (county, offense,
    comment) text, which repeats heavily across a file. tests/test_classify.py checks that
    runs with and without it agree.
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

    def person(self, raw: list[RawRow]) -> bool:
        """False only when no conviction of this person can be relevant."""
        for r in raw:
            if r[_DISPOSITION].strip().upper().startswith("CONVICTED") and self.row(
                r[_COUNTY], r[_OFFENSE], r[_COMMENT]
            ):
                return True
        return False


def _trace_json(det: Determination) -> str:
    return json.dumps([[t.step_id, t.matched, t.detail] for t in det.trace], ensure_ascii=False)


def _row(
    run_id: int, subject_id: str, det: Determination, conv: Conviction | None
) -> tuple[Any, ...]:
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
        conv.charge.display if conv is not None else "",
        int(conv.felony) if conv is not None else 0,
        conv.date.raw if conv is not None else "",
        conv.county if conv is not None else "",
    )


def determination_rows(
    run_id: int, person: PersonRecord, determinations: Iterable[Determination]
) -> list[tuple[Any, ...]]:
    """Database rows for one person's determinations, with the conviction's display facts."""
    by_key = {c.key: c for c in person.convictions}
    return [_row(run_id, person.subject_id, d, by_key.get(d.key)) for d in determinations]


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
                str(pack.version),
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
    """Remove what a failed run wrote; a run never became visible, so nothing refers to it."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    with db.write(conn):
        conn.execute("DELETE FROM determinations WHERE run_id = ?", (run_id,))
        conn.execute("DELETE FROM runs WHERE id = ? AND finished_at IS NULL", (run_id,))


def classify_run(
    conn: sqlite3.Connection,
    pack: Pack,
    *,
    county: str,
    compute_at: dt.date,
    actor: str,
    options: Mapping[str, Any] | None = None,
    progress: ProgressCallback | None = None,
) -> RunSummary:
    """Classify every person in the database with `pack` and record it as a new run.

    The new run becomes the active one. `options` (e.g. the gogen options the pack was
    built from) is stored with the run as JSON. Raises whatever the rules raise for a
    record they cannot handle; the partial run is then removed.
    """
    if not county.strip():
        raise TriageError("a classification run needs a county (the pack names none)")
    started = time.perf_counter()
    run_id = _start_run(conn, pack, county, compute_at, actor, options)
    try:
        people, outcomes = _classify_all(conn, run_id, pack, county, compute_at, progress)
        refresh = getattr(review, "refresh_cases", None)
        if callable(refresh):
            refresh(conn, run_id)
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
                    "version": str(pack.version),
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
        pack_version=str(pack.version),
        pack_hash=pack.content_hash,
        county=county,
        compute_at=compute_at.isoformat(),
        people=people,
        convictions=total,
        by_outcome=by_outcome,
        seconds=seconds,
    )


def _classify_all(
    conn: sqlite3.Connection,
    run_id: int,
    pack: Pack,
    county: str,
    compute_at: dt.date,
    progress: ProgressCallback | None,
) -> tuple[int, Counter[str]]:
    reader = db.connect(database_path(conn))
    outcomes: Counter[str] = Counter()
    people = 0
    try:
        reader.execute("BEGIN")  # one snapshot for the whole run
        total = int(reader.execute("SELECT count(*) FROM people").fetchone()[0])
        if progress is not None:
            progress(0, total)
        check = RelevanceCheck(pack, county)
        pending: list[tuple[Any, ...]] = []
        for _, raw in iter_raw_people(reader, batch=READ_BATCH):
            people += 1
            if progress is not None and people % READ_BATCH == 0:
                progress(people, total)
            if PRECHECK and not check.person(raw):
                continue
            person = build_person(as_doj_rows(raw))
            dets = classify(person, pack, county=county, compute_at=compute_at)
            if dets:
                pending.extend(determination_rows(run_id, person, dets))
                outcomes.update(d.outcome.value for d in dets)
                if len(pending) >= CHUNK:
                    _write_chunk(conn, pending)
                    pending = []
        _write_chunk(conn, pending)
        if progress is not None:
            progress(people, max(total, people))
    finally:
        reader.close()
    return people, outcomes
