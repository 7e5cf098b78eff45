"""Reference lists: exact matching, the data format, and CfA's expected columns."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from rules.charges import parse_charge
from rules.dates import parse_doj_date
from rules.errors import RulesError
from rules.model import Conviction, Event, EventKind
from rules.reference import (
    GANG_ENHANCEMENT,
    GANG_PAIR_SECTIONS,
    entries,
    gang_super_strike_cases,
    is_pc290_offense,
    is_pc290_registration,
    is_related_charge,
    is_super_strike,
    parse_reference,
)


@pytest.mark.parametrize(
    "text",
    [
        "37 PC",
        "128 PC",
        "187 PC-MURDER",
        "187(A) PC",
        "664/187 PC",
        "187-664 PC",
        "189.1 PC",
        "190 PC",
        "190.2(A)(17) PC",
        "190.05 PC",
        "191.5(A) PC",
        "220 PC- COMMIT MAYHEM",
        "245(D)(3) PC",
        "261(A)(2) PC",
        "262(A)(4) PC",
        "273AB(A) PC",
        "286 PC",
        "286(C)(1) PC",
        "286(C)(2)(B) PC",
        "286(D)(3) PC",
        "288 PC",
        "288(A) PC",
        "288(B)(2) PC",
        "288A(C)(2)(A) PC",
        "288A(D) PC",
        "288.5(A) PC",
        "289(J) PC",
        "289(A)(1)(C) PC",
        "653F PC",
        "653F(B) PC",
        # Conspiracy to murder: punished as first-degree murder, 25 to life (PC 182(a),
        # 190(a)), so a super strike under PC 667(e)(2)(C)(iv)(VIII).
        "182/187 PC",
        "182/187(A) PC",
        "182/190.2(A) PC",
        "11418(B)(2) PC",
        "1672(A) MV",
        "187",  # no code letters: compared by section, the NO_CODE flag asks for review
    ],
)
def test_super_strikes_positive(text: str) -> None:
    assert is_super_strike(parse_charge(text))


@pytest.mark.parametrize(
    "text",
    [
        "237 PC",  # CfA's unanchored pattern matched this as 37
        "1187 PC",
        "187 VC",
        "182/261 PC",  # only conspiracy to murder is punished by life (PC 182(a))
        "182/191.5 PC",  # gross vehicular manslaughter is not murder
        "664/220 PC",  # only attempted homicide is
        "190.123 PC",
        "245(D)(2) PC",
        "245(D) PC",
        "286(B)(1) PC",
        "286(C)(4) PC",
        "286(C)(2)(D) PC",
        "288(C)(1) PC",
        "288(B) PC",
        "288A(C)(2)(D) PC",
        "288A(B) PC",
        "288.5(B) PC",
        "289(A)(1)(D) PC",
        "289(B) PC",
        "653F(A) PC",
        "11418(A)(2) PC",
        "1672(B) MV",
        "1672(A) PC",
        "11357(C) HS",
        "136.1 PC",  # only with a gang enhancement in the same case
        "garbage",
    ],
)
def test_super_strikes_negative(text: str) -> None:
    assert not is_super_strike(parse_charge(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("266 PC-CRIME", True),
        # PC 290(c)(1): "subdivision 1 or 2 of Section 314"; DOJ writes them 314.1 / 314.2.
        ("314(1) PC-INDECENT EXPOSURE", True),
        ("314(2) PC", True),
        ("314.1 PC-INDECENT EXPOSURE", True),
        ("314.2 PC", True),
        ("314 PC", True),  # 314 has only subdivisions 1 and 2
        ("314.3 PC", False),
        # PC 290(c)(1): "Section 220, except assault to commit mayhem".
        ("220 PC-ASSAULT W/INT TO COMMIT RAPE", True),
        ("220(B) PC", True),
        ("220 PC- COMMIT MAYHEM", False),
        ("220(A)(1) PC-ASSLT W/INT COMMIT  MAYHEM", False),
        # Super strikes (PC 667(e)(2)(C)(iv)), not PC 290(c) offenses.
        ("653F(B) PC", False),
        ("451.5 PC", False),
        ("236.1(B) PC", True),
        ("236.1(A) PC", False),
        ("243.4(A) PC", True),
        ("262(A)(1) PC", True),
        ("262(A)(2) PC", False),
        ("266H(B)(1) PC", True),
        ("266H(A) PC", False),
        # PC 290(c)(1) names Section 288 whole.
        ("288 PC", True),
        ("288(A) PC", True),
        ("288(C)(1) PC", True),
        ("664/288(C)(1) PC", True),
        ("288A(C)(1) PC", True),
        ("311.2(C) PC", True),
        ("311.2(A) PC", False),
        ("311.11(A) PC", True),
        ("647.6(A)(1) PC", True),
        ("647A PC", True),
        ("647(A) PC", False),
        ("653F(C) PC", True),
        ("653F(A) PC", False),
        ("664/261 PC", True),  # PC 290(c) covers attempts
        ("182/288.7 PC", True),
        ("2661 PC", False),
        ("11358 HS", False),
    ],
)
def test_pc290_offenses(text: str, expected: bool) -> None:
    assert is_pc290_offense(parse_charge(text)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("647(F) PC", True),
        ("647(F)(1) PC", True),
        ("647 PC", False),
        ("647(B) PC", False),
        ("602 PC", True),
        ("602(K) PC", True),
        ("6020 PC", False),
        ("466 PC-SOMETHING", True),
        ("148.9 PC", True),
        ("148(A)(1) PC", True),
        ("148.5 PC", False),
        ("11364 HS", True),
        ("11364 PC", False),
        ("11550(A) HS", True),
        ("4140 BP", True),
        ("4149 BP", True),
        ("4060 BP", True),
        ("4060 PC", False),
        ("40508(A) VC", True),
        ("1320(B) PC", True),
        ("1320.5 PC", False),
        ("11357 HS", False),
    ],
)
def test_related_charges(text: str, expected: bool) -> None:
    assert is_related_charge(parse_charge(text)) is expected


def _conviction(cnt: str, text: str) -> Conviction:
    return Conviction(
        key=f"1:{cnt}",
        cnt_order=cnt,
        date=parse_doj_date("20150101"),
        county="X",
        charge=parse_charge(text),
        offense_descr=text,
        comment="",
        felony=True,
    )


def test_gang_pairs() -> None:
    assert GANG_PAIR_SECTIONS.matches(parse_charge("213(A)(1)(A) PC"))
    assert not GANG_PAIR_SECTIONS.matches(parse_charge("213(A)(2) PC"))
    assert GANG_ENHANCEMENT.matches(parse_charge("186.22(B)(4)(A) PC"))
    assert not GANG_ENHANCEMENT.matches(parse_charge("186.22(B)(1) PC"))
    convictions = [
        _conviction("101001022000", "136.1 PC-DISSUADE"),
        _conviction("101001024000", "186.22(B)(4) PC- GANG STUFF"),
        _conviction("102002001000", "246 PC"),
        _conviction("102003001000", "186.22(B)(4) PC"),  # another court case
        _conviction("103001001000", "215(A) PC"),
        _conviction("103001002000", "186.22(B)(1) PC"),  # not the (b)(4) enhancement
    ]
    assert gang_super_strike_cases(convictions) == {"101001"}
    assert gang_super_strike_cases([]) == set()


def test_pc290_registration() -> None:
    registration = Event(
        kind=EventKind.REGISTRATION,
        cnt_order="101001009000",
        date=parse_doj_date("19790601"),
        county="X",
        charge=parse_charge("290 PC-REGISTRATION OF SEX OFFENDER"),
    )
    assert is_pc290_registration(registration)
    arrest = Event(
        kind=EventKind.ARREST,
        cnt_order="1",
        date=registration.date,
        county="X",
        charge=registration.charge,
    )
    assert not is_pc290_registration(arrest)
    assert is_pc290_registration("290 PC-REGISTRATION", "REGISTRATION ")
    assert is_pc290_registration("290.018(B) PC")
    assert not is_pc290_registration("290 PC", "ARREST/DETAINED/CITED")
    assert not is_pc290_registration("2900 PC", "REGISTRATION")
    assert not is_pc290_registration("", "REGISTRATION")


def test_format_expansion() -> None:
    ref = parse_reference(
        "t.txt", "# c\nPC 286(c)(1-3)(a-b)  # tail\n@modifiers attempt\nHS 190.* any\n"
    )
    assert len(ref.exact) == 6
    assert ("PC", "286", ("c", "3", "b"), "") in ref.exact
    assert ("HS", "190.05", (), "") in ref.prefixes and ("HS", "190.5", (), "") in ref.prefixes
    assert ref.matches(parse_charge("664/286(C)(2)(A) PC"))
    assert not ref.matches(parse_charge("286(C)(2) PC"))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("PC 187\nPC187 any\n", 2),
        ("PC 187 sometimes\n", 1),
        ("PC 288(a) bare\n", 1),
        ("\n\nPC 286(c)(3-1)\n", 3),
        ("PC 286(c)(a-3)\n", 1),
        ("@modifiers attempts\n", 1),
    ],
)
def test_format_errors_name_file_and_line(text: str, line: int) -> None:
    with pytest.raises(RulesError, match=rf"^rules/reference/t\.txt:{line}: "):
        parse_reference("t.txt", text)


def test_empty_list_is_an_error() -> None:
    with pytest.raises(RulesError, match="empty"):
        parse_reference("t.txt", "# nothing\n")


def test_packaged_lists_load() -> None:
    for name in ("super_strikes", "pc290_offenses", "related_charges", "gang_pair_sections"):
        assert list(entries(name))


def _people(path: Path) -> dict[str, list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    people: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows[2:]:
        row = dict(zip(rows[1], r, strict=False))
        people[row["SUBJECT_ID"]].append(row)
    return people


@pytest.mark.parametrize(
    "name", ["gogen_pilots/los_angeles_raw.csv", "gogen/configurable_flow_raw.csv"]
)
def test_cfa_expected_sections(cfa: Path, name: str) -> None:
    """Our lists find exactly the sections CfA's columns name, person by person."""
    found = {"strike": 0, "290": 0, "registered": 0}
    for subject, rows in _people(cfa / name).items():
        convicted = [r for r in rows if r["DISP_DESCR"].startswith("CONVICTED")]
        convictions = [_conviction(r["CNT_ORDER"], r["OFFENSE_DESCR"]) for r in convicted]
        strikes = {c.charge.display for c in convictions if is_super_strike(c.charge)}
        if gang_super_strike_cases(convictions):
            strikes |= {
                c.charge.display
                for c in convictions
                if GANG_PAIR_SECTIONS.matches(c.charge) or GANG_ENHANCEMENT.matches(c.charge)
            }
        pc290 = {c.charge.display for c in convictions if is_pc290_offense(c.charge)}
        registered = any(
            is_pc290_registration(r["OFFENSE_DESCR"], r["STP_TYPE_DESCR"]) for r in rows
        )
        for r in convicted:
            if not r["Superstrike Code Section(s)"].strip():
                continue  # row not evaluated by CfA
            want_strikes = r["Superstrike Code Section(s)"].replace(" + ", ";").split(";")
            want_290 = r["PC290 Code Section(s)"].split(";")
            assert strikes == {parse_charge(s).display for s in want_strikes if s != "-"}, subject
            assert pc290 == {parse_charge(s).display for s in want_290 if s != "-"}, subject
            assert registered is (r["PC290 Registration"] == "Yes"), subject
            found["strike"] += bool(strikes)
            found["290"] += bool(pc290)
            found["registered"] += registered
    assert all(found.values()), found
