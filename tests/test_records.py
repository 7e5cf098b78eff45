"""Building a PersonRecord from DOJ rows: hand-made rows and CfA's fixture files."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from rules.charges import parse_charge
from rules.dates import parse_doj_date
from rules.errors import RulesError
from rules.model import EventKind, Flag
from rules.records import build_person, is_felony, needs_subdivision_review


def row(**fields: str) -> dict[str, str]:
    base = {
        "SUBJECT_ID": "100",
        "PRI_NAME": "DOE, JANE",
        "PRI_DOB": "19700101",
        "CII_NUMBER": "A1",
        "STP_EVENT_DATE": "20100101",
        "STP_TYPE_DESCR": "COURT ACTION",
        "STP_ORI_CNTY_NAME": "SACRAMENTO",
        "CNT_ORDER": "101001001000",
        "OFN": "",
        "OFFENSE_DESCR": "11358 HS-CULTIVATE CANNABIS",
        "OFFENSE_TOC": "F",
        "DISP_DESCR": "CONVICTED-PROBATION",
        "CONV_STAT_DESCR": "FELONY",
        "SENT_LENGTH": "",
        "SENT_TIME_CODE": "",
        "COMMENT_TEXT": "",
    }
    base.update(fields)
    return base


def test_basic_record() -> None:
    rows = [
        row(
            PRI_NAME="  DOE, JANE ",
            CII_NUMBER=" A1 ",
            STP_TYPE_DESCR="ARREST/DETAINED/CITED",
            DISP_DESCR="",
            CNT_ORDER="101001001000",
            _line="2",
        ),
        row(
            CNT_ORDER=" 101001002000 ",
            STP_EVENT_DATE="20120305",
            STP_ORI_CNTY_NAME=" LOS ANGELES  ",
            OFN=" 12345 ",
            SENT_LENGTH="6",
            SENT_TIME_CODE="M",
            _line="3",
        ),
        row(
            CNT_ORDER="101001003000",
            STP_EVENT_DATE="20050101",
            OFFENSE_DESCR="632 PC-SPYING ON CATS",
            CONV_STAT_DESCR="MISDEMEANOR",
            OFFENSE_TOC="M",
            _line="4",
        ),
        row(CNT_ORDER="101001004000", DISP_DESCR="DISMISSED/CHARGE DROPPED", _line="5"),
        row(STP_TYPE_DESCR="REGISTRATION", DISP_DESCR="", OFFENSE_DESCR="290 PC-REG", _line="6"),
    ]
    person = build_person(rows)
    assert (person.subject_id, person.name, person.cii) == ("100", "DOE, JANE", "A1")
    assert person.dob.value == dt.date(1970, 1, 1)
    assert [c.cnt_order for c in person.convictions] == ["101001003000", "101001002000"]
    later = person.convictions[1]
    assert later.key == "100:101001002000"
    assert later.county == "LOS ANGELES"
    assert later.court_number == "12345"
    assert later.sentence_days == 183.0
    assert later.lines == (3,)
    assert later.felony and not person.convictions[0].felony
    assert later.charge.section == "11358" and later.charge.is_prop64
    assert later.flags == ()
    assert later.disposition == "CONVICTED-PROBATION"
    assert [e.kind for e in person.events] == [
        EventKind.ARREST,
        EventKind.COURT,
        EventKind.REGISTRATION,
    ]
    assert not person.deceased


def test_sentence_parts_are_summed() -> None:
    rows = [
        row(SENT_LENGTH="90", SENT_TIME_CODE="D", _line=7),
        row(SENT_LENGTH="1", SENT_TIME_CODE="Y", _line=8),
    ]
    (conviction,) = build_person(rows).convictions
    assert conviction.sentence_days == 456.0
    assert conviction.lines == (7, 8)
    assert Flag.CONFLICTING_DUPLICATE not in conviction.flags
    assert conviction.sentence_end() == dt.date(2010, 1, 1) + dt.timedelta(days=456)


@pytest.mark.parametrize(
    "change",
    [{"OFFENSE_DESCR": "11359 HS-SELL"}, {"STP_EVENT_DATE": "20100102"}],
)
def test_conflicting_duplicate(change: dict[str, str]) -> None:
    (conviction,) = build_person([row(), row(**change)]).convictions
    assert Flag.CONFLICTING_DUPLICATE in conviction.flags
    assert conviction.charge.section == "11358"  # the first row's facts are kept


def test_same_charge_written_differently_is_not_a_conflict() -> None:
    rows = [row(OFFENSE_DESCR="11358 HS-CULTIVATE"), row(OFFENSE_DESCR="H&S 11358")]
    (conviction,) = build_person(rows).convictions
    assert Flag.CONFLICTING_DUPLICATE not in conviction.flags


@pytest.mark.parametrize(
    ("status", "toc", "felony"),
    [
        ("FELONY", "M", True),
        ("MISDEMEANOR", "F", False),
        ("", "F", True),
        ("  ", " f ", True),
        ("", "M", False),
        ("", "", False),
        ("INFRACTION", "", False),
    ],
)
def test_felony(status: str, toc: str, felony: bool) -> None:
    assert is_felony(status, toc) is felony
    (conviction,) = build_person([row(CONV_STAT_DESCR=status, OFFENSE_TOC=toc)]).convictions
    assert conviction.felony is felony


def test_date_flags_and_missing_dob() -> None:
    rows = [
        row(CNT_ORDER="1", STP_EVENT_DATE="19810400", PRI_DOB=""),
        row(CNT_ORDER="2", STP_EVENT_DATE=""),
        row(CNT_ORDER="3", STP_EVENT_DATE="20190231"),
        row(CNT_ORDER="4", STP_EVENT_DATE="19900101"),
    ]
    person = build_person(rows)
    flags = {c.cnt_order: set(c.flags) for c in person.convictions}
    assert flags == {
        "1": {Flag.PARTIAL_DATE, Flag.MISSING_DOB},
        "2": {Flag.MISSING_DATE, Flag.MISSING_DOB},
        "3": {Flag.MISSING_DATE, Flag.MISSING_DOB},
        "4": {Flag.MISSING_DOB},
    }
    # unknown dates sort last, by CNT_ORDER
    assert [c.cnt_order for c in person.convictions] == ["1", "4", "2", "3"]


@pytest.mark.parametrize(
    ("offense", "date", "flagged"),
    [
        ("11357(B) HS", "20150601", False),
        ("11357(B) HS", "20161108", False),
        ("11357(B) HS", "20161109", True),
        ("11357(B) HS", "20170301", True),
        ("11357(B) HS", "20171108", True),
        ("11357(B) HS", "20171109", False),
        ("11357(B) HS", "20190101", False),
        ("11357(B) HS", "20160000", True),
        ("11357(B) HS", "20161100", True),
        ("11357(B) HS", "20161000", False),
        ("11357(B) HS", "", True),
        ("11357 HS", "20170301", False),
        ("11357(B)", "20170301", True),
        ("11357(B) PC", "20170301", False),
        ("11358(B) HS", "20170301", False),
        ("11357.5(A) HS", "20170301", False),
    ],
)
def test_pre_2016_subdivision(offense: str, date: str, flagged: bool) -> None:
    assert needs_subdivision_review(parse_charge(offense), parse_doj_date(date)) is flagged
    (conviction,) = build_person([row(OFFENSE_DESCR=offense, STP_EVENT_DATE=date)]).convictions
    assert (Flag.PRE_2016_SUBDIVISION in conviction.flags) is flagged


def test_deceased_row_with_a_conviction_counts_as_both() -> None:
    rows = [row(CNT_ORDER="1"), row(CNT_ORDER="2", STP_TYPE_DESCR="DECEASED")]
    person = build_person(rows)
    assert len(person.convictions) == 2
    assert person.deceased


def test_errors_name_lines_not_data() -> None:
    with pytest.raises(RulesError, match="no rows"):
        build_person([])
    rows = [row(_line="10"), row(SUBJECT_ID="SECRET-999", PRI_NAME="SMITH, JOHN", _line="11")]
    with pytest.raises(RulesError, match="line 11") as err:
        build_person(rows)
    assert "SECRET" not in str(err.value) and "SMITH" not in str(err.value)


def _workbook_people(path: Path) -> dict[str, list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header = rows[1]
    people: dict[str, list[dict[str, str]]] = defaultdict(list)
    for number, values in enumerate(rows[2:], start=3):
        record = dict(zip(header, values, strict=False))
        record["_line"] = str(number)
        people[record["SUBJECT_ID"]].append(record)
    return people


@pytest.mark.parametrize(
    "name", ["gogen_pilots/los_angeles_raw.csv", "gogen/configurable_flow_raw.csv"]
)
def test_cfa_workbooks(cfa: Path, name: str) -> None:
    """Counts, dates and deceased status agree with CfA's expected columns."""
    checked = 0
    for subject, rows in _workbook_people(cfa / name).items():
        person = build_person(rows)
        by_cnt = {c.cnt_order: c for c in person.convictions}
        for r in rows:
            expected = r["# of convictions on record"].strip()
            if not expected:
                continue
            checked += 1
            assert len(person.convictions) == int(expected), subject
            conviction = by_cnt[r["CNT_ORDER"]]
            assert conviction.date.value is not None
            assert conviction.date.value.strftime("%m/%d/%Y") == r["Date of Conviction"]
            assert person.deceased is (r["Deceased"] == "Deceased"), subject
            assert conviction.lines == (int(r["_line"]),)
    assert checked >= 15


