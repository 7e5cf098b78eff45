"""`court` exhibits + challenged list, and the `decisions` log in both CSV profiles."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path

import pypdf
import pytest
from exportseed import add_file, add_run, doj_row, new_db

from triage import review
from triage.export import court, csvfmt, decisions
from triage.export.bundle import open_bundle
from triage.export.runs import resolve_run

HOSTILE_NOTE = '=HYPERLINK("http://x","click")\nsecond line, "quoted"'


def _db(tmp_path: Path) -> sqlite3.Connection:
    conn = new_db(tmp_path / "t.db")
    add_file(conn, [
        doj_row(SUBJECT_ID="1", PRI_NAME="ALPHA,ANN", CNT_ORDER="001001001000", OFN="F100",
                OFFENSE_DESCR="11358 HS-CULTIVATE", STP_ORI_CODE="CA0340100",
                STP_ORI_DESCR="SACRAMENTO SUPERIOR COURT", STP_EVENT_DATE="20010203"),
        doj_row(SUBJECT_ID="1", PRI_NAME="ALPHA,ANN", CNT_ORDER="001001002000", OFN="F101",
                OFFENSE_DESCR="11359 HS-SALE", STP_ORI_CODE="CA0340100",
                STP_ORI_DESCR="SACRAMENTO SUPERIOR COURT"),
        doj_row(SUBJECT_ID="2", PRI_NAME="BRAVO,\u0411\u041e\u0411 [b]", CNT_ORDER="002001001000",
                OFN="M7", OFFENSE_DESCR="11357 HS-POSS", STP_ORI_CODE="CA0340200",
                STP_ORI_DESCR="SACRAMENTO MUNI COURT", PRI_DOB="19700500"),
        doj_row(SUBJECT_ID="3", PRI_NAME="CHARLIE,C", CNT_ORDER="003001001000", OFN="X1",
                OFFENSE_DESCR="11360 HS-TRANSPORT", STP_ORI_CODE="CA0340100",
                STP_ORI_DESCR="SACRAMENTO SUPERIOR COURT"),
        doj_row(SUBJECT_ID="4", PRI_NAME="DELTA,D", CNT_ORDER="004001001000", OFN="Y1",
                OFFENSE_DESCR="11359 HS-SALE", STP_ORI_CODE="CA0340100",
                STP_ORI_DESCR="SACRAMENTO SUPERIOR COURT"),
    ])  # fmt: skip
    run_id = add_run(conn, {
        "1:001001001000": {"outcome": "dismiss", "section": "11358 HS", "reason": "dismiss 11358"},
        "1:001001002000": {"outcome": "reduce", "section": "11359 HS", "reason": "reduce 11359"},
        "2:002001001000": {"outcome": "review", "section": "11357 HS", "reason": "look"},
        "3:003001001000": {"outcome": "not_eligible", "section": "11360 HS",
                           "label": "Not eligible", "reason": "super strike on record",
                           "citation": "PC 667(e)(2)(C)(iv)"},
        "4:004001001000": {"outcome": "dismiss", "section": "11359 HS", "reason": "older"},
    })  # fmt: skip
    review.decide(conn, "2:002001001000", "dismiss", "rev.one", run_id=run_id)
    review.decide(conn, "4:004001001000", "not_eligible", "rev.two", run_id=run_id)
    review.add_note(conn, "4", HOSTILE_NOTE, "rev.two", key="4:004001001000")
    review.add_note(conn, "4", "person-level note", "rev.one")
    return conn


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _pdf_text(path: Path) -> str:
    """The PDF's text with line wrapping undone (cells wrap at any width)."""
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def test_one_exhibit_per_court_with_overrides_marked(tmp_path: Path) -> None:
    conn = _db(tmp_path)
    with open_bundle(tmp_path / "out") as bundle:
        counts = court.export(conn, resolve_run(conn, None), bundle, subtitle="Run 1")
        manifest = bundle.commit({})
    out = tmp_path / "out"
    names = sorted(f["name"] for f in manifest["files"])
    assert names == [
        "README.txt",
        "challenged.csv",
        "challenged.pdf",
        "exhibit-sacramento-ca0340100.csv",
        "exhibit-sacramento-ca0340100.pdf",
        "exhibit-sacramento-ca0340200.csv",
        "exhibit-sacramento-ca0340200.pdf",
        "order-sacramento-ca0340100.pdf",
        "order-sacramento-ca0340200.pdf",
    ]
    superior = _csv(out / "exhibit-sacramento-ca0340100.csv")
    assert [(r["Name"], r["Relief"], r["Court number"]) for r in superior] == [
        ("ALPHA,ANN", "Dismiss and seal", "F100"),
        ("ALPHA,ANN", "Redesignate", "F101"),
    ]
    assert superior[0]["Conviction date"] == "02/03/2001"
    assert superior[0]["DOB"] == "01/01/1980" and superior[0]["CII"] == "A123"
    assert superior[0]["Reviewer decision"] == ""
    muni = _csv(out / "exhibit-sacramento-ca0340200.csv")
    assert len(muni) == 1
    assert muni[0]["Reviewer decision"] == "dismiss" and muni[0]["Decided by"] == "rev.one"
    assert muni[0]["DOB"] == "05/1970"  # month-only date
    assert counts["challenged"] == 2 and counts["pending"] == 0
    text = _pdf_text(out / "exhibit-sacramento-ca0340200.pdf")
    assert "SACRAMENTO MUNI COURT" in text and "M7" in text
    assert "reviewer decision (rev.one)" in text
    assert "BRAVO," in text and "[b]" in text  # markup characters stay characters


