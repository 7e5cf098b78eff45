"""Opening the database, its pragmas and its write transactions.

The schema's text is in `triage.schema`; creating and migrating it in `triage.migrations`
(run by `connect`). `DECISIONS`, `OUTCOMES` and `SCHEMA_VERSION` are re-exported here.

Every connection in triage comes from `connect()`, so every one has WAL, a busy timeout,
foreign keys and `synchronous=FULL`. Every write goes through `write()`, which opens the
transaction with `BEGIN IMMEDIATE`: the write lock is taken up front, so two writers queue
on `busy_timeout` instead of failing half-way with SQLITE_BUSY on lock upgrade.

Data flows one way. `source_rows` are never updated or deleted (triggers refuse it);
`people` and `convictions` are derived from them at import; `runs`/`determinations` are
derived by classification; `decisions`, `notes` and `audit` are append-only overlays keyed
by the stable conviction key `SUBJECT_ID:CNT_ORDER`, so re-import and re-classification
never touch reviewer work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from triage.errors import DiskFullError, TriageError, is_disk_full
from triage.schema import DECISIONS as DECISIONS
from triage.schema import OUTCOMES as OUTCOMES
from triage.schema import SCHEMA_VERSION as SCHEMA_VERSION

# Re-exported: the one place a file's mode is decided (0600, or 0660 in a shared folder).
from triage.sharing import file_mode_for as file_mode_for

if TYPE_CHECKING:  # imported when used: it adds ~0.1 s to every command's start
    import sqlite_utils

BUSY_TIMEOUT_MS = 15_000


def introspect(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over an open triage connection, for reading the schema (tables, columns,
    triggers, views) and creating views. It leaves the connection as `connect()` made it:
    no `recursive_triggers` (which would make REPLACE fire DELETE triggers) and no plugins;
    it runs its statements on `conn`, so inside a `write()` they commit or roll back with
    the rest of the transaction."""
    import sqlite_utils

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


FILE_MODE = 0o600
_jitter = random.Random()

_fixed_clock: dt.datetime | None = None


def set_clock(moment: dt.datetime | None) -> None:
    """Freeze `now()` (for `triage sample`, whose output must be byte-for-byte repeatable,
    and for tests). `None` returns to the wall clock."""
    global _fixed_clock
    _fixed_clock = moment


def now() -> str:
    """UTC timestamp, ISO 8601 to the microsecond, so ordering by text is ordering by time."""
    moment = _fixed_clock if _fixed_clock is not None else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _create_file(path: Path) -> None:
    """Create an empty file with the mode its folder calls for (`file_mode_for`: 0600, or
    0660 in a shared setgid folder), whatever the umask. SQLite gives the -wal and -shm it
    makes later the database file's mode."""
    mode = file_mode_for(path)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    os.close(fd)
    os.chmod(path, mode)


