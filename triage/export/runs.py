"""Which run an export describes, and the run's part of every manifest.

Exports take the one typed `triage.runs.Run`; `resolve_run` only insists it is finished
(an unfinished run holds no usable determinations), worded as every command words it."""

from __future__ import annotations

import sqlite3
from typing import Any

from triage import runs


def resolve_run(conn: sqlite3.Connection, run_id: int | None) -> runs.Run:
    """The finished run `run_id`, or the active run; a one-line error when there is none
    usable (worded by `triage.runs.resolve`)."""
    return runs.resolve(conn, run_id, finished=True)


def manifest(run: runs.Run) -> dict[str, Any]:
    """The run's part of an export manifest."""
    return {
        "run_id": run.id,
        "pack": run.pack(),
        "county": run.county,
        "compute_at": run.compute_at,
    }  # fmt: skip