def test_challenged_list_has_grounds_and_notes(tmp_path: Path) -> None:
    conn = _db(tmp_path)
    with open_bundle(tmp_path / "out") as bundle:
        court.export(conn, resolve_run(conn, None), bundle, subtitle="Run 1")
        bundle.commit({})
    rows = _csv(tmp_path / "out" / "challenged.csv")
    by_key = {r["Conviction key"]: r for r in rows}
    assert set(by_key) == {"3:003001001000", "4:004001001000"}
    own = by_key["3:003001001000"]
    assert own["Grounds"] == "Not eligible" and own["Reason"] == "super strike on record"
    assert own["Citation"] == "PC 667(e)(2)(C)(iv)" and own["Decided by"] == ""
    decided = by_key["4:004001001000"]
    assert decided["Decided by"] == "rev.two"
    assert decided["Grounds"] == "Reviewer decision (the run suggested dismiss)"
    assert HOSTILE_NOTE in decided["Notes"] and "person-level note" in decided["Notes"]
    text = _pdf_text(tmp_path / "out" / "challenged.pdf")
    assert "super strike on record" in text and "person-level note" in text


def test_pending_convictions_are_left_off_the_exhibits(tmp_path: Path) -> None:
    conn = _db(tmp_path)
    review.decide(conn, "2:002001001000", "defer", "rev.one")
    with open_bundle(tmp_path / "out") as bundle:
        counts = court.export(conn, resolve_run(conn, None), bundle, subtitle="s")
        bundle.commit({})
    assert counts["pending"] == 1
    assert not (tmp_path / "out" / "exhibit-sacramento-ca0340200.csv").exists()


def _decisions(tmp_path: Path, profile: csvfmt.Profile) -> Path:
    conn = _db(tmp_path)
    review.undo(conn, "2:002001001000", "rev.one")
    out = tmp_path / profile.name
    with open_bundle(out, profile) as bundle:
        assert decisions.export(conn, bundle) == {"decisions": 3, "notes": 2}
        bundle.commit({})
    return out


def test_decisions_machine_profile_is_byte_exact(tmp_path: Path) -> None:
    out = _decisions(tmp_path, csvfmt.MACHINE)
    data = (out / "notes.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    notes = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert notes[0]["text"] == HOSTILE_NOTE
    assert notes[0]["reviewer"] == "rev.two" and notes[0]["conviction_key"] == "4:004001001000"
    assert notes[1]["conviction_key"] == "" and notes[0]["created_at"].endswith("Z")
    log = list(csv.DictReader(io.StringIO((out / "decisions.csv").read_text(), newline="")))
    assert [(d["action"], d["decision"], d["previous"], d["reviewer"]) for d in log] == [
        ("decide", "dismiss", "", "rev.one"),
        ("decide", "not_eligible", "", "rev.two"),
        ("undo", "", "dismiss", "rev.one"),
    ]
    assert log[1]["name"] == "DELTA,D" and log[0]["suggested"] == "review"


@pytest.mark.parametrize(
    "lead", ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"]
)
def test_decisions_spreadsheet_profile_escapes_formulas(tmp_path: Path, lead: str) -> None:
    conn = _db(tmp_path)
    review.add_note(conn, "1", lead + "cmd|' /C calc'!A0", "rev.one")
    with open_bundle(tmp_path / "s", csvfmt.SPREADSHEET) as bundle:
        decisions.export(conn, bundle)
        bundle.commit({})
    data = (tmp_path / "s" / "notes.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    notes = _csv(tmp_path / "s" / "notes.csv")
    assert notes[0]["text"] == "'" + HOSTILE_NOTE
    assert notes[-1]["text"] == "'" + lead + "cmd|' /C calc'!A0"
    assert notes[1]["text"] == "person-level note"
