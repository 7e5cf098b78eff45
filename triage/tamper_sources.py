"""Doctor's tamper checks on imported files and classification runs.

Each completed import and each finished run has one audit entry (sealed, see
`triage.auditkey`) recording its counts and the SHA-256 of every row it wrote
(`triage.digests`). Doctor holds the database to those entries: a source row or a
determination edited, added or removed, a file or run without its entry, counts that
moved, or an active run that is not the last one classified, is a problem.

Entries written before digests existed carry counts only; doctor says how many.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from triage import db, digests
from triage.checks import OK, PROBLEM, DoctorReport, findings


def _last_entries(conn: sqlite3.Connection, action: str, by: str) -> dict[str, dict[str, Any]]:
    """The detail of the last `action` entry per `by` (a detail field, or "target")."""
    found: dict[str, dict[str, Any]] = {}
    for target, detail in conn.execute(
        "SELECT target, detail FROM audit WHERE action = ? ORDER BY id", (action,)
    ):
        record = json.loads(detail)
        found[str(target if by == "target" else record.get(by))] = record
    return found


def _count(conn: sqlite3.Connection, sql: str, arg: int) -> int:
    return int(conn.execute(sql, (arg,)).fetchone()[0])


def _file_differences(conn: sqlite3.Connection, row: sqlite3.Row, rec: dict[str, Any]) -> list[str]:
    """What of an imported file no longer matches its import entry."""
    file_id = int(row["id"])
    wrong = [
        name
        for name, column in (("rows", "rows_total"), ("imported", "rows_imported"),
                             ("duplicates", "rows_duplicate"),
                             ("quarantined", "rows_quarantined"))
        if rec.get(name) != row[column]
    ]  # fmt: skip
    if row["completed_at"] is None:
        wrong.append("completed_at")
    tables = (
        ("source rows", "SELECT count(*) FROM source_rows WHERE file_id = ?", "imported"),
        ("quarantine", "SELECT count(*) FROM quarantine WHERE file_id = ?", "quarantined"),
        ("duplicates", "SELECT count(*) FROM duplicate_rows WHERE file_id = ?", "duplicates"),
    )
    wrong += [label for label, sql, name in tables if _count(conn, sql, file_id) != rec.get(name)]
    if "rows_sha256" in rec and digests.file_rows(conn, file_id) != rec["rows_sha256"]:
        wrong.append("source row contents")
    return wrong


def check_imports(report: DoctorReport, conn: sqlite3.Connection) -> None:
    entries = _last_entries(conn, "import", "sha256")  # a file is its content, not its name
    unrecorded, edited = [], []
    legacy = 0
    for row in conn.execute("SELECT * FROM source_files ORDER BY id"):
        label = f"file {row['id']} ({row['name']})"
        rec = entries.pop(str(row["sha256"]), None)
        if rec is None:
            if row["completed_at"] is not None:
                unrecorded.append(label)
            continue
        legacy += "rows_sha256" not in rec
        if wrong := _file_differences(conn, row, rec):
            edited.append(f"{label}: {', '.join(wrong)}")
    missing = [f"sha256 {sha[:12]}..." for sha in entries]
    bad = findings([
        ("completed files with no import entry", unrecorded),
        ("import entries whose file is missing", missing),
        ("files that differ from their import entry", edited),
    ])  # fmt: skip
    if bad:
        report.add("imports vs audit", PROBLEM, "; ".join(bad))
        return
    tail = f" ({legacy} imported before row digests: counts only)" if legacy else ""
    report.add("imports vs audit", OK, "every imported file matches its import entry" + tail)


def _run_differences(conn: sqlite3.Connection, row: sqlite3.Row, rec: dict[str, Any]) -> list[str]:
    """What of a finished run no longer matches its classification entry."""
    wrong = [
        name
        for name, column in (("pack", "pack_id"), ("version", "pack_version"),
                             ("hash", "pack_hash"), ("county", "county"),
                             ("compute_at", "compute_at"), ("convictions", "convictions"))
        if rec.get(name) != row[column]
    ]  # fmt: skip
    if row["finished_at"] is None:
        wrong.append("finished_at")
    outcomes = Counter(
        {
            str(o): int(n)
            for o, n in conn.execute(
                "SELECT outcome, count(*) FROM determinations WHERE run_id = ? GROUP BY outcome",
                (row["id"],),
            )
        }
    )
    if outcomes != Counter(rec.get("by_outcome") or {}):
        wrong.append("determinations by outcome")
    elif "determinations_sha256" in rec and (
        digests.run_determinations(conn, int(row["id"])) != rec["determinations_sha256"]
    ):
        wrong.append("determination contents")
    return wrong


def check_runs(report: DoctorReport, conn: sqlite3.Connection) -> None:
    entries = _last_entries(conn, "classify", "target")
    last = conn.execute(
        "SELECT target FROM audit WHERE action = 'classify' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    last_classified = None if last is None else str(last[0])
    unrecorded, edited = [], []
    legacy = 0
    for row in conn.execute("SELECT * FROM runs ORDER BY id"):
        rec = entries.pop(f"run:{row['id']}", None)
        if rec is None:
            if row["finished_at"] is not None:
                unrecorded.append(f"run {row['id']}")
            continue
        legacy += "determinations_sha256" not in rec
        if wrong := _run_differences(conn, row, rec):
            edited.append(f"run {row['id']}: {', '.join(wrong)}")
    missing = list(entries)
    bad = findings([
        ("finished runs with no classification entry", unrecorded),
        ("classification entries whose run is missing", missing),
        ("runs that differ from their classification entry", edited),
    ])  # fmt: skip
    active = db.active_run_id(conn)
    if last_classified is not None and f"run:{active}" != last_classified:
        bad.append(f"the active run is {active}, but the last one classified is {last_classified}")
    if bad:
        report.add("runs vs audit", PROBLEM, "; ".join(bad))
        return
    tail = f" ({legacy} classified before determination digests: counts only)" if legacy else ""
    report.add("runs vs audit", OK, "every finished run matches its classification entry" + tail)
