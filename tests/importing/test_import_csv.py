"""The generic CSV importer with a TOML column map (county case-management extracts).

tests/data/import/county_extract.csv is a hand-made fictional extract; county_map.toml
maps it. Line by line, the extract holds: 2-3 one person's two charges, 4 a date in the
wrong format, 5 a blank defendant id, 6-7 a quoted note spanning two lines, 8 a short
row, 9 an exact copy of line 2, 10 a person without a DOB.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from triage import db
from triage.errors import TriageError
from triage.importers import import_files, load_map
from triage.records_db import load_person

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
EXTRACT = DATA / "county_extract.csv"
MAP = DATA / "county_map.toml"


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return db.connect(tmp_path / "t.db", create=True)


def test_extract_is_mapped_onto_the_doj_fields(conn: sqlite3.Connection) -> None:
    report = import_files(conn, [EXTRACT], fmt="csv", column_map=MAP)
    assert (report.imported, report.duplicates, report.quarantined) == (4, 1, 3)
    assert report.files[0].problems == [
        (4, "STP_EVENT_DATE does not match date format %m/%d/%Y"),
        (5, "SUBJECT_ID is blank"),
        (8, "8 fields, expected 12 (as in the header)"),
    ]
    rows = conn.execute(
        "SELECT line, subject_id, cnt_order, ofn, name, dob, event_date, offense_toc, "
        "disp_descr, convicted, county, stp_type, sent_length, sent_time_code, comment_text "
        "FROM source_rows ORDER BY line"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        (2, "C-1001", "001001001000", "SJ-2011-0001", "FAIRWEATHER, TOBIAS", "19710314",
         "20110602", "M", "CONVICTED", 1, "SAN JOAQUIN", "COURT ACTION", "10", "D", ""),
        (3, "C-1001", "001001002000", "SJ-2011-0001", "FAIRWEATHER, TOBIAS", "19710314",
         "20110602", "M", "DISMISSED", 0, "SAN JOAQUIN", "COURT ACTION", "", "", ""),
        (6, "C-1003", "001001001000", "SJ-2016-0300", "ABERNATHY, WREN", "19900704",
         "20160303", "F", "CONVICTED", 1, "SAN JOAQUIN", "COURT ACTION", "2", "Y",
         "plea entered; see\nattached minute order"),
        (10, "C-1004", "001001001000", "SJ-2018-0101", "VANTERPOOL, ISOLDE", "", "20151224",
         "M", "CONVICTED", 1, "SAN JOAQUIN", "COURT ACTION", "", "", ""),
    ]  # fmt: skip
    # Raw text is the extract's own line, not a DOJ record.
    assert (
        conn.execute("SELECT raw FROM source_rows WHERE line = 2").fetchone()[0]
        == (EXTRACT.read_text("utf-8").splitlines()[1])
    )
    assert [tuple(r) for r in conn.execute("SELECT line, row_id FROM duplicate_rows")] == [(9, 1)]
    keys = [r[0] for r in conn.execute("SELECT key FROM convictions ORDER BY key")]
    assert keys == ["C-1001:001001001000", "C-1003:001001001000", "C-1004:001001001000"]
    stored = conn.execute("SELECT format, has_header, column_map FROM source_files").fetchone()
    assert (stored[0], stored[1]) == ("csv", 1)
    assert json.loads(stored[2])["fields"]["STP_ORI_CNTY_NAME"]["constant"] == "SAN JOAQUIN"


def test_a_colon_in_the_person_key_is_quarantined(tmp_path: Path, conn: sqlite3.Connection) -> None:
    lines = EXTRACT.read_text("utf-8").splitlines()
    extract = tmp_path / "colon.csv"
    extract.write_text(
        "\n".join([lines[0], lines[1], lines[1].replace("C-1001", "C:1001", 1)]) + "\n"
    )
    report = import_files(conn, [extract], fmt="csv", column_map=MAP)
    assert (report.imported, report.quarantined) == (1, 1)
    assert report.files[0].problems == [
        (3, "SUBJECT_ID contains ':' (conviction keys are SUBJECT_ID:CNT_ORDER)")
    ]


def test_csv_import_is_idempotent_and_strict_refuses(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    import_files(conn, [EXTRACT], fmt="csv", column_map=MAP)
    again = import_files(conn, [EXTRACT], fmt="csv", column_map=MAP)
    assert again.files[0].status == "skipped" and again.imported == 0
    other = db.connect(tmp_path / "strict.db", create=True)
    with pytest.raises(TriageError, match=r"county_extract\.csv:4: STP_EVENT_DATE does not match"):
        import_files(other, [EXTRACT], fmt="csv", column_map=MAP, strict=True)
    assert other.execute("SELECT count(*) FROM source_files").fetchone()[0] == 0


def test_columns_by_number_without_a_header(tmp_path: Path, conn: sqlite3.Connection) -> None:
    data = tmp_path / "pipes.txt"
    data.write_text("P1|0010010010001|20120304|11357(B) HS|CONVICTED\n"
                    "P2|0010010010001|20130405|11359 HS|DISMISSED\n", encoding="utf-8")  # fmt: skip
    mapping = tmp_path / "pipes.toml"
    mapping.write_text(
        'delimiter = "|"\nheader = false\n[columns]\nSUBJECT_ID = 1\nCNT_ORDER = 2\n'
        "STP_EVENT_DATE = 3\nOFFENSE_DESCR = 4\nDISP_DESCR = 5\n"
        '[constants]\nSTP_ORI_CNTY_NAME = "KINGS"\n',
        encoding="utf-8",
    )
    report = import_files(conn, [data], fmt="csv", column_map=mapping)
    assert (report.imported, report.quarantined) == (2, 0)
    got = conn.execute("SELECT line, subject_id, event_date, county, convicted FROM source_rows")
    assert [tuple(r) for r in got] == [(1, "P1", "20120304", "KINGS", 1),
                                       (2, "P2", "20130405", "KINGS", 0)]  # fmt: skip


def test_the_same_rows_under_another_county_constant_are_not_duplicates(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    other_map = tmp_path / "other.toml"
    other_map.write_text(MAP.read_text("utf-8").replace('"SAN JOAQUIN"', '"KERN"'), "utf-8")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(EXTRACT.read_bytes() + b"\n")  # another file (sha256), same rows
    import_files(conn, [EXTRACT], fmt="csv", column_map=MAP)
    same_map = import_files(conn, [copy], fmt="csv", column_map=MAP)
    assert (same_map.imported, same_map.duplicates) == (0, 5)
    conn2 = db.connect(tmp_path / "two.db", create=True)
    import_files(conn2, [EXTRACT], fmt="csv", column_map=MAP)
    kern = import_files(conn2, [copy], fmt="csv", column_map=other_map)
    assert (kern.imported, kern.duplicates) == (4, 1)


MAP_ERRORS = [
    ("date_format = \n", 1, "not valid TOML"),
    ("[columns]\nSUBJECT_ID = 'A'\nCNT_ORDER = 'B'\nFBI_NUMBER = 'C'\n", 4,
     "FBI_NUMBER is not a field triage uses"),
    ("[columns]\nSUBJECT_ID = 'A'\n", 1, "the map must give CNT_ORDER"),
    ("delimiter = ';;'\n[columns]\nSUBJECT_ID = 'A'\nCNT_ORDER = 'B'\n", 1, "one character"),
    ("header = false\n[columns]\nSUBJECT_ID = 'A'\nCNT_ORDER = 2\n", 3, "columns are numbers"),
    ("colums = 1\n", 1, "unknown setting 'colums'"),
    ("[columns]\nSUBJECT_ID = 'A'\nCNT_ORDER = 'B'\n[constants]\nSUBJECT_ID = 'X'\n", 5,
     "given twice"),
    ("[columns]\nSUBJECT_ID = 'A'\nCNT_ORDER = 0\n", 3, "start at 1"),
    ("[columns]\nSUBJECT_ID = 'A'\nCNT_ORDER = 'B'\n\nPRI_DOB = { column = 'C', "
     "date_format = 'YYYYMMDD' }\n", 5, "strptime pattern"),
    ("[columns]\nSUBJECT_ID = 'A'\nCNT_ORDER = 'B'\nDISP_DESCR = { column = 'C', "
     "values = { G = 1 } }\n", 4, "values must map text to text"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "message"), MAP_ERRORS,
                         ids=[m[2].split()[0] for m in MAP_ERRORS])  # fmt: skip
def test_a_malformed_map_is_one_line_with_its_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TriageError) as caught:
        load_map(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_column_missing_from_the_header_refuses_before_writing(
    tmp_path: Path, conn: sqlite3.Connection
) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text("[columns]\nSUBJECT_ID = 'Defendant ID'\n\nCNT_ORDER = 'Count'\n", "utf-8")
    with pytest.raises(TriageError, match=r"m\.toml:4: column 'Count' is not in the header"):
        import_files(conn, [EXTRACT], fmt="csv", column_map=mapping)
    assert conn.execute("SELECT count(*) FROM source_files").fetchone()[0] == 0


def test_a_missing_map_file(tmp_path: Path, conn: sqlite3.Connection) -> None:
    with pytest.raises(TriageError, match="no such map file"):
        import_files(conn, [EXTRACT], fmt="csv", column_map=tmp_path / "none.toml")


def test_the_arrest_date_is_mapped_to_cyc_date(tmp_path: Path, conn: sqlite3.Connection) -> None:
    # An extract's arrest date gives the offense date the statute rules read (CYC_DATE); it
    # takes the map's date format, and a value that does not match quarantines the row.
    extract = tmp_path / "arrests.csv"
    extract.write_text(
        "ID,Seq,Arrested,Convicted,Charge,Disposition\n"
        "P1,001001001000,06/01/2016,12/15/2016,11359 HS,GUILTY\n"
        "P2,001001001000,2016-06-01,12/15/2016,11359 HS,GUILTY\n"
        "P3,001001001000,,12/15/2016,11359 HS,GUILTY\n",
        encoding="utf-8",
    )
    cmap = tmp_path / "arrests.toml"
    cmap.write_text(
        'date_format = "%m/%d/%Y"\n[columns]\nSUBJECT_ID = "ID"\nCNT_ORDER = "Seq"\n'
        'CYC_DATE = "Arrested"\nSTP_EVENT_DATE = "Convicted"\nOFFENSE_DESCR = "Charge"\n'
        'DISP_DESCR = { column = "Disposition", values = { GUILTY = "CONVICTED" } }\n',
        encoding="utf-8",
    )
    report = import_files(conn, [extract], fmt="csv", column_map=cmap)
    assert report.files[0].problems == [(3, "CYC_DATE does not match date format %m/%d/%Y")]
    rows = conn.execute("SELECT subject_id, cyc_date, event_date FROM source_rows ORDER BY id")
    assert [tuple(r) for r in rows] == [("P1", "20160601", "20161215"), ("P3", "", "20161215")]
    p1, p3 = (load_person(conn, s).convictions[0] for s in ("P1", "P3"))
    assert p1.offense_date.value == dt.date(2016, 6, 1) and p1.offense_date_known
    assert p3.offense_date.value == dt.date(2016, 12, 15) and not p3.offense_date_known