def connect(path: str | os.PathLike[str], *, create: bool = False) -> sqlite3.Connection:
    """Open (or with `create`, make) a triage database with triage's pragmas.

    Raises `TriageError` with one readable line when the file is missing, not a database,
    or of another schema version.
    """
    p = Path(path)
    if p.is_dir():
        raise TriageError(f"{p}: is a folder, not a database file")
    if not p.exists():
        if not create:
            raise TriageError(f"{p}: no such database (run `triage import` or `triage sample`)")
        if not p.parent.exists():
            raise TriageError(f"{p}: folder {p.parent} does not exist")
        _create_file(p)
    else:
        refuse_foreign_file(p, empty_ok=create)
    conn = sqlite3.connect(
        p, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Before any pragma that writes (journal_mode rewrites the header): a file that is
        # not a triage database is refused untouched.
        _refuse_foreign_schema(conn, p, create=create)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise TriageError(f"{p}: could not switch the database to WAL mode")
        conn.execute("PRAGMA foreign_keys = ON")
        # FULL: a decision acknowledged to the reviewer survives power loss, not just a crash.
        conn.execute("PRAGMA synchronous = FULL")
        # Imported here: migrations build on this module's write() and meta helpers.
        from triage.migrations import ensure_schema

        ensure_schema(conn, p)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_disk_full(exc):
            raise DiskFullError(
                f"{p}: disk full while opening the database (its WAL or schema could not be "
                "written); nothing was changed"
            ) from None
        raise TriageError(f"{p}: not a triage database ({exc.__class__.__name__})") from None
    except TriageError:
        conn.close()
        raise
    _tighten_modes(p)
    return conn


def _tighten_modes(p: Path) -> None:
    # SQLite gives -wal/-shm the database file's mode, but a file created by another tool
    # may be looser. Only files we own, only down to the mode the folder calls for (0660
    # in a shared folder, so the group keeps its access), never loosened: `doctor` says
    # what to change when a file is tighter than its folder calls for.
    intended = file_mode_for(p)
    for candidate in (p, Path(f"{p}-wal"), Path(f"{p}-shm")):
        with contextlib.suppress(OSError):
            st = candidate.stat()
            mode = st.st_mode & 0o777
            if st.st_uid == os.getuid() and mode & ~intended:
                os.chmod(candidate, mode & intended)


SQLITE_MAGIC = b"SQLite format 3\x00"


def refuse_foreign_file(p: Path, *, empty_ok: bool = False) -> None:
    """Refuse, without opening it, a file that cannot be a triage database: one that is
    empty (unless `empty_ok`: a database being created, or whose creation was killed before
    its schema was written) or does not start with SQLite's header. Nothing is written."""
    try:
        with open(p, "rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except IsADirectoryError:
        raise TriageError(f"{p}: is a folder, not a triage database") from None
    except OSError as exc:
        raise TriageError(f"{p}: cannot read ({exc.strerror})") from None
    if not header:
        if empty_ok:
            return
        raise TriageError(f"{p}: empty file (0 bytes), not a triage database; nothing was written")
    if header != SQLITE_MAGIC:
        raise TriageError(f"{p}: not a triage database (not an SQLite file); nothing was written")


def _refuse_foreign_schema(conn: sqlite3.Connection, p: Path, *, create: bool) -> None:
    """An SQLite file with tables but no triage `meta` table is someone else's database; one
    with no tables at all gets a schema only from the commands that make a database."""
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if has_meta is not None:
        return
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise TriageError(f"{p}: this SQLite file is not a triage database; nothing was written")
    if not create:
        raise TriageError(f"{p}: an SQLite file with no triage tables; nothing was written")


def begin_immediate(conn: sqlite3.Connection, timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    """Take the write lock, waiting fairly.

    SQLite's own busy handler backs off to 100 ms sleeps, so a reviewer waiting for the
    lock keeps losing it to an importer that commits chunk after chunk. Polling every
    1-3 ms (with jitter) lets short transactions interleave instead: measured p99 for
    8 concurrent deciders fell from ~0.9 s to ~0.16 s (tests/stress/test_stress_decisions.py).
    """
    deadline = time.monotonic() + timeout_ms / 1000
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise
                if time.monotonic() >= deadline:
                    raise TriageError(
                        f"the database stayed busy for {timeout_ms / 1000:.0f} s "
                        "(another triage process is writing); nothing was changed, try again"
                    ) from None
                time.sleep(_jitter.uniform(0.001, 0.003))
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextlib.contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A short write transaction that takes the write lock up front (`BEGIN IMMEDIATE`)."""
    begin_immediate(conn)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


# The indexes behind the queue's search (name, CII, court number). Each insert into them
# lands on a random page, so a large import rewrites most of their pages at every chunk
# (a fifth of a 1,000,000-row import's time); it builds them once at its end instead
# (`deferred_search_indexes`). The statements are the schema's own.
SEARCH_INDEXES: dict[str, str] = {
    "people_name": "CREATE INDEX people_name ON people(name)",
    "people_cii": "CREATE INDEX people_cii ON people(cii)",
    "convictions_ofn": "CREATE INDEX convictions_ofn ON convictions(ofn)",
}


def missing_search_indexes(conn: sqlite3.Connection) -> list[str]:
    """Search indexes the database lacks (an import that was killed had dropped them)."""
    present = {
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    return [name for name in SEARCH_INDEXES if name not in present]


def build_search_indexes(conn: sqlite3.Connection) -> list[str]:
    """Create any missing search index, each in its own write transaction; return their names."""
    built = []
    for name in missing_search_indexes(conn):
        with write(conn):
            if name in missing_search_indexes(conn):  # another import may have just built it
                conn.execute(SEARCH_INDEXES[name])
                built.append(name)
    return built


@contextlib.contextmanager
def deferred_search_indexes(conn: sqlite3.Connection) -> Iterator[None]:
    """Drop the search indexes for a large import and build them again when it ends, however
    it ends. Meanwhile searches still work, by scanning. If the process is killed, they stay
    missing until the import is run again (it resumes, then builds them) or `triage doctor`
    builds them."""
    with write(conn):
        for name in SEARCH_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):  # never hide what stopped the import
            build_search_indexes(conn)
        raise
    build_search_indexes(conn)


@contextlib.contextmanager
def bulk_writes(conn: sqlite3.Connection) -> Iterator[None]:
    """For work that writes a lot but is not done until it says so (an import, the body of
    a classification run): `synchronous=NORMAL` and a bigger page cache on `conn`.

    NORMAL in WAL mode can lose the last commits on power loss (never on a crash, never
    corrupting the file), and spares a disk flush per transaction. That is harmless here:
    an import resumes where its durable chunks end, and a run becomes visible only in its
    last transaction, made after this block under the connection's own setting (FULL), so
    reviewer writes and a run's completion stay durable when acknowledged.
    """
    sync = int(conn.execute("PRAGMA synchronous").fetchone()[0])
    cache = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA synchronous = {sync}")
        conn.execute(f"PRAGMA cache_size = {cache}")


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Set a meta value; the caller holds a write transaction."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def active_run_id(conn: sqlite3.Connection) -> int | None:
    """The run whose determinations the queue, stats and exports use: the newest finished one,
    unless a run was explicitly activated."""
    chosen = get_meta(conn, "active_run")
    if chosen is not None:
        return int(chosen)
    row = conn.execute(
        "SELECT id FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else int(row[0])
