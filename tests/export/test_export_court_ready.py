"""Court-ready exports through `triage export`: pending refusal, court names, dates and
NULLs, proposed orders, the xlsx profile, the summary's bars, and the kinds registry."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import openpyxl
import pypdf
import pytest
from cli_support import run_cli
from exportseed import add_file, add_run, doj_row, new_db

from triage import review
from triage.export.fmt import export_date, plural
from triage.export.service import EXPORTERS, KINDS
from triage.review.stats import review_stats, unresolved

FINDINGS = (
    "The Court finds that each conviction listed below is eligible for relief under Health "
    "and Safety Code section 11361.8. Pursuant to Health and Safety Code sections 11361.8 "
    "and 11361.9, IT IS ORDERED"
)


def _seed(path: Path, *, pending: bool = True) -> sqlite3.Connection:
    """Four people: two at a recorded court, one with no ORI (NULL court number, partial
    dates), one the reviewer challenges with grounds; one conviction left in review."""
    conn = new_db(path)
    add_file(conn, [
        doj_row(SUBJECT_ID="1", PRI_NAME="ALPHA,ANN", CNT_ORDER="001001001000", OFN="F100",
                STP_ORI_CODE="CA034015J", STP_ORI_DESCR="CASC SACRAMENTO",
                STP_EVENT_DATE="20090914"),
        doj_row(SUBJECT_ID="2", PRI_NAME="=HYPERLINK(\"x\")", CNT_ORDER="002001001000",
                OFN="F200", STP_ORI_CODE="CA034015J", STP_ORI_DESCR="CASC SACRAMENTO"),
        doj_row(SUBJECT_ID="3", PRI_NAME="CHARLIE,C", CNT_ORDER="003001001000", OFN="null",
                STP_EVENT_DATE="20090500", PRI_DOB="19700000", CII_NUMBER=" NULL "),
        doj_row(SUBJECT_ID="4", PRI_NAME="DELTA,D", CNT_ORDER="004001001000", OFN="D4",
                STP_ORI_CODE="CA034015J", STP_ORI_DESCR="CASC SACRAMENTO"),
        doj_row(SUBJECT_ID="5", PRI_NAME="ECHO,E", CNT_ORDER="005001001000", OFN="E5",
                STP_ORI_CODE="CA034015J", STP_ORI_DESCR="CASC SACRAMENTO"),
    ])  # fmt: skip
    run_id = add_run(conn, {
        "1:001001001000": {"outcome": "dismiss", "section": "11357 HS"},
        "2:002001001000": {"outcome": "reduce", "section": "11359 HS"},
        "3:003001001000": {"outcome": "dismiss", "section": "11358 HS"},
        "4:004001001000": {"outcome": "dismiss", "section": "11360 HS"},
        "5:005001001000": {"outcome": "review", "section": "11359 HS", "reason": "look"},
    })  # fmt: skip
    review.decide(conn, "4:004001001000", "not_eligible", "rev.two", run_id=run_id,
                  grounds_text="super-strike-or-290", note="PC 667 prior in 2001")  # fmt: skip
    if not pending:
        review.decide(conn, "5:005001001000", "dismiss", "rev.one", run_id=run_id)
    return conn


def _export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, *extra: str
) -> tuple[int, dict[str, object], str]:
    code, stdout, err = run_cli(
        capsys, "export", kind, "--out", str(tmp_path / "out"),
        "--db", str(tmp_path / "t.db"), "--json", *extra,
    )  # fmt: skip
    return code, (json.loads(stdout) if code == 0 else {}), err


def _pdf(path: Path) -> str:
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def _exports(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM audit WHERE action = 'export'").fetchone()[0])


# 1. pending ---------------------------------------------------------------------------


def test_court_refuses_while_convictions_are_under_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = _seed(tmp_path / "t.db")
    code, _, err = _export(capsys, tmp_path, "court")
    assert code == 1
    assert err.strip().splitlines() == [
        "triage: export court: 1 conviction is still under review in run 1 (1 undecided, "
        "0 deferred); nothing was written: decide them first, or pass --allow-pending to "
        "file without them"
    ]
    assert not (tmp_path / "out").exists() and _exports(conn) == 0


def test_deferred_counts_as_under_review_and_the_queue_shares_the_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = _seed(tmp_path / "t.db", pending=False)
    review.decide(conn, "1:001001001000", "defer", "rev.one")
    figures = unresolved(conn, 1)
    assert (figures.undecided, figures.deferred) == (0, 1)
    assert review_stats(conn, 1).undecided_review == figures.undecided
    code, _, err = _export(capsys, tmp_path, "court")
    assert code == 1 and "(0 undecided, 1 deferred)" in err


def test_allow_pending_lists_the_count_on_stderr_and_every_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = _seed(tmp_path / "t.db")
    code, manifest, err = _export(capsys, tmp_path, "court", "--allow-pending")
    assert code == 0, err
    assert "warning: 1 conviction is still under review and not listed" in err
    assert manifest["details"]["pending"] == 1  # type: ignore[index]
    assert re.fullmatch(r"\d+:[0-9a-f]{64}", str(manifest["audit_head"]))
    out = tmp_path / "out"
    exhibit = _pdf(out / "exhibit-sacramento-ca034015j.pdf")
    assert "1 conviction for this court still under review is not listed." in exhibit
    assert "1 conviction in the run still under review is not listed." in _pdf(
        out / "challenged.pdf"
    )
    assert "No conviction for this court is still under review (1 in the whole run)." in _pdf(
        out / "exhibit-sacramento-court-not-recorded.pdf"
    )
    detail = json.loads(
        conn.execute("SELECT detail FROM audit WHERE action = 'export'").fetchone()[0]
    )
    assert detail["pending"] == 1


# 2. grounds ---------------------------------------------------------------------------


def test_challenged_csv_and_pdf_carry_the_reviewers_grounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db", pending=False)
    code, _, err = _export(capsys, tmp_path, "court", "--profile", "machine")
    assert code == 0, err
    rows = (tmp_path / "out" / "challenged.csv").read_text().splitlines()
    assert len(rows) == 2
    assert "Prior super strike or PC 290 registrable offense keeps it a felony" in rows[1]
    assert "HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A)" in rows[1]
    text = _pdf(tmp_path / "out" / "challenged.pdf")
    assert "Prior super strike or PC 290 registrable offense keeps it a felony" in text
    assert "11360(a)(3)(A)" in text and "PC 667 prior in 2001" in text
    assert "The office opposes relief for the 1 conviction listed below" in text


# 3. court names -----------------------------------------------------------------------


def test_courts_come_from_the_ori_and_are_never_invented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db", pending=False)
    code, manifest, err = _export(capsys, tmp_path, "court")
    assert code == 0, err
    out = tmp_path / "out"
    exhibits = {e["slug"]: e for e in manifest["details"]["exhibits"]}  # type: ignore[index]
    # DOJ's "CASC SACRAMENTO" on a Sacramento record is that county's superior court.
    assert (
        exhibits["sacramento-ca034015j"]["court"]
        == "Superior Court of California, County of Sacramento"
    )
    missing = exhibits["sacramento-court-not-recorded"]
    assert missing["court"] == "Court not recorded: SACRAMENTO" and missing["convictions"] == 1
    assert manifest["details"]["court_not_recorded"] == 1  # type: ignore[index]
    assert "warning: 1 listed conviction with no court recorded" in err
    every = " ".join(_pdf(p) for p in out.glob("*.pdf"))
    every += " ".join(p.read_text(encoding="utf-8-sig") for p in out.glob("*.csv"))
    assert "county court" not in every.lower()
    unnamed = _pdf(out / "exhibit-sacramento-court-not-recorded.pdf")
    assert unnamed.startswith("Exhibit A: Court not recorded: SACRAMENTO Run #1")
    assert "Court ORI: not recorded in the DOJ file" in unnamed


def test_the_office_names_courts_in_a_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db", pending=False)
    courts = tmp_path / "names.toml"
    courts.write_text(
        '[ori.ca034015j]\nname = "Superior Court of California, County of Sacramento"\n'
        'address = ["720 Ninth Street", "Sacramento, CA 95814"]\n'
        '[county.SACRAMENTO]\nname = "Sacramento County Superior Court (no ORI)"\n'
        '[office]\nname = "Office of the District Attorney"\n'
        'address = ["901 G Street", "Attorneys for the People"]\n'
    )
    code, manifest, err = _export(capsys, tmp_path, "court", "--courts", str(courts))
    assert code == 0, err
    assert "no court recorded" not in err
    names = {e["court"] for e in manifest["details"]["exhibits"]}  # type: ignore[index]
    assert names == {
        "Superior Court of California, County of Sacramento",
        "Sacramento County Superior Court (no ORI)",
    }
    assert manifest["details"]["courts_file"] == str(courts)  # type: ignore[index]
    order = _pdf(tmp_path / "out" / "order-sacramento-ca034015j.pdf")
    assert "SUPERIOR COURT OF CALIFORNIA, COUNTY OF SACRAMENTO 720 Ninth Street" in order
    assert "Sacramento, CA 95814" in order
    assert (
        "11361.9 Office of the District Attorney 901 G Street Attorneys for the People "
        "SUPERIOR COURT OF CALIFORNIA" in order
    )
    exhibit = _pdf(tmp_path / "out" / "exhibit-sacramento-ca034015j.pdf")
    assert exhibit.startswith("Exhibit A: Superior Court of California, County of Sacramento Run")
    assert (
        "3 convictions for which relief under Health and Safety Code section 11361.8 is "
        "requested (Dismiss and seal: 2, Redesignate: 1). Court ORI: CA034015J." in exhibit
    )


def test_a_redacted_ori_is_no_ori_and_the_description_names_the_court(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DOJ research extracts carry `x` for the ORI (as CfA's fixtures do): the court is the
    description, courts with different descriptions stay apart, and `[descr.X]` names one."""
    conn = new_db(tmp_path / "t.db")
    add_file(conn, [
        doj_row(SUBJECT_ID="1", CNT_ORDER="001001001000", STP_ORI_CODE="x",
                STP_ORI_DESCR="CASCSACRAMENTO"),
        doj_row(SUBJECT_ID="2", CNT_ORDER="002001001000", STP_ORI_CODE="x",
                STP_ORI_DESCR="CASCYOLO"),
    ])  # fmt: skip
    add_run(conn, {"1:001001001000": {}, "2:002001001000": {}})
    (tmp_path / "courts.toml").write_text('[descr.cascyolo]\nname = "Yolo Superior Court"\n')
    code, manifest, err = _export(capsys, tmp_path, "court")
    assert code == 0, err
    got = {(e["slug"], e["court"], e["ori"]) for e in manifest["details"]["exhibits"]}  # type: ignore[index]
    assert got == {
        ("sacramento-superior-court", "Superior Court of California, County of Sacramento", ""),
        ("sacramento-yolo-superior-court", "Yolo Superior Court", ""),
    }
    assert manifest["details"]["court_not_recorded"] == 0  # type: ignore[index]


