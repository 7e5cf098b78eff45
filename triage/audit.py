"""The audit trail: an append-only, hash-chained log of everything that changes state.

Each entry's hash covers the previous entry's hash and its own fields, so editing or
deleting any entry in the file (even with the append-only triggers dropped) breaks the
chain from that point on, and `triage doctor` says where. Someone who can write the file
could still recompute every hash after an edit; two things outside the file stop that:
each entry is sealed with the office's audit key (`triage.auditkey`), and the chain's
head (`entries:hash`, see `head`) is written into every export manifest and backup record,
for `triage doctor --expect-head` to compare with later.

Entries name conviction keys, run ids and file names, never record text (names, charges).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from triage import auditkey
from triage.db import now
from triage.errors import UsageError

GENESIS = "0" * 64
HEAD_PATTERN = re.compile(r"^(\d+):([0-9a-f]{64})$")

# None: the key at auditkey.default_path(), made if missing. Set by `sealing`.
_override: list[auditkey.AuditKey | None] = []
_keys: dict[str, auditkey.AuditKey] = {}


@contextlib.contextmanager
def sealing(key: auditkey.AuditKey | None) -> Iterator[None]:
    """Seal with `key`, or with `None` write unsealed entries (only `triage sample`, whose
    file must be the same on every machine, does that)."""
    _override.append(key)
    try:
        yield
    finally:
        _override.pop()


def _sealing_key() -> auditkey.AuditKey | None:
    if _override:
        return _override[-1]
    path = auditkey.default_path()
    cached = _keys.get(str(path))
    if cached is None:
        cached = _keys[str(path)] = auditkey.load_or_create(path)
    return cached


def _digest(prev_hash: str, at: str, actor: str, action: str, target: str, detail: str) -> str:
    payload = json.dumps([prev_hash, at, actor, action, target, detail], ensure_ascii=True)
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def append(
    conn: sqlite3.Connection,
    actor: str,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    at: str | None = None,
) -> int:
    """Add an entry, sealed with the office's audit key. The caller must hold a write
    transaction (`db.write`), which also serialises the chain: no two writers can read the
    same previous hash. `at` is the time of the row the entry covers (a decision's or a
    note's `created_at`), so the two can be compared; default now."""
    if not conn.in_transaction:
        raise RuntimeError("audit.append needs an open write transaction")
    key = _sealing_key()
    row = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev = GENESIS if row is None else str(row[0])
    at = at or now()
    detail_text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=True)
    digest = _digest(prev, at, actor, action, target, detail_text)
    cur = conn.execute(
        "INSERT INTO audit (at, actor, action, target, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at, actor, action, target, detail_text, prev, digest),
    )
    entry_id = int(cur.lastrowid or 0)
    if key is not None:
        conn.execute(
            "INSERT INTO audit_seals (entry_id, key_id, mac) VALUES (?, ?, ?)",
            (entry_id, key.key_id, key.seal(digest)),
        )
    return entry_id


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


def head(conn: sqlite3.Connection) -> str:
    """The chain's head, `entries:hash` (the last entry's id and hash): written into export
    manifests and backup records, printed by doctor. A later chain that does not hold this
    entry with this hash was cut short or rewritten (`compare_head`)."""
    row = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return f"0:{GENESIS}" if row is None else f"{int(row[0])}:{row[1]}"


def parse_head(text: str) -> tuple[int, str]:
    """`entries:hash` -> (entries, hash); `UsageError` for anything else."""
    match = HEAD_PATTERN.match(text.strip())
    if match is None:
        raise UsageError(f"{text!r} is not an audit head (ENTRIES:HASH, 64 hex digits)")
    return int(match.group(1)), match.group(2)


def compare_head(conn: sqlite3.Connection, expected: str) -> str | None:
    """Why the chain does not extend the head `expected` (None when it does: the same
    entry with the same hash, perhaps with entries after it)."""
    entries, digest = parse_head(expected)
    if entries == 0:
        return None
    row = conn.execute("SELECT hash FROM audit WHERE id = ?", (entries,)).fetchone()
    if row is None:
        have = head(conn).split(":")[0]
        return (
            f"the chain ends at entry {have}, but head {entries}:{digest[:12]}... was recorded "
            "earlier: entries were removed from its end"
        )
    if str(row[0]) != digest:
        return (
            f"entry {entries} is not the one head {entries}:{digest[:12]}... recorded: the "
            "chain was rewritten at or before it"
        )
    return None


def history(conn: sqlite3.Connection, target: str) -> list[sqlite3.Row]:
    return list(conn.execute("SELECT * FROM audit WHERE target = ? ORDER BY id", (target,)))
