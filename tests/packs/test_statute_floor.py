"""The california-statute floor through the real path: a DOJ file is written, imported and
classified, and each conviction's stored outcome, reason and citation are read back.

One test per point of issue 9 (legal fidelity, part A), each naming the statute it applies.
People are fictional; everyone is born on 1 January unless said otherwise, so ages are
easy to read off the dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from rules.doj_layout import DOJ_COLUMNS
from rules.packs import load_pack
from triage import db, identity
from triage.classify import classify_run
from triage.importers import import_files

COUNTY = "LOS ANGELES"
COMPUTE_AT = dt.date(2019, 11, 11)
RELIEF = "HS 11361.8(e)-(f); HS 11361.9"


def court(subject: str, cycle: int, offense: str, *, convicted: str, arrested: str = "",
          level: str = "FELONY", born: str = "19700101", county: str = COUNTY) -> list[str]:  # fmt: skip
    """A convicted court row of arrest cycle `cycle`. `level` is FELONY, MISDEMEANOR or
    INFRACTION (CONV_STAT_DESCR; OFFENSE_TOC its first letter)."""
    values = {
        "SUBJECT_ID": subject, "PRI_NAME": f"TESTER,{subject}", "PRI_DOB": born,
        "CII_NUMBER": f"A{subject}", "CYC_DATE": arrested, "STP_EVENT_DATE": convicted,
        "STP_TYPE_DESCR": "COURT ACTION", "STP_ORI_CNTY_NAME": county,
        "CNT_ORDER": f"{cycle:03d}002001000", "OFN": f"C{subject}{cycle}",
        "OFFENSE_DESCR": offense, "OFFENSE_TOC": level[:1], "DISP_DESCR": "CONVICTED",
        "CONV_STAT_DESCR": level,
    }  # fmt: skip
    fields = [""] * len(DOJ_COLUMNS)
    for name, value in values.items():
        fields[DOJ_COLUMNS.index(name)] = value
    return fields


def registration(subject: str, cycle: int, *, on: str, born: str = "19700101") -> list[str]:
    row = court(subject, cycle, "290 PC-REGISTRATION OF SEX OFFENDER", convicted=on, born=born)
    row[DOJ_COLUMNS.index("STP_TYPE_DESCR")] = "REGISTRATION"
    row[DOJ_COLUMNS.index("DISP_DESCR")] = ""
    row[DOJ_COLUMNS.index("CONV_STAT_DESCR")] = ""
    return row


Result = dict[str, tuple[str, str, str, str]]  # key -> (step, outcome, reason, citation)


def classify(
    tmp_path: Path, rows: list[list[str]], pack: str = "california-statute", county: str = COUNTY
) -> Result:
    """Write `rows` as a DOJ file, import it, classify it with `pack`; the determinations."""
    path = tmp_path / "doj.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(DOJ_COLUMNS)
        writer.writerows(rows)
    conn = db.connect(tmp_path / "t.db", create=True)
    try:
        report = import_files(conn, [path])
        assert report.quarantined == 0
        classify_run(
            conn, load_pack(pack), county=county, compute_at=COMPUTE_AT, actor=identity.os_account()
        )
        return _read(conn)
    finally:
        conn.close()


def _read(conn: sqlite3.Connection) -> Result:
    rows = conn.execute(
        "SELECT key, step_id, outcome, reason, citation, forced_review FROM determinations "
        "WHERE run_id = (SELECT max(id) FROM runs)"
    ).fetchall()
    assert not any(r["forced_review"] for r in rows)  # no data flag muddies these cases
    return {r["key"]: (r["step_id"], r["outcome"], r["reason"], r["citation"]) for r in rows}


def key(subject: str, cycle: int) -> str:
    return f"{subject}:{cycle:03d}002001000"


# --- Only conduct Prop 64 made lawful is dismissed (HS 11362.1(a)) -----------------------


def test_adult_misdemeanors_still_crimes_today_are_never_dismissed(tmp_path: Path) -> None:
    got = classify(tmp_path, [
        court("1", 1, "11359 HS-POSSESS MARIJUANA FOR SALE", convicted="20050301",
              arrested="20050101", level="MISDEMEANOR"),
        court("2", 1, "11360(A) HS-SELL MARIJUANA", convicted="20050301", arrested="20050101",
              level="MISDEMEANOR"),
        court("3", 1, "11357(C) HS-POSSESS OVER 28.5 GRAMS", convicted="20050301",
              arrested="20050101", level="MISDEMEANOR"),
        court("4", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20050301",
              arrested="20050101", level="MISDEMEANOR"),
    ])  # fmt: skip
    # HS 11359(b): possession for sale by an adult is still a misdemeanor.
    assert got[key("1", 1)] == (
        "misdemeanor-11359", "not_eligible",
        "HS 11359, possession for sale, 18 or older at the offense: still a misdemeanor",
        "HS 11359(b)",
    )  # fmt: skip
    # HS 11360(a)(2): a sale is still a misdemeanor; the file cannot tell a sale from a gift.
    assert got[key("2", 1)][:2] == ("misdemeanor-11360", "review")
    assert got[key("2", 1)][3] == "HS 11360(a)(2), (b), (c), 11362.1(a)(1); HS 11361.8(e)-(f)"
    # HS 11357(b)(2): more than 28.5 g is still a misdemeanor.
    assert got[key("3", 1)] == (
        "misdemeanor-11357c", "not_eligible",
        "HS 11357(c), more than 28.5 g, 18 or older at the offense: still a misdemeanor",
        "HS 11357(b)(2)",
    )  # fmt: skip
    # HS 11362.1(a)(1): 28.5 g or less is lawful at 21: dismissed.
    assert got[key("4", 1)] == (
        "adult-11357b", "dismiss",
        "HS 11357(b), 28.5 g or less, 21 or older at the offense: lawful today",
        f"{RELIEF}; HS 11362.1(a)(1)",
    )  # fmt: skip


def test_a_super_strike_changes_no_misdemeanor(tmp_path: Path) -> None:
    # The felony prongs (HS 11359(c)(1)) grade felonies; a misdemeanor 11359 stays not
    # eligible, and possession that is lawful today is still dismissed (HS 11362.1 has no
    # exception for a record).
    got = classify(tmp_path, [
        court("1", 1, "187 PC-MURDER", convicted="19900301", arrested="19900101"),
        court("1", 2, "11359 HS-POSSESS FOR SALE", convicted="20050301", arrested="20050101",
              level="MISDEMEANOR"),
        court("1", 3, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20060301",
              arrested="20060101", level="MISDEMEANOR"),
    ])  # fmt: skip
    assert got[key("1", 2)][:2] == ("misdemeanor-11359", "not_eligible")
    assert got[key("1", 3)][:2] == ("adult-11357b", "dismiss")


# --- Under 21: what the law makes an infraction, and what it does not ------------------------


def test_18_to_20(tmp_path: Path) -> None:
    born = "19900101"  # 19 in 2009, 20 in 2010 and 2012 (when still 20 on the offense date)
    got = classify(tmp_path, [
        # HS 11357(b) before 2011, a misdemeanor: now an infraction, HS 11357(a)(2).
        court("1", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20090601",
              arrested="20090501", level="MISDEMEANOR", born=born),
        # Recorded as an infraction: nothing lower to redesignate.
        court("2", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20100601",
              arrested="20100501", level="INFRACTION", born=born),
        # HS 11357(b) from 2011-01-01 is an infraction (SB 1449), whatever the record says.
        court("3", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20101230",
              arrested="20101201", level="MISDEMEANOR", born="19910101"),
        court("4", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20110301",
              arrested="20110105", level="MISDEMEANOR", born="19910101"),
        # HS 11359(b), 11360(a)(2): still misdemeanors from 18.
        court("5", 1, "11359 HS-POSSESS FOR SALE", convicted="20090601", arrested="20090501",
              level="MISDEMEANOR", born=born),
        # HS 11358(b): six plants or fewer is an infraction at 18-20; the file cannot tell.
        court("6", 1, "11358 HS-CULTIVATE", convicted="20090601", arrested="20090501",
              level="MISDEMEANOR", born=born),
    ])  # fmt: skip
    assert got[key("1", 1)] == (
        "young-11357b", "reduce",
        "HS 11357(b), 28.5 g or less, 18 to 20 at the offense: now an infraction, redesignate",
        f"{RELIEF}; HS 11357(a)(2)",
    )  # fmt: skip
    not_reduced = (
        "young-infraction", "not_eligible",
        "Infraction, 18 to 20 at the offense: still an infraction, nothing lower to redesignate",
        "HS 11357(a)(2), 11360(b); HS 11361.8(e)",
    )  # fmt: skip
    assert got[key("2", 1)] == not_reduced
    assert got[key("3", 1)][:2] == ("young-11357b", "reduce")  # offense 2010: a misdemeanor
    assert got[key("4", 1)] == not_reduced  # offense 2011: an infraction already
    assert got[key("5", 1)][:2] + got[key("5", 1)][3:] == (
        "misdemeanor-11359",
        "not_eligible",
        "HS 11359(b)",
    )
    assert got[key("6", 1)][:2] == ("misdemeanor-11358", "review")
    assert got[key("6", 1)][3] == "HS 11362.1(a)(3), 11358(b), (c); HS 11361.8(e)-(f)"


def test_under_18(tmp_path: Path) -> None:
    born = "19950101"  # 17 through 2012
    under_18 = "HS 11357(a)(1), (b)(1), (d), 11358(a), 11359(a), 11360(a)(1)"
    got = classify(tmp_path, [
        court("1", 1, "11359 HS-POSSESS FOR SALE", convicted="20130301", arrested="20121201",
              born=born),
        court("2", 1, "11357(C) HS-POSSESS OVER 28.5 GRAMS", convicted="20120601",
              arrested="20120501", level="MISDEMEANOR", born=born),
        court("3", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20120601",
              arrested="20120501", level="INFRACTION", born=born),
    ])  # fmt: skip
    # Arrested at 17, convicted at 18 of a felony: now an infraction (HS 11359(a)).
    assert got[key("1", 1)] == (
        "under-18", "reduce",
        "HS 11359, under 18 at the offense: now an infraction, redesignate",
        f"{RELIEF}; under 18: {under_18}",
    )  # fmt: skip
    assert got[key("2", 1)][:2] == ("under-18", "reduce")  # HS 11357(b)(1)
    assert got[key("3", 1)] == (
        "under-18-infraction", "not_eligible",
        "Infraction, under 18 at the offense: still an infraction, nothing lower to redesignate",
        f"{under_18}; HS 11361.8(e)",
    )  # fmt: skip


# --- The offense date, not the conviction date --------------------------------------------


def test_arrested_before_prop64_and_convicted_after_is_covered(tmp_path: Path) -> None:
    # HS 11361.8(a), (e): the conduct before 2016-11-09 counts, not the conviction date.
    rows = [
        court("1", 1, "11359 HS-POSSESS FOR SALE", convicted="20161215", arrested="20160601"),
        court("2", 1, "11359 HS-POSSESS FOR SALE", convicted="20161215", arrested="20161201"),
        court("3", 1, "11359 HS-POSSESS FOR SALE", convicted="20161215"),
    ]
    got = classify(tmp_path, rows)
    assert got[key("1", 1)] == (
        "felony-11359", "reduce", "Felony HS 11359: now a misdemeanor, reduce",
        f"{RELIEF}; HS 11359(b)",
    )  # fmt: skip
    assert got[key("2", 1)][:3] == (
        "after-prop64",
        "not_eligible",
        "Offense on or after 11/09/2016",
    )
    # No arrest date: the offense may predate Prop 64; a person is asked, never a silent no.
    assert got[key("3", 1)] == (
        "after-prop64-offense-unknown", "review",
        "Convicted on or after 11/09/2016, no arrest date: was the offense before 11/09/2016?",
        "HS 11361.8(a), (e): conduct before Prop 64 took effect",
    )  # fmt: skip


@pytest.mark.parametrize(
    "pack", ["los-angeles-2019", "sacramento-2019", "san-joaquin-2019", "contra-costa-2019"]
)
def test_parity_packs_use_the_offense_date_for_the_prop64_cut_off(
    tmp_path: Path, pack: str
) -> None:
    # CfA's flows cut off at the conviction date; these packs use the offense date (a
    # deliberate difference, stated in each pack's header), which only ever adds relief.
    county = load_pack(pack).county
    got = classify(tmp_path, [
        court("1", 1, "11359 HS-POSSESS FOR SALE", convicted="20161215", arrested="20160601",
              county=county),
        court("2", 1, "11359 HS-POSSESS FOR SALE", convicted="20161215", county=county),
    ], pack, county=county)  # fmt: skip
    assert got[key("2", 1)][:2] == ("after-prop64", "not_eligible")  # as CfA: no arrest date
    assert got[key("1", 1)][0] != "after-prop64"  # the offense was before Prop 64


def test_age_is_judged_at_the_offense(tmp_path: Path) -> None:
    # Arrested at 20 (2008-12), convicted at 21 (2009-04): judged at 20, HS 11357(a)(2).
    got = classify(tmp_path, [
        court("1", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20090401",
              arrested="20081201", level="MISDEMEANOR", born="19880301"),
        # The same without an arrest date is judged at the conviction date, 21: dismissed.
        court("2", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20090401",
              level="MISDEMEANOR", born="19880301"),
    ])  # fmt: skip
    assert got[key("1", 1)][:2] + got[key("1", 1)][3:] == (
        "young-11357b",
        "reduce",
        f"{RELIEF}; HS 11357(a)(2)",
    )
    assert got[key("2", 1)][:2] == ("adult-11357b", "dismiss")


def test_no_arrest_date_and_convicted_young_asks_the_age_at_the_offense(tmp_path: Path) -> None:
    # Convicted at 18 with no arrest date: the offense may have been at 17, when HS 11359(a)
    # makes it an infraction today; judging at 18 would say not_eligible. A person checks.
    got = classify(tmp_path, [
        court("1", 1, "11359 HS-POSSESS FOR SALE", convicted="20080301", level="MISDEMEANOR",
              born="19900101"),
    ])  # fmt: skip
    assert got[key("1", 1)][:3] == (
        "no-arrest-date-under-21",
        "review",
        "Misdemeanor or infraction, convicted under 21, no arrest date: how old at the offense?",
    )


# --- Felony prongs: HS 11358(d), 11359(c), 11360(a)(3) -------------------------------------


def test_each_prong_cites_its_own_subdivision(tmp_path: Path) -> None:
    rows = []
    for n, section in enumerate(("11358", "11359", "11360"), start=1):
        # A super strike, a PC 290 registration, then two priors of the same section.
        rows.append(court(f"S{n}", 1, "187 PC-MURDER", convicted="19900301", arrested="19900101"))
        rows.append(court(f"S{n}", 2, f"{section} HS-CANNABIS", convicted="20050301",
                          arrested="20050101"))  # fmt: skip
        rows.append(registration(f"R{n}", 1, on="19950101"))
        rows.append(court(f"R{n}", 2, f"{section} HS-CANNABIS", convicted="20050301",
                          arrested="20050101"))  # fmt: skip
        for cycle, year in enumerate((1995, 2000, 2005), start=1):
            rows.append(court(f"T{n}", cycle, f"{section} HS-CANNABIS",
                              convicted=f"{year}0301", arrested=f"{year}0101"))  # fmt: skip
    got = classify(tmp_path, rows)
    prong = {"11358": "11358(d)", "11359": "11359(c)", "11360": "11360(a)(3)"}
    for n, section in enumerate(("11358", "11359", "11360"), start=1):
        one = "(A)" if section == "11360" else "(1)"
        two = "(B)" if section == "11360" else "(2)"
        assert got[key(f"S{n}", 2)] == (
            f"prior-{section}", "review",
            f"Felony HS {section} after a super strike 187 PC (1990-03-01): may still be a "
            "felony; decide whether to oppose reduction",
            f"HS {prong[section]}{one}; HS 11361.8(e)-(f)",
        )  # fmt: skip
        assert got[key(f"R{n}", 2)][:2] == (f"prior-{section}", "review")
        assert got[key(f"R{n}", 2)][3] == f"HS {prong[section]}{one}; HS 11361.8(e)-(f)"
        assert got[key(f"T{n}", 1)][:2] == (f"felony-{section}", "reduce")
        assert got[key(f"T{n}", 2)][:2] == (f"felony-{section}", "reduce")
        assert got[key(f"T{n}", 3)] == (
            f"two-priors-{section}", "review",
            f"Felony HS {section} after two or more HS {section} convictions: may still be a "
            "felony; decide whether to oppose reduction",
            f"HS {prong[section]}{two}; HS 11361.8(e)-(f)",
        )  # fmt: skip


def test_three_felony_11360_the_third_may_still_be_a_felony(tmp_path: Path) -> None:
    # Issue 9 expected all three to reduce, reading HS 11360 as having no two-priors prong.
    # HS 11360(a)(3)(B) as amended by Prop 64 reads "The person has two or more prior
    # convictions under paragraph (2)", so the third conviction is the office's to oppose:
    # a person decides, as for HS 11358(d)(2) and 11359(c)(2).
    got = classify(tmp_path, [
        court("1", n, "11360(A) HS-TRANSPORT/SELL MARIJUANA", convicted=f"{year}0601",
              arrested=f"{year}0301")
        for n, year in enumerate((1999, 2002, 2010), start=1)
    ])  # fmt: skip
    assert [got[key("1", n)][1] for n in (1, 2, 3)] == ["reduce", "reduce", "review"]
    assert got[key("1", 3)][3] == "HS 11360(a)(3)(B); HS 11361.8(e)-(f)"


def test_priors_must_precede_the_offense(tmp_path: Path) -> None:
    # A super strike convicted between the arrest and the conviction is no prior of the
    # offense (HS 11359(c)(1)): reduce.
    got = classify(tmp_path, [
        court("1", 1, "11359 HS-POSSESS FOR SALE", convicted="20010301", arrested="20000101"),
        court("1", 2, "187 PC-MURDER", convicted="20000601", arrested="19990601"),
    ])  # fmt: skip
    assert got[key("1", 1)][:2] == ("felony-11359", "reduce")
