"""The service layer for reviewing: queue, case, decide, undo, note, claim.

The CLI (`triage queue/decide/note/...`) and the TUI call these functions and nothing
else to read or change review state. The TUI holds no SQL.

Conventions:
- Every write is one short `db.write()` (BEGIN IMMEDIATE) transaction that also appends
  an audit entry (`triage.audit.append`).
- A decision carries `expected_version`: the conviction's decision version the caller saw
  (0 = never decided). If someone else wrote in between, `ConflictError` is raised with
  both values, and the attempt is logged in the audit trail.
- Cases are people (SUBJECT_IDs) with at least one conviction whose determination in the
  run is `review` (or matching the filter).

Decisions form a stack per conviction. `decide` pushes a state; `undo` appends an entry
that restores the state before the latest decision still standing (one not yet undone).
`pending` (in queue rows and `Progress.remaining`) counts convictions with no current
decision; `defer` is a decision, so deferred convictions are not pending (filter them
with `QueueFilter(decision="defer")`).

Who may (`triage.authority`): role `none` changes nothing; undoing or replacing another
reviewer's decision, or deciding inside their live claim, needs a supervisor.

The package keeps one module per concept: `model` (the value types), `queue` (paging the
review queue), `filters` (checking a queue filter), `cases_table` (the derived per-person
table the queue pages over), `case` (one person's case and history), `claims` (leases on a
case), `notes` (notes on a person or conviction), `accept` (what accepting a suggestion
records), `stack` (a conviction's decision rows) and `stats` (figures for the stats
screen). This module is the façade: every public name is re-exported here, and the CLI
and the TUI import nothing else of the package.
"""

from __future__ import annotations

import sqlite3
import uuid

from triage import authority, db, grounds
from triage.errors import ConflictError, TriageError, UsageError
from triage.review.accept import Acceptance, acceptance, accepted_decision, implied_grounds
from triage.review.case import (
    conviction_history,
    current_run,
    history,
    load_case,
    progress,
    run_info,
)
from triage.review.cases_table import ensure_cases, recount_pending, refresh_cases
from triage.review.claims import (
    check_not_held_by_other,
    claim,
    claim_holder,
    claim_next,
    release,
)
from triage.review.model import (
    DECISION_KINDS,
    LEASE_MINUTES,
    SORT_KEYS,
    AuditEntry,
    CaseRow,
    CaseView,
    ConvictionHistory,
    ConvictionItem,
    DecisionEntry,
    DecisionResult,
    Note,
    Progress,
    QueueFilter,
    RunDetermination,
)
from triage.review.notes import MAX_NOTE_CHARS, add_note, add_note_to, insert_note, subject_of
from triage.review.queue import queue_convictions, queue_count, queue_page
from triage.review.reviewer_state import ReviewerState, load_state, save_state
from triage.review.stack import State as _State
from triage.review.stack import append as _append
from triage.review.stack import check_kind as _check_kind
from triage.review.stack import check_version as _check_version
from triage.review.stack import current_state as _state
from triage.review.stack import log_conflicts as _log_conflicts
from triage.review.stack import may_change as _may_change
from triage.review.stack import unchanged as _unchanged
from triage.runs import Run

__all__ = [
    "DECISION_KINDS", "LEASE_MINUTES", "MAX_NOTE_CHARS", "SORT_KEYS", "AuditEntry", "CaseRow",
    "CaseView", "ConvictionHistory", "ConvictionItem", "DecisionEntry", "DecisionResult",
    "Note", "Progress", "QueueFilter", "RunDetermination", "Run", "accepted_decision",
    "Acceptance", "acceptance", "implied_grounds",
    "add_note",
    "add_note_to", "claim",
    "claim_holder", "claim_next", "conviction_history", "current_run", "decide",
    "decide_many", "ensure_cases", "history", "load_case", "progress", "queue_convictions",
    "queue_count", "queue_page", "refresh_cases", "release", "run_info", "undo", "undo_last",
    "undo_last_many", "ReviewerState", "load_state", "save_state",
]  # fmt: skip


