"""A reviewer's saved place: the queue filter and sort they last used, and the case they
were on, so the review app opens where they left off.

It is convenience, not evidence: one row per reviewer in `reviewer_state`, overwritten in
place, with no audit entry. A saved state that no longer makes sense (an unknown field,
a value the queue refuses) is ignored rather than reported: it never blocks starting work.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from dataclasses import dataclass, field

from triage import db
from triage.errors import TriageError
from triage.review import queue as queue_rules
from triage.review.model import SORT_KEYS, QueueFilter


@dataclass(frozen=True)
class ReviewerState:
    queue_filter: QueueFilter = field(default_factory=QueueFilter)
    sort: str = "name"
    descending: bool = False
    last_subject: str | None = None  # the case open when they last left a case


def _filter_from(raw: object) -> QueueFilter:
    if not isinstance(raw, dict):
        return QueueFilter()
    names = {f.name for f in dataclasses.fields(QueueFilter)}
    try:
        flt = QueueFilter(**{k: v for k, v in raw.items() if k in names})
        queue_rules.validate(flt)
    except (TypeError, TriageError):
        return QueueFilter()
    return flt


def load_state(conn: sqlite3.Connection, reviewer: str) -> ReviewerState:
    row = conn.execute(
        "SELECT state FROM reviewer_state WHERE reviewer = ?", (reviewer,)
    ).fetchone()
    if row is None:
        return ReviewerState()
    try:
        raw = json.loads(row[0])
    except (TypeError, ValueError):
        return ReviewerState()
    if not isinstance(raw, dict):
        return ReviewerState()
    sort = raw.get("sort")
    last = raw.get("last_subject")
    return ReviewerState(
        queue_filter=_filter_from(raw.get("filter")),
        sort=sort if sort in SORT_KEYS else "name",
        descending=raw.get("descending") is True,
        last_subject=last if isinstance(last, str) and last else None,
    )


def save_state(conn: sqlite3.Connection, reviewer: str, state: ReviewerState) -> None:
    """Replace the reviewer's saved state (one short write)."""
    body = json.dumps(
        {
            "filter": dataclasses.asdict(state.queue_filter),
            "sort": state.sort,
            "descending": state.descending,
            "last_subject": state.last_subject,
        },
        sort_keys=True,
    )
    with db.write(conn):
        conn.execute(
            "INSERT INTO reviewer_state (reviewer, state, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(reviewer) DO UPDATE SET state = excluded.state, "
            "updated_at = excluded.updated_at",
            (reviewer, body, db.now()),
        )
