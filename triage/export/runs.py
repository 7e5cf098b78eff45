"""Which run an export describes, and the facts about it every manifest records."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

from triage import db
from triage.errors import TriageError


@dataclass(frozen=True)
class RunFacts:
    """A finished classification run, as exports cite it."""

    id: int
    pack_id: str
    pack_title: str
    pack_version: str
    pack_hash: str
    county: str
    compute_at: str
    options: str
    started_at: str
    finished_at: str
    created_by: str
    convictions: int
    seconds: float

    @property
    def compute_date(self) -> dt.date:
        return dt.date.fromisoformat(self.compute_at[:10])

    def manifest(self) -> dict[str, Any]:
        """The run's part of an export manifest."""
        return {
            "run_id": self.id,
            "pack": {"id": self.pack_id, "title": self.pack_title,
                     "version": self.pack_version, "hash": self.pack_hash},
            "county": self.county,
            "compute_at": self.compute_at,
        }  # fmt: skip


def resolve_run(conn: sqlite3.Connection, run_id: int | None) -> RunFacts:
    """The run `run_id`, or the active run; a one-line error when there is none usable."""
    chosen = run_id if run_id is not None else db.active_run_id(conn)
    if chosen is None:
        raise TriageError("no classification run yet: run `triage classify` first")
    row = conn.execute("SELECT * FROM runs WHERE id = ?", (chosen,)).fetchone()
    if row is None:
        raise TriageError(f"--run {chosen}: no such run")
    if row["finished_at"] is None:
        raise TriageError(f"--run {chosen}: that run never finished; classify again")
    return RunFacts(
        id=int(row["id"]), pack_id=row["pack_id"], pack_title=row["pack_title"],
        pack_version=row["pack_version"], pack_hash=row["pack_hash"], county=row["county"],
        compute_at=row["compute_at"], options=row["options"], started_at=row["started_at"],
        finished_at=row["finished_at"], created_by=row["created_by"],
        convictions=int(row["convictions"]), seconds=float(row["seconds"] or 0.0),
    )  # fmt: skip
