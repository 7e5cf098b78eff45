"""Who may do what: roles stored in the database, checked by the service layer.

An account's role is its latest `role_changes` row (`triage roles grant/revoke`); an
account with no row is a reviewer (the office's group already decides who can open the
file). The account that owns the database file is always a supervisor: that is how a new
database gets its first one. Roles:

- reviewer: decide, undo their own decisions, note, claim and release their own claims;
- supervisor: also undo or replace another reviewer's decision (a deferral is a hand-off
  anyone may decide after), decide inside another reviewer's
  live claim, release another's claim (`release --supervisor`), grant and revoke roles;
- none (revoked): may read, may not change review work.

The account is the OS account behind the recorded name (`identity.account_of`: "NAME via
OWNER" acts with OWNER's role). A refusal is a `RefusedError`; `audited` writes it to the
audit trail after the refused transaction has rolled back. These checks hold for everyone
who goes through triage; an account that can write the file can also bypass triage with
sqlite3, which `doctor` catches (decisions and role changes are held to their entries).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from triage import audit, db, identity
from triage.errors import RefusedError, TriageError

REVIEWER, SUPERVISOR, NONE = "reviewer", "supervisor", "none"
ROLES = (REVIEWER, SUPERVISOR, NONE)


def database_file(conn: sqlite3.Connection) -> Path | None:
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return Path(str(row[2]))
    return None


def owner_of(conn: sqlite3.Connection) -> str | None:
    """The login name of the account that owns the database file (None in memory)."""
    path = database_file(conn)
    owner = identity.file_owner(path) if path is not None else None
    return None if owner is None else owner[1]


def stored_role(conn: sqlite3.Connection, account: str) -> str | None:
    row = conn.execute(
        "SELECT role FROM role_changes WHERE account = ? ORDER BY id DESC LIMIT 1", (account,)
    ).fetchone()
    return None if row is None else str(row[0])


def role_of(conn: sqlite3.Connection, account: str) -> str:
    if account == owner_of(conn):
        return SUPERVISOR
    return stored_role(conn, account) or REVIEWER


def refuse(
    conn: sqlite3.Connection, reviewer: str, attempted: str, target: str, *,
    message: str, needs: str = SUPERVISOR, extra: dict[str, object] | None = None,
) -> RefusedError:  # fmt: skip
    """A refusal of `attempted` on `target` to `reviewer` (to raise)."""
    account = identity.account_of(reviewer)
    detail: dict[str, object] = {"account": account, "role": role_of(conn, account), "needs": needs}
    detail.update(extra or {})
    return RefusedError(
        f"refused: {message}", actor=reviewer, attempted=attempted, target=target, detail=detail
    )


def require_role(conn: sqlite3.Connection, reviewer: str, attempted: str, target: str) -> None:
    """Any role but `none` may change review work."""
    account = identity.account_of(reviewer)
    if role_of(conn, account) == NONE:
        raise refuse(
            conn, reviewer, attempted, target, needs=REVIEWER,
            message=f"account {account} has no role in this database (revoked); a supervisor "
            f"can restore it: triage roles grant {account} reviewer",
        )  # fmt: skip


def is_supervisor(conn: sqlite3.Connection, reviewer: str) -> bool:
    return role_of(conn, identity.account_of(reviewer)) == SUPERVISOR


def require_supervisor(
    conn: sqlite3.Connection, reviewer: str, attempted: str, target: str, *,
    what: str, extra: dict[str, object] | None = None,
) -> None:  # fmt: skip
    """Refuse unless the reviewer's account is a supervisor; `what` completes "... needs
    the supervisor role" in the message (e.g. "undoing another reviewer's decision")."""
    if is_supervisor(conn, reviewer):
        return
    account = identity.account_of(reviewer)
    role = role_of(conn, account)
    raise refuse(
        conn, reviewer, attempted, target,
        message=f"{what} needs the supervisor role (account {account} is {_a(role)})",
        extra=extra,
    )  # fmt: skip


def may_replace(
    conn: sqlite3.Connection, reviewer: str, key: str, decision: str,
    standing: str | None, standing_reviewer: str | None,
) -> None:  # fmt: skip
    """Replacing another reviewer's standing decision is the same act as undoing it, so it
    needs the same role. A deferral is a hand-off: anyone may decide after it."""
    if standing in (None, "defer") or standing == decision or standing_reviewer is None:
        return
    if identity.account_of(standing_reviewer) == identity.account_of(reviewer):
        return
    require_supervisor(
        conn, reviewer, "decide", key,
        what=f"changing another reviewer's decision ({standing} by {standing_reviewer})",
    )  # fmt: skip


def _a(role: str) -> str:
    return "without a role" if role == NONE else f"a {role}"


def record(conn: sqlite3.Connection, refused: RefusedError) -> None:
    """Append the refusal to the audit trail, in its own transaction."""
    with db.write(conn):
        audit.append(conn, refused.actor, "refused", refused.target, refused.audit_detail)


@contextlib.contextmanager
def audited(conn: sqlite3.Connection) -> Iterator[None]:
    """Around a service call's write transaction: a `RefusedError` raised inside it is
    written to the audit trail once the transaction has rolled back, then re-raised. The
    refusal stands even if it cannot be written (a full disk): it changed nothing."""
    try:
        yield
    except RefusedError as refused:
        with contextlib.suppress(TriageError, sqlite3.Error):
            record(conn, refused)
        raise


def record_at(path: Path, refused: RefusedError) -> None:
    """Best effort, for a refusal made before the database was opened (`--reviewer`): the
    refusal stands whether or not it could be written."""
    with contextlib.suppress(TriageError, sqlite3.Error, OSError):
        conn = db.connect(path)  # (a refusal to read this file would say so on its own)
        try:
            record(conn, refused)
        finally:
            conn.close()
