"""The files Code for America's gogen wrote, for a triage run.

- `All_Results.csv`: every input line (the 95 DOJ columns) with the 18 eligibility columns;
- `All_Results_Condensed.csv`: the 20 condensed DOJ columns with the same 18;
- `Prop64_Results.csv`: the lines that carry a determination;
- `gogen.json`: gogen's summary figures.

Lines are written in input order (file, then line). An exact duplicate of an earlier line
(same fields) is stored once by triage but written here again at its own position, as gogen
would have: its 18 columns are those of a repeated row (blank but for "Possible Other P64
Charges"), and `lineCount` counts it. Quarantined lines are not written (gogen refused the
whole file instead). Determinations are the run's, not reviewers' decisions: this is what
gogen would have said for the same run. See docs/exports.md for the other differences.

The person-level columns need a whole person's rows, so the export reads in two passes:
first the people with a determination (their columns are kept in memory, one tuple per
determination), then every line in input order, streamed to the files.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from rules import gogen_columns as g
from rules.doj_layout import DOJ_COLUMNS
from triage.export.bundle import Bundle
from triage.importers.layout import NAMED_SOURCES
from triage.runs import Run

# After id, raw and format: the named columns in `layout.NAMED_COLUMNS` order, so that
# `doj_fields` can place them by `layout.NAMED_SOURCES`.
_PEOPLE = (
    "SELECT s.id, s.raw, f.format, s.subject_id, s.cnt_order, s.stp_type, s.event_date, "
    "s.county, s.name, s.dob, s.cii, s.ofn, s.offense_descr, s.offense_toc, s.disp_descr, "
    "s.conv_stat, s.sent_length, s.sent_time_code, s.comment_text, s.cyc_date "
    "FROM source_rows s JOIN source_files f ON f.id = s.file_id "
    "ORDER BY s.subject_id, s.file_id, s.line"
)


def doj_fields(row: Sequence[Any]) -> list[str]:
    """The 95 DOJ fields of a stored line (id, raw, format, named columns...): parsed from
    its original text, or placed from the named columns when the file had another layout."""
    parsed = next(csv.reader([row[1]]), [])
    if len(parsed) == len(DOJ_COLUMNS):
        return parsed
    fields = [""] * len(DOJ_COLUMNS)
    for doj, value in zip(NAMED_SOURCES, row[3:], strict=True):
        fields[g.COL[doj]] = str(value)
    return fields


def _verdicts(conn: sqlite3.Connection, run_id: int) -> dict[str, g.Verdict]:
    return {
        key: g.verdict(outcome, label, reason)
        for key, outcome, label, reason in conn.execute(
            "SELECT key, outcome, label, reason FROM determinations WHERE run_id = ?", (run_id,)
        )
    }


def _people_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, list[Sequence[Any]]]]:
    """Every person's stored lines, person by person, each in input order."""
    current: str | None = None
    rows: list[Sequence[Any]] = []
    for row in conn.execute(_PEOPLE):
        if row[3] != current:
            if current is not None:
                yield current, rows
            current, rows = row[3], []
        rows.append(row)
    if current is not None:
        yield current, rows


def _first_pass(
    conn: sqlite3.Connection, run: Run, verdicts: dict[str, g.Verdict]
) -> tuple[dict[int, tuple[str, ...]], dict[str, g.GogenSubject]]:
    """Columns of each determination's line (by row id), and the people the summary needs."""
    columns: dict[int, tuple[str, ...]] = {}
    subjects: dict[str, g.GogenSubject] = {}
    for subject_id, rows in _people_rows(conn):
        fields = [doj_fields(r) for r in rows]
        folded = g.fold_subjects(fields)
        person = folded.get(subject_id)
        if person is None:
            continue
        relevant = any(c.key in verdicts for c in person.convictions)
        if relevant:
            for row, cols in zip(
                rows, g.row_columns(fields, verdicts, run.compute_date, folded), strict=True
            ):
                if cols[-2]:
                    columns[int(row[0])] = cols
        # Only people with a determination or a Prop 64 conviction in the county can
        # change any summary figure; keeping only them bounds memory on large files.
        if relevant or any(c.prop64 and c.county == run.county for c in person.convictions):
            subjects[subject_id] = person
    return columns, subjects


