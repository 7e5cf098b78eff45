"""The audit trail: an append-only, hash-chained log of everything that changes state.

Each entry's hash covers the previous entry's hash and its own fields, so editing or
deleting any entry in the file (even with the append-only triggers dropped) breaks the
chain from that point on, and `triage doctor` says where.

Entries name conviction keys, run ids and file names, never record text (names, charges).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from triage.db import now

GENESIS = "0" * 64


def _digest(prev_hash: str, at: str, actor: str, action: str, target: str, detail: str) -> str:
    payload = json.dumps([prev_hash, at, actor, action, target, detail], ensure_ascii=True)
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def append(
    conn: sqlite3.Connection,
    actor: str,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> int:
    """Add an entry. The caller must hold a write transaction (`db.write`), which also
    serialises the chain: no two writers can read the same previous hash."""
    if not conn.in_transaction:
        raise RuntimeError("audit.append needs an open write transaction")
    row = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev = GENESIS if row is None else str(row[0])
    at = now()
    detail_text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=True)
    digest = _digest(prev, at, actor, action, target, detail_text)
    cur = conn.execute(
        "INSERT INTO audit (at, actor, action, target, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at, actor, action, target, detail_text, prev, digest),
    )
    return int(cur.lastrowid or 0)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_bad_id: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify(conn: sqlite3.Connection) -> ChainReport:
    """Walk the chain in id order; report the first entry whose link or hash is wrong."""
    prev = GENESIS
    count = 0
    last_id = 0
    for row in conn.execute(
        "SELECT id, at, actor, action, target, detail, prev_hash, hash FROM audit ORDER BY id"
    ):
        count += 1
        entry_id = int(row[0])
        if entry_id != last_id + 1:
            return ChainReport(count, entry_id, f"entry ids jump from {last_id} to {entry_id}")
        last_id = entry_id
        if row[6] != prev:
            return ChainReport(count, entry_id, f"entry {entry_id} does not link to the one before")
        if _digest(prev, row[1], row[2], row[3], row[4], row[5]) != row[7]:
            return ChainReport(count, entry_id, f"entry {entry_id} was altered")
        prev = str(row[7])
    return ChainReport(count, None, "")


def history(conn: sqlite3.Connection, target: str) -> list[sqlite3.Row]:
    return list(conn.execute("SELECT * FROM audit WHERE target = ? ORDER BY id", (target,)))
