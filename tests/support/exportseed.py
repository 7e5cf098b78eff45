"""Build small triage databases for the export tests without the importer or the engine.

Rows go in as the importer stores them (raw line, trimmed named columns, duplicates kept
once); a run and its determinations are written as given, so each export test controls
exactly what the run said.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from rules.doj_layout import DOJ_COLUMNS
from triage import db
from triage.importers.layout import NAMED_SOURCES

COL = {name: i for i, name in enumerate(DOJ_COLUMNS)}


_INSERT_ROW = (
    "INSERT INTO source_rows (file_id, line, raw, row_hash, subject_id, cnt_order, stp_type, "
    "event_date, county, name, dob, cii, ofn, offense_descr, offense_toc, disp_descr, "
    "conv_stat, sent_length, sent_time_code, comment_text, cyc_date, convicted) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (row_hash) DO NOTHING"
)


def doj_row(**values: str) -> list[str]:
    """A 95-field DOJ row; unnamed fields blank."""
    row = [""] * len(DOJ_COLUMNS)
    defaults = {
        "SUBJECT_ID": "1",
        "CNT_ORDER": "001001001000",
        "STP_TYPE_DESCR": "COURT ACTION",
        "DISP_DESCR": "CONVICTED",
        "STP_EVENT_DATE": "20100101",
        "STP_ORI_CNTY_NAME": "SACRAMENTO",
        "PRI_NAME": "DOE,JANE",
        "PRI_DOB": "19800101",
        "CII_NUMBER": "A123",
    }
    for name, value in {**defaults, **values}.items():
        row[COL[name]] = value
    return row


def _line(fields: Sequence[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(fields)
    return buf.getvalue()


def add_file(conn: sqlite3.Connection, rows: Iterable[Sequence[str]], name: str = "doj.csv") -> int:
    """Store rows as one imported DOJ file (line 2 onward, after a header)."""
    rows = list(rows)
    with db.write(conn):
        file_id = int(
            conn.execute(
                "INSERT INTO source_files (sha256, name, format, encoding, size, has_header, "
                "first_imported_at, completed_at, rows_total) VALUES (?, ?, 'doj', 'utf-8', 0, 1, ?, "
                "?, ?)",
                (
                    hashlib.sha256(name.encode() + _line(rows[0]).encode()).hexdigest(),
                    name,
                    db.now(),
                    db.now(),
                    len(rows),
                ),
            ).lastrowid
            or 0
        )
        for line, fields in enumerate(rows, start=2):
            named = [fields[COL[doj]].strip() for doj in NAMED_SOURCES]
            convicted = int(named[11].startswith("CONVICTED"))
            row_hash = hashlib.sha256("\x1f".join(fields).encode()).hexdigest()
            cur = conn.execute(
                _INSERT_ROW,
                (file_id, line, _line(fields), row_hash, *named, convicted),
            )
            if cur.rowcount == 0:
                conn.execute(
                    "INSERT INTO duplicate_rows (file_id, line, row_id) "
                    "SELECT ?, ?, id FROM source_rows WHERE row_hash = ?",
                    (file_id, line, row_hash),
                )
                continue
            row_id = cur.lastrowid
            sid, cnt = named[0], named[1]
            conn.execute(
                "INSERT INTO people (subject_id, name, dob, cii, first_row_id) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (sid, named[5], named[6], named[7], row_id),
            )
            if convicted:
                conn.execute(
                    "INSERT INTO convictions (key, subject_id, cnt_order, first_row_id, "
                    "event_date, county, ofn, offense_descr) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET parts = parts + 1",
                    (f"{sid}:{cnt}", sid, cnt, row_id, named[3], named[4], named[8], named[9]),
                )
    return file_id


def add_run(
    conn: sqlite3.Connection,
    determinations: Mapping[str, Mapping[str, object]],
    *,
    county: str = "SACRAMENTO",
    compute_at: str = "2019-11-11",
    options: Mapping[str, object] | None = None,
    seconds: float = 0.25,
) -> int:
    """A finished run whose determinations are given as key -> column values."""
    with db.write(conn):
        run_id = int(
            conn.execute(
                "INSERT INTO runs (pack_id, pack_title, pack_version, pack_hash, county, compute_at, "
                "options, started_at, finished_at, created_by, convictions, seconds) "
                "VALUES ('test-pack', 'Test pack', '1', 'abc123', ?, ?, ?, ?, ?, 'tester', ?, ?)",
                (
                    county,
                    compute_at,
                    json.dumps(dict(options or {})),
                    db.now(),
                    db.now(),
                    len(determinations),
                    seconds,
                ),
            ).lastrowid
            or 0
        )
        for key, det in determinations.items():
            values = {
                "outcome": "dismiss",
                "label": "",
                "reason": "",
                "step_id": "s",
                "section": "",
                "felony": 0,
                "conviction_date": "",
                "county": county,
                **det,
            }
            conn.execute(
                "INSERT INTO determinations (run_id, key, subject_id, outcome, label, reason, "
                "step_id, section, felony, conviction_date, county, forced_review, "
                "suggested_outcome, citation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    key,
                    key.rsplit(":", 1)[0],
                    values["outcome"],
                    values["label"],
                    values["reason"],
                    values["step_id"],
                    values["section"],
                    values["felony"],
                    values["conviction_date"],
                    values["county"],
                    int(bool(values.get("forced_review"))),
                    values.get("suggested_outcome"),
                    values.get("citation", ""),
                ),
            )
    return run_id


def workbook(
    cfa: Path, name: str = "gogen/configurable_flow_raw.csv"
) -> tuple[list[list[str]], list[tuple[str, ...]]]:
    """A CfA workbook's DOJ rows and expected eligibility columns."""
    with (cfa / name).open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    return [r[1:96] for r in table[2:]], [tuple(r[96:]) for r in table[2:]]


def new_db(path: Path) -> sqlite3.Connection:
    return db.connect(path, create=True)
