"""Claims: a reviewer's lease on a case, so two reviewers do not work the same person.

Each claim is taken by one INSERT ... ON CONFLICT DO UPDATE ... WHERE expired ... RETURNING
statement inside a `BEGIN IMMEDIATE` transaction: there is no window between choosing a
case and taking it, so two reviewers can never be handed the same case. Expired leases
are taken over like free cases.

Who may: any account with a role (`triage.authority`) claims and releases its own; releasing
another reviewer's live claim needs `supervisor=True` and the supervisor role. Refusals are
`RefusedError`s, written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace

from triage import audit, authority, db
from triage.errors import TriageError, UsageError
from triage.review.cases_table import ensure_cases
from triage.review.model import LEASE_MINUTES, QueueFilter
from triage.review.queue import _case_where, _order

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_UPSERT_TAIL = (
    " ON CONFLICT (subject_id) DO UPDATE SET reviewer = excluded.reviewer,"
    " claimed_at = excluded.claimed_at, expires_at = excluded.expires_at"
)


def _lease(minutes: int) -> tuple[str, str]:
    if minutes < 1 or minutes > 24 * 60:
        raise UsageError("claim: the lease must be 1 to 1440 minutes")
    now = db.now()
    start = dt.datetime.strptime(now, _FORMAT)
    return now, (start + dt.timedelta(minutes=minutes)).strftime(_FORMAT)


def claim(
    conn: sqlite3.Connection, subject_id: str, reviewer: str, *, minutes: int = LEASE_MINUTES
) -> bool:
    """Claim or renew a case. False when another reviewer holds an unexpired lease."""
    now, expires = _lease(minutes)
    with authority.audited(conn), db.write(conn):
        if (
            conn.execute("SELECT 1 FROM people WHERE subject_id = ?", (subject_id,)).fetchone()
            is None
        ):
            raise TriageError(f"no person with SUBJECT_ID {subject_id}")
        authority.require_role(conn, reviewer, "claim", subject_id)
        prior = conn.execute(
            "SELECT reviewer, expires_at FROM claims WHERE subject_id = ?", (subject_id,)
        ).fetchone()
        # The holder renews (keeping when they first claimed it); others only take an
        # expired lease.
        taken = conn.execute(
            "INSERT INTO claims (subject_id, reviewer, claimed_at, expires_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (subject_id) DO UPDATE SET "
            "claimed_at = CASE WHEN claims.reviewer = excluded.reviewer "
            "AND claims.expires_at > excluded.claimed_at "
            "THEN claims.claimed_at ELSE excluded.claimed_at END, "
            "reviewer = excluded.reviewer, expires_at = excluded.expires_at "
            "WHERE claims.reviewer = excluded.reviewer OR claims.expires_at <= excluded.claimed_at "
            "RETURNING subject_id",
            (subject_id, reviewer, now, expires),
        ).fetchone()
        if taken is None:
            return False
        renewed = prior is not None and prior["reviewer"] == reviewer and prior["expires_at"] > now
        if not renewed:
            detail: dict[str, object] = {"expires_at": expires}
            if prior is not None:
                detail["took_expired_from"] = str(prior["reviewer"])
            audit.append(conn, reviewer, "claim", subject_id, detail)
    return True


def claim_next(
    conn: sqlite3.Connection,
    run_id: int,
    reviewer: str,
    flt: QueueFilter,
    *,
    minutes: int = LEASE_MINUTES,
    sort: str = "name",
) -> str | None:
    """Atomically claim the next unclaimed (or expired) case with pending work, in queue
    order; None when there is none. One statement chooses and takes it."""
    ensure_cases(conn, run_id)
    now, expires = _lease(minutes)
    where, args = _case_where(run_id, replace(flt, decided=False))
    order = _order(sort, False)
    with authority.audited(conn), db.write(conn):
        authority.require_role(conn, reviewer, "claim", f"run {run_id}")
        row = conn.execute(
            "INSERT INTO claims (subject_id, reviewer, claimed_at, expires_at) "  # noqa: S608
            "SELECT rc.subject_id, ?, ?, ? FROM review_cases rc "
            f"WHERE {where} AND NOT EXISTS (SELECT 1 FROM claims c "
            "WHERE c.subject_id = rc.subject_id AND c.expires_at > ?) "
            f"ORDER BY {order} LIMIT 1"
            f"{_UPSERT_TAIL} WHERE claims.expires_at <= excluded.claimed_at "
            "RETURNING subject_id",
            [reviewer, now, expires, *args, now],
        ).fetchone()
        if row is None:
            return None
        subject_id = str(row[0])
        audit.append(conn, reviewer, "claim", subject_id, {"expires_at": expires, "next": True})
    return subject_id


def release(
    conn: sqlite3.Connection, subject_id: str, actor: str, *, supervisor: bool = False
) -> bool:
    """Release a claim: the holder always may; anyone else only with supervisor=True and
    the supervisor role (logged in the audit trail). An expired lease may be cleared by
    anyone. False when the case was not claimed."""
    with authority.audited(conn), db.write(conn):
        row = conn.execute(
            "SELECT reviewer, expires_at FROM claims WHERE subject_id = ?", (subject_id,)
        ).fetchone()
        if row is None:
            return False
        holder = str(row["reviewer"])
        expired = str(row["expires_at"]) <= db.now()
        if holder != actor and not expired:
            _check_release(conn, subject_id, actor, holder, str(row["expires_at"]), supervisor)
        conn.execute("DELETE FROM claims WHERE subject_id = ?", (subject_id,))
        audit.append(
            conn,
            actor,
            "release",
            subject_id,
            {"holder": holder, "supervisor": supervisor and holder != actor, "expired": expired},
        )
    return True


def _check_release(
    conn: sqlite3.Connection, subject_id: str, actor: str, holder: str, until: str,
    supervisor: bool,
) -> None:  # fmt: skip
    if not supervisor:
        raise authority.refuse(
            conn, actor, "release", subject_id, extra={"holder": holder},
            message=f"case {subject_id} is claimed by {holder} until {until}; only they or "
            "a supervisor (--supervisor) can release it",
        )  # fmt: skip
    authority.require_supervisor(
        conn, actor, "release", subject_id, extra={"holder": holder},
        what=f"releasing {holder}'s claim on case {subject_id}",
    )  # fmt: skip


def check_not_held_by_other(
    conn: sqlite3.Connection, subject_id: str, reviewer: str, attempted: str, target: str
) -> None:
    """Deciding inside another reviewer's live claim needs the supervisor role (the holder
    is working the case; a supervisor may step in)."""
    held = claim_holder(conn, subject_id)
    if held is None or held[0] == reviewer:
        return
    authority.require_supervisor(
        conn, reviewer, attempted, target, extra={"holder": held[0]},
        what=f"case {subject_id} is claimed by {held[0]} until {held[1]}; changing a decision "
        "in another reviewer's claim",
    )  # fmt: skip


def claim_holder(conn: sqlite3.Connection, subject_id: str) -> tuple[str, str] | None:
    """(reviewer, expires_at) of the unexpired claim on a case, or None."""
    row = conn.execute(
        "SELECT reviewer, expires_at FROM claims WHERE subject_id = ? AND expires_at > ?",
        (subject_id, db.now()),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def renew_if_held(conn: sqlite3.Connection, subject_id: str, reviewer: str) -> None:
    """Extend the reviewer's own unexpired lease (called inside a decision's transaction,
    so working a case keeps it claimed)."""
    now, expires = _lease(LEASE_MINUTES)
    conn.execute(
        "UPDATE claims SET expires_at = max(expires_at, ?) "
        "WHERE subject_id = ? AND reviewer = ? AND expires_at > ?",
        (expires, subject_id, reviewer, now),
    )
