"""Opening the database, its pragmas, its schema and its write transactions.

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
from collections.abc import Callable, Iterator
from pathlib import Path

from triage.errors import DiskFullError, SchemaError, TriageError, is_disk_full

# Re-exported: the one place a file's mode is decided (0600, or 0660 in a shared folder).
from triage.sharing import file_mode_for as file_mode_for

SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 15_000
FILE_MODE = 0o600
_jitter = random.Random()

OUTCOMES = ("dismiss", "reduce", "not_eligible", "review")
DECISIONS = ("dismiss", "reduce", "not_eligible", "defer")

_APPEND_ONLY = ("source_rows", "decisions", "notes", "audit", "audit_seals", "role_changes")

SCHEMA = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per distinct file content (sha256). A killed import leaves completed_at NULL and
-- is resumed by importing the same file again.
CREATE TABLE source_files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT NOT NULL,
    size INTEGER NOT NULL,
    has_header INTEGER NOT NULL DEFAULT 0,
    column_map TEXT,
    first_imported_at TEXT NOT NULL,
    completed_at TEXT,
    rows_total INTEGER NOT NULL DEFAULT 0,
    rows_imported INTEGER NOT NULL DEFAULT 0,
    rows_duplicate INTEGER NOT NULL DEFAULT 0,
    rows_quarantined INTEGER NOT NULL DEFAULT 0
);

-- Every accepted record, with its original text and physical line number. The named
-- columns are trimmed copies of the fields the rules use; `raw` is the record as decoded.
-- `cyc_date` (CYC_DATE, the arrest cycle's date) came with schema 2: rows imported before
-- it hold '' and the rules fall back to the event date for them.
CREATE TABLE source_rows (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES source_files(id),
    line INTEGER NOT NULL,
    raw TEXT NOT NULL,
    row_hash TEXT NOT NULL UNIQUE,
    subject_id TEXT NOT NULL,
    cnt_order TEXT NOT NULL,
    stp_type TEXT NOT NULL,
    event_date TEXT NOT NULL,
    county TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    dob TEXT NOT NULL DEFAULT '',
    cii TEXT NOT NULL DEFAULT '',
    ofn TEXT NOT NULL DEFAULT '',
    offense_descr TEXT NOT NULL DEFAULT '',
    offense_toc TEXT NOT NULL DEFAULT '',
    disp_descr TEXT NOT NULL DEFAULT '',
    conv_stat TEXT NOT NULL DEFAULT '',
    sent_length TEXT NOT NULL DEFAULT '',
    sent_time_code TEXT NOT NULL DEFAULT '',
    comment_text TEXT NOT NULL DEFAULT '',
    convicted INTEGER NOT NULL DEFAULT 0,
    cyc_date TEXT NOT NULL DEFAULT '',
    UNIQUE (file_id, line)
);
CREATE INDEX source_rows_subject ON source_rows(subject_id, cnt_order);

-- An exact copy of an accepted row (same field values), seen again at file:line.
-- Counted, kept traceable, never doubled.
CREATE TABLE duplicate_rows (
    file_id INTEGER NOT NULL REFERENCES source_files(id),
    line INTEGER NOT NULL,
    row_id INTEGER NOT NULL REFERENCES source_rows(id),
    PRIMARY KEY (file_id, line)
);

-- Records that could not be accepted, with where and why. `raw` keeps the bytes as
-- text (undecodable bytes shown as \\x escapes) so nothing is ever dropped silently.
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES source_files(id),
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    UNIQUE (file_id, line)
);

CREATE TABLE people (
    subject_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    dob TEXT NOT NULL,
    cii TEXT NOT NULL,
    first_row_id INTEGER NOT NULL REFERENCES source_rows(id)
);
CREATE INDEX people_name ON people(name);
CREATE INDEX people_cii ON people(cii);

-- One per person and CNT_ORDER among convicted rows. Further convicted rows with the same
-- CNT_ORDER are sentence parts (`parts`); `conflicting` marks parts whose facts differ.
CREATE TABLE convictions (
    key TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES people(subject_id),
    cnt_order TEXT NOT NULL,
    first_row_id INTEGER NOT NULL REFERENCES source_rows(id),
    event_date TEXT NOT NULL,
    county TEXT NOT NULL,
    ofn TEXT NOT NULL DEFAULT '',
    offense_descr TEXT NOT NULL DEFAULT '',
    parts INTEGER NOT NULL DEFAULT 1,
    conflicting INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX convictions_subject ON convictions(subject_id);
CREATE INDEX convictions_ofn ON convictions(ofn);

-- Arrests, registrations, deaths and non-conviction court actions.
CREATE VIEW events AS
    SELECT id, subject_id, cnt_order, stp_type, event_date, county, offense_descr, comment_text
    FROM source_rows WHERE convicted = 0;

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    pack_id TEXT NOT NULL,
    pack_title TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    pack_hash TEXT NOT NULL,
    county TEXT NOT NULL,
    compute_at TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{{}}',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    created_by TEXT NOT NULL,
    convictions INTEGER NOT NULL DEFAULT 0,
    seconds REAL
);

CREATE TABLE determinations (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL REFERENCES convictions(key),
    subject_id TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN {OUTCOMES!r}),
    label TEXT NOT NULL,
    reason TEXT NOT NULL,
    step_id TEXT NOT NULL,
    citation TEXT NOT NULL DEFAULT '',
    flags TEXT NOT NULL DEFAULT '',
    forced_review INTEGER NOT NULL DEFAULT 0,
    suggested_outcome TEXT,
    suggested_label TEXT NOT NULL DEFAULT '',
    suggested_reason TEXT NOT NULL DEFAULT '',
    trace TEXT NOT NULL DEFAULT '[]',
    section TEXT NOT NULL DEFAULT '',
    felony INTEGER NOT NULL DEFAULT 0,
    conviction_date TEXT NOT NULL DEFAULT '',
    county TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, key)
);
CREATE INDEX determinations_outcome ON determinations(run_id, outcome, subject_id);
CREATE INDEX determinations_subject ON determinations(run_id, subject_id);

-- Reviewer decisions: append-only. Each entry records the state it leads to (`decision`,
-- NULL after undoing the first decision) and the state before it (`previous`). `version`
-- counts entries per conviction; UNIQUE(key, version) is what makes a lost update
-- impossible: two reviewers who both saw version 3 cannot both write version 4.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('decide', 'undo')),
    decision TEXT CHECK (decision IS NULL OR decision IN {DECISIONS!r}),
    previous TEXT,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    suggested TEXT,
    batch TEXT,
    undoes INTEGER REFERENCES decisions(id),
    grounds TEXT NOT NULL DEFAULT '',
    note_id INTEGER REFERENCES notes(id),
    UNIQUE (key, version)
);
CREATE INDEX decisions_reviewer ON decisions(reviewer, created_at);
CREATE INDEX decisions_created ON decisions(created_at);

-- Latest decision per conviction, kept by a trigger so the queue can filter on it fast.
CREATE TABLE current_decisions (
    key TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    decision TEXT,
    reviewer TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    decision_id INTEGER NOT NULL REFERENCES decisions(id)
);
CREATE INDEX current_decisions_subject ON current_decisions(subject_id);

CREATE TRIGGER decisions_current AFTER INSERT ON decisions BEGIN
    INSERT INTO current_decisions (key, subject_id, version, decision, reviewer, decided_at,
                                   decision_id)
    VALUES (NEW.key, NEW.subject_id, NEW.version, NEW.decision, NEW.reviewer, NEW.created_at,
            NEW.id)
    ON CONFLICT (key) DO UPDATE SET
        version = excluded.version, decision = excluded.decision,
        reviewer = excluded.reviewer, decided_at = excluded.decided_at,
        decision_id = excluded.decision_id
    WHERE excluded.version > current_decisions.version;
END;

-- Notes on a person (key NULL) or on one conviction. Append-only.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    subject_id TEXT NOT NULL,
    key TEXT,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX notes_subject ON notes(subject_id);

-- A reviewer's lease on a case (a person). Expired leases may be taken by anyone.
CREATE TABLE claims (
    subject_id TEXT PRIMARY KEY,
    reviewer TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX claims_reviewer ON claims(reviewer);

-- The audit trail: append-only and hash-chained (see triage/audit.py).
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{{}}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""  # noqa: S608 - fixed constants, no user input


# Schema 4: who may do what, and where each reviewer left off. `role_changes` is
# append-only (a grant or a revoke is a fact, like a decision); an account's role is its
# latest row. `reviewer_state` is a reviewer's own convenience (saved filter, sort, last
# case), overwritten freely and never evidence of anything.
ACCOUNTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS role_changes (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reviewer', 'supervisor', 'none')),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS role_changes_account ON role_changes(account, id);
CREATE TABLE IF NOT EXISTS reviewer_state (
    reviewer TEXT PRIMARY KEY,
    state TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
"""


