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

CONTRACT STUB: signatures and dataclasses are fixed; bodies are being implemented.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

DECISION_KINDS = ("dismiss", "reduce", "not_eligible", "defer")
SORT_KEYS = ("name", "subject_id", "conviction_date", "reason", "county", "pending")
LEASE_MINUTES = 15


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. Every field is matched against known columns only."""

    outcome: str | None = "review"  # determination outcome, None = any
    reason: str | None = None  # exact reason text
    flag: str | None = None  # a rules.model.Flag value
    county: str | None = None
    court_case: str | None = None  # OFN (court number)
    decided: bool | None = None  # None any, False only cases with undecided convictions
    reviewer: str | None = None  # decided by this reviewer
    search: str | None = None  # name / CII / SUBJECT_ID / court number (prefix match)


@dataclass(frozen=True)
class CaseRow:
    """One line of the queue: a person with convictions to review."""

    subject_id: str
    name: str
    dob: str
    cii: str
    convictions: int  # matching convictions in this case
    pending: int  # of those, without a current decision
    label: str  # label of the first matching conviction
    reason: str  # reason of the first matching conviction
    flags: tuple[str, ...]
    county: str
    first_date: str
    claimed_by: str | None = None
    claim_expires: str | None = None


@dataclass(frozen=True)
class ConvictionItem:
    """One conviction of a case, as the case screen and `triage queue` show it."""

    key: str
    subject_id: str
    cnt_order: str
    date: str  # raw YYYYMMDD
    county: str
    court_number: str
    offense: str  # raw OFFENSE_DESCR
    comment: str  # raw COMMENT_TEXT
    section: str  # normalized charge, '' when not a determination row
    felony: bool
    sentence_days: float
    prop64: bool
    in_county: bool
    # determination in the run (None when the conviction is not relevant to the pack)
    outcome: str | None = None
    label: str = ""
    reason: str = ""
    step_id: str = ""
    citation: str = ""
    flags: tuple[str, ...] = ()
    forced_review: bool = False
    suggested_outcome: str | None = None
    trace: tuple[tuple[str, bool, str], ...] = ()  # (step_id, matched, detail)
    # current decision
    decision: str | None = None
    decision_version: int = 0
    decided_by: str | None = None
    decided_at: str | None = None


@dataclass(frozen=True)
class Note:
    id: int
    subject_id: str
    key: str | None
    reviewer: str
    created_at: str
    text: str


@dataclass(frozen=True)
class DecisionEntry:
    id: int
    key: str
    version: int
    action: str  # decide | undo
    decision: str | None
    previous: str | None
    reviewer: str
    created_at: str
    batch: str | None = None


@dataclass(frozen=True)
class CaseView:
    subject_id: str
    name: str
    dob: str
    cii: str
    deceased: bool
    age_at_compute: int | None
    compute_at: str
    county: str  # the run's county
    convictions: tuple[ConvictionItem, ...]  # every conviction on the record, by date
    events: tuple[tuple[str, str, str, str], ...]  # (date, kind, county, offense) raw
    notes: tuple[Note, ...]
    history: tuple[DecisionEntry, ...]
    claimed_by: str | None = None
    claim_expires: str | None = None


@dataclass(frozen=True)
class DecisionResult:
    id: int
    key: str
    version: int
    decision: str | None
    previous: str | None


@dataclass(frozen=True)
class Progress:
    """A reviewer's session progress for the header."""

    decided_this_session: int
    per_hour: float
    remaining: int  # undecided convictions in the queue
    decided_today: int
    by_me: int
    total: int


@dataclass(frozen=True)
class RunInfo:
    id: int
    pack_id: str
    pack_version: str
    pack_title: str
    county: str
    compute_at: str
    finished_at: str | None
    convictions: int
    extra: dict[str, str] = field(default_factory=dict)


def current_run(conn: sqlite3.Connection) -> RunInfo | None:
    raise NotImplementedError


def queue_count(conn: sqlite3.Connection, run_id: int, flt: QueueFilter) -> int:
    raise NotImplementedError


def queue_page(conn: sqlite3.Connection, run_id: int, flt: QueueFilter, *,
               sort: str = "name", descending: bool = False, offset: int = 0,
               limit: int = 100) -> list[CaseRow]:
    """A page of cases, ordered by `sort` (one of SORT_KEYS) then subject_id."""
    raise NotImplementedError


def queue_convictions(conn: sqlite3.Connection, run_id: int, flt: QueueFilter, *,
                      limit: int | None = None) -> list[ConvictionItem]:
    """The matching convictions themselves (for `triage queue`), each with its key."""
    raise NotImplementedError


def load_case(conn: sqlite3.Connection, subject_id: str, run_id: int) -> CaseView:
    raise NotImplementedError


def decide(conn: sqlite3.Connection, key: str, decision: str, reviewer: str, *,
           expected_version: int | None = None, note: str | None = None,
           run_id: int | None = None, batch: str | None = None) -> DecisionResult:
    """Record a decision. `expected_version=None` means "whatever is current" (scripts);
    the TUI always passes the version it displayed."""
    raise NotImplementedError


def decide_many(conn: sqlite3.Connection, items: list[tuple[str, int]], decision: str,
                reviewer: str, *, run_id: int | None = None) -> list[DecisionResult]:
    """Bulk decision on (key, expected_version) pairs in one transaction, one batch id.
    All or nothing: any conflict raises ConflictError and nothing is written."""
    raise NotImplementedError


def undo(conn: sqlite3.Connection, key: str, reviewer: str, *,
         expected_version: int | None = None) -> DecisionResult:
    """Undo the latest decision on `key` by appending an entry that restores the state
    before it. Never deletes."""
    raise NotImplementedError


def undo_last(conn: sqlite3.Connection, reviewer: str) -> DecisionResult | None:
    """Undo `reviewer`'s most recent still-standing decision (whole batch for bulk)."""
    raise NotImplementedError


def add_note(conn: sqlite3.Connection, subject_id: str, text: str, reviewer: str, *,
             key: str | None = None) -> Note:
    raise NotImplementedError


def claim(conn: sqlite3.Connection, subject_id: str, reviewer: str, *,
          minutes: int = LEASE_MINUTES) -> bool:
    """Claim or renew a case. False when another reviewer holds an unexpired lease."""
    raise NotImplementedError


def claim_next(conn: sqlite3.Connection, run_id: int, reviewer: str, flt: QueueFilter, *,
               minutes: int = LEASE_MINUTES) -> str | None:
    """Atomically claim the next unclaimed (or expired) case with pending work; one
    statement (UPDATE/INSERT ... RETURNING), so two reviewers never get the same case."""
    raise NotImplementedError


def release(conn: sqlite3.Connection, subject_id: str, actor: str, *,
            supervisor: bool = False) -> bool:
    """Release a claim: the holder always may; anyone else only with supervisor=True
    (logged in the audit trail)."""
    raise NotImplementedError


def progress(conn: sqlite3.Connection, run_id: int, reviewer: str,
             session_start: str) -> Progress:
    raise NotImplementedError


def history(conn: sqlite3.Connection, key: str) -> list[DecisionEntry]:
    raise NotImplementedError
