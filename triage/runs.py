"""Classification runs: the one typed record of a run and the one answer to "which run?".

A run is a row of `runs`: one pack applied to the database at one compute-at date. The CLI
(`queue`, `decide`, `results`, `claim`...), the review layer, the case screen and the exports
all name a run the same way: an explicit `--run N`, else the active run (`db.active_run_id`:
the one explicitly activated, else the newest finished). `resolve` is the only place that
turns that choice into a `Run` or a refusal, so every command words its refusal alike:

- no run at all:      ``no classification run yet: run `triage classify --policy PACK` first``
- an unknown id:      ``--run N: no such run (see `triage stats`)``
- an unfinished run:  ``--run N: that run never finished; classify again``
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

from triage import db
from triage.errors import TriageError

NO_RUN = "no classification run yet: run `triage classify --policy PACK` first"


@dataclass(frozen=True)
class Run:
    """One row of `runs`, typed. `finished_at` is None while the run is being written (or
    after it was killed: such a run is never active and holds no usable determinations)."""

    id: int
    pack_id: str
    pack_title: str
    pack_version: str
    pack_hash: str
    county: str
    compute_at: str
    options: str  # JSON of the options the pack was built from (gogen), "{}" for most packs
    started_at: str
    finished_at: str | None
    created_by: str
    convictions: int
    seconds: float

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def compute_date(self) -> dt.date:
        return dt.date.fromisoformat(self.compute_at[:10])

    def pack(self) -> dict[str, str]:
        """The pack the run applied, as `classify --json` and export manifests name it."""
        return {"id": self.pack_id, "title": self.pack_title,
                "version": self.pack_version, "hash": self.pack_hash}  # fmt: skip

    def facts(self) -> dict[str, Any]:
        """The run as `triage stats --json` reports it (no options, no timing)."""
        return {
            "id": self.id, "pack_id": self.pack_id, "pack_title": self.pack_title,
            "pack_version": self.pack_version, "pack_hash": self.pack_hash,
            "county": self.county, "compute_at": self.compute_at,
            "started_at": self.started_at, "finished_at": self.finished_at,
            "created_by": self.created_by, "convictions": self.convictions,
        }  # fmt: skip


def _from_row(row: sqlite3.Row | tuple[Any, ...], names: list[str]) -> Run:
    r = dict(zip(names, row, strict=True))
    return Run(
        id=int(r["id"]), pack_id=str(r["pack_id"]), pack_title=str(r["pack_title"]),
        pack_version=str(r["pack_version"]), pack_hash=str(r["pack_hash"]),
        county=str(r["county"]), compute_at=str(r["compute_at"]), options=str(r["options"]),
        started_at=str(r["started_at"]),
        finished_at=None if r["finished_at"] is None else str(r["finished_at"]),
        created_by=str(r["created_by"]), convictions=int(r["convictions"]),
        seconds=float(r["seconds"] or 0.0),
    )  # fmt: skip


def get(conn: sqlite3.Connection, run_id: int) -> Run | None:
    """Run `run_id` as stored (finished or not), or None when there is no such run."""
    cur = conn.execute(
        "SELECT id, pack_id, pack_title, pack_version, pack_hash, county, compute_at, options, "
        "started_at, finished_at, created_by, convictions, seconds FROM runs WHERE id = ?",
        (run_id,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return _from_row(tuple(row), [d[0] for d in cur.description])


def active(conn: sqlite3.Connection) -> Run | None:
    """The active run, or None before the first finished run."""
    run_id = db.active_run_id(conn)
    return None if run_id is None else get(conn, run_id)


def resolve(conn: sqlite3.Connection, run_id: int | None = None, *, finished: bool = True) -> Run:
    """Run `run_id`, or the active run when None; a one-line TriageError when there is none
    usable. `finished=False` also accepts a run still being written (or killed): only for
    looking at one, never for deciding on or exporting it."""
    if run_id is None:
        found = active(conn)
        if found is None:
            raise TriageError(NO_RUN)
        return found
    found = get(conn, run_id)
    if found is None:
        raise TriageError(f"--run {run_id}: no such run (see `triage stats`)")
    if finished and not found.finished:
        raise TriageError(f"--run {run_id}: that run never finished; classify again")
    return found