# One seal per audit entry written while the office's audit key was at hand: an HMAC of the
# entry's hash under a key kept outside the database (see triage/auditkey.py). IF NOT EXISTS
# because databases made before seals get the table (empty) when opened.
SEALS_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_seals (
    entry_id INTEGER PRIMARY KEY REFERENCES audit(id),
    key_id TEXT NOT NULL,
    mac TEXT NOT NULL
);
"""


# Derived, rebuildable: one row per run, outcome ('*' = any) and person with matching
# convictions, so the review queue pages and counts over an index instead of grouping every
# determination on each screen. Filled by `triage.review.queue.refresh_cases`; `pending` is
# recounted for a person whenever one of their decisions changes. IF NOT EXISTS because
# databases made before it existed get it on first use. No foreign keys to runs: a failed
# run is deleted by the classifier, and `run_started_at` tells a reused run id apart.
CASES_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_cases (
    run_id INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    name TEXT NOT NULL,
    dob TEXT NOT NULL,
    cii TEXT NOT NULL,
    convictions INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    label TEXT NOT NULL,
    reason TEXT NOT NULL,
    flags TEXT NOT NULL,
    county TEXT NOT NULL,
    first_date TEXT NOT NULL,
    PRIMARY KEY (run_id, outcome, subject_id)
);
CREATE INDEX IF NOT EXISTS review_cases_name ON review_cases(run_id, outcome, name, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_date
    ON review_cases(run_id, outcome, first_date, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_reason
    ON review_cases(run_id, outcome, reason, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_county
    ON review_cases(run_id, outcome, county, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_pending
    ON review_cases(run_id, outcome, pending, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_subject ON review_cases(subject_id);
CREATE TABLE IF NOT EXISTS review_case_runs (
    run_id INTEGER PRIMARY KEY,
    run_started_at TEXT NOT NULL,
    refreshed_at TEXT NOT NULL,
    complete INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS determinations_key ON determinations(key);
CREATE INDEX IF NOT EXISTS decisions_undoes ON decisions(undoes);
CREATE INDEX IF NOT EXISTS current_decisions_reviewer ON current_decisions(reviewer);
"""


