"""Granting and revoking roles (`triage roles`), and doctor's check of the role log.

A change is a new `role_changes` row (append-only) and an audit entry (action `role`)
recording every field of it, in one transaction; only a supervisor may make one
(`triage.authority`), and a refusal is audited like any other. `check` holds each row to
its entry, so a supervisor granted with sqlite3 behind triage's back is a doctor problem.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from triage import audit, authority, db, identity
from triage.checks import OK, PROBLEM, DoctorReport, first_of
from triage.errors import UsageError

GRANTABLE = (authority.REVIEWER, authority.SUPERVISOR)


@dataclass(frozen=True)
class RoleEntry:
    account: str
    role: str
    source: str  # "owner" (of the database file) or "granted"
    changed_by: str | None
    changed_at: str | None


@dataclass(frozen=True)
class RoleChange:
    id: int
    account: str
    role: str
    previous: str
    changed_by: str
    changed_at: str


def listing(conn: sqlite3.Connection) -> list[RoleEntry]:
    """The owner first, then every account with a stored role (its latest), by name.
    Accounts never granted anything are reviewers and are not listed."""
    owner = authority.owner_of(conn)
    entries = []
    if owner is not None:
        entries.append(RoleEntry(owner, authority.SUPERVISOR, "owner", None, None))
    for row in conn.execute(
        "SELECT account, role, changed_by, changed_at FROM role_changes r WHERE id = "
        "(SELECT max(id) FROM role_changes l WHERE l.account = r.account) ORDER BY account"
    ):
        if row[0] != owner:
            entries.append(RoleEntry(str(row[0]), str(row[1]), "granted", row[2], row[3]))
    return entries


def grant(conn: sqlite3.Connection, reviewer: str, account: str, role: str) -> RoleChange:
    """Give `account` the role `reviewer` or `supervisor` (supervisors only)."""
    if role not in GRANTABLE:
        raise UsageError(f"role: use {' or '.join(GRANTABLE)} (revoke takes a role away)")
    return _change(conn, reviewer, account, role)


def revoke(conn: sqlite3.Connection, reviewer: str, account: str) -> RoleChange:
    """Take `account`'s role away (role `none`: it may read, not change review work)."""
    return _change(conn, reviewer, account, authority.NONE)


def _change(conn: sqlite3.Connection, reviewer: str, account: str, role: str) -> RoleChange:
    identity.check_name(account)
    with authority.audited(conn), db.write(conn):
        authority.require_supervisor(
            conn, reviewer, "role", account, extra={"role": role}, what="changing roles"
        )
        if account == authority.owner_of(conn):
            raise authority.refuse(
                conn, reviewer, "role", account, extra={"role": role}, needs="chown",
                message=f"{account} owns the database file and is always a supervisor; to "
                "hand the database over, change its owner (chown)",
            )  # fmt: skip
        previous = authority.role_of(conn, account)
        at = db.now()
        cur = conn.execute(
            "INSERT INTO role_changes (account, role, changed_by, changed_at) VALUES (?, ?, ?, ?)",
            (account, role, reviewer, at),
        )
        change_id = int(cur.lastrowid or 0)
        audit.append(conn, reviewer, "role", account,
                     {"change_id": change_id, "role": role, "previous": previous}, at=at)  # fmt: skip
    return RoleChange(change_id, account, role, previous, reviewer, at)


def _fields(row: sqlite3.Row, entry: sqlite3.Row, detail: dict[str, Any]) -> list[str]:
    recorded = {"account": entry["target"], "role": detail.get("role"),
                "changed_by": entry["actor"], "changed_at": entry["at"]}  # fmt: skip
    return [f for f, value in recorded.items() if row[f] != value]


def check(report: DoctorReport, conn: sqlite3.Connection) -> None:
    """One audit entry per role change, each field equal (forged, deleted, edited)."""
    entries: dict[int, tuple[sqlite3.Row, dict[str, Any]]] = {}
    for entry in conn.execute(
        "SELECT id, at, actor, target, detail FROM audit WHERE action = 'role' ORDER BY id"
    ):
        detail = json.loads(entry["detail"])
        entries[int(detail.get("change_id", 0))] = (entry, detail)
    unrecorded, edited = [], []
    for row in conn.execute("SELECT * FROM role_changes ORDER BY id"):
        found = entries.pop(int(row["id"]), None)
        if found is None:
            unrecorded.append(f"change {row['id']} ({row['account']} {row['role']})")
        elif wrong := _fields(row, *found):
            edited.append(f"change {row['id']}: {', '.join(wrong)}")
    missing = [f"entry {e['id']} (change {n})" for n, (e, _) in entries.items()]
    bad = [
        f"{label}: {first_of(items)}"
        for label, items in (
            ("role changes with no audit entry (added outside triage)", unrecorded),
            ("audit entries whose role change is missing (deleted)", missing),
            ("role changes that differ from their audit entry (edited)", edited),
        )
        if items
    ]
    if bad:
        report.add("roles vs audit", PROBLEM, "; ".join(bad) + " (roles decide who may "
                   "undo and release others' work: restore a backup)")  # fmt: skip
        return
    total = int(conn.execute("SELECT count(*) FROM role_changes").fetchone()[0])
    report.add("roles vs audit", OK, f"{total} role changes, each matching its audit entry")
