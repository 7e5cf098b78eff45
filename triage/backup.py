"""`triage backup`: a consistent copy of the database, taken while others work.

The copy is written under a private name in the destination folder (`.DEST.partial`),
checked, flushed to disk, recorded in the audit trail (size, sha256 and the chain head it
holds), and only then linked to DEST, and the folder flushed. So DEST is either absent or
a complete, checked copy that the audit trail records; a backup killed at any point
leaves no file at DEST, and running it again works: it takes over the partial file (no
other backup holds its lock) and starts afresh.

If the process dies after the audit entry but before DEST appears, the trail records a
backup whose file is missing: that entry's sha256 matches no file, and the retry records
its own.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from triage import audit, db
from triage.errors import TriageError


@dataclass(frozen=True)
class BackupResult:
    path: str
    bytes: int
    sha256: str
    seconds: float
    audit_entries: int
    audit_head: str  # the chain head the copy holds (`audit.head`): compare it later


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _sidecars(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in ("-journal", "-wal", "-shm")]


def partial_path(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.partial"


@contextlib.contextmanager
def _partial(dest: Path) -> Iterator[Path]:
    """Hold the private file a backup to `dest` is written into: created with the mode of
    DEST's folder (0600, or 0660 in a shared setgid folder, `db.file_mode_for`), locked
    (a second backup to the same DEST is refused), emptied of whatever a killed backup
    left there. Removed on the way out unless it became DEST."""
    partial = partial_path(dest)
    mode = db.file_mode_for(dest)
    try:
        fd = os.open(partial, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, mode)
    except OSError as exc:
        raise TriageError(
            f"{dest}: cannot create a file in {dest.parent} ({exc.strerror})"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TriageError(f"{dest}: another backup to this file is running") from None
        os.fchmod(fd, mode)
        os.ftruncate(fd, 0)  # VACUUM INTO writes only into an empty file
        for side in _sidecars(partial):  # a killed copy's hot journal must not roll back into it
            side.unlink(missing_ok=True)
        yield partial
    finally:
        for p in [partial, *_sidecars(partial)]:
            p.unlink(missing_ok=True)
        os.close(fd)


def _copy(conn: sqlite3.Connection, partial: Path, dest: Path) -> tuple[int, str]:
    """Snapshot the database into `partial`, check it and flush it; (entries, head)."""
    try:
        # VACUUM INTO reads one snapshot (WAL readers never block writers) and writes a
        # compact copy into the empty file we hold.
        conn.execute("VACUUM INTO ?", (str(partial),))
        # Raw connection: db.connect would add nothing here, and the copy should not be
        # touched beyond its journal mode (WAL, like every triage database).
        check = sqlite3.connect(partial, isolation_level=None)
        try:
            check.execute("PRAGMA journal_mode = WAL")
            verdict = str(check.execute("PRAGMA quick_check").fetchone()[0])
            entries = int(check.execute("SELECT count(*) FROM audit").fetchone()[0])
            head = audit.head(check)
        finally:
            check.close()
    except sqlite3.Error as exc:
        raise TriageError(f"{dest}: backup failed ({exc.__class__.__name__})") from None
    if verdict != "ok":
        raise TriageError(f"{dest}: the copy failed its check; it was removed")
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return entries, head


def _publish(partial: Path, dest: Path) -> None:
    """Give the finished copy its name without ever replacing a file, then flush the
    folder so the name survives a power cut."""
    try:
        os.link(partial, dest)
    except FileExistsError:
        raise TriageError(f"{dest}: already exists; refusing to overwrite it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise TriageError(f"{dest}: cannot create ({exc.strerror})") from None
        # A file system without hard links: rename, after one more look (a small window).
        if dest.exists() or dest.is_symlink():
            raise TriageError(f"{dest}: already exists; refusing to overwrite it") from None
        os.rename(partial, dest)
    fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(conn: sqlite3.Connection, dest: Path, actor: str) -> BackupResult:
    """Write a consistent, checked snapshot of the database to `dest` (0600, or 0660 in a
    shared folder; never overwriting a file) while others keep writing, recorded in the audit trail first."""
    if dest.exists() or dest.is_symlink():
        raise TriageError(f"{dest}: already exists; refusing to overwrite it")
    if not dest.parent.is_dir():
        raise TriageError(f"{dest}: folder {dest.parent} does not exist")
    started = time.perf_counter()
    with _partial(dest) as partial:
        entries, head = _copy(conn, partial, dest)
        size, digest = partial.stat().st_size, _sha256(partial)
        path = str(dest.resolve())
        if dest.exists() or dest.is_symlink():
            raise TriageError(f"{dest}: already exists; refusing to overwrite it")
        with db.write(conn):
            audit.append(conn, actor, "backup", dest.name,
                         {"path": path, "bytes": size, "sha256": digest,
                          "audit_entries": entries, "audit_head": head})  # fmt: skip
        try:
            _publish(partial, dest)
        except TriageError:
            with db.write(conn):
                audit.append(conn, actor, "backup.failed", dest.name, {"sha256": digest})
            raise
    return BackupResult(
        path=path,
        bytes=size,
        sha256=digest,
        seconds=round(time.perf_counter() - started, 3),
        audit_entries=entries,
        audit_head=head,
    )
