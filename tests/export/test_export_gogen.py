"""`gogen` export: gogen's three CSV files and gogen.json for a run."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

from exportseed import add_file, add_run, doj_row, new_db, workbook

from rules import gogen_columns as g
from rules.doj_layout import DOJ_COLUMNS
from rules.packs import pack_from_gogen_options
from triage import db, identity
from triage.classify import classify_run
from triage.export import gogen
from triage.export.bundle import open_bundle
from triage.export.runs import resolve_run
from triage.importers import import_files


def _expected_determinations(
    rows: list[list[str]], expected: list[tuple[str, ...]]
) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for row, cols in zip(rows, expected, strict=True):
        if cols[16]:
            outcome = "dismiss" if cols[16] == g.DISMISSAL else "reduce"
            out[g.conviction_key(row)] = {"outcome": outcome, "label": cols[16], "reason": cols[17]}
    return out


def _export(
    cfa: Path, tmp_path: Path, copies: int = 1
) -> tuple[Path, dict[str, object], list[list[str]], list[tuple[str, ...]]]:
    cfa_rows, expected = workbook(cfa)
    conn = new_db(tmp_path / "t.db")
    for copy in range(copies):
        add_file(conn, cfa_rows, name=f"copy{copy}.csv")
    add_run(
        conn,
        _expected_determinations(cfa_rows, expected),
        options={
            "baselineEligibility": {"dismiss": ["11357", "11358"], "reduce": ["11359", "11360"]}
        },
    )
    out = tmp_path / "out"
    with open_bundle(out) as bundle:
        gogen.export(conn, resolve_run(conn, None), bundle)
        manifest = bundle.commit({"kind": "gogen"})
    return out, manifest, cfa_rows, expected


def _read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_all_results_is_every_row_with_the_workbook_columns(cfa: Path, tmp_path: Path) -> None:
    out, manifest, rows, expected = _export(cfa, tmp_path)
    table = _read(out / "All_Results.csv")
    assert table[0] == [*DOJ_COLUMNS, *g.ELIGIBILITY_COLUMNS]
    assert len(table) - 1 == len(rows) == 38
    for line, (got, fields, cols) in enumerate(zip(table[1:], rows, expected, strict=True), 2):
        assert got == [*fields, *cols], f"All_Results.csv line {line}"
    data = (out / "All_Results.csv").read_bytes()
    assert b"\r\n" not in data and not data.startswith(b"\xef\xbb\xbf")
    # gogen's Go csv writer quotes only what needs it: "NULL  ; 140192; 140193" stays bare
    assert b",NULL  ; 140192; 140193,2,," in data
    files = {f["name"]: f["rows"] for f in manifest["files"]}  # type: ignore[attr-defined]
    assert files == {
        "All_Results.csv": 38,
        "All_Results_Condensed.csv": 38,
        "Prop64_Results.csv": 18,
        "gogen.json": None,
    }


def test_condensed_and_prop64_files(cfa: Path, tmp_path: Path) -> None:
    out, _, rows, expected = _export(cfa, tmp_path)
    condensed = _read(out / "All_Results_Condensed.csv")
    assert condensed[0] == [*g.CONDENSED_COLUMNS, *g.ELIGIBILITY_COLUMNS]
    assert len(condensed[0]) == 38
    for got, fields, cols in zip(condensed[1:], rows, expected, strict=True):
        assert got == [*(fields[g.COL[c]] for c in g.CONDENSED_COLUMNS), *cols]
    prop64 = _read(out / "Prop64_Results.csv")
    wanted = [[*f, *c] for f, c in zip(rows, expected, strict=True) if c[16]]
    assert prop64[1:] == wanted and len(wanted) == 18


def test_gogen_json_summary(cfa: Path, tmp_path: Path) -> None:
    out, _, _, _ = _export(cfa, tmp_path)
    summary = json.loads((out / "gogen.json").read_text())
    assert summary["county"] == "SACRAMENTO"
    assert summary["lineCount"] == 38
    assert summary["processingTimeInSeconds"] == 0.25
    assert summary["earliestConviction"] == "1979-06-01T00:00:00Z"
    assert summary["prop64ConvictionsCountInCountyByCodeSection"] == {
        "11357": 3,
        "11358": 7,
        "11359": 8,
    }
    assert summary["subjectsWithSomeReliefCount"] == 12
    assert summary["convictionDismissalCountByCodeSection"] == {"11357": 2, "11358": 6}
    assert summary["convictionReductionCountByCodeSection"] == {"11359": 1, "11360": 0}
    assert summary["reliefWithCurrentEligibilityChoices"] == {
        "CountSubjectsNoFelony": 5,
        "CountSubjectsNoConvictionLast7Years": 2,
        "CountSubjectsNoConviction": 4,
    }


def test_exact_duplicate_lines_are_written_again_but_counted_once(
    cfa: Path, tmp_path: Path
) -> None:
    out, manifest, rows, expected = _export(cfa, tmp_path, copies=2)
    table = _read(out / "All_Results.csv")[1:]
    assert len(table) == 76
    assert table[:38] == [[*f, *c] for f, c in zip(rows, expected, strict=True)]
    # the second copy: same DOJ fields; only "Possible Other P64 Charges" is filled
    for got, fields, cols in zip(table[38:], rows, expected, strict=True):
        assert got[:95] == fields
        assert got[95:] == ["", "", cols[2], *[""] * 15]
    assert len(_read(out / "Prop64_Results.csv")) - 1 == 18
    summary = json.loads((out / "gogen.json").read_text())
    assert summary["lineCount"] == 76
    assert summary["prop64ConvictionsCountInCountyByCodeSection"] == {
        "11357": 3,
        "11358": 7,
        "11359": 8,
    }


def test_undeterminable_layout_is_rebuilt_from_named_columns(tmp_path: Path) -> None:
    conn = new_db(tmp_path / "t.db")
    add_file(conn, [doj_row(OFFENSE_DESCR="11357 HS-POSS", OFN="C1")])
    conn.execute("PRAGMA foreign_keys = OFF")
    # a file imported with another layout keeps its own text in `raw`
    conn.execute("DROP TRIGGER source_rows_no_update")
    conn.execute("UPDATE source_rows SET raw = 'x;y;z'")
    add_run(conn, {"1:001001001000": {"outcome": "dismiss", "label": "", "reason": "r"}})
    with open_bundle(tmp_path / "o") as bundle:
        gogen.export(conn, resolve_run(conn, None), bundle)
        bundle.commit({})
    got = _read(tmp_path / "o" / "All_Results.csv")[1]
    assert got[g.COL["OFN"]] == "C1" and got[g.COL["OFFENSE_DESCR"]] == "11357 HS-POSS"
    assert got[g.COL["RECORD_ID"]] == "" and got[95 + 16] == "Eligible for Dismissal"


def _import_and_classify(cfa: Path, tmp_path: Path, copies: int = 1) -> sqlite3.Connection:
    table = list(csv.reader((cfa / "gogen" / "configurable_flow_raw.csv").open(newline="")))
    paths = []
    for copy in range(copies):
        path = tmp_path / f"doj{copy}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerows(r[1:96] for r in table[1:])
            if copy:  # a second file with the same records: different bytes, same rows
                fh.write("\n")
        paths.append(path)
    conn = db.connect(tmp_path / "e2e.db", create=True)
    import_files(conn, paths)
    options_file = cfa / "gogen" / "eligibility_options.json"
    pack = pack_from_gogen_options(options_file, county="SACRAMENTO")
    classify_run(
        conn,
        pack,
        county="SACRAMENTO",
        compute_at=dt.date(2019, 11, 11),
        actor=identity.os_account(),
        options={"gogen_options": json.loads(options_file.read_text())},
    )
    return conn


def test_import_classify_export_reproduces_gogen_for_the_same_run(
    cfa: Path, tmp_path: Path
) -> None:
    """The whole path: CfA's file imported, classified with the gogen pack and CfA's options
    as of the fixture's compute-at, exported: all 38 rows carry the workbook's columns."""
    conn = _import_and_classify(cfa, tmp_path)
    _, expected = workbook(cfa)
    rows = list(csv.reader((cfa / "gogen" / "configurable_flow_raw.csv").open(newline="")))[2:]
    with open_bundle(tmp_path / "out") as bundle:
        summary = gogen.export(conn, resolve_run(conn, None), bundle)
        bundle.commit({})
    table = _read(tmp_path / "out" / "All_Results.csv")[1:]
    assert len(table) == 38
    for line, (got, source, cols) in enumerate(zip(table, rows, expected, strict=True), 3):
        assert got == [*source[1:96], *cols], f"workbook row {line}"
    assert summary["reliefWithCurrentEligibilityChoices"] == {
        "CountSubjectsNoFelony": 5,
        "CountSubjectsNoConvictionLast7Years": 2,
        "CountSubjectsNoConviction": 4,
    }
    assert summary["convictionDismissalCountByCodeSection"] == {"11357": 2, "11358": 6}


def test_two_copies_imported_give_76_lines_and_the_same_figures(cfa: Path, tmp_path: Path) -> None:
    conn = _import_and_classify(cfa, tmp_path, copies=2)
    with open_bundle(tmp_path / "out") as bundle:
        summary = gogen.export(conn, resolve_run(conn, None), bundle)
        manifest = bundle.commit({})
    assert summary["lineCount"] == 76
    assert {f["name"]: f["rows"] for f in manifest["files"]}["Prop64_Results.csv"] == 18
    assert summary["prop64ConvictionsCountInCountyByCodeSection"] == {
        "11357": 3,
        "11358": 7,
        "11359": 8,
    }
    assert summary["subjectsWithSomeReliefCount"] == 12


def test_a_column_mapped_line_is_placed_into_the_doj_fields_by_name(tmp_path: Path) -> None:
    # A county extract is not in DOJ layout: its named columns go to their DOJ positions.
    data = Path(__file__).resolve().parents[1] / "data" / "import"
    conn = new_db(tmp_path / "t.db")
    import_files(
        conn, [data / "county_extract.csv"], fmt="csv", column_map=data / "county_map.toml"
    )
    row = conn.execute(gogen._PEOPLE).fetchone()
    fields = dict(zip(DOJ_COLUMNS, gogen.doj_fields(tuple(row)), strict=True))
    assert (fields["SUBJECT_ID"], fields["CNT_ORDER"], fields["PRI_NAME"]) == (
        "C-1001",
        "001001001000",
        "FAIRWEATHER, TOBIAS",
    )
    assert (fields["STP_EVENT_DATE"], fields["OFFENSE_DESCR"], fields["SENT_TIME_CODE"]) == (
        "20110602",
        "11357(B) HS-POSSESS MARIJUANA",
        "D",
    )
    assert fields["RECORD_ID"] == "" and fields["COMMENT_TEXT"] == ""