def fold_people(conn: sqlite3.Connection, run: Run, keys: set[str]) -> dict[str, g.GogenSubject]:
    """The people whose convictions can move an impact figure: those with one of `keys`
    or with a Prop 64 conviction in the run's county, folded as gogen folded them."""
    subjects: dict[str, g.GogenSubject] = {}
    for subject_id, rows in _people_rows(conn):
        person = g.fold_subjects([doj_fields(r) for r in rows]).get(subject_id)
        if person is not None and any(
            c.key in keys or (c.prop64 and c.county == run.county) for c in person.convictions
        ):
            subjects[subject_id] = person
    return subjects


# Accepted lines and the duplicates of them, together in input order.
_LINES = (
    "SELECT x.dup, s.id, s.raw, f.format, s.subject_id, s.cnt_order, s.stp_type, "
    "s.event_date, s.county, s.name, s.dob, s.cii, s.ofn, s.offense_descr, s.offense_toc, "
    "s.disp_descr, s.conv_stat, s.sent_length, s.sent_time_code, s.comment_text, s.cyc_date "
    "FROM ("
    "  SELECT file_id AS fid, line AS ln, 0 AS dup, id AS rid FROM source_rows"
    "  UNION ALL SELECT file_id, line, 1, row_id FROM duplicate_rows"
    ") x JOIN source_rows s ON s.id = x.rid JOIN source_files f ON f.id = s.file_id "
    "ORDER BY x.fid, x.ln"
)


def _lines(conn: sqlite3.Connection) -> Iterator[tuple[int, list[str], bool]]:
    """(row id, DOJ fields, is a repeated duplicate) for every input line, in input order."""
    for row in conn.execute(_LINES):
        yield int(row[1]), doj_fields(row[1:]), bool(row[0])


def export(conn: sqlite3.Connection, run: Run, bundle: Bundle) -> dict[str, Any]:
    """Stage gogen's four files for `run` in `bundle`; returns gogen.json's content."""
    verdicts = _verdicts(conn, run.id)
    columns, subjects = _first_pass(conn, run, verdicts)
    options = _options(run.options)
    blank_cols = [""] * len(g.ELIGIBILITY_COLUMNS)
    count = 0
    with (
        bundle.csv("All_Results.csv", (*DOJ_COLUMNS, *g.ELIGIBILITY_COLUMNS)) as full,
        bundle.csv("All_Results_Condensed.csv",
                   (*g.CONDENSED_COLUMNS, *g.ELIGIBILITY_COLUMNS)) as condensed,
        bundle.csv("Prop64_Results.csv", (*DOJ_COLUMNS, *g.ELIGIBILITY_COLUMNS)) as prop64,
    ):  # fmt: skip
        for row_id, fields, duplicate in _lines(conn):
            count += 1
            cols = None if duplicate else columns.get(row_id)
            if cols is None:
                blank_cols[2] = g.possible_other_p64(
                    fields[g.COL["OFFENSE_DESCR"]], fields[g.COL["COMMENT_TEXT"]]
                )
                cols = tuple(blank_cols)
            full.row([*fields, *cols])
            condensed.row([*(fields[i] for i in g.CONDENSED_INDEXES), *cols])
            if cols[-2]:
                prop64.row([*fields, *cols])
    summary = g.summary(
        subjects, verdicts, county=run.county, compute_at=run.compute_date,
        line_count=count, seconds=run.seconds,
        dismiss_sections=options.get("dismiss", ("11357", "11358")),
        reduce_sections=options.get("reduce", ("11359", "11360")),
    )  # fmt: skip
    bundle.text("gogen.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return summary


def _options(text: str) -> dict[str, Sequence[str]]:
    """The baseline sections of the gogen options the run was classified with, if any."""
    try:
        options = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    if isinstance(options, dict) and isinstance(options.get("gogen_options"), dict):
        options = options["gogen_options"]  # as `triage classify --options` stores them
    baseline = options.get("baselineEligibility") if isinstance(options, dict) else None
    if not isinstance(baseline, dict):
        return {}
    return {
        k: [str(s) for s in v]
        for k, v in baseline.items()
        if k in ("dismiss", "reduce") and isinstance(v, list)
    }
