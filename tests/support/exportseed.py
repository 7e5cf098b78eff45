"""The export tests' shape of the shared database builder (dbbuild.py): 95-field DOJ rows
(raw line, trimmed named columns, duplicates kept once) and a run whose determinations are
written as given, so each export test controls exactly what the run said.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import dbbuild
from dbbuild import new_db

from rules.doj_layout import DOJ_COLUMNS
from triage.importers.layout import NAMED_COLUMNS, NAMED_SOURCES

__all__ = ["add_file", "add_run", "doj_row", "new_db", "workbook"]

COL = {name: i for i, name in enumerate(DOJ_COLUMNS)}


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


def add_file(conn: sqlite3.Connection, rows: Iterable[Sequence[str]], name: str = "doj.csv") -> int:
    """Store 95-field DOJ rows as one imported DOJ file (the raw line is the row as CSV)."""
    rows = list(rows)
    named = [
        {
            col: fields[COL[doj]].strip()
            for col, doj in zip(NAMED_COLUMNS, NAMED_SOURCES, strict=True)
        }
        for fields in rows
    ]
    return dbbuild.add_file(conn, named, name=name, raws=[dbbuild.csv_line(r) for r in rows])


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
    return dbbuild.add_run(
        conn, determinations, county=county, compute_at=compute_at, options=options,
        seconds=seconds,
    )  # fmt: skip


def workbook(
    cfa: Path, name: str = "gogen/configurable_flow_raw.csv"
) -> tuple[list[list[str]], list[tuple[str, ...]]]:
    """A CfA workbook's DOJ rows and expected eligibility columns."""
    with (cfa / name).open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    return [r[1:96] for r in table[2:]], [tuple(r[96:]) for r in table[2:]]
