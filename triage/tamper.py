"""Doctor's tamper checks on the audit trail itself and on reviewer work.

- `check_seals`: every entry since the office's audit key was made carries a seal only
  that key can make (`triage.auditkey`); an entry rewritten since, with every hash after
  it recomputed, no longer matches its seal.
- `check_heads`: the chain still holds each head recorded outside the file (an export
  manifest, a backup record, a note the office kept), so a chain cut short or rewritten
  is caught even by someone without the key.
- `check_decisions` / `check_notes`: one audit entry per decision and per note, each field
  of the row equal to what its entry recorded; a row without its entry (forged), an entry
  without its row (deleted) or a row that differs (edited) is a problem.
- `check_current_decisions`: `current_decisions` (kept by a trigger for the queue's speed)
  equals what the decision log gives, so an edit there cannot change an exhibit.

What none of this can catch is said in the README ("What doctor proves").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import sqlite3
from pathlib import Path
from typing import Any

from triage import audit, auditkey, db
from triage.checks import OK, PROBLEM, WARN, DoctorReport, findings
from triage.errors import TriageError, UsageError

_AT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Decisions and notes written before an entry took its row's time as `at` got theirs a few
# milliseconds after the row's (the same transaction); a second covers that.
_LEGACY_GAP = dt.timedelta(seconds=1)


def same_moment(row_at: str, entry_at: str) -> bool:
    """Whether a row's time is its audit entry's (or, for older entries, just before it)."""
    if row_at == entry_at:
        return True
    try:
        gap = dt.datetime.strptime(entry_at, _AT) - dt.datetime.strptime(row_at, _AT)
    except (TypeError, ValueError):
        return False
    return dt.timedelta(0) <= gap < _LEGACY_GAP


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return name in db.introspect(conn).table_names()


def check_seals(report: DoctorReport, conn: sqlite3.Connection, key_path: Path) -> None:
    name = "audit seals"
    try:
        key = auditkey.load(key_path)
    except TriageError as exc:
        report.add(name, PROBLEM, str(exc))
        return
    if not _has_table(conn, "audit_seals"):
        report.add(name, PROBLEM, "the audit_seals table is missing (dropped outside triage)")
        return
    legacy, sealed, problems = _walk_seals(conn, key)
    orphans = int(
        conn.execute(
            "SELECT count(*) FROM audit_seals s WHERE NOT EXISTS "
            "(SELECT 1 FROM audit a WHERE a.id = s.entry_id)"
        ).fetchone()[0]
    )
    if orphans:
        problems.append(
            f"{orphans} seal(s) belong to entries that are missing: entries were removed"
        )
    if problems:
        report.add(name, PROBLEM, f"{len(problems)} problem(s); first: {problems[0]}")
        return
    before = f"; entries 1-{legacy} predate the key and are checked by hash only" if legacy else ""
    if key is None:
        report.add(name, WARN, f"no audit key at {key_path}: " + (
            f"{sealed} sealed entries could not be checked (run doctor where the office's "
            "key is, or pass --key)" if sealed else "the chain is checked by hash only, "
            "which anyone able to write the file can recompute"))  # fmt: skip
        return
    loose = auditkey.loose_mode(key_path)
    status, tail = (WARN, f"; {loose}") if loose else (OK, "")
    report.add(
        name, status, f"{sealed} entries sealed with key {key.key_id} ({key_path}){before}{tail}"
    )


def _walk_seals(
    conn: sqlite3.Connection, key: auditkey.AuditKey | None
) -> tuple[int, int, list[str]]:
    """(entries before the first seal, sealed entries, problems) along the chain."""
    legacy = sealed = 0
    problems: list[str] = []
    for entry_id, at, digest, key_id, mac in conn.execute(
        "SELECT a.id, a.at, a.hash, s.key_id, s.mac FROM audit a "
        "LEFT JOIN audit_seals s ON s.entry_id = a.id ORDER BY a.id"
    ):
        if mac is None:
            if sealed:
                problems.append(f"entry {entry_id} has no seal but follows sealed entries")
            elif key is not None and str(at) >= key.created:
                problems.append(
                    f"entry {entry_id} has no seal but is dated after the audit key was made "
                    f"({key.created[:10]})"
                )
            else:
                legacy += 1
            continue
        sealed += 1
        if key is None:
            continue
        if key_id != key.key_id:
            problems.append(
                f"entry {entry_id} is sealed with another key ({key_id}; this key is {key.key_id})"
            )
        elif not hmac.compare_digest(str(mac), key.seal(str(digest))):
            problems.append(
                f"entry {entry_id} does not match its seal: the chain was rewritten at or "
                "before it without the audit key"
            )
    return legacy, sealed, problems


def recorded_head(value: str) -> str:
    """A head as given to `doctor --expect-head`: `ENTRIES:HASH` itself, or where one was
    recorded: an export's manifest.json (or its folder), or a backup made by triage."""
    if audit.HEAD_PATTERN.match(value.strip()):
        return value.strip()
    path = Path(value)
    if path.is_dir():
        path = path / "manifest.json"
    if not path.is_file():
        raise UsageError(
            f"--expect-head {value}: neither ENTRIES:HASH nor an export manifest or backup file"
        )
    with open(path, "rb") as fh:
        magic = fh.read(len(db.SQLITE_MAGIC))
    if magic == db.SQLITE_MAGIC:
        return _backup_head(path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        head = str(manifest["audit_head"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise TriageError(f"{path}: not an export manifest with an audit head") from None
    audit.parse_head(head)
    return head


def _backup_head(path: Path) -> str:
    """The head a backup holds, read without writing to it (immutable: no lock, no WAL)."""
    try:
        copy = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            return audit.head(copy)
        finally:
            copy.close()
    except sqlite3.Error:
        raise TriageError(f"{path}: not a triage backup (no audit trail in it)") from None


def check_heads(report: DoctorReport, conn: sqlite3.Connection, expected: list[str]) -> None:
    """Each head recorded outside the file must still be in the chain."""
    if not expected:
        return
    problems = [p for p in (audit.compare_head(conn, h) for h in expected) if p is not None]
    if problems:
        report.add("expected head", PROBLEM, "; ".join(problems))
    else:
        report.add(
            "expected head", OK, f"the chain holds {len(expected)} recorded head(s) unchanged"
        )


def _entries(conn: sqlite3.Connection, actions: tuple[str, ...]) -> list[sqlite3.Row]:
    marks = ", ".join("?" for _ in actions)
    return list(
        conn.execute(
            "SELECT id, at, actor, action, target, detail FROM audit "  # noqa: S608
            f"WHERE action IN ({marks}) ORDER BY id",
            actions,
        )
    )


def _decision_fields(row: sqlite3.Row, entry: sqlite3.Row, detail: dict[str, Any]) -> list[str]:
    """The fields of a decision that differ from what its audit entry recorded."""
    recorded = {
        "action": entry["action"], "decision": detail.get("decision"),
        "previous": detail.get("previous"), "reviewer": entry["actor"],
        "run_id": detail.get("run_id"), "suggested": detail.get("suggested"),
        "batch": detail.get("batch"), "undoes": detail.get("undoes"),
        "grounds": detail.get("grounds", ""), "note_id": detail.get("note_id"),
    }  # fmt: skip
    wrong = [f for f, value in recorded.items() if row[f] != value]
    if not same_moment(str(row["created_at"]), str(entry["at"])):
        wrong.append("created_at")
    if row["owner"] is not None and row["subject_id"] != row["owner"]:
        wrong.append("subject_id")
    return wrong


def check_decisions(report: DoctorReport, conn: sqlite3.Connection) -> None:
    entries: dict[tuple[str, int], tuple[sqlite3.Row, dict[str, Any]]] = {}
    doubled: list[str] = []
    for entry in _entries(conn, ("decide", "undo")):
        detail = json.loads(entry["detail"])
        slot = (str(entry["target"]), detail.get("version"))
        if slot in entries:
            doubled.append(f"entry {entry['id']}")
        entries[slot] = (entry, detail)
    unrecorded: list[str] = []
    edited: list[str] = []
    for row in conn.execute(
        "SELECT d.*, c.subject_id AS owner FROM decisions d "
        "LEFT JOIN convictions c ON c.key = d.key ORDER BY d.id"
    ):
        found = entries.pop((str(row["key"]), int(row["version"])), None)
        if found is None:
            unrecorded.append(f"decision {row['id']} on {row['key']}")
        elif wrong := _decision_fields(row, *found):
            edited.append(f"decision {row['id']} on {row['key']}: {', '.join(wrong)}")
    missing = [f"entry {e['id']} ({k} version {v})" for (k, v), (e, _) in entries.items()]
    bad = findings([
        ("decisions with no audit entry (added outside triage)", unrecorded),
        ("audit entries whose decision is missing (deleted)", missing),
        ("decisions that differ from their audit entry (edited)", edited),
        ("audit entries recording a decision twice", doubled),
    ])  # fmt: skip
    if bad:
        report.add("decisions vs audit", PROBLEM, "; ".join(bad))
    else:
        total = int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])
        report.add("decisions vs audit", OK, f"{total} decisions, each matching its audit entry")


def _note_fields(row: sqlite3.Row, entry: sqlite3.Row, detail: dict[str, Any]) -> list[str]:
    text = str(row["text"])
    wrong = []
    if row["reviewer"] != entry["actor"]:
        wrong.append("reviewer")
    if (row["key"] or row["subject_id"]) != entry["target"]:
        wrong.append("key" if row["key"] else "subject_id")
    if row["owner"] is not None and row["subject_id"] != row["owner"]:
        wrong.append("subject_id")
    if detail.get("chars") != len(text) or (
        "sha256" in detail and detail["sha256"] != hashlib.sha256(text.encode()).hexdigest()
    ):
        wrong.append("text")
    if not same_moment(str(row["created_at"]), str(entry["at"])):
        wrong.append("created_at")
    return wrong


def check_notes(report: DoctorReport, conn: sqlite3.Connection) -> None:
    entries: dict[int, tuple[sqlite3.Row, dict[str, Any]]] = {}
    for entry in _entries(conn, ("note",)):
        detail = json.loads(entry["detail"])
        entries[int(detail.get("note_id", 0))] = (entry, detail)
    unrecorded: list[str] = []
    edited: list[str] = []
    by_length = 0
    for row in conn.execute(
        "SELECT n.*, c.subject_id AS owner FROM notes n "
        "LEFT JOIN convictions c ON c.key = n.key ORDER BY n.id"
    ):
        found = entries.pop(int(row["id"]), None)
        if found is None:
            unrecorded.append(f"note {row['id']}")
            continue
        by_length += "sha256" not in found[1]
        if wrong := _note_fields(row, *found):
            edited.append(f"note {row['id']}: {', '.join(wrong)}")
    missing = [f"entry {e['id']} (note {n})" for n, (e, _) in entries.items()]
    bad = findings([
        ("notes with no audit entry (added outside triage)", unrecorded),
        ("audit entries whose note is missing (deleted)", missing),
        ("notes that differ from their audit entry (edited)", edited),
    ])  # fmt: skip
    if bad:
        report.add("notes vs audit", PROBLEM, "; ".join(bad))
        return
    total = int(conn.execute("SELECT count(*) FROM notes").fetchone()[0])
    legacy = f" ({by_length} written before text digests: checked by length only)"
    report.add("notes vs audit", OK, f"{total} notes, each matching its audit entry"
               + (legacy if by_length else ""))  # fmt: skip


# The latest entry per conviction, as the `decisions_current` trigger keeps it.
_CURRENT_DIFFERS = """
SELECT count(*), min(key) FROM (
    SELECT cd.key FROM current_decisions cd
    LEFT JOIN (SELECT key, max(version) AS version FROM decisions GROUP BY key) m
        ON m.key = cd.key
    LEFT JOIN decisions d ON d.key = m.key AND d.version = m.version
    WHERE d.id IS NULL OR d.id IS NOT cd.decision_id OR d.version IS NOT cd.version
       OR d.decision IS NOT cd.decision OR d.reviewer IS NOT cd.reviewer
       OR d.created_at IS NOT cd.decided_at OR d.subject_id IS NOT cd.subject_id
    UNION ALL
    SELECT DISTINCT d.key FROM decisions d
    WHERE NOT EXISTS (SELECT 1 FROM current_decisions cd WHERE cd.key = d.key)
)
"""


def check_current_decisions(report: DoctorReport, conn: sqlite3.Connection) -> None:
    count, first = conn.execute(_CURRENT_DIFFERS).fetchone()
    if count:
        report.add(
            "current decisions",
            PROBLEM,
            f"{count} conviction(s) whose current decision is not the latest in the decision "
            f"log (first: {first}); queue, exports and exhibits read it: restore a backup",
        )
    else:
        report.add("current decisions", OK, "each is the latest entry of the decision log")