def decide(conn: sqlite3.Connection, key: str, decision: str, reviewer: str, *,
           expected_version: int | None = None, note: str | None = None,
           run_id: int | None = None, batch: str | None = None,
           grounds_text: str | None = None) -> DecisionResult:  # fmt: skip
    """Record a decision. `expected_version=None` means "whatever is current" (scripts);
    the TUI always passes the version it displayed. `grounds_text` is a comma-separated
    list of `triage.grounds` ids (not_eligible only); a note given with the decision is
    written first and linked from it, so the exhibit can print the two together."""
    _check_kind(decision)
    reasons = grounds.parse(grounds_text, decision=decision, note=note)
    try:
        with authority.audited(conn), db.write(conn):
            subject_id = subject_of(conn, key)
            state = _state(conn, key)
            _check_version(key, expected_version, state, decision)
            _may_change(conn, subject_id, reviewer, "decide", key)
            if _unchanged(state, decision, reasons, note):
                return DecisionResult(0, key, state.version, decision, decision, changed=False)
            authority.may_replace(conn, reviewer, key, decision, state.decision, state.reviewer)
            run = run_id if run_id is not None else db.active_run_id(conn)
            note_id = None
            if note is not None and note.strip():
                note_id = insert_note(conn, subject_id, key, note, reviewer).id
            result = _append(
                conn, key=key, subject_id=subject_id, state=state, action="decide",
                decision=decision, reviewer=reviewer, run_id=run, batch=batch,
                reasons=reasons, note_id=note_id,
            )  # fmt: skip
            recount_pending(conn, subject_id)
    except ConflictError as exc:
        _log_conflicts(conn, reviewer, "decide", [exc])
        raise
    return result


def decide_many(conn: sqlite3.Connection, items: list[tuple[str, int]], decision: str,
                reviewer: str, *, run_id: int | None = None,
                grounds_text: str | None = None,
                note: str | None = None) -> list[DecisionResult]:  # fmt: skip
    """Bulk decision on (key, expected_version) pairs in one transaction, one batch id.
    All or nothing: any conflict raises ConflictError and nothing is written. A `note` is
    written once per conviction decided (a note belongs to one person) and linked from
    its decision, as `decide` does, so the challenged list prints it beside each one."""
    _check_kind(decision)
    reasons = grounds.parse(grounds_text, decision=decision, note=note)
    keys = [k for k, _ in items]
    if len(set(keys)) != len(keys):
        raise UsageError("bulk decision: a conviction is listed twice")
    if not items:
        return []
    batch = uuid.uuid4().hex
    results: list[DecisionResult] = []
    try:
        with authority.audited(conn), db.write(conn):
            run = run_id if run_id is not None else db.active_run_id(conn)
            subjects = {key: subject_of(conn, key) for key in keys}
            states = {key: _state(conn, key) for key in keys}
            conflicts = []
            for key, expected in items:
                try:
                    _check_version(key, expected, states[key], decision)
                except ConflictError as exc:
                    conflicts.append(exc)
            if conflicts:
                raise _BulkConflict(conflicts)
            authority.require_role(conn, reviewer, "decide", keys[0])
            for key in keys:  # all or nothing, like conflicts
                check_not_held_by_other(conn, subjects[key], reviewer, "decide", key)
                st = states[key]
                authority.may_replace(conn, reviewer, key, decision, st.decision, st.reviewer)
            for key, _ in items:
                if _unchanged(states[key], decision, reasons, note):
                    st = states[key]
                    results.append(DecisionResult(0, key, st.version, decision, decision, False))
                    continue
                note_id = None
                if note is not None and note.strip():
                    note_id = insert_note(conn, subjects[key], key, note, reviewer).id
                results.append(
                    _append(
                        conn, key=key, subject_id=subjects[key], state=states[key],
                        action="decide", decision=decision, reviewer=reviewer, run_id=run,
                        batch=batch, reasons=reasons, note_id=note_id,
                    )
                )  # fmt: skip
            for subject_id in set(subjects.values()):
                recount_pending(conn, subject_id)
    except _BulkConflict as bulk:
        _log_conflicts(conn, reviewer, "decide", bulk.conflicts)
        raise bulk.conflicts[0] from None
    return results