def test_courts_toml_beside_the_database_is_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db", pending=False)
    (tmp_path / "courts.toml").write_text('[ori.CA034015J]\nname = "Dept. 61"\n')
    code, manifest, err = _export(capsys, tmp_path, "court")
    assert code == 0, err
    assert "Dept. 61" in {e["court"] for e in manifest["details"]["exhibits"]}  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[ori.X\n", "not valid TOML"),
        ('[courts.X]\nname = "a"\n', "unknown table [courts] (use [ori.CODE], [descr.TEXT]"),
        ("[ori.X]\nname = 3\n", "[ori.X]: name must be non-empty text"),
        ('[ori.X]\nname = "a"\nphone = "1"\n', "unknown key 'phone'"),
    ],
)
def test_a_bad_courts_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    conn = _seed(tmp_path / "t.db", pending=False)
    (tmp_path / "c.toml").write_text(text)
    code, _, err = _export(capsys, tmp_path, "court", "--courts", str(tmp_path / "c.toml"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and message in err
    assert not (tmp_path / "out").exists() and _exports(conn) == 0


# 4. dates and NULLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("20090914", "09/14/2009"), ("20090500", "05/2009"), ("20090000", "2009"),
        ("", ""), ("   ", ""), ("00000000", ""), ("NULL", ""), ("null", ""),
        ("20091300", "20091300"), ("2009-05-01", "2009-05-01"), ("200905", "200905"),
        ("20090532", "20090532"), ("20090014", "20090014"),
    ],
)  # fmt: skip
def test_export_date(raw: str, shown: str) -> None:
    assert export_date(raw) == shown


