"""Person records from the database, in the shape the rules expect.

The rules build a `PersonRecord` from DOJ rows keyed by DOJ column names
(`rules.records.build_person`). The database keeps trimmed copies of those fields in
`source_rows` under short lower-case names; this module is the single place that maps one
onto the other, so the classifier, the exporters and the what-if all see a person exactly
as the rules would have seen the DOJ file.

Rows are handed over in file order (source row id), because the person's name and DOB come
from their first row.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from operator import itemgetter

from rules.model import PersonRecord
from rules.records import build_person
from triage import db
from triage.errors import TriageError

# source_rows column -> DOJ column name. `line` becomes `_line`, the physical line number.
SOURCE_TO_DOJ: tuple[tuple[str, str], ...] = (
    ("subject_id", "SUBJECT_ID"),
    ("name", "PRI_NAME"),
    ("dob", "PRI_DOB"),
    ("cii", "CII_NUMBER"),
    ("event_date", "STP_EVENT_DATE"),
    ("stp_type", "STP_TYPE_DESCR"),
    ("county", "STP_ORI_CNTY_NAME"),
    ("cnt_order", "CNT_ORDER"),
    ("ofn", "OFN"),
    ("offense_descr", "OFFENSE_DESCR"),
    ("offense_toc", "OFFENSE_TOC"),
    ("disp_descr", "DISP_DESCR"),
    ("conv_stat", "CONV_STAT_DESCR"),
    ("sent_length", "SENT_LENGTH"),
    ("sent_time_code", "SENT_TIME_CODE"),
    ("comment_text", "COMMENT_TEXT"),
    ("cyc_date", "CYC_DATE"),
    ("line", "_line"),
)

DOJ_NAMES: tuple[str, ...] = tuple(doj for _, doj in SOURCE_TO_DOJ)

# Same order as SOURCE_TO_DOJ (checked by the tests). The line number is cast in SQL so every
# value handed to the rules is text, as in the file.
_COLUMNS = (
    "subject_id, name, dob, cii, event_date, stp_type, county, cnt_order, ofn, "
    "offense_descr, offense_toc, disp_descr, conv_stat, sent_length, sent_time_code, "
    "comment_text, cyc_date, CAST(line AS TEXT)"
)
# Built from the constant column list above, never from input.
_SELECT_ONE = f"SELECT {_COLUMNS} FROM source_rows WHERE subject_id = ? ORDER BY id"  # noqa: S608
# INDEXED BY keeps this a streaming walk of the subject index (the rows of one person are
# then put in file order by a small sort) rather than a sort of the whole table.
_SELECT_ALL = (
    f"SELECT {_COLUMNS} FROM source_rows INDEXED BY source_rows_subject "  # noqa: S608
    "ORDER BY subject_id, id"
)
# The SQL function `candidate_subjects` registers for its `relevant` check.
_CHECK_FUNCTION = "triage_relevant"
# The people with a conviction the check may find relevant. A conviction's county and
# charge are those of its first row, as `build_person` reads them, and the importer marks
# convictions with the rules' own test (`rules.records.is_conviction`), so this finds
# exactly the people whose records could get a determination. One scan of `convictions`
# (a third of the rows, in C), one lookup of each first row.
_SELECT_CANDIDATES = (
    "SELECT DISTINCT s.subject_id FROM convictions AS c "  # noqa: S608
    "JOIN source_rows AS s ON s.id = c.first_row_id "
    f"WHERE {_CHECK_FUNCTION}(s.county, s.offense_descr, s.comment_text) "
    "ORDER BY s.subject_id"
)
# The rows of a batch of people (a JSON list of subject ids) as of a snapshot: rows are
# never updated or deleted and ids only grow, so "id <= the snapshot's last id" is that
# snapshot's rows, whichever connection reads them, and whenever.
_SELECT_PEOPLE = (
    f"SELECT {_COLUMNS} FROM source_rows INDEXED BY source_rows_subject "  # noqa: S608
    "WHERE subject_id IN (SELECT value FROM json_each(?)) AND id <= ? "
    "ORDER BY subject_id, id"
)

DEFAULT_BATCH = 2000

RawRow = tuple[str, ...]
"""A source row as selected: values in SOURCE_TO_DOJ order (index with `DOJ_NAMES.index`)."""

RowCheck = Callable[[str, str, str], bool]
"""`check(county, offense_descr, comment_text)`: could a conviction with this text be relevant?"""


def as_doj_rows(raw: list[RawRow]) -> list[dict[str, str]]:
    """Raw rows as the mappings `build_person` takes."""
    names = DOJ_NAMES
    return [dict(zip(names, r, strict=True)) for r in raw]


def person_rows(conn: sqlite3.Connection, subject_id: str) -> list[dict[str, str]]:
    """One person's source rows, in file order, keyed by DOJ column names."""
    cur = conn.cursor()
    cur.row_factory = None
    return as_doj_rows(cur.execute(_SELECT_ONE, (subject_id,)).fetchall())