class _BulkConflict(Exception):
    def __init__(self, conflicts: list[ConflictError]) -> None:
        super().__init__("conflicts")
        self.conflicts = conflicts


def _standing_top(conn: sqlite3.Connection, key: str) -> sqlite3.Row | None:
    """The latest decide entry on `key` not yet undone: what an undo would revert."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM decisions d WHERE d.key = ? AND d.action = 'decide' "
        "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id) "
        "ORDER BY d.version DESC LIMIT 1",
        (key,),
    ).fetchone()
    return row


def _undo_entry(
    conn: sqlite3.Connection, target: sqlite3.Row, reviewer: str, state: _State,
    batch: str | None,
) -> DecisionResult:  # fmt: skip
    return _append(
        conn, key=str(target["key"]), subject_id=str(target["subject_id"]), state=state,
        action="undo", decision=target["previous"], reviewer=reviewer,
        run_id=target["run_id"], batch=batch, undoes=int(target["id"]),
    )  # fmt: skip


def undo(conn: sqlite3.Connection, key: str, reviewer: str, *,
         expected_version: int | None = None) -> DecisionResult:  # fmt: skip
    """Undo the latest decision on `key` by appending an entry that restores the state
    before it. Never deletes."""
    try:
        with authority.audited(conn), db.write(conn):
            subject_id = subject_of(conn, key)
            state = _state(conn, key)
            _check_version(key, expected_version, state, "undo")
            target = _standing_top(conn, key)
            if target is None:
                raise TriageError(f"nothing to undo on {key}: no decision is standing")
            _may_change(conn, subject_id, reviewer, "undo", key)
            if target["reviewer"] != reviewer:
                authority.require_supervisor(
                    conn, reviewer, "undo", key, extra={"decided_by": str(target["reviewer"])},
                    what=f"the decision on {key} is {target['reviewer']}'s; undoing another "
                    "reviewer's decision",
                )  # fmt: skip
            result = _undo_entry(conn, target, reviewer, state, None)
            recount_pending(conn, subject_id)
    except ConflictError as exc:
        _log_conflicts(conn, reviewer, "undo", [exc])
        raise
    return result


def undo_last_many(conn: sqlite3.Connection, reviewer: str) -> list[DecisionResult]:
    """Undo `reviewer`'s most recent decision still standing, and with it the rest of its
    bulk batch. A decision someone else has since decided over is left alone (undoing it
    would revert their work). Returns what was undone (empty when nothing was)."""
    with authority.audited(conn), db.write(conn):
        authority.require_role(conn, reviewer, "undo", "last")
        last = conn.execute(
            "SELECT * FROM decisions d WHERE d.reviewer = ? AND d.action = 'decide' "
            "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id) "
            "AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.key = d.key "
            "  AND x.action = 'decide' AND x.version > d.version "
            "  AND NOT EXISTS (SELECT 1 FROM decisions u2 WHERE u2.undoes = x.id)) "
            "ORDER BY d.created_at DESC, d.id DESC LIMIT 1",
            (reviewer,),
        ).fetchone()
        if last is None:
            return []
        if last["batch"] is None:
            targets = [last]
        else:
            targets = [
                t
                for t in conn.execute(
                    "SELECT * FROM decisions WHERE batch = ? AND action = 'decide' "
                    "AND reviewer = ? ORDER BY id",
                    (last["batch"], reviewer),
                )
                if (top := _standing_top(conn, str(t["key"]))) is not None
                and int(top["id"]) == int(t["id"])
            ]
        results = [
            _undo_entry(conn, t, reviewer, _state(conn, str(t["key"])), t["batch"]) for t in targets
        ]
        for subject_id in {str(t["subject_id"]) for t in targets}:
            recount_pending(conn, subject_id)
    return results


def undo_last(conn: sqlite3.Connection, reviewer: str) -> DecisionResult | None:
    """Undo `reviewer`'s most recent still-standing decision (whole batch for bulk)."""
    results = undo_last_many(conn, reviewer)
    return results[-1] if results else None
