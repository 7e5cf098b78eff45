"""Keeping a triage database healthy: `doctor` (what is wrong, said plainly) and `backup`
(a consistent private copy taken while reviewers keep working).

`doctor` reads file modes and the journal mode from disk before opening the database,
because opening it through `db.connect` switches on WAL and tightens modes of files we
own; what it found is reported either way. Messages name files, tables, keys and counts,
never record text.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from triage import audit, db
from triage.errors import TriageError

OK, WARN, PROBLEM = "ok", "warn", "problem"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | problem
    message: str


@dataclass
class DoctorReport:
    path: str
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, status: str, message: str) -> None:
        self.checks.append(Check(name, status, message))

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status == PROBLEM]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == WARN]

    @property
    def ok(self) -> bool:
        return not self.problems


def _mode(p: Path) -> int | None:
    try:
        return stat.S_IMODE(p.stat().st_mode)
    except OSError:
        return None


def _sidecars(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def _check_modes(report: DoctorReport, before: dict[Path, int | None]) -> None:
    loose = []
    for p, mode in before.items():
        if mode is None or not mode & 0o077:
            continue
        after = _mode(p)
        fixed = " (opening it just now set 0600)" if after is not None and not after & 0o077 else ""
        loose.append(f"{p.name} is {mode:04o}, readable or writable by others{fixed}")
    if loose:
        report.add("file modes", WARN, "; ".join(loose) + "; triage files should be 0600")
    else:
        present = [p.name for p, m in before.items() if m is not None]
        report.add("file modes", OK, f"{', '.join(present)}: owner only (0600)")


def _header_journal(path: Path) -> str:
    with open(path, "rb") as fh:
        header = fh.read(20)
    if len(header) < 20 or not header.startswith(b"SQLite format 3\x00"):
        return "unknown"
    return "wal" if header[18] == 2 and header[19] == 2 else "rollback"


def _expected_triggers() -> dict[str, str]:
    wanted = {}
    for statement in db._split(db._append_only_triggers() + "\n" + _current_trigger_sql()):
        name = statement.split()[2]
        wanted[name] = " ".join(statement.split())
    return wanted


def _current_trigger_sql() -> str:
    start = db.SCHEMA.index("CREATE TRIGGER decisions_current")
    end = db.SCHEMA.index("END;", start) + len("END;")
    return db.SCHEMA[start:end]


def _check_triggers(report: DoctorReport, conn: sqlite3.Connection) -> None:
    found = {
        str(r[0]): " ".join(str(r[1]).split()).rstrip(";") + ";"
        for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
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
        "current decisions out of step with the decision log": "SELECT count(*) FROM ("
        " SELECT key, max(version) AS v FROM decisions GROUP BY key) m"
        " LEFT JOIN current_decisions cd ON cd.key = m.key"
        " WHERE cd.version IS NOT m.v",
    }
    found = [(label, _count(conn, sql)) for label, sql in checks.items()]
    bad = [f"{n} {label}" for label, n in found if n]
    if bad:
        report.add("orphaned rows", PROBLEM, "; ".join(bad))
    else:
        report.add("orphaned rows", OK, "every decision and note belongs to a known conviction")


def doctor(path: Path) -> DoctorReport:
    """Check a database: integrity, foreign keys, audit chain, triggers, pragmas, modes,
    orphaned rows. Never raises for what it finds; raises `TriageError` only when the
    file cannot be opened as a triage database at all."""
    if not path.exists():
        raise TriageError(f"{path}: no such database")
    if not path.is_file():
        raise TriageError(f"{path}: not a database file (a folder or a device)")
    db.refuse_foreign_file(path)  # before anything below can touch the file
    report = DoctorReport(str(path))
    before = {p: _mode(p) for p in _sidecars(path)}
    journal = _header_journal(path)
    conn = db.connect(path)
    try:
        _check_modes(report, before)
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        if rows == ["ok"]:
            report.add("integrity", OK, "PRAGMA integrity_check: ok")
        else:
            report.add("integrity", PROBLEM, f"{len(rows)} faults, first: {rows[0]}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            tables = sorted({str(r[0]) for r in fk})
            report.add(
                "foreign keys", PROBLEM, f"{len(fk)} broken references in {', '.join(tables)}"
            )
        else:
            report.add("foreign keys", OK, "every reference resolves")
        chain = audit.verify(conn)
        if chain.ok:
            report.add("audit chain", OK, f"{chain.entries} entries, hash chain intact")
        else:
            report.add("audit chain", PROBLEM, f"{chain.problem} (entry {chain.first_bad_id})")
        _check_triggers(report, conn)
        _check_pragmas(report, conn, journal)
        _check_orphans(report, conn)
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
    finally:
        conn.close()
    return report


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


@dataclass(frozen=True)
class BackupResult:
    path: str
    bytes: int
    sha256: str
    seconds: float
    audit_entries: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(conn: sqlite3.Connection, dest: Path, actor: str) -> BackupResult:
    """Write a consistent snapshot of the database to `dest` (created 0600, never
    overwritten) while others keep writing, check it, and log it in the audit trail."""
    if dest.exists() or dest.is_symlink():
        raise TriageError(f"{dest}: already exists; refusing to overwrite it")
    if not dest.parent.is_dir():
        raise TriageError(f"{dest}: folder {dest.parent} does not exist")
    started = time.perf_counter()
    try:
        fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, db.FILE_MODE)
    except FileExistsError:
        raise TriageError(f"{dest}: already exists; refusing to overwrite it") from None
    except OSError as exc:
        raise TriageError(f"{dest}: cannot create ({exc.strerror})") from None
    os.fchmod(fd, db.FILE_MODE)
    os.close(fd)
    try:
        # VACUUM INTO reads one snapshot (WAL readers never block writers) and writes a
        # compact copy into the empty file we created with the right mode.
        conn.execute("VACUUM INTO ?", (str(dest),))
        # Raw connection: db.connect would add nothing here, and the copy should not be
        # touched beyond its journal mode (WAL, like every triage database).
        check = sqlite3.connect(dest, isolation_level=None)
        try:
            check.execute("PRAGMA journal_mode = WAL")
            verdict = str(check.execute("PRAGMA quick_check").fetchone()[0])
            entries = int(check.execute("SELECT count(*) FROM audit").fetchone()[0])
        finally:
            check.close()
        if verdict != "ok":
            raise TriageError(f"{dest}: the copy failed its check; it was removed")
    except BaseException as exc:
        for p in _sidecars(dest) + [Path(f"{dest}-journal")]:
            p.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error):
            raise TriageError(f"{dest}: backup failed ({exc.__class__.__name__})") from None
        raise
    result = BackupResult(
        path=str(dest.resolve()),
        bytes=dest.stat().st_size,
        sha256=_sha256(dest),
        seconds=round(time.perf_counter() - started, 3),
        audit_entries=entries,
    )
    with db.write(conn):
        audit.append(conn, actor, "backup", dest.name,
                     {"path": result.path, "bytes": result.bytes, "sha256": result.sha256,
                      "audit_entries": entries})  # fmt: skip
    return result
