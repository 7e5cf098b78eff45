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

import itertools
import sqlite3
from collections.abc import Iterator
from operator import itemgetter

from rules.model import PersonRecord
from rules.records import build_person
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
    ("line", "_line"),
)

DOJ_NAMES: tuple[str, ...] = tuple(doj for _, doj in SOURCE_TO_DOJ)

# Same order as SOURCE_TO_DOJ (checked by the tests). The line number is cast in SQL so every
# value handed to the rules is text, as in the file.
_SELECT_ONE = (
    "SELECT subject_id, name, dob, cii, event_date, stp_type, county, cnt_order, ofn, "
    "offense_descr, offense_toc, disp_descr, conv_stat, sent_length, sent_time_code, "
    "comment_text, CAST(line AS TEXT) FROM source_rows WHERE subject_id = ? ORDER BY id"
)
# INDEXED BY keeps this a streaming walk of the subject index (the rows of one person are
# then put in file order by a small sort) rather than a sort of the whole table.
_SELECT_ALL = (
    "SELECT subject_id, name, dob, cii, event_date, stp_type, county, cnt_order, ofn, "
    "offense_descr, offense_toc, disp_descr, conv_stat, sent_length, sent_time_code, "
    "comment_text, CAST(line AS TEXT) FROM source_rows INDEXED BY source_rows_subject "
    "ORDER BY subject_id, id"
)

DEFAULT_BATCH = 2000

RawRow = tuple[str, ...]
"""A source row as selected: values in SOURCE_TO_DOJ order (index with `column_index`)."""


def column_index(doj_name: str) -> int:
    """Where a DOJ column sits in a `RawRow`."""
    return DOJ_NAMES.index(doj_name)


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
) -> Iterator[tuple[str, list[RawRow]]]:
    """Every person's raw rows, in SUBJECT_ID order, one person at a time.

    Streams: rows are fetched `batch` at a time, so memory holds one batch plus one person
    whatever the size of the database. Run it inside a read transaction on its own
    connection when the caller writes meanwhile, so all people come from one snapshot.
    """
    cur = conn.cursor()
    cur.row_factory = None
    cur.arraysize = max(1, batch)
    cur.execute(_SELECT_ALL)
    # chain/groupby/itemgetter keep the per-row work in C; Python sees one step per person.
    rows: Iterator[RawRow] = itertools.chain.from_iterable(iter(cur.fetchmany, []))
    for subject_id, group in itertools.groupby(rows, key=itemgetter(0)):
        yield str(subject_id), list(group)


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