def test_plural() -> None:
    assert (plural(1, "conviction"), plural(2, "conviction")) == ("1 conviction", "2 convictions")
    assert (
        plural(1, "person", "people") == "1 person" and plural(0, "person", "people") == "0 people"
    )


def test_exhibit_prints_partial_dates_and_blanks_nulls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db", pending=False)
    code, _, err = _export(capsys, tmp_path, "court", "--profile", "machine")
    assert code == 0, err
    path = tmp_path / "out" / "exhibit-sacramento-court-not-recorded.csv"
    with path.open(newline="") as fh:
        (cell,) = list(csv.DictReader(fh))
    assert cell["Conviction date"] == "05/2009" and cell["DOB"] == "1970"
    assert cell["Court number"] == "" and cell["CII"] == "" and cell["Court ORI"] == ""
    text = _pdf(tmp_path / "out" / "exhibit-sacramento-court-not-recorded.pdf")
    assert "05/2009" in text and "NULL" not in text.upper().replace("NOT RECORDED", "")


# 5. proposed order --------------------------------------------------------------------


def test_a_proposed_order_per_court(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(tmp_path / "t.db", pending=False)
    code, manifest, err = _export(capsys, tmp_path, "court")
    assert code == 0, err
    files = {f["name"]: f["rows"] for f in manifest["files"]}  # type: ignore[attr-defined]
    assert files["order-sacramento-ca034015j.pdf"] == 3
    assert files["order-sacramento-court-not-recorded.pdf"] == 1
    order = _pdf(tmp_path / "out" / "order-sacramento-ca034015j.pdf")
    assert order.startswith("[Proposed] order: Superior Court of California, County of Sacramento")
    assert "[PROPOSED] ORDER FOR DISMISSAL AND SEALING, OR REDESIGNATION" in order
    assert FINDINGS in order
    assert "2 ALPHA,ANN 01/01/1980 A123 F100 09/14/2009 11357 HS Dismiss and seal" in order
    exhibit = _pdf(tmp_path / "out" / "exhibit-sacramento-ca034015j.pdf")
    assert "2 ALPHA,ANN 01/01/1980 A123 F100 09/14/2009 11357 HS Dismiss and seal" in exhibit
    assert "Redesignate" in order and "ECHO,E" in order and "DELTA,D" not in order
    assert "IT IS SO ORDERED. Dated: ______________________" in order
    assert order.rstrip().endswith("Judge of the Superior Court Page 1 of 1")
    unnamed = _pdf(tmp_path / "out" / "order-sacramento-court-not-recorded.pdf")
    assert "Court not recorded: SACRAMENTO" in unnamed and "name it before filing" in unnamed


# 6. xlsx ------------------------------------------------------------------------------


def test_xlsx_profile_for_court_writes_text_cells_never_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db", pending=False)
    code, manifest, err = _export(capsys, tmp_path, "court", "--profile", "xlsx")
    assert code == 0, err
    assert manifest["profile"] == "xlsx" and manifest["audit_head"]
    names = {f["name"] for f in manifest["files"]}  # type: ignore[attr-defined]
    assert "exhibit-sacramento-ca034015j.xlsx" in names and "challenged.xlsx" in names
    assert not any(n.endswith(".csv") for n in names)
    book = openpyxl.load_workbook(tmp_path / "out" / "exhibit-sacramento-ca034015j.xlsx")
    sheet = book.active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["Court ORI", "Court", "County", "Name", "DOB"]
    assert rows[2][3:8] == ["ALPHA,ANN", "01/01/1980", "A123", "F100", "09/14/2009"]
    hostile = sheet.cell(row=2, column=4)
    assert hostile.value == '=HYPERLINK("x")' and hostile.data_type == "s"
    assert hostile.quotePrefix and not sheet.cell(row=3, column=4).quotePrefix
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:P4"  # 16 columns
    first = {f["name"]: f["sha256"] for f in manifest["files"]}  # type: ignore[attr-defined]
    code, again, err = _export(capsys, tmp_path, "court", "--profile", "xlsx")
    assert code == 0, err
    second = {f["name"]: f["sha256"] for f in again["files"]}  # type: ignore[attr-defined]
    xlsx = [n for n in first if n.endswith(".xlsx")]
    assert xlsx and all(first[n] == second[n] for n in xlsx)  # same data, same bytes


def test_xlsx_profile_for_decisions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = _seed(tmp_path / "t.db", pending=False)
    review.add_note(conn, "1", "+1 call \x07 back\u200b", "rev.one")
    code, manifest, err = _export(capsys, tmp_path, "decisions", "--profile", "xlsx")
    assert code == 0, err
    files = {f["name"]: f["rows"] for f in manifest["files"]}  # type: ignore[attr-defined]
    assert files == {"decisions.xlsx": 2, "notes.xlsx": 2}
    notes = openpyxl.load_workbook(tmp_path / "out" / "notes.xlsx").active
    assert notes is not None
    texts = [row[6].value for row in notes.iter_rows(min_row=2)]
    assert texts == ["PC 667 prior in 2001", "+1 call <U+0007> back<U+200B>"]
    assert notes.cell(row=3, column=7).quotePrefix


def test_xlsx_is_refused_where_it_means_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db")
    code, _, err = _export(capsys, tmp_path, "gogen", "--profile", "xlsx")
    assert code == 2
    assert err.strip() == (
        "triage: --profile: 'xlsx' is not available for gogen (choose machine or spreadsheet)"
    )
    code, _, err = _export(capsys, tmp_path, "court", "--profile", "excel")
    assert code == 2 and "choose machine, spreadsheet, xlsx" in err


# 7. summary ---------------------------------------------------------------------------

LONG = (
    "Dismiss: adult possession of not more than 28.5 grams with no prior disqualifying "
    "conviction and a completed sentence under the office's 2019 blanket motion"
)


def test_summary_bars_wrap_long_labels_and_count_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = new_db(tmp_path / "t.db")
    add_file(conn, [doj_row(SUBJECT_ID="1", CNT_ORDER="001001001000")])
    add_run(conn, {"1:001001001000": {"outcome": "dismiss", "reason": LONG,
                                      "section": "11357 HS"}})  # fmt: skip
    code, _, err = _export(capsys, tmp_path, "summary")
    assert code == 0, err
    reader = pypdf.PdfReader(tmp_path / "out" / "summary.pdf")
    fragments: list[tuple[float, str]] = []
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, *_: fragments.append((tm[4], text))
            if text.strip() else None
        )  # fmt: skip
    bar_x = (10 + 70) * 72 / 25.4  # left margin + label column, in points
    label_words = set(LONG.split())
    label_parts = [(x, t) for x, t in fragments if set(t.split()) <= label_words]
    assert len(label_parts) >= 2  # wrapped over several lines
    assert all(x + 1 < bar_x for x, _ in label_parts)
    assert " ".join(t.strip() for _, t in label_parts).endswith(LONG.split(":")[1].split()[-1])
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    assert "1 conviction" in text and "1 convictions" not in text
    assert "1 line in 1 file (0 exact duplicates, 0 quarantined)" in text
    assert "1 person, 1 conviction" in text


