"""The data the review service layer hands out: queue rows, cases, decisions, progress.

Kept apart from the functions so the queue, case and claim modules can share them without
importing each other; `triage.review` re-exports every name here.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.schema import DECISIONS

DECISION_KINDS = DECISIONS  # the schema's vocabulary (its CHECK constraint enforces it)
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
    decided: bool | None = None  # None any, False: some undecided, True: all decided
    reviewer: str | None = None  # decided by this reviewer
    search: str | None = None  # name / CII / SUBJECT_ID / court number (prefix match)
    decision: str | None = None  # current decision on a matching conviction (e.g. "defer")


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
    # With a suggestion, its label and reason; with none on a review, the question a
    # person must answer to resolve it (`rules.suggest`).
    suggested_label: str = ""
    suggested_reason: str = ""
    trace: tuple[tuple[str, bool, str], ...] = ()  # (step_id, matched, detail)
    # current decision
    decision: str | None = None
    decision_version: int = 0
    decided_by: str | None = None
    decided_at: str | None = None
    name: str = ""  # the person's name (record text)

    @property
    def question(self) -> str:
        """What a person must find out to resolve a review the pack suggests nothing for
        ('' when there is a suggestion or the outcome is not review)."""
        if self.outcome == "review" and self.suggested_outcome is None:
            return self.suggested_reason
        return ""


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
    changed: bool = True  # False: the conviction already carried this decision; nothing written


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
class RunDetermination:
    """What one run said about a conviction (for `triage history`)."""

    run_id: int
    pack_id: str
    pack_version: str
    outcome: str
    label: str
    reason: str
    step_id: str
    flags: tuple[str, ...]
    suggested_outcome: str | None
    suggested_label: str = ""
    suggested_reason: str = ""  # the suggestion's reason, or the question (no suggestion)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str  # JSON


@dataclass(frozen=True)
class ConvictionHistory:
    """Everything that happened to one conviction: determinations, decisions, notes, audit."""

    key: str
    subject_id: str
    determinations: tuple[RunDetermination, ...]
    decisions: tuple[DecisionEntry, ...]
    notes: tuple[Note, ...]
    audit: tuple[AuditEntry, ...]
