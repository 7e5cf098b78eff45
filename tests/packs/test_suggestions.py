"""Every review outcome carries a suggestion to accept or the question that resolves it.

Through the real path: a DOJ file is written, imported and classified, and the stored
determination's `suggested_outcome` / `suggested_reason` are read back. Each case names the
statute subdivision its suggestion rests on (issue 11; legal context in issue 9). People
are fictional, born 1 January 1970 unless said otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

from test_statute_floor import court

from rules.doj_layout import DOJ_COLUMNS
from rules.packs import load_pack
from triage import db, identity
from triage.classify import classify_run
from triage.importers import import_files

COUNTY = "LOS ANGELES"
COMPUTE_AT = dt.date(2019, 11, 11)


def classify(
    tmp_path: Path, rows: list[list[str]], pack: str, county: str = COUNTY
) -> dict[str, sqlite3.Row]:
    """Import `rows` as a DOJ file, classify with `pack`; the stored determinations by key."""
    path = tmp_path / "doj.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(DOJ_COLUMNS)
        writer.writerows(rows)
    conn = db.connect(tmp_path / "t.db", create=True)
    try:
        assert import_files(conn, [path]).quarantined == 0
        classify_run(
            conn, load_pack(pack), county=county, compute_at=COMPUTE_AT, actor=identity.os_account()
        )
        found = conn.execute(
            "SELECT * FROM determinations WHERE run_id = (SELECT max(id) FROM runs)"
        ).fetchall()
        return {r["key"]: r for r in found}
    finally:
        conn.close()


def key(subject: str, cycle: int) -> str:
    return f"{subject}:{cycle:03d}002001000"


def felony(subject: str, cycle: int, offense: str, on: str) -> list[str]:
    return court(subject, cycle, offense, convicted=on, arrested=on)


# --- The statute floor (california-statute) ------------------------------------------------


def test_third_felony_11360_goes_to_review_suggesting_reduction(tmp_path: Path) -> None:
    # HS 11360(a)(3)(B): two or more priors keep a third 11360 open to felony punishment, so
    # the third goes to a person; without the office's opposition it is reduced like the
    # first two (HS 11361.8(e)-(f): opposing takes clear and convincing evidence).
    got = classify(tmp_path, [
        felony("1", 1, "11360(A) HS-TRANSPORT MARIJUANA", "19990601"),
        felony("1", 2, "11360(A) HS-TRANSPORT MARIJUANA", "20020601"),
        felony("1", 3, "11360(A) HS-TRANSPORT MARIJUANA", "20100601"),
    ], "california-statute")  # fmt: skip
    assert [got[key("1", n)]["outcome"] for n in (1, 2, 3)] == ["reduce", "reduce", "review"]
    third = got[key("1", 3)]
    assert third["step_id"] == "two-priors-11360"
    assert third["citation"] == "HS 11360(a)(3)(B); HS 11361.8(e)-(f)"
    assert (third["suggested_outcome"], third["suggested_label"]) == (
        "reduce",
        "Eligible for Reduction",
    )
    assert third["suggested_reason"] == (
        "Unless the office opposes (two or more prior HS 11360 convictions let HS "
        "11360(a)(3)(B) punish it as a felony; opposing takes clear and convincing evidence, "
        "HS 11361.8(f)): Felony HS 11360: now a misdemeanor at most, reduce (step "
        "felony-11360: HS 11361.8(e)-(f); HS 11361.9; HS 11360(a)(2))"
    )


def test_super_strike_prior_suggests_reduction_unless_opposed(tmp_path: Path) -> None:
    # HS 11359(c)(1): a prior super strike lets possession for sale be a felony today.
    got = classify(tmp_path, [
        felony("2", 1, "187 PC-MURDER", "19900601"),
        felony("2", 2, "11359 HS-POSSESS MARIJUANA FOR SALE", "20050601"),
    ], "california-statute")  # fmt: skip
    det = got[key("2", 2)]
    assert (det["step_id"], det["outcome"], det["suggested_outcome"]) == (
        "prior-11359",
        "review",
        "reduce",
    )
    assert "HS 11359(c)(1)" in det["suggested_reason"]
    assert det["suggested_reason"].endswith(
        "Felony HS 11359: now a misdemeanor, reduce (step felony-11359: HS 11361.8(e)-(f); "
        "HS 11361.9; HS 11359(b))"
    )


def test_where_only_a_fact_settles_it_the_review_asks_the_question(tmp_path: Path) -> None:
    # HS 11360(a)(2): a sale is still a misdemeanor; a give-away of 28.5 g or less is lawful
    # at 21 (HS 11362.1(a)(1)). The file cannot tell which: no suggestion, the question.
    got = classify(tmp_path, [
        court("3", 1, "11360(A) HS-SELL MARIJUANA", convicted="20050301", arrested="20050101",
              level="MISDEMEANOR"),
    ], "california-statute")  # fmt: skip
    det = got[key("3", 1)]
    assert (det["outcome"], det["suggested_outcome"]) == ("review", None)
    assert det["suggested_reason"] == (
        "Was it a sale? A sale is still a misdemeanor (HS 11360(a)(2)): not eligible. 28.5 g "
        "or less given away or carried, not for sale: dismiss at 21 or over "
        "(HS 11362.1(a)(1)), reduce at 18 to 20 (HS 11360(b))"
    )


# --- An office pack: suggestions, office policy, and the floor ------------------------------


def test_la_misdemeanor_suggests_the_floor_and_says_what_is_office_policy(
    tmp_path: Path,
) -> None:
    # HS 11362.1(a)(1), 11361.8(e)-(f): an adult's 28.5 g or less is lawful today (dismiss).
    # That the City Attorneys decide misdemeanors is Los Angeles office policy.
    got = classify(tmp_path, [
        court("4", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20050301",
              arrested="20050101", level="MISDEMEANOR"),
    ], "los-angeles-2019")  # fmt: skip
    det = got[key("4", 1)]
    assert (det["step_id"], det["outcome"], det["suggested_outcome"]) == (
        "misdemeanor",
        "review",
        "dismiss",
    )
    assert det["suggested_reason"] == (
        "The City Attorneys decide misdemeanors in Los Angeles (office policy); statute floor: "
        "HS 11357(b), 28.5 g or less, 21 or older at the offense: lawful today (step "
        "adult-11357b: HS 11361.8(e)-(f); HS 11361.9; HS 11362.1(a)(1))"
    )


def test_a_pack_suggestion_harsher_than_the_floor_gives_way_to_it(tmp_path: Path) -> None:
    # LA's "Other 11357" step suggests what its later steps give: for a felony 11357(c)
    # after a super strike that is not_eligible (office policy). HS 11357 has no prior-
    # conviction prong, so the floor reduces it (HS 11357(b)(2), 11361.8(e)-(f)): the floor's
    # reduction is suggested, and the reason names the pack's own answer.
    got = classify(tmp_path, [
        felony("5", 1, "187 PC-MURDER", "19900601"),
        felony("5", 2, "11357(C) HS-POSSESS OVER 28.5 GRAMS", "20050601"),
    ], "los-angeles-2019")  # fmt: skip
    det = got[key("5", 2)]
    assert (det["step_id"], det["outcome"], det["suggested_outcome"]) == (
        "11357-other",
        "review",
        "reduce",
    )
    reason = det["suggested_reason"]
    assert reason.startswith(
        "Statute floor: Felony HS 11357: now a misdemeanor at most, reduce (step felony-11357: "
        "HS 11361.8(e)-(f); HS 11361.9; HS 11357(b)(2)). The pack suggests not_eligible: "
    )
    assert "step super-strike" in reason and reason.endswith("; the floor gives more.")


def test_recent_conviction_review_suggests_the_statutory_reduction(tmp_path: Path) -> None:
    # Contra Costa dismisses only with no conviction in five years (office policy); the law
    # reduces a felony HS 11359 regardless (HS 11359(b), 11361.8(e)-(f)).
    got = classify(tmp_path, [
        court("6", 1, "11359 HS-POSSESS MARIJUANA FOR SALE", convicted="20100601",
              arrested="20100601", county="CONTRA COSTA"),
        court("6", 2, "459 PC-BURGLARY", convicted="20160601", arrested="20160601",
              county="CONTRA COSTA"),
    ], "contra-costa-2019", county="CONTRA COSTA")  # fmt: skip
    det = got[key("6", 1)]
    assert (det["step_id"], det["label"], det["suggested_outcome"]) == (
        "recent-convictions",
        "Maybe Eligible - Flag for Review",
        "reduce",
    )
    assert det["suggested_reason"].startswith(
        "This office dismisses only with no conviction in the past 5 years (office policy); "
        "statute floor: Felony HS 11359: now a misdemeanor, reduce"
    )


def test_a_related_charge_gets_a_question_not_a_suggestion(tmp_path: Path) -> None:
    # HS 11361.8 gives no relief for a charge outside HS 11357-11360: whether a related
    # charge is connected to the Prop 64 conduct is a question, its relief office policy.
    got = classify(tmp_path, [
        court("7", 1, "11357(B) HS-POSSESS 28.5 GRAMS OR LESS", convicted="20050301",
              arrested="20050101", level="MISDEMEANOR", county="CONTRA COSTA"),
        court("7", 2, "148(A)(1) PC-OBSTRUCT OFFICER", convicted="20070301",
              arrested="20070101", level="MISDEMEANOR", county="CONTRA COSTA"),
    ], "contra-costa-2019", county="CONTRA COSTA")  # fmt: skip
    det = got[key("7", 2)]
    assert (det["step_id"], det["outcome"], det["suggested_outcome"]) == (
        "related-alone",
        "review",
        None,
    )
    assert det["suggested_reason"].startswith(
        "Is this 148(a)(1) PC conviction connected to a Prop 64 conviction?"
    )
    assert "office policy: HS 11361.8 gives no relief for it" in det["suggested_reason"]