def test_cfa_sentences(cfa: Path) -> None:
    people = _workbook_people(cfa / "gogen_pilots/los_angeles_raw.csv")
    at = dt.date(2019, 11, 11)
    serving = build_person(people["43322421"]).convictions[0]  # "Currently serving sentence"
    done = build_person(people["34499400"]).convictions[0]
    assert serving.sentence_days == 1830.0 and (serving.sentence_end() or at) > at
    assert done.sentence_days == 3660.0 and (done.sentence_end() or at) < at
    see_comment = build_person(people["23675654"]).convictions
    assert any(Flag.CHARGE_IN_COMMENT in c.charge.flags for c in see_comment)


def test_bear_file(cfa: Path) -> None:
    with (cfa / "bear/file.dat").open(newline="") as fh:
        reader = csv.DictReader(fh)
        people: dict[str, list[dict[str, str]]] = defaultdict(list)
        for r in reader:
            people[r["SUBJECT_ID"]].append(r)
    records = {s: build_person(rows) for s, rows in people.items()}
    # 27 rows with a CONVICTED disposition, each its own CNT_ORDER within its person
    assert sum(len(p.convictions) for p in records.values()) == 27
    assert records["34499400"].convictions[0].felony  # blank CONV_STAT_DESCR, TOC F
    assert records["18675309"].deceased
    assert all(p.dob.exact for p in records.values())