def load_person(conn: sqlite3.Connection, subject_id: str) -> PersonRecord:
    """The record of one DOJ subject, built by the rules from its stored rows.

    Raises `TriageError` when no row of that subject was imported.
    """
    rows = person_rows(conn, subject_id)
    if not rows:
        raise TriageError(f"no person with SUBJECT_ID {subject_id!r} in this database")
    return build_person(rows)


def iter_raw_people(
    conn: sqlite3.Connection, *, batch: int = DEFAULT_BATCH
) -> Generator[tuple[str, list[RawRow]], None, None]:
    """Every person's raw rows, in SUBJECT_ID order, one person at a time.

    Streams: rows are fetched `batch` at a time, so memory holds one batch plus one person
    whatever the size of the database. Run it inside a read transaction on its own
    connection when the caller writes meanwhile, so all people come from one snapshot.
    Close it before the connection when stopping early.
    """
    yield from _grouped(conn, _SELECT_ALL, batch)


def last_row_id(conn: sqlite3.Connection) -> int:
    """The newest source row's id: with `people_rows`, it pins a snapshot (see there)."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM source_rows").fetchone()[0])


def all_subjects(conn: sqlite3.Connection) -> list[str]:
    """Every person's SUBJECT_ID, in order."""
    return [str(r[0]) for r in conn.execute("SELECT subject_id FROM people ORDER BY subject_id")]


def candidate_subjects(conn: sqlite3.Connection, relevant: RowCheck) -> list[str]:
    """The SUBJECT_IDs, in order, of the people with a conviction for which
    `relevant(county, offense_descr, comment_text)` holds (its first row's text).

    SQLite applies the check while it scans, so other people's rows never reach Python.
    Whatever the check raises (KeyboardInterrupt included) comes out as itself.
    """
    raised: list[BaseException] = []

    def call(county: str, offense: str, comment: str) -> bool:
        # SQLite turns an exception in a function into a generic OperationalError (and
        # would swallow a Ctrl-C): keep it, to raise it as itself.
        try:
            return relevant(county, offense, comment)
        except BaseException as exc:
            raised.append(exc)
            raise

    conn.create_function(_CHECK_FUNCTION, 3, call, deterministic=True)
    try:
        return [str(r[0]) for r in conn.execute(_SELECT_CANDIDATES)]
    except sqlite3.OperationalError:
        if raised:
            raise raised[0] from None
        raise
    finally:
        # Let go of the check (and the pack and cache it holds). Python's sqlite3 cannot drop
        # a function: it becomes one that fails if called.
        with contextlib.suppress(sqlite3.Error):
            conn.create_function(_CHECK_FUNCTION, 3, None)


def people_rows(conn: sqlite3.Connection, subjects: Sequence[str], upto: int) -> list[list[RawRow]]:
    """The raw rows of these people (in SUBJECT_ID order, each person's in file order) as of
    the snapshot whose last source row is `upto`, read on any connection to the database."""
    cur = conn.cursor()
    cur.row_factory = None
    try:
        rows = cur.execute(_SELECT_PEOPLE, (json.dumps(list(subjects)), upto)).fetchall()
    finally:
        cur.close()
    return [list(group) for _, group in itertools.groupby(rows, key=itemgetter(0))]


def open_reader(path: str) -> sqlite3.Connection:
    """A connection that only reads (a classification worker's): no schema checks, no
    writes, so it is cheap to open in each worker process."""
    conn = sqlite3.connect(path, timeout=db.BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _grouped(
    conn: sqlite3.Connection, sql: str, batch: int
) -> Generator[tuple[str, list[RawRow]], None, None]:
    cur = conn.cursor()
    cur.row_factory = None
    cur.arraysize = max(1, batch)
    try:
        cur.execute(sql)
        # chain/groupby/itemgetter keep the per-row work in C; Python sees one step per person.
        rows: Iterator[RawRow] = itertools.chain.from_iterable(iter(cur.fetchmany, []))
        for subject_id, group in itertools.groupby(rows, key=itemgetter(0)):
            yield str(subject_id), list(group)
    finally:
        # Fails only when the connection was closed first, which has ended the statement.
        with contextlib.suppress(sqlite3.ProgrammingError):
            cur.close()


def iter_person_rows(
    conn: sqlite3.Connection, *, batch: int = DEFAULT_BATCH
) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """Every person's rows keyed by DOJ column names, in SUBJECT_ID order (streaming)."""
    for subject_id, raw in iter_raw_people(conn, batch=batch):
        yield subject_id, as_doj_rows(raw)


def iter_people(conn: sqlite3.Connection, *, batch: int = DEFAULT_BATCH) -> Iterator[PersonRecord]:
    """Every person's record, in SUBJECT_ID order (streaming, see `iter_raw_people`)."""
    for _, raw in iter_raw_people(conn, batch=batch):
        yield build_person(as_doj_rows(raw))
