"""The charge parser: table of DOJ charge strings, comment mentions, and the CfA comment cells."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.charges import comment_charges, other_p64_in_comment, parse_charge
from rules.model import Flag

NC = Flag.NO_CODE
WC = Flag.WRONG_CODE
AC = Flag.ATTEMPT_OR_CONSPIRACY
UP = Flag.UNPARSED_CHARGE
MC = Flag.MULTIPLE_CHARGES

# (offense text, code, section, subdivision, attempt, conspiracy, flags, is_prop64)
CASES: list[tuple[str, str | None, str | None, tuple[str, ...], bool, bool, set[Flag], bool]] = [
    ("11357(C) HS", "HS", "11357", ("c",), False, False, set(), True),
    ("11357(C) HS-POSSESS MARIJUANA", "HS", "11357", ("c",), False, False, set(), True),
    ("11357(C)HS-POSSESS MARIJUANA", "HS", "11357", ("c",), False, False, set(), True),
    ("HS 11359", "HS", "11359", (), False, False, set(), True),
    ("H&S 11359", "HS", "11359", (), False, False, set(), True),
    ("H & S 11359", "HS", "11359", (), False, False, set(), True),
    ("H.S. 11359", "HS", "11359", (), False, False, set(), True),
    ("HS11359", "HS", "11359", (), False, False, set(), True),
    ("11359HS", "HS", "11359", (), False, False, set(), True),
    ("11359HS-INTENT SELL CANNABIS", "HS", "11359", (), False, False, set(), True),
    ("11359HS(B)", "HS", "11359", ("b",), False, False, set(), True),
    ("11359 HS-MARIJUANA POSSESION FOR SALE", "HS", "11359", (), False, False, set(), True),
    ("11359(b) HS", "HS", "11359", ("b",), False, False, set(), True),
    ("11359(B) HS", "HS", "11359", ("b",), False, False, set(), True),
    ("11359 (B) HS", "HS", "11359", ("b",), False, False, set(), True),
    ("11360(A)(2) HS", "HS", "11360", ("a", "2"), False, False, set(), True),
    ("11360(a)(3)(B) HS", "HS", "11360", ("a", "3", "b"), False, False, set(), True),
    ("11358 HS-CULTIVATE CANNABIS", "HS", "11358", (), False, False, set(), True),
    ("11358(C) HS", "HS", "11358", ("c",), False, False, set(), True),
    ("11357 HS-NO SPECIFIED SUBSECTION", "HS", "11357", (), False, False, set(), True),
    ("11357B HS", "HS", "11357", ("b",), False, False, set(), True),
    ("  11357(A) HS  ", "HS", "11357", ("a",), False, False, set(), True),
    ("664/11359 HS", "HS", "11359", (), True, False, {AC}, True),
    ("664.11357(c) HS", "HS", "11357", ("c",), True, False, {AC}, True),
    ("66411357(A) HS", "HS", "11357", ("a",), True, False, {AC}, True),
    ("664 PC/11359 HS", "HS", "11359", (), True, False, {AC}, True),
    ("182/11360(A) HS", "HS", "11360", ("a",), False, True, {AC}, True),
    ("182(A)(1)/11359 HS", "HS", "11359", (), False, True, {AC}, True),
    ("182 11358 HS", "HS", "11358", (), False, True, {AC}, True),
    # Written after the code (issue 9): the subdivision and the modifier are not dropped.
    ("11357 HS(B)", "HS", "11357", ("b",), False, False, set(), True),
    ("11357 HS (B)-POSSESS", "HS", "11357", ("b",), False, False, set(), True),
    ("11359 HS 664", "HS", "11359", (), True, False, {AC}, True),
    ("11359 HS/664-ATTEMPT", "HS", "11359", (), True, False, {AC}, True),
    ("11360(A) HS 182", "HS", "11360", ("a",), False, True, {AC}, True),
    ("11359 HS 2 CTS", "HS", "11359", (), False, False, set(), True),  # a count, not a charge
    # Two charges on one row: read as the (first) Prop 64 one, flagged.
    ("11357(C)HS/11359HS", "HS", "11357", ("c",), False, False, {MC}, True),
    ("459 PC/11359 HS-BURG", "HS", "11359", (), False, False, {MC}, True),
    ("11357/11359 HS", "HS", "11357", (), False, False, {MC}, True),
    ("187 PC & 664/211 PC", "PC", "187", (), False, False, {MC}, False),
    ("11357(A)", None, "11357", ("a",), False, False, {NC}, True),
    ("11358", None, "11358", (), False, False, {NC}, True),
    ("11357(A)PC", "PC", "11357", ("a",), False, False, {WC}, False),
    ("11359 PC-SELL", "PC", "11359", (), False, False, {WC}, False),
    ("11360 VC", "VC", "11360", (), False, False, {WC}, False),
    ("11357.5 HS", "HS", "11357.5", (), False, False, set(), False),
    ("11359.5 HS", "HS", "11359.5", (), False, False, set(), False),
    ("11360.5 HS", "HS", "11360.5", (), False, False, set(), False),
    ("11361 HS", "HS", "11361", (), False, False, set(), False),
    ("11361(A) HS", "HS", "11361", ("a",), False, False, set(), False),
    ("11350 HS-POSSESS NARC", "HS", "11350", (), False, False, set(), False),
    ("186.22(B)(4) PC", "PC", "186.22", ("b", "4"), False, False, set(), False),
    ("186.22(B)(4) PC- GANG STUFF", "PC", "186.22", ("b", "4"), False, False, set(), False),
    ("288A(C)(2)(A) PC", "PC", "288a", ("c", "2", "a"), False, False, set(), False),
    ("288A PC", "PC", "288a", (), False, False, set(), False),
    ("288.5(A) PC", "PC", "288.5", ("a",), False, False, set(), False),
    ("273AB PC", "PC", "273ab", (), False, False, set(), False),
    ("314(1) PC", "PC", "314", ("1",), False, False, set(), False),
    ("314(1) PC-INDECENT EXPOSURE", "PC", "314", ("1",), False, False, set(), False),
    ("220 PC- COMMIT MAYHEM", "PC", "220", (), False, False, set(), False),
    ("4060 BP", "BP", "4060", (), False, False, set(), False),
    ("B&P 4060", "BP", "4060", (), False, False, set(), False),
    ("647(F) PC", "PC", "647", ("f",), False, False, set(), False),
    ("1320(B) PC", "PC", "1320", ("b",), False, False, set(), False),
    ("40508 VC", "VC", "40508", (), False, False, set(), False),
    ("503 VC-TAKE CAR W/OUT OWNERS CONSENT", "VC", "503", (), False, False, set(), False),
    ("1672(A) MV", "MV", "1672", ("a",), False, False, set(), False),
    ("W&I 5150", "WI", "5150", (), False, False, set(), False),
    ("12022.55 PC", "PC", "12022.55", (), False, False, set(), False),
    ("136.1 PC-SPYING ON CATS", "PC", "136.1", (), False, False, set(), False),
    ("290 PC-REGISTRATION OF SEX OFFENDER", "PC", "290", (), False, False, set(), False),
    ("182.5 PC", "PC", "182.5", (), False, False, set(), False),
    ("182 PC", "PC", "182", (), False, False, set(), False),
    ("664 PC", "PC", "664", (), False, False, set(), False),
    ("664/187 PC", "PC", "187", (), True, False, {AC}, False),
    ("187-664 PC", "PC", "187", (), True, False, {AC}, False),
    ("182/187 PC", "PC", "187", (), False, True, {AC}, False),
    ("37 PC", "PC", "37", (), False, False, set(), False),
    ("237 PC", "PC", "237", (), False, False, set(), False),
    ("632 PC-SPYING ON CATS", "PC", "632", (), False, False, set(), False),
    ("garbage text", None, None, (), False, False, {UP}, False),
    ("PC-NO SECTION", None, None, (), False, False, {UP}, False),
    ("(A) HS", None, None, (), False, False, {UP}, False),
]


@pytest.mark.parametrize(
    ("text", "code", "section", "sub", "attempt", "conspiracy", "flags", "p64"), CASES
)
def test_charge_table(
    text: str,
    code: str | None,
    section: str | None,
    sub: tuple[str, ...],
    attempt: bool,
    conspiracy: bool,
    flags: set[Flag],
    p64: bool,
) -> None:
    charge = parse_charge(text)
    assert (charge.code, charge.section, charge.subdivision) == (code, section, sub)
    assert (charge.attempt, charge.conspiracy) == (attempt, conspiracy)
    assert set(charge.flags) == flags
    assert charge.is_prop64 is p64
    assert charge.raw == text
    assert charge.source == "offense"


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)


def test_the_other_charges_of_a_row_are_kept() -> None:
    charge = parse_charge("11357(C)HS/11359HS-POSSESS")
    assert [c.display for c in charge.others] == ["11359 HS"]
    assert [c.display for c in charge.all_charges] == ["11357(c) HS", "11359 HS"]
    assert charge.description == "POSSESS"
    burglary = parse_charge("459 PC/11359 HS").others[0]
    assert (burglary.display, burglary.looks_prop64) == ("459 PC", False)
    robbery = parse_charge("187 PC & 664/211 PC").others[0]
    assert (robbery.section, robbery.attempt) == ("211", True)


def test_wrong_code_looks_prop64_but_is_not_hs() -> None:
    charge = parse_charge("11357 PC-POSS MARIJ")
    assert (charge.is_prop64, charge.looks_prop64, charge.flags) == (False, True, (WC,))


def test_description_keeps_original_text() -> None:
    assert parse_charge("220 PC- Commit Mayhem").description == "Commit Mayhem"
    assert parse_charge("187-664 PC-murder").description == "murder"
    assert parse_charge("11357(A)").description == ""


def test_display_is_normalized() -> None:
    assert parse_charge("66411357(A) HS").display == "664/11357(a) HS"
    assert parse_charge("H&S 11360(A)(2)").display == "11360(a)(2) HS"
    assert parse_charge("182/11359 HS").display == "182/11359 HS"
    assert parse_charge("nonsense ").display == "nonsense"


@pytest.mark.parametrize("offense", ["SEE COMMENT FOR CHARGE", "", "   ", "see comment for charge"])
def test_charge_taken_from_comment(offense: str) -> None:
    charge = parse_charge(offense, "11358 HS-CULTIVATE CANNABIS")
    assert (charge.code, charge.section, charge.source) == ("HS", "11358", "comment")
    assert Flag.CHARGE_IN_COMMENT in charge.flags
    assert Flag.OTHER_P64_IN_COMMENT not in charge.flags
    assert charge.is_prop64


def test_charge_in_free_worded_comment() -> None:
    charge = parse_charge("SEE COMMENT FOR CHARGE", "PER COURT: 11359(B) HS, 2 COUNTS")
    assert (charge.section, charge.subdivision, charge.code) == ("11359", ("b",), "HS")
    assert set(charge.flags) == {Flag.CHARGE_IN_COMMENT}


def test_see_comment_with_blank_comment_is_unparsed() -> None:
    charge = parse_charge("SEE COMMENT FOR CHARGE", "")
    assert charge.section is None
    assert set(charge.flags) == {Flag.CHARGE_IN_COMMENT, Flag.UNPARSED_CHARGE}


def test_see_comment_with_second_charge_in_comment() -> None:
    charge = parse_charge("SEE COMMENT FOR CHARGE", "11358 HS-CULTIVATE; ALSO 11359 HS")
    assert charge.section == "11358"
    assert Flag.OTHER_P64_IN_COMMENT in charge.flags


def test_comment_mentions_skip_dates_and_small_numbers() -> None:
    found = comment_charges("SENTENCED 04/11/1981 TO 90 DAYS; 11359 != 11358, 37 PC, 11357(d)hs")
    assert [(c.section, c.code, c.subdivision) for c in found] == [
        ("11359", None, ()),
        ("11358", None, ()),
        ("37", "PC", ()),
        ("11357", "HS", ("d",)),
    ]
    assert all(c.source == "comment" for c in found)
    assert comment_charges("") == ()
    assert comment_charges("NO CHARGES HERE, CASE 12/01/2010") == ()


@pytest.mark.parametrize(
    ("offense", "comment", "flagged"),
    [
        ("11358 HS", "11359 - Should be flagged as 11359 != 11358", True),
        ("11357(B) HS", "11357(D) - Should be flagged", True),
        ("11357(A) HS", "11357(C)", True),
        ("11357(C) HS", "11357(D) - should not be flagged", False),
        ("11357(A) HS", "11357(B)", False),
        ("11357(B) HS", "11357", False),
        ("11357 HS", "11357(D)", False),
        ("11358 HS", "11358 - should not be flagged", False),
        ("466 PC-SOMETHING", "11358 - should be flagged", True),
        ("466 PC-SOMETHING", "11357.5 HS and 602 PC", False),
        ("11358 HS", "11359 PC", False),  # another code: not a Prop 64 mention
        ("664/11359 HS", "11359", False),
        ("11360(A)(2) HS", "11360(A)(3)", False),
        ("11358 HS", "", False),
        ("11358 HS", "CASE DISMISSED 01/02/2003", False),
    ],
)
def test_other_p64_in_comment(offense: str, comment: str, flagged: bool) -> None:
    assert (Flag.OTHER_P64_IN_COMMENT in parse_charge(offense, comment).flags) is flagged


def test_other_p64_helper_directly() -> None:
    own = parse_charge("11357(B) HS")
    assert other_p64_in_comment(own, comment_charges("11357(D)"))
    assert not other_p64_in_comment(own, ())


def _workbook(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header = rows[1]
    return [dict(zip(header, r, strict=False)) for r in rows[2:]]


@pytest.mark.parametrize(
    "name", ["gogen_pilots/los_angeles_raw.csv", "gogen/configurable_flow_raw.csv"]
)
def test_cfa_comment_flag_agrees_with_expected_column(cfa: Path, name: str) -> None:
    """Every commented convicted row: our flag ⇔ CfA's "Possible Other P64 Charges" cell.

    The LA comments say in words whether they should be flagged; the column echoes the
    comment exactly when it was. Rows without a comment must never be flagged.
    """
    checked = 0
    for row in _workbook(cfa / name):
        if not row["DISP_DESCR"].startswith("CONVICTED"):
            continue
        charge = parse_charge(row["OFFENSE_DESCR"], row["COMMENT_TEXT"])
        expected = row["Possible Other P64 Charges"].strip() != ""
        assert (Flag.OTHER_P64_IN_COMMENT in charge.flags) is expected, row["CNT_ORDER"]
        comment = row["COMMENT_TEXT"].lower()
        if "should be flagged" in comment:
            assert expected
        if "should not be flagged" in comment:
            assert not expected
        checked += bool(row["COMMENT_TEXT"].strip())
    assert checked >= 2


def test_every_cfa_offense_parses(cfa: Path) -> None:
    for name in ["gogen_pilots/los_angeles_raw.csv", "gogen/configurable_flow_raw.csv"]:
        for row in _workbook(cfa / name):
            charge = parse_charge(row["OFFENSE_DESCR"], row["COMMENT_TEXT"])
            if row["OFFENSE_DESCR"].strip():
                assert charge.section is not None, row["OFFENSE_DESCR"]
                assert charge.code is not None


@given(st.text(max_size=40), st.text(max_size=40))
def test_parser_never_raises(offense: str, comment: str) -> None:
    charge = parse_charge(offense, comment)
    assert (charge.section is None) == (Flag.UNPARSED_CHARGE in charge.flags)
    assert charge.subdivision == tuple(s.lower() for s in charge.subdivision)
    assert isinstance(charge.display, str)


def test_parse_is_cached_and_stable() -> None:
    assert parse_charge("11359 HS", "") is parse_charge("11359 HS", "")