# 8. kinds -----------------------------------------------------------------------------


def test_courts_is_only_for_court(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(tmp_path / "t.db")
    code, _, err = _export(capsys, tmp_path, "summary", "--courts", str(tmp_path / "c.toml"))
    assert code == 2 and err.strip() == "triage: --courts: only for `export court`"


def test_kinds_are_the_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert KINDS == tuple(EXPORTERS) == ("gogen", "court", "decisions", "summary")
    assert all(callable(e.stage) and e.profiles for e in EXPORTERS.values())
    _seed(tmp_path / "t.db")
    code, _, err = _export(capsys, tmp_path, "exhibits")
    assert code == 2
    assert err.strip() == (
        "triage: export: unknown kind 'exhibits' (choose gogen, court, decisions, summary)"
    )
    code, stdout, _ = run_cli(capsys, "export", "--help")
    assert "gogen|court|decisions|summary" in stdout and "machine|spreadsheet|xlsx" in stdout


def test_doj_superior_court_abbreviation_is_read_only_for_the_records_own_county() -> None:
    from triage.export import courts

    assert courts.superior_court("CASCSACRAMENTO", "SACRAMENTO") == (
        "Superior Court of California, County of Sacramento"
    )
    assert courts.superior_court("CASC SAN LUIS OBISPO", "san luis obispo ") == (
        "Superior Court of California, County of San Luis Obispo"
    )
    # Another county's court, a police department, or no county: DOJ's text stands.
    assert courts.superior_court("CASCYOLO", "SACRAMENTO") == ""
    assert courts.superior_court("CAPDSACRAMENTO", "SACRAMENTO") == ""
    assert courts.superior_court("CASCSACRAMENTO", "") == ""