def _append_only_triggers() -> str:
    parts = []
    for table in _APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            parts.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} is append-only'); END;"
            )
    return "\n".join(parts)


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
        _ensure_schema(conn, p)
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


def _ensure_schema(conn: sqlite3.Connection, p: Path) -> None:
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if has_meta is None:  # an empty file `connect(create=True)` may fill (see above)
        with write(conn):
            script = (
                SCHEMA + SEALS_SCHEMA + CASES_SCHEMA + ACCOUNTS_SCHEMA + _append_only_triggers()
            )
            for statement in _split(script):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            conn.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (now(),))
        return
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"{p}: written by a newer triage (schema {version}, this triage knows "
            f"{SCHEMA_VERSION}); upgrade triage to open it"
        )
    if version < SCHEMA_VERSION:
        _migrate(conn, p, version)


# Each migration takes a database from the schema version it is keyed by to the next, in
# one write transaction with the version bump. Rows stay as they were: source_rows are
# immutable, so a column added here is '' for rows imported before it.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], list[str]]] = {
    # 1 -> 2: the arrest cycle's date, which the statute rules read as the offense date.
    # Older rows keep '' (no backfill from their raw text): the rules then use the event
    # date, as they did before, and the california-statute pack asks a person where that
    # could change the answer. Re-importing the files into a new database fills it.
    1: lambda conn: ["ALTER TABLE source_rows ADD COLUMN cyc_date TEXT NOT NULL DEFAULT ''"],
    # 2 -> 3: audit seals (HMAC of each entry with the office key). Older entries stay
    # unsealed; doctor reports them as checked by hash only.
    2: lambda conn: _seals_statements(),
    # 3 -> 4: a reviewer's grounds for a decision (and the note written with it), roles,
    # and each reviewer's saved place in the queue. Older decisions keep '' grounds.
    3: lambda conn: [
        *_missing_columns(
            conn,
            "decisions",
            {"grounds": "TEXT NOT NULL DEFAULT ''", "note_id": "INTEGER REFERENCES notes(id)"},
        ),
        *_split(ACCOUNTS_SCHEMA),
        *_missing_triggers(conn, "role_changes"),
    ],
}


