"""Which run an export describes, and the facts about it every manifest records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

from triage import runs


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

    @classmethod
    def of(cls, run: runs.Run) -> RunFacts:
        """A finished `runs.Run` as exports cite it."""
        assert run.finished_at is not None, "exports describe finished runs only"
        return cls(**{**dataclasses.asdict(run), "finished_at": run.finished_at})

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
    """The run `run_id`, or the active run; a one-line error when there is none usable
    (worded by `triage.runs.resolve`, as every command words it)."""
    return RunFacts.of(runs.resolve(conn, run_id))
