"""gogen's eligibility columns and summary, computed from DOJ rows (rules level)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from rules import gogen_columns as g
from rules.doj_layout import DOJ_COLUMNS
from rules.gogen_reference import is_pc290, is_superstrike
from rules.model import Outcome

COMPUTE_AT = dt.date(2019, 11, 11)


def _workbook(cfa: Path) -> tuple[list[list[str]], list[tuple[str, ...]]]:
    with (cfa / "gogen" / "configurable_flow_raw.csv").open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    header = table[1]
    assert tuple(header[1:96]) == DOJ_COLUMNS
    assert tuple(header[96:]) == g.ELIGIBILITY_COLUMNS
    return [r[1:96] for r in table[2:]], [tuple(r[96:]) for r in table[2:]]


def _expected_verdicts(
    rows: list[list[str]], expected: list[tuple[str, ...]]
) -> dict[str, g.Verdict]:
    verdicts = {}
    for row, cols in zip(rows, expected, strict=True):
        if cols[16]:
            outcome = Outcome.DISMISS if cols[16] == g.DISMISSAL else Outcome.REDUCE
            verdicts[g.conviction_key(row)] = g.verdict(outcome, cols[16], cols[17])
    return verdicts


def test_every_row_matches_the_workbook_given_its_determinations(cfa: Path) -> None:
    rows, expected = _workbook(cfa)
    assert len(rows) == 38
    got = g.row_columns(rows, _expected_verdicts(rows, expected), COMPUTE_AT)
    assert len(got) == len(expected)
    for line, (mine, theirs) in enumerate(zip(got, expected, strict=True), start=3):
        assert mine == theirs, f"workbook row {line}"


def test_summary_facts_gogen_asserts(cfa: Path) -> None:
    rows, expected = _workbook(cfa)
    subjects = g.fold_subjects(rows)
    s = g.summary(
        subjects,
        _expected_verdicts(rows, expected),
        county="SACRAMENTO",
        compute_at=COMPUTE_AT,
        line_count=len(rows),
        seconds=0.5,
    )
    assert g.total_convictions(subjects) == 30
    assert s["lineCount"] == 38
    assert s["earliestConviction"] == "1979-06-01T00:00:00Z"
    assert s["prop64ConvictionsCountInCountyByCodeSection"] == {"11357": 3, "11358": 7, "11359": 8}
    assert s["subjectsWithProp64ConvictionCountInCounty"] == 12
    assert s["prop64FelonyConvictionsCountInCounty"] == 15
    assert s["prop64NonFelonyConvictionsCountInCounty"] == 3
    assert s["subjectsWithSomeReliefCount"] == 12
    assert s["convictionDismissalCountByCodeSection"] == {"11357": 2, "11358": 6}
    assert s["convictionReductionCountByCodeSection"] == {"11359": 1, "11360": 0}
    assert s["convictionDismissalCountByAdditionalRelief"] == {
        "21 years or younger": 1,
        "57 years or older": 2,
        "Conviction occurred 10 or more years ago": 1,
        "Individual is deceased": 1,
        "Only has 11357-60 charges": 1,
    }
    current = s["reliefWithCurrentEligibilityChoices"]
    assert current["CountSubjectsNoFelony"] == 5
    assert current["CountSubjectsNoConviction"] == 4
    # As of compute-at (gogen's wall-clock figure was 2 on 2019-11-11, 0 later).
    assert current["CountSubjectsNoConvictionLast7Years"] == 2
    later = g.impact(subjects, _expected_verdicts(rows, expected), dt.date(2026, 1, 1))
    assert later["CountSubjectsNoConvictionLast7Years"] == 0
    assert list(s) == [
        "county",
        "earliestConviction",
        "lineCount",
        "processingTimeInSeconds",
        "reliefWithCurrentEligibilityChoices",
        "reliefWithDismissAllProp64",
        "prop64ConvictionsCountInCountyByCodeSection",
        "subjectsWithProp64ConvictionCountInCounty",
        "prop64FelonyConvictionsCountInCounty",
        "prop64NonFelonyConvictionsCountInCounty",
        "subjectsWithSomeReliefCount",
        "convictionDismissalCountByCodeSection",
        "convictionReductionCountByCodeSection",
        "convictionDismissalCountByAdditionalRelief",
    ]


def test_dismiss_all_covers_every_prop64_conviction_in_county(cfa: Path) -> None:
    rows, _ = _workbook(cfa)
    subjects = g.fold_subjects(rows)
    everything = g.dismiss_all(subjects, "SACRAMENTO")
    assert len(everything) == 18
    assert all(v.outcome is Outcome.DISMISS for v in everything.values())


def _row(**values: str) -> list[str]:
    row = [""] * len(DOJ_COLUMNS)
    defaults = {
        "SUBJECT_ID": "1",
        "CNT_ORDER": "001001001000",
        "STP_TYPE_DESCR": "COURT ACTION",
        "DISP_DESCR": "CONVICTED",
        "STP_EVENT_DATE": "20100101",
        "STP_ORI_CNTY_NAME": "SACRAMENTO",
    }
    for name, value in {**defaults, **values}.items():
        row[g.COL[name]] = value
    return row


def test_unreadable_date_prints_go_zero_time_and_minus_one() -> None:
    rows = [_row(OFFENSE_DESCR="11357 HS-POSSESS", STP_EVENT_DATE="19810400")]
    v = {g.conviction_key(rows[0]): g.verdict("dismiss", "", "why")}
    cols = g.row_columns(rows, v, COMPUTE_AT)[0]
    assert cols[7:10] == ("01/01/0001", "-1.0", "-1.0")
    assert cols[16:] == ("Eligible for Dismissal", "why")


def test_outcome_wording_when_the_label_is_not_gogens() -> None:
    assert g.verdict("review", "Needs a look", "x").determination == "Hand Review"
    assert g.verdict("not_eligible", "", "x").determination == "Not eligible"
    assert g.verdict("reduce", "Eligible for Reduction", " r ").reason == "r"


def test_sentence_parts_and_case_numbers() -> None:
    rows = [
        _row(OFN="A1", OFFENSE_DESCR="11358 HS-CULTIVATE"),
        _row(OFN="A2", OFFENSE_DESCR="11358 HS-CULTIVATE"),  # same CNT_ORDER: a part
        _row(OFN="A1", CNT_ORDER="001001002000", DISP_DESCR="DISMISSED"),
        _row(OFN="B9", CNT_ORDER="001002003000", STP_TYPE_DESCR="ARREST", DISP_DESCR=""),
    ]
    v = {g.conviction_key(rows[0]): g.verdict("dismiss", "", "r")}
    out = g.row_columns(rows, v, COMPUTE_AT)
    assert out[0][0] == "A1; A2" and out[0][1] == "1"
    assert all(c == "" for c in out[1]) and all(c == "" for c in out[3])


@pytest.mark.parametrize(
    ("offense", "comment", "expected"),
    [
        ("11357 HS-POSS", "11359 HS-SALE", "11359 HS-SALE"),
        ("503 VC-TAKE CAR", "11358 HS-CULTIVATE", "11358 HS-CULTIVATE"),
        ("11358 HS-CULT", "11358 HS-CULT", ""),
        ("11357(A) HS-X", "11357(C) HS-Y", "11357(C) HS-Y"),
        ("11357(C) HS-X", "11357(D) HS-Y", ""),
        ("11357 HS-X", "11357(B) HS-Y", "11357(B) HS-Y"),
        ("SEE COMMENT FOR CHARGE", "11359 HS-SALE", ""),
        ("11357 HS-X", "11357.5 HS-SYNTHETIC", ""),
        ("503 VC-X", "NOTHING HERE", ""),
    ],
)
def test_possible_other_p64(offense: str, comment: str, expected: str) -> None:
    assert g.possible_other_p64(offense, comment) == expected


def test_prop64_sections_match_exactly() -> None:
    assert g.prop64_section("11357(C)HS") == "11357"
    assert g.prop64_section("664/11359 HS") == "11359"
    assert g.prop64_section("11360(A)(2) ") == "11360"
    assert g.prop64_section("11357.5 HS") is None
    assert g.prop64_section("11359.5 HS") is None
    assert g.prop64_section("11357 PC") is None
    assert g.prop64_section("211357 HS") is None


def test_superstrike_and_pc290_match_exactly() -> None:
    assert is_superstrike("187 PC") and is_superstrike("220 PC") and is_superstrike("664/187 PC")
    assert is_superstrike("261(A)(2) PC") and is_superstrike("1672(A) MV")
    assert not is_superstrike("237 PC")  # gogen's unanchored pattern took this for 37 PC
    assert not is_superstrike("187 VC")
    assert is_pc290("266 PC") and is_pc290("314(1) PC") and is_pc290("288A(C) PC")
    assert not is_pc290("314(3) PC") and not is_pc290("1266 PC")


def test_gang_enhancement_in_same_court_case() -> None:
    rows = [
        _row(CNT_ORDER="001001001000", OFFENSE_DESCR="246 PC-SHOOT"),
        _row(CNT_ORDER="001001002000", OFFENSE_DESCR="186.22(B)(4) PC-GANG"),
        _row(CNT_ORDER="002002003000", OFFENSE_DESCR="215 PC-CARJACK"),
        _row(CNT_ORDER="002002004000", OFFENSE_DESCR="11357 HS-POSS"),
    ]
    v = {g.conviction_key(rows[3]): g.verdict("dismiss", "", "r")}
    assert g.row_columns(rows, v, COMPUTE_AT)[3][4] == "246 PC"