def _migrate(conn: sqlite3.Connection, p: Path, version: int) -> None:
    """Bring an older database up to SCHEMA_VERSION, step by step."""
    if version not in _MIGRATIONS:
        raise SchemaError(
            f"{p}: written by an older triage (schema {version}, this triage needs "
            f"{SCHEMA_VERSION}); no migration exists for it"
        )
    with write(conn):
        # Re-read under the write lock: another process may have migrated meanwhile.
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        current = int(row[0]) if row else 0
        while current < SCHEMA_VERSION:
            for statement in _MIGRATIONS[current](conn):
                conn.execute(statement)
            set_meta(conn, f"migrated_to_{current + 1}", now())
            current += 1
        set_meta(conn, "schema_version", str(current))


def _missing_columns(conn: sqlite3.Connection, table: str, columns: dict[str, str]) -> list[str]:
    """ALTER statements for the columns `table` lacks: a file restored from a half-applied
    hand repair must still migrate, and ADD COLUMN has no IF NOT EXISTS."""
    have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    return [
        f"ALTER TABLE {table} ADD COLUMN {name} {decl}"
        for name, decl in columns.items()
        if name not in have
    ]


def _missing_triggers(conn: sqlite3.Connection, table: str) -> list[str]:
    """The append-only triggers `table` lacks (same reason as `_missing_columns`)."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [
        t
        for t in _split(_append_only_triggers())
        if f" ON {table} " in t and t.split()[2] not in have
    ]


def _seals_statements() -> list[str]:
    """The audit seals table and its append-only triggers (migration 2 -> 3)."""
    triggers = [t for t in _split(_append_only_triggers()) if " ON audit_seals " in t]
    return _split(SEALS_SCHEMA) + triggers


def _split(script: str) -> list[str]:
    """Split a schema script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buf: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        buf.append(line)
        text = "\n".join(buf)
        if sqlite3.complete_statement(text):
            statements.append(text)
            buf = []
    if buf:
        statements.append("\n".join(buf))
    return statements


def begin_immediate(conn: sqlite3.Connection, timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    """Take the write lock, waiting fairly.

    SQLite's own busy handler backs off to 100 ms sleeps, so a reviewer waiting for the
    lock keeps losing it to an importer that commits chunk after chunk. Polling every
    1-3 ms (with jitter) lets short transactions interleave instead: measured p99 for
    8 concurrent deciders fell from ~0.9 s to ~0.16 s (tests/test_stress_decisions.py).
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
