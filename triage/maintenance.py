"""Keeping a triage database healthy: `doctor` (what is wrong, said plainly) and `backup`
(a consistent private copy taken while reviewers keep working; in `triage.backup`).

`doctor` reads file modes and the journal mode from disk before opening the database,
because opening it through `db.connect` switches on WAL and tightens modes of files we
own; what it found is reported either way. Messages name files, tables, keys and counts,
never record text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from triage import audit, auditkey, db, roles, schema, sharing, tamper, tamper_sources
from triage.backup import BackupResult, backup
from triage.checks import OK, PROBLEM, WARN, Check, DoctorReport
from triage.errors import TriageError

__all__ = ["OK", "PROBLEM", "WARN", "BackupResult", "Check", "DoctorReport", "backup", "doctor"]


def _sidecars(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def _check_modes(report: DoctorReport, path: Path, before: list[sharing.FileState]) -> None:
    """Private deployment: every file 0600. Shared (the folder is setgid): the folder
    usable by its group and closed to others, every file 0660 and the folder's group.
    Each finding names the command that fixes it."""
    folder = path.absolute().parent
    gid = sharing.shared_group(folder)
    if gid is None:
        found = sharing.private_findings(before)
        after = sharing.observe([f.path for f in before])
        if found and not sharing.private_findings(after):
            found.append("opening it just now set 0600")
        hint = sharing.unshared_group_folder(folder)
        if found and hint:
            found.append(hint)
        if found:
            report.add("file modes", WARN, "; ".join(found) + "; triage files should be 0600 "
                       "(to share the database with a group, see README: Deploying for "
                       "several accounts)")  # fmt: skip
        else:
            names = ", ".join(f.path.name for f in before)
            report.add("file modes", OK, f"{names}: owner only (0600)")
        return
    group = sharing.group_name(gid)
    found = sharing.shared_findings(folder, gid, before)
    if found:
        report.add("file sharing", WARN, f"shared folder (group {group}): " + "; ".join(found))
    else:
        names = ", ".join(f.path.name for f in before)
        report.add("file sharing", OK, f"shared with group {group}: folder setgid, {names} "
                   "0660, nothing open to other accounts")  # fmt: skip


def _header_journal(path: Path) -> str:
    with open(path, "rb") as fh:
        header = fh.read(20)
    if len(header) < 20 or not header.startswith(b"SQLite format 3\x00"):
        return "unknown"
    return "wal" if header[18] == 2 and header[19] == 2 else "rollback"


def _expected_triggers() -> dict[str, str]:
    wanted = {}
    for statement in schema.split(schema.append_only_triggers() + "\n" + _current_trigger_sql()):
        name = statement.split()[2]
        wanted[name] = " ".join(statement.split())
    return wanted


def _current_trigger_sql() -> str:
    start = schema.SCHEMA.index("CREATE TRIGGER decisions_current")
    end = schema.SCHEMA.index("END;", start) + len("END;")
    return schema.SCHEMA[start:end]


def _check_triggers(report: DoctorReport, conn: sqlite3.Connection) -> None:
    found = {
        t.name: " ".join(t.sql.split()).rstrip(";") + ";" for t in db.introspect(conn).triggers
    }
    missing, altered = [], []
    for name, sql in _expected_triggers().items():
        if name not in found:
            missing.append(name)
        elif found[name] != sql.rstrip(";") + ";":
            altered.append(name)
    if missing or altered:
        parts = []
        if missing:
            parts.append(f"missing: {', '.join(missing)}")
        if altered:
            parts.append(f"changed: {', '.join(altered)}")
        report.add(
            "append-only triggers",
            PROBLEM,
            "; ".join(parts) + " (the file was altered outside triage; compare with a backup)",
        )
    else:
        report.add("append-only triggers", OK, "all present and unchanged")


def _check_views(report: DoctorReport, conn: sqlite3.Connection) -> None:
    """The views other tools read (schema.VIEWS) are there and say what triage wrote: an
    edited `review_status` would show a supervisor a different state of review."""
    sdb = db.introspect(conn)
    present = set(sdb.view_names())
    missing = [name for name in schema.VIEWS if name not in present]
    changed = [
        name
        for name, select in schema.VIEWS.items()
        if name in present and _view_select(sdb.view(name).schema) != " ".join(select.split())
    ]
    if missing or changed:
        parts = [f"missing: {', '.join(missing)}"] if missing else []
        parts += [f"changed: {', '.join(changed)}"] if changed else []
        report.add("views", PROBLEM, "; ".join(parts) + " (the file was altered outside triage)")
    else:
        report.add("views", OK, f"{', '.join(schema.VIEWS)} present and unchanged")


def _view_select(create_sql: str) -> str:
    """The SELECT of a `CREATE VIEW name AS SELECT ...` statement, whitespace normalised."""
    return " ".join(create_sql.split(" AS ", 1)[-1].split())


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _check_orphans(report: DoctorReport, conn: sqlite3.Connection) -> None:
    checks = {
        "decisions on unknown convictions": "SELECT count(DISTINCT key) FROM decisions d "
        "WHERE NOT EXISTS (SELECT 1 FROM convictions c WHERE c.key = d.key)",
        "notes on unknown convictions": "SELECT count(*) FROM notes n WHERE n.key IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM convictions c WHERE c.key = n.key)",
        "notes on unknown people": "SELECT count(*) FROM notes n "
        "WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.subject_id = n.subject_id)",
    }
    found = [(label, _count(conn, sql)) for label, sql in checks.items()]
    bad = [f"{n} {label}" for label, n in found if n]
    if bad:
        report.add("orphaned rows", PROBLEM, "; ".join(bad))
    else:
        report.add("orphaned rows", OK, "every decision and note belongs to a known conviction")


def doctor(
    path: Path, *, key_path: Path | None = None, expect_heads: Sequence[str] = ()
) -> DoctorReport:
    """Check a database: integrity, foreign keys, audit chain, triggers, pragmas, modes,
    orphaned rows, and tampering (`_check_tampering`) against the audit key at `key_path`
    (default: `auditkey.default_path()`) and each head in `expect_heads` (`ENTRIES:HASH`,
    or an export manifest, its folder or a backup that recorded one). Never raises
    for what it finds; raises `TriageError` only when the file cannot be opened as a
    triage database at all (and then has not written to it)."""
    heads = [tamper.recorded_head(value) for value in expect_heads]  # bad ones: say so first
    if not path.exists():
        raise TriageError(f"{path}: no such database")
    if not path.is_file():
        raise TriageError(f"{path}: not a database file (a folder or a device)")
    db.refuse_foreign_file(path)  # before anything below can touch the file
    report = DoctorReport(str(path))
    before = sharing.observe(_sidecars(path))
    journal = _header_journal(path)
    conn = db.connect(path)
    try:
        _check_modes(report, path, before)
        _check_integrity(report, conn)
        # One snapshot for the chain and what it vouches for: a reviewer deciding meanwhile
        # must not look like a decision without its entry.
        conn.execute("BEGIN")
        try:
            _check_chain(report, conn)
            _check_tampering(report, conn, key_path or auditkey.default_path(), heads)
        finally:
            conn.execute("ROLLBACK")
        _check_triggers(report, conn)
        _check_views(report, conn)
        _check_pragmas(report, conn, journal)
        _check_orphans(report, conn)
        _check_leftovers(report, conn)
    finally:
        conn.close()
    return report


def _check_integrity(report: DoctorReport, conn: sqlite3.Connection) -> None:
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    if rows == ["ok"]:
        report.add("integrity", OK, "PRAGMA integrity_check: ok")
    else:
        report.add("integrity", PROBLEM, f"{len(rows)} faults, first: {rows[0]}")
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        tables = sorted({str(r[0]) for r in fk})
        report.add("foreign keys", PROBLEM, f"{len(fk)} broken references in {', '.join(tables)}")
    else:
        report.add("foreign keys", OK, "every reference resolves")


def _check_chain(report: DoctorReport, conn: sqlite3.Connection) -> None:
    chain = audit.verify(conn)
    report.audit_head = audit.head(conn)
    if chain.ok:
        report.add("audit chain", OK, f"{chain.entries} entries, hash chain intact; "
                   f"head {report.audit_head}")  # fmt: skip
    else:
        report.add("audit chain", PROBLEM, f"{chain.problem} (entry {chain.first_bad_id})")


def _check_leftovers(report: DoctorReport, conn: sqlite3.Connection) -> None:
    """What an interrupted import or classification leaves: warnings, not faults."""
    missing = db.missing_search_indexes(conn)
    if missing:
        report.add(
            "search indexes",
            WARN,
            f"missing: {', '.join(missing)} (an import was interrupted; searches scan "
            "meanwhile; the next import builds them)",
        )
    unfinished = _count(conn, "SELECT count(*) FROM runs WHERE finished_at IS NULL")
    if unfinished:
        report.add("runs", WARN, f"{unfinished} classification run(s) never finished "
                   "(interrupted); they are ignored")  # fmt: skip


def _check_tampering(
    report: DoctorReport, conn: sqlite3.Connection, key_path: Path, expect_heads: Sequence[str]
) -> None:
    """What the audit trail vouches for, held against the rows (issue 10): seals, recorded
    heads, decisions, notes, current decisions, role changes, imported files, runs.
    Read-only."""
    tamper.check_seals(report, conn, key_path)
    tamper.check_heads(report, conn, list(expect_heads))
    tamper.check_decisions(report, conn)
    tamper.check_notes(report, conn)
    tamper.check_current_decisions(report, conn)
    roles.check(report, conn)
    tamper_sources.check_imports(report, conn)
    tamper_sources.check_runs(report, conn)


def _check_pragmas(report: DoctorReport, conn: sqlite3.Connection, journal: str) -> None:
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    fks = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    sync = int(conn.execute("PRAGMA synchronous").fetchone()[0])
    wrong = []
    if mode != "wal":
        wrong.append(f"journal_mode {mode}")
    if fks != 1:
        wrong.append("foreign_keys off")
    if sync != 2:
        wrong.append(f"synchronous {sync}")
    if wrong:
        report.add("pragmas", PROBLEM, ", ".join(wrong))
    elif journal == "rollback":
        report.add("pragmas", WARN, "the file was not in WAL mode on disk (it is now)")
    else:
        report.add("pragmas", OK, "WAL, foreign keys on, synchronous FULL")
