"""Issue 9, part B: disqualifying lists, charge reading, and nothing dropped or invented.

Every case goes through the real path: a DOJ file is written, imported with the importer,
classified with `classify_run` (the SQL candidate prefilter included), and the stored
determination is read back: outcome, label, reason, citation and flags. The statute each
expectation rests on is named beside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest
from classify_support import conviction

from rules.packs import BUNDLED_DIR, load_pack
from triage import db, identity
from triage.classify import classify_run
from triage.importers import DOJ_COLUMNS, import_files

AT = dt.date(2019, 11, 11)
LA, SJ, CC, SAC = "LOS ANGELES", "SAN JOAQUIN", "CONTRA COSTA", "SACRAMENTO"
PARITY = {
    "los-angeles-2019": LA,
    "san-joaquin-2019": SJ,
    "contra-costa-2019": CC,
    "sacramento-2019": SAC,
    "gogen": SAC,
}


class Stored(NamedTuple):
    outcome: str
    label: str
    reason: str
    citation: str
    step_id: str
    flags: tuple[str, ...]
    forced_review: bool
    trace: tuple[tuple[str, bool, str], ...]


def classified(
    tmp_path: Path,
    rows: Sequence[Mapping[str, str]],
    pack: str,
    county: str,
    at: dt.date = AT,
) -> dict[str, Stored]:
    """Import `rows` as a DOJ file, classify with `pack` (id or path) for `county`, and
    return the stored determinations by conviction key."""
    source = tmp_path / "doj.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(DOJ_COLUMNS)
        writer.writerows([row.get(name, "") for name in DOJ_COLUMNS] for row in rows)
    path = tmp_path / f"{Path(pack).stem}-{county}.db"
    conn = db.connect(path, create=True)
    try:
        report = import_files(conn, [source])
        assert report.quarantined == 0
        run = classify_run(
            conn, load_pack(pack), county=county, compute_at=at, actor=identity.os_account()
        )
        found = conn.execute(
            "SELECT key, outcome, label, reason, citation, step_id, flags, forced_review, trace"
            " FROM determinations WHERE run_id = ?",
            (run.run.id,),
        ).fetchall()
    finally:
        conn.close()
    return {
        key: Stored(
            outcome,
            label,
            reason,
            citation,
            step,
            tuple(flags.split()),
            bool(forced),
            tuple((s, bool(m), d) for s, m, d in json.loads(trace)),
        )
        for key, outcome, label, reason, citation, step, flags, forced, trace in found
    }


def _detail(det: Stored, step: str) -> str:
    return next(d for s, _m, d in det.trace if s == step)


# --- Disqualifying lists ------------------------------------------------------------------

# LA's super-strike and PC 290 steps cite the felony prong they rest on (office policy makes
# them not eligible where the statute lets the office oppose).
PRONG_CITATION = (
    "HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A) (the office may oppose reduction); "
    "office policy: not eligible"
)


@pytest.mark.parametrize(
    ("prior", "step", "reason", "citation"),
    [
        # PC 290(c)(1) names all of Section 288: 288(c)(1) counts.
        ("288(C)(1) PC-LEWD ACT", "pc290", "PC 290", PRONG_CITATION),
        # PC 290(c)(1): "subdivision 1 or 2 of Section 314", which DOJ writes 314.1 / 314.2.
        ("314.1 PC-INDECENT EXPOSURE", "pc290", "PC 290", PRONG_CITATION),
        # PC 290(c)(1): Section 220 (here with intent to commit rape) counts; it is also a
        # super strike, which the LA flow asks first.
        (
            "220 PC-ASSAULT W/INT TO COMMIT RAPE",
            "super-strike",
            "PC 667(e)(2)(c)(iv)",
            PRONG_CITATION,
        ),
        # Conspiracy to murder is punished as first-degree murder, 25 to life (PC 182(a),
        # 190(a)): a super strike under PC 667(e)(2)(C)(iv)(VIII).
        (
            "182/187 PC-CONSPIRACY MURDER",
            "super-strike",
            "PC 667(e)(2)(c)(iv)",
            PRONG_CITATION,
        ),
        # 653f(b) (solicitation of murder) is a super strike, not a PC 290(c) offense.
        (
            "653F(B) PC-SOLICIT MURDER",
            "super-strike",
            "PC 667(e)(2)(c)(iv)",
            PRONG_CITATION,
        ),
    ],
)
def test_disqualifying_prior_in_los_angeles(
    tmp_path: Path, prior: str, step: str, reason: str, citation: str
) -> None:
    rows = [
        conviction("1", "001001001000", prior, date="20000105"),
        conviction("1", "002001001000", "11359 HS-POSSESS FOR SALE", date="20050301"),
    ]
    det = classified(tmp_path, rows, "los-angeles-2019", LA)["1:002001001000"]
    assert (det.outcome, det.label, det.reason, det.citation, det.step_id) == (
        "not_eligible",
        "Not eligible",
        reason,
        citation,
        step,
    )


def test_not_pc290_offenses_do_not_withhold_relief(tmp_path: Path) -> None:
    # 451.5 (aggravated arson) and 653f(b) are super strikes only; 220 "assault to commit
    # mayhem" is excepted from PC 290(c)(1). With the super-strike step gone (an office pack
    # that only asks about PC 290), none of them is a PC 290 offense.
    text = (BUNDLED_DIR / "los-angeles-2019.toml").read_text(encoding="utf-8")
    start = text.index("# A super strike before this conviction.")
    end = text.index("# A PC 290 registrable offense")
    pack = tmp_path / "pc290-only.toml"
    pack.write_text(text[:start] + text[end:], encoding="utf-8")
    rows = []
    for n, prior in enumerate(["451.5 PC-ARSON", "653F(B) PC", "220 PC- COMMIT MAYHEM"], 1):
        rows += [
            conviction(f"{n}", "001001001000", prior, date="20000105", dob="19600101"),
            conviction(f"{n}", "002001001000", "11359 HS", date="20050301", dob="19600101"),
        ]
    dets = classified(tmp_path, rows, str(pack), LA)
    for n in (1, 2, 3):
        det = dets[f"{n}:002001001000"]
        assert (det.outcome, det.reason, det.step_id) == (
            "dismiss",
            "50 years or older",
            "age-50",
        ), n
        assert _detail(det, "pc290").startswith("no PC 290 offense or registration"), n


def test_conspiracy_to_another_super_strike_is_named_not_counted(tmp_path: Path) -> None:
    # PC 182(a) punishes a conspiracy like its target; only conspiracy to murder is punished
    # by life. 182/261 is not counted as a super strike, and the trace says so.
    rows = [
        conviction("1", "001001001000", "182/261(A)(2) PC", date="20000105", dob="19900101"),
        conviction("1", "002001001000", "11359 HS", date="20050301", dob="19900101"),
    ]
    det = classified(tmp_path, rows, "los-angeles-2019", LA)["1:002001001000"]
    assert det.step_id != "super-strike"
    assert "conspiracy 182/261(a)(2) PC on 2000-01-05 not counted" in _detail(det, "super-strike")


# --- The charge parser ----------------------------------------------------------------------


@pytest.mark.parametrize("offense", ["11357 HS(B)-POSSESS", "11357 HS (B)-POSSESS"])
def test_subdivision_after_the_code_is_read(tmp_path: Path, offense: str) -> None:
    # LA dismisses HS 11357(a)/(b) felonies outright (lawful at 21 under HS 11362.1(a);
    # office policy beyond); losing the (B) would send the conviction to "Other 11357".
    det = classified(tmp_path, [conviction("1", "001001001000", offense)], "los-angeles-2019", LA)
    (only,) = det.values()
    assert (only.outcome, only.label, only.reason, only.citation) == (
        "dismiss",
        "Eligible for Dismissal",
        "11357(a) or 11357(b)",
        "HS 11361.8(e)-(f), 11362.1(a)(1)-(2) (lawful at 21: 28.5 g, 8 g concentrated); "
        "office policy beyond",
    )


def test_attempt_written_after_the_code_is_read(tmp_path: Path) -> None:
    rows = [conviction("1", "001001001000", "11359 HS 664-ATTEMPT SALE", date="20100301")]
    det = classified(tmp_path, rows, "california-statute", LA)["1:001001001000"]
    assert "attempt_or_conspiracy" in det.flags
    assert det.outcome == "review" and det.forced_review
    assert "attempt or conspiracy" in det.reason


def test_a_row_naming_two_charges_is_flagged(tmp_path: Path) -> None:
    rows = [conviction("1", "001001001000", "11357(C)HS/11359HS-POSSESS", date="20100301")]
    statute = classified(tmp_path, rows, "california-statute", LA)["1:001001001000"]
    assert "multiple_charges" in statute.flags
    assert statute.outcome == "review" and statute.forced_review
    assert "the row names more than one charge" in statute.reason
    # The parity pack records the flag and decides on the first charge, as CfA did.
    la = classified(tmp_path, rows, "los-angeles-2019", LA)["1:001001001000"]
    assert (la.outcome, la.label, la.reason, la.flags) == (
        "review",
        "Hand Review",
        "Other 11357",
        ("multiple_charges",),
    )


def test_a_prop64_charge_second_on_the_row_is_not_dropped(tmp_path: Path) -> None:
    # `459 PC/11359 HS`: the row is read as its Prop 64 charge, and the burglary stays on
    # the record (only_prop64_convictions does not hold).
    rows = [conviction("1", "001001001000", "459 PC/11359 HS-BURG", date="20100301")]
    det = classified(tmp_path, rows, "dismiss-all", LA)["1:001001001000"]
    assert (det.outcome, det.flags) == ("dismiss", ("multiple_charges",))


# --- Nothing dropped silently: WRONG_CODE -------------------------------------------------

MISDEMEANOR_CITATION = (
    "HS 11361.8(e)-(f), 11362.1(a) where the conduct is lawful today; office policy beyond "
    "(HS 11357(b)(2), 11359(b), 11360(a)(2) are still misdemeanors)"
)


@pytest.mark.parametrize(
    ("pack", "county", "outcome", "label", "reason", "citation"),
    [
        # Misdemeanors dismissed (CfA's San Joaquin flow did the same): lawful today only in
        # part (HS 11362.1(a)), so the citation says where it is office policy.
        ("san-joaquin-2019", SJ, "dismiss", "Eligible for Dismissal", "Misdemeanor or Infraction",
         MISDEMEANOR_CITATION),
        ("contra-costa-2019", CC, "dismiss", "Eligible for Dismissal", "Misdemeanor or Infraction",
         MISDEMEANOR_CITATION),
        ("sacramento-2019", SAC, "dismiss", "Eligible for Dismissal", "Misdemeanor or Infraction",
         MISDEMEANOR_CITATION),
        ("gogen", SAC, "dismiss", "Eligible for Dismissal", "Misdemeanor or Infraction",
         MISDEMEANOR_CITATION),
        ("los-angeles-2019", LA, "review", "To be reviewed by City Attorneys",
         "Misdemeanor or Infraction",
         "Office policy (no basis in HS 11361.8): the City Attorneys prosecute misdemeanors in "
         "Los Angeles"),
        ("dismiss-all", LA, "dismiss", "Eligible for Dismissal", "Dismiss all Prop 64 convictions",
         "Not a legal rule: the what-if ceiling (HS 11361.8(e)-(f) dismisses only conduct lawful "
         "today)"),
        # The statute pack forces review on every flag; its steps' citations are its own.
        ("california-statute", LA, "review", "Hand Review",
         "Review the record: Prop 64 section under another code", None),
    ],
)  # fmt: skip
def test_wrong_code_gets_a_determination_in_every_pack(
    tmp_path: Path,
    pack: str,
    county: str,
    outcome: str,
    label: str,
    reason: str,
    citation: str | None,
) -> None:
    row = conviction("1", "001001001000", "11357 PC-POSS MARIJ", county=county, felony=False)
    det = classified(tmp_path, [row], pack, county)["1:001001001000"]
    assert (det.outcome, det.label, det.reason) == (outcome, label, reason)
    assert citation is None or det.citation == citation
    assert "wrong_code" in det.flags


def test_wrong_code_counts_as_prop64_on_the_record(tmp_path: Path) -> None:
    # As in CfA's flows, where the pattern matched the section whatever the code: the 11357 PC
    # conviction makes the arrest cycle a Prop 64 one (San Joaquin's related charges) and
    # counts among "only 11357-60 charges" (Los Angeles).
    same_cycle = [
        conviction("1", "001001001000", "11357 PC-POSS MARIJ", county=SJ, date="20100301"),
        conviction("1", "001001002000", "148 PC-OBSTRUCT", county=SJ, date="20100301"),
    ]
    det = classified(tmp_path, same_cycle, "san-joaquin-2019", SJ)["1:001001002000"]
    assert (det.outcome, det.label, det.reason) == ("dismiss", "Eligible for Dismissal", "148 PC")
    record = [
        conviction("2", "001001001000", "11357 PC-POSS MARIJ", date="20000301"),
        conviction("2", "002001001000", "11359 HS", date="20120301"),
    ]
    det = classified(tmp_path, record, "los-angeles-2019", LA)["2:002001001000"]
    assert (det.outcome, det.reason, det.step_id) == (
        "dismiss",
        "Only has 11357-60 charges and completed sentence",
        "only-prop64-completed",
    )


# --- Undated convictions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pack", "county", "outcome", "reason"),
    [
        # CfA read a blank date as the zero time: never recent. HS 11361.8(b).
        ("san-joaquin-2019", SJ, "dismiss", "No convictions in past 5 years"),
        ("contra-costa-2019", CC, "dismiss", "No convictions in past 5 years"),
        ("sacramento-2019", SAC, "dismiss", "No convictions in past 10 years"),
    ],
)
def test_an_undated_conviction_is_not_recent_in_the_parity_packs(
    tmp_path: Path, pack: str, county: str, outcome: str, reason: str
) -> None:
    rows = [
        conviction("1", "001001001000", "11359 HS", date="20050301", county=county),
        conviction("1", "002001001000", "459 PC-BURGLARY", date="", county=county),
    ]
    det = classified(tmp_path, rows, pack, county)["1:001001001000"]
    assert (det.outcome, det.reason) == (outcome, reason)
    assert "long ago, as CfA did" in _detail(det, "conviction-free")


SERVED = "HS 11361.8(e) (completed sentence); office policy: dismissal rather than reduction"


@pytest.mark.parametrize(
    ("pack", "county", "citation"),
    [("san-joaquin-2019", SJ, SERVED), ("sacramento-2019", SAC, SERVED)],
)
def test_an_undated_only_conviction_has_served_its_sentence_in_the_parity_packs(
    tmp_path: Path, pack: str, county: str, citation: str
) -> None:
    # CfA: the zero date plus the sentence is long past, so "Sentence Completed".
    rows = [conviction("1", "001001001000", "11359 HS", date="", county=county)]
    det = classified(tmp_path, rows, pack, county)["1:001001001000"]
    assert (det.outcome, det.label, det.reason, det.citation) == (
        "dismiss",
        "Eligible for Dismissal",
        "Sentence Completed",
        citation,
    )
    assert det.flags == ("missing_date",) and not det.forced_review


def test_an_undated_conviction_goes_to_review_in_an_office_pack(tmp_path: Path) -> None:
    # The same flow without `undated = "long_ago"`: the missing date is not assumed away.
    text = (BUNDLED_DIR / "san-joaquin-2019.toml").read_text(encoding="utf-8")
    pack = tmp_path / "office.toml"
    pack.write_text(
        text.replace('id = "san-joaquin-2019"', 'id = "office"').replace(
            'undated = "long_ago"', 'undated = "review"'
        ),
        encoding="utf-8",
    )
    rows = [
        conviction("1", "001001001000", "11359 HS", date="20050301", county=SJ),
        conviction("1", "002001001000", "459 PC-BURGLARY", date="", county=SJ),
    ]
    det = classified(tmp_path, rows, str(pack), SJ)["1:001001001000"]
    assert (det.outcome, det.label, det.step_id) == ("review", "Hand Review", "conviction-free")
    assert det.reason == (
        "Cannot tell (conviction-free): 2 conviction(s) on the record; 14.7 years since"
        " 2005-03-01 > 5, but 1 conviction(s) on the record have no date: cannot tell how"
        " recent they are"
    )


def test_an_undated_conviction_goes_to_review_in_the_statute_pack(tmp_path: Path) -> None:
    rows = [conviction("1", "001001001000", "11359 HS", date="")]
    det = classified(tmp_path, rows, "california-statute", LA)["1:001001001000"]
    assert det.outcome == "review" and det.forced_review
    assert "missing conviction date" in det.reason


def test_dismiss_all_forces_no_review_for_an_undated_conviction(tmp_path: Path) -> None:
    rows = [conviction("1", "001001001000", "11359 HS", date="")]
    det = classified(tmp_path, rows, "dismiss-all", LA)["1:001001001000"]
    assert (det.outcome, det.flags, det.forced_review) == ("dismiss", ("missing_date",), False)


# --- Impossible dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "date"),
    [
        ("20300101", "20100301"),  # born after compute-at
        ("20120101", "20100301"),  # born after the conviction
        ("19800101", "18990101"),  # convicted before 1900
    ],
)
def test_impossible_dates_are_flagged(tmp_path: Path, dob: str, date: str) -> None:
    rows = [conviction("1", "001001001000", "11359 HS", date=date, dob=dob)]
    statute = classified(tmp_path, rows, "california-statute", LA)["1:001001001000"]
    assert "impossible_date" in statute.flags
    assert statute.outcome == "review" and statute.forced_review
    assert "impossible date" in statute.reason
    # The parity packs record the flag and force nothing.
    la = classified(tmp_path, rows, "los-angeles-2019", LA)["1:001001001000"]
    assert "impossible_date" in la.flags and not la.forced_review


def test_possible_dates_are_not_flagged(tmp_path: Path) -> None:
    # Born some day in May 1980, convicted some day in May 1980: possible (the earliest
    # birth day is before the latest conviction day), so not flagged.
    rows = [conviction("1", "001001001000", "11359 HS", date="19800500", dob="19800500")]
    det = classified(tmp_path, rows, "los-angeles-2019", LA)["1:001001001000"]
    assert "impossible_date" not in det.flags


# --- CfA parity labels ----------------------------------------------------------------------


@pytest.mark.parametrize(("pack", "county"), [("san-joaquin-2019", SJ), ("contra-costa-2019", CC)])
def test_review_outcomes_carry_cfas_label(tmp_path: Path, pack: str, county: str) -> None:
    # CfA's 2019 flows: MaybeEligible(...) -> "Maybe Eligible - Flag for Review".
    rows = [
        conviction("1", "001001001000", "11359 HS", date="20160101", county=county,
                   sentence=("5", "Y")),
    ]  # fmt: skip
    det = classified(tmp_path, rows, pack, county)["1:001001001000"]
    assert (det.outcome, det.label, det.reason) == (
        "review",
        "Maybe Eligible - Flag for Review",
        "Sentence not Completed",
    )
