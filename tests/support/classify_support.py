"""Small hand-made databases for the classification and CLI tests.

Rows are given as DOJ-named dicts and written by the shared builder (dbbuild.py) the way
the importer derives them (one conviction per person and CNT_ORDER among convicted rows, key
`SUBJECT_ID:CNT_ORDER`), so these tests do not depend on the importer's progress. The
end-to-end tests import CfA's fixture through the real importer instead.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

import dbbuild

from triage import db, review

# DOJ column -> source_rows column, for the fields a test row may set.
_FIELDS = {
    "SUBJECT_ID": "subject_id",
    "PRI_NAME": "name",
    "PRI_DOB": "dob",
    "CII_NUMBER": "cii",
    "STP_EVENT_DATE": "event_date",
    "STP_TYPE_DESCR": "stp_type",
    "STP_ORI_CNTY_NAME": "county",
    "CNT_ORDER": "cnt_order",
    "OFN": "ofn",
    "OFFENSE_DESCR": "offense_descr",
    "OFFENSE_TOC": "offense_toc",
    "DISP_DESCR": "disp_descr",
    "CONV_STAT_DESCR": "conv_stat",
    "SENT_LENGTH": "sent_length",
    "SENT_TIME_CODE": "sent_time_code",
    "COMMENT_TEXT": "comment_text",
    "CYC_DATE": "cyc_date",
}


def conviction(
    subject: str,
    cnt_order: str,
    offense: str,
    *,
    date: str = "20100301",
    county: str = "LOS ANGELES",
    felony: bool = True,
    name: str = "DOE,JANE",
    dob: str = "19800101",
    comment: str = "",
    sentence: tuple[str, str] = ("", ""),
) -> dict[str, str]:
    """A convicted COURT ACTION row."""
    return {
        "SUBJECT_ID": subject,
        "PRI_NAME": name,
        "PRI_DOB": dob,
        "CII_NUMBER": f"A{subject}",
        "STP_EVENT_DATE": date,
        "STP_TYPE_DESCR": "COURT ACTION",
        "STP_ORI_CNTY_NAME": county,
        "CNT_ORDER": cnt_order,
        "OFN": f"OFN{cnt_order[:6]}",
        "OFFENSE_DESCR": offense,
        "OFFENSE_TOC": "F" if felony else "M",
        "DISP_DESCR": "CONVICTED",
        "CONV_STAT_DESCR": "FELONY" if felony else "MISDEMEANOR",
        "SENT_LENGTH": sentence[0],
        "SENT_TIME_CODE": sentence[1],
        "COMMENT_TEXT": comment,
    }


def arrest(subject: str, cnt_order: str, offense: str, *, date: str) -> dict[str, str]:
    """An ARREST/DETAINED/CITED row (not a conviction)."""
    row = conviction(subject, cnt_order, offense, date=date)
    row.update(STP_TYPE_DESCR="ARREST/DETAINED/CITED", DISP_DESCR="", CONV_STAT_DESCR="")
    return row


def people_rows() -> list[dict[str, str]]:
    """Four people, in file order deliberately not SUBJECT_ID order."""
    return [
        # 1002: an old felony 11360 in county and a burglary; born 1950.
        conviction(
            "1002",
            "001001001000",
            "11360(A) HS-TRANSPORT MARIJUANA",
            date="20050101",
            dob="19500101",
            name="ROE,RICHARD",
        ),
        conviction(
            "1002",
            "002001001000",
            "459 PC-BURGLARY",
            date="20000101",
            dob="19500101",
            name="ROE,RICHARD",
        ),
        # 1001: an arrest, a misdemeanor 11357(b), a felony 11359 with a two-part sentence.
        arrest("1001", "001001001000", "11359 HS-POSSESS MARIJUANA FOR SALE", date="20100101"),
        conviction(
            "1001", "001002001000", "11357(B) HS-POSSESS MARIJUANA", date="20100305", felony=False
        ),
        conviction(
            "1001",
            "002001001000",
            "11359 HS-POSSESS MARIJUANA FOR SALE",
            date="20120101",
            sentence=("30", "D"),
        ),
        conviction(
            "1001",
            "002001001000",
            "11359 HS-POSSESS MARIJUANA FOR SALE",
            date="20120101",
            sentence=("2", "M"),
        ),
        # 1003: nothing Prop 64.
        conviction("1003", "001001001000", "484 PC-PETTY THEFT", name="POE,EDGAR"),
        # 1004: Prop 64 out of county; a name full of markup and terminal escapes.
        conviction(
            "1004",
            "001001001000",
            "11358 HS-CULTIVATE MARIJUANA",
            county="SACRAMENTO",
            name="[b]EVIL[/b]\x1b[31m,X",
            dob="19700202",
        ),
    ]


def seed(path: Path, rows: Iterable[Mapping[str, str]], *, file_name: str = "doj.csv") -> Path:
    """Create a database at `path` holding `rows` (DOJ column -> value) as one imported file."""
    named = [{col: row.get(doj, "") for doj, col in _FIELDS.items()} for row in rows]
    conn = dbbuild.new_db(path)
    try:
        dbbuild.add_file(conn, named, name=file_name)
    finally:
        conn.close()
    return path


def cfa_doj_csv(cfa: Path, dest: Path, workbook: str = "gogen/configurable_flow_raw.csv") -> Path:
    """Write the 95 DOJ columns (with header) of a CfA workbook CSV to `dest`."""
    with (cfa / workbook).open(newline="", encoding="utf-8-sig") as src:
        table = list(csv.reader(src))
    header = table[1]
    start = header.index("RECORD_ID")
    end = header.index("END_OF_REC") + 1
    assert end - start == 95
    with dest.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for record in table[1:]:
            if any(v.strip() for v in record[start:end]):
                writer.writerow(record[start:end])
    return dest


def add_decision(path: Path, key: str, decision: str, reviewer: str = "alice") -> None:
    """A reviewer decision with a note, through the service layer the TUI and CLI use."""
    conn = db.connect(path)
    try:
        review.decide(conn, key, decision, reviewer, note="checked the court file")
    finally:
        conn.close()
