"""The one hand-built triage database for the tests: no importer, no engine.

`add_file` stores source rows the way the importer does (line 2 onward, after a header; an
identical row again is a duplicate; a person's first row names them; one conviction per
`SUBJECT_ID:CNT_ORDER` among convicted rows, its further rows counted in `parts`).
`add_run` writes a finished run with the determinations a test gives, so each test
controls exactly what the run said. Both write the audit entry the real command writes
(`import`, `classify`), so a built database is one `doctor` calls healthy.

The test-specific shapes (DOJ 95-field rows, `Person`/`Conv` review records, DOJ-named
dicts) live in exportseed.py, review_fixtures.py and classify_support.py and end here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

from rules.records import is_conviction
from triage import audit, db, digests
from triage.importers.layout import NAMED_COLUMNS

# The source_rows columns a test row may set (all text; missing ones are blank): the
# importer's own named columns.
SOURCE_FIELDS = NAMED_COLUMNS

# What a determination says when a test does not say otherwise.
DETERMINATION_DEFAULTS: dict[str, object] = {
    "outcome": "dismiss", "label": "", "reason": "", "step_id": "s", "citation": "", "flags": "",
    "forced_review": 0, "suggested_outcome": None, "trace": "[]", "section": "", "felony": 0,
    "conviction_date": "",
}  # fmt: skip

_ROW_SQL = (
    f"INSERT INTO source_rows (file_id, line, raw, row_hash, convicted, {', '.join(SOURCE_FIELDS)}) "  # noqa: S608
    f"VALUES (?, ?, ?, ?, ?, {', '.join('?' for _ in SOURCE_FIELDS)}) "
    "ON CONFLICT (row_hash) DO NOTHING"
)


def new_db(path: Path) -> sqlite3.Connection:
    """A fresh database at the current schema."""
    return db.connect(path, create=True)


def csv_line(fields: Sequence[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(fields)
    return buf.getvalue()


def add_file(
    conn: sqlite3.Connection,
    rows: Sequence[Mapping[str, str]],
    *,
    name: str = "doj.csv",
    raws: Sequence[str] | None = None,
) -> int:
    """Store `rows` (source_rows column -> value) as one completed imported file; return its
    id. `raws` gives each row's raw line (default: the row's fields as a CSV line); a row
    whose raw line repeats an earlier one is recorded as a duplicate, as the importer does."""
    lines = list(raws) if raws is not None else [_raw(r) for r in rows]
    unknown = {k for r in rows for k in r} - set(SOURCE_FIELDS)
    assert not unknown, f"not source_rows columns: {sorted(unknown)}"
    sha = hashlib.sha256(f"{name}\n{lines[0] if lines else ''}".encode()).hexdigest()
    with db.write(conn):
        file_id = int(
            conn.execute(
                "INSERT INTO source_files (sha256, name, format, encoding, size, has_header, "
                "first_imported_at, completed_at, rows_total) "
                "VALUES (?, ?, 'doj', 'utf-8', 0, 1, ?, ?, ?)",
                (sha, name, db.now(), db.now(), len(rows)),
            ).lastrowid
            or 0
        )
        imported = duplicates = 0
        for line, (row, raw) in enumerate(zip(rows, lines, strict=True), start=2):
            if _add_row(conn, file_id, line, row, raw):
                imported += 1
            else:
                duplicates += 1
        conn.execute(
            "UPDATE source_files SET rows_imported = ?, rows_duplicate = ? WHERE id = ?",
            (imported, duplicates, file_id),
        )
        # As the importer does: doctor holds every completed file to its import entry.
        audit.append(conn, "fixture", "import", target=name, detail={
            "sha256": sha, "rows": len(rows), "imported": imported, "duplicates": duplicates,
            "quarantined": 0, "rows_sha256": digests.file_rows(conn, file_id),
        })  # fmt: skip
    return file_id


def _raw(row: Mapping[str, str]) -> str:
    return csv_line([row.get(f, "") for f in SOURCE_FIELDS])


def _add_row(
    conn: sqlite3.Connection, file_id: int, line: int, row: Mapping[str, str], raw: str
) -> bool:
    """One source row and what the importer derives from it; False when it is a duplicate."""
    values = [row.get(f, "") for f in SOURCE_FIELDS]
    convicted = int(is_conviction(row.get("disp_descr", "")))
    row_hash = hashlib.sha256(raw.encode()).hexdigest()
    cur = conn.execute(_ROW_SQL, (file_id, line, raw, row_hash, convicted, *values))
    if cur.rowcount == 0:
        conn.execute(
            "INSERT INTO duplicate_rows (file_id, line, row_id) "
            "SELECT ?, ?, id FROM source_rows WHERE row_hash = ?",
            (file_id, line, row_hash),
        )
        return False
    row_id = cur.lastrowid
    get = row.get
    sid, cnt = get("subject_id", ""), get("cnt_order", "")
    conn.execute(
        "INSERT INTO people (subject_id, name, dob, cii, first_row_id) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (sid, get("name", ""), get("dob", ""), get("cii", ""), row_id),
    )
    if convicted:
        conn.execute(
            "INSERT INTO convictions (key, subject_id, cnt_order, first_row_id, event_date, "
            "county, ofn, offense_descr) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET parts = parts + 1",
            (f"{sid}:{cnt}", sid, cnt, row_id, get("event_date", ""), get("county", ""),
             get("ofn", ""), get("offense_descr", "")),
        )  # fmt: skip
    return True


def add_run(
    conn: sqlite3.Connection,
    determinations: Mapping[str, Mapping[str, object]],
    *,
    county: str = "SACRAMENTO",
    compute_at: str = "2019-11-11",
    options: Mapping[str, object] | None = None,
    seconds: float | None = None,
    created_by: str = "tester",
) -> int:
    """A finished run of 'test-pack' whose determinations are given as key -> column values
    (defaults: DETERMINATION_DEFAULTS, the run's county); return its id."""
    with db.write(conn):
        run_id = int(
            conn.execute(
                "INSERT INTO runs (pack_id, pack_title, pack_version, pack_hash, county, "
                "compute_at, options, started_at, finished_at, created_by, convictions, seconds) "
                "VALUES ('test-pack', 'Test pack', '1', 'abc123', ?, ?, ?, ?, ?, ?, ?, ?)",
                (county, compute_at, json.dumps(dict(options or {})), db.now(), db.now(),
                 created_by, len(determinations), seconds),
            ).lastrowid
            or 0
        )  # fmt: skip
        for key, given in determinations.items():
            _add_determination(conn, run_id, key, {"county": county, **given})
        _record_run(conn, run_id)
    return run_id


def _add_determination(
    conn: sqlite3.Connection, run_id: int, key: str, given: Mapping[str, object]
) -> None:
    values = {**DETERMINATION_DEFAULTS, **given}
    values["forced_review"] = int(bool(values["forced_review"]))
    values["felony"] = int(bool(values["felony"]))
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    conn.execute(
        f"INSERT INTO determinations (run_id, key, subject_id, {names}) "  # noqa: S608
        f"VALUES (?, ?, ?, {marks})",
        (run_id, key, key.rsplit(":", 1)[0], *values.values()),
    )


def _record_run(conn: sqlite3.Connection, run_id: int) -> None:
    """The classification entry `classify_run` writes for a finished run (what doctor holds
    the run to): its facts, counts by outcome and the digest of its determinations."""
    run = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    by_outcome = {
        str(o): int(n)
        for o, n in conn.execute(
            "SELECT outcome, count(*) FROM determinations WHERE run_id = ? GROUP BY outcome "
            "ORDER BY outcome",
            (run_id,),
        )
    }
    total = sum(by_outcome.values())
    audit.append(conn, "fixture", "classify", f"run:{run_id}", {
        "pack": run["pack_id"], "version": run["pack_version"], "hash": run["pack_hash"],
        "county": run["county"], "compute_at": run["compute_at"], "convictions": total,
        "by_outcome": by_outcome,
        "determinations_sha256": digests.run_determinations(conn, run_id),
    })  # fmt: skip
