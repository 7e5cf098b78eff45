"""The decision stack's rows: reading a conviction's current state, appending a decision
or undo entry with its audit entry, and the checks every write makes first (a known
decision kind, the version the caller saw, the role and claim that allow the change).

`decide`, `decide_many` and `undo` in the façade (`triage.review`) compose these inside
their transactions; nothing outside the package calls them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from triage import audit, authority, db
from triage.errors import ConflictError, UsageError
from triage.review.claims import check_not_held_by_other, renew_if_held
from triage.review.model import DECISION_KINDS, DecisionResult


@dataclass(frozen=True)
class State:
    version: int
    decision: str | None
    reviewer: str | None


def check_kind(decision: str) -> None:
    if decision not in DECISION_KINDS:
        raise UsageError(f"decision: use one of {', '.join(DECISION_KINDS)} (got {decision!r})")


def current_state(conn: sqlite3.Connection, key: str) -> State:
    row = conn.execute(
        "SELECT version, decision, reviewer FROM current_decisions WHERE key = ?", (key,)
    ).fetchone()
    if row is None:
        return State(0, None, None)
    return State(int(row[0]), row[1], row[2])


def check_version(key: str, expected: int | None, state: State, attempted: str | None) -> None:
    if expected is not None and expected != state.version:
        raise ConflictError(key, expected, state.version, state.decision, state.reviewer, attempted)


def log_conflicts(
    conn: sqlite3.Connection, reviewer: str, action: str, conflicts: list[ConflictError]
) -> None:
    """Record refused attempts, in their own transaction after the rollback, so the audit
    trail shows both sides of every conflict."""
    with db.write(conn):
        for c in conflicts:
            audit.append(
                conn,
                reviewer,
                f"{action}.conflict",
                c.key,
                {
                    "attempted": c.attempted,
                    "expected_version": c.expected_version,
                    "current_version": c.current_version,
                    "current_decision": c.current_decision,
                    "current_reviewer": c.current_reviewer,
                },
            )


def may_change(
    conn: sqlite3.Connection, subject_id: str, reviewer: str, attempted: str, key: str
) -> None:
    authority.require_role(conn, reviewer, attempted, key)
    check_not_held_by_other(conn, subject_id, reviewer, attempted, key)


def suggestion(conn: sqlite3.Connection, run_id: int | None, key: str) -> str | None:
    if run_id is None:
        return None
    row = conn.execute(
        "SELECT coalesce(suggested_outcome, outcome) FROM determinations "
        "WHERE run_id = ? AND key = ?",
        (run_id, key),
    ).fetchone()
    return None if row is None else str(row[0])


def append(
    conn: sqlite3.Connection,
    *,
    key: str,
    subject_id: str,
    state: State,
    action: str,
    decision: str | None,
    reviewer: str,
    run_id: int | None,
    batch: str | None,
    undoes: int | None = None,
    reasons: tuple[str, ...] = (),
    note_id: int | None = None,
) -> DecisionResult:
    version = state.version + 1
    suggested = suggestion(conn, run_id, key)
    at = db.now()
    try:
        cur = conn.execute(
            "INSERT INTO decisions (key, subject_id, version, action, decision, previous, "
            "reviewer, created_at, run_id, suggested, batch, undoes, grounds, note_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, subject_id, version, action, decision, state.decision, reviewer, at,
             run_id, suggested, batch, undoes, ",".join(reasons), note_id),
        )  # fmt: skip
    except sqlite3.IntegrityError:
        # Only reachable if someone wrote outside BEGIN IMMEDIATE; still never overwrite.
        now = current_state(conn, key)
        raise ConflictError(
            key, state.version, now.version, now.decision, now.reviewer, decision
        ) from None
    entry_id = int(cur.lastrowid or 0)
    detail: dict[str, object] = {
        "decision": decision,
        "previous": state.decision,
        "version": version,
        "run_id": run_id,
        "suggested": suggested,
    }
    if batch is not None:
        detail["batch"] = batch
    if undoes is not None:
        detail["undoes"] = undoes
    if reasons:
        detail["grounds"] = ",".join(reasons)
    if note_id is not None:
        detail["note_id"] = note_id
    # The entry records every field of the row (reviewer = actor, created_at = at), so
    # `triage doctor` can hold each decision to its entry (`triage.coverage`).
    audit.append(conn, reviewer, action, key, detail, at=at)
    renew_if_held(conn, subject_id, reviewer)
    return DecisionResult(entry_id, key, version, decision, state.decision)


def unchanged(state: State, decision: str, reasons: tuple[str, ...], note: str | None) -> bool:
    """The same decision again, with nothing new (no grounds, no note), writes nothing: a
    repeated key press must not pile up versions "dismiss (was dismiss)"."""
    return state.decision == decision and not reasons and not (note and note.strip())
