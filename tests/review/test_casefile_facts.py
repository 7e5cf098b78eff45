"""The case screen reads the legal facts the rules read: age, sentence length and "is this
a Prop 64 conviction" come from `rules.dates` / `rules.charges`, not a second derivation.
Built through the real path: DOJ CSV -> import -> classify -> `review.load_case`."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from classify_support import conviction

from rules.charges import parse_charge
from rules.dates import age_on
from rules.packs import load_pack
from rules.records import build_person
from triage import db, identity, review
from triage.classify import classify_run
from triage.importers import DOJ_COLUMNS, import_files

AT = dt.date(2019, 11, 11)
LA = "LOS ANGELES"


def _case(tmp_path: Path, rows: list[dict[str, str]]) -> review.CaseView:
    source = tmp_path / "doj.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(DOJ_COLUMNS)
        writer.writerows([row.get(name, "") for name in DOJ_COLUMNS] for row in rows)
    conn = db.connect(tmp_path / "t.db", create=True)
    try:
        assert import_files(conn, [source]).quarantined == 0
        run = classify_run(
            conn,
            load_pack("los-angeles-2019"),
            county=LA,
            compute_at=AT,
            actor=identity.os_account(),
        )
        return review.load_case(conn, rows[0]["SUBJECT_ID"], run.run.id)
    finally:
        conn.close()


def test_partial_dob_gives_the_engines_age(tmp_path: Path) -> None:
    # 19700000: "some time in 1970". The engine reckons from 1 January 1970 (age 49 on
    # 2019-11-11, and flags partial_dob); the case screen used to say "age unknown".
    rows = [conviction("7001", "001001001000", "11359 HS-POSSESS FOR SALE", dob="19700000")]
    case = _case(tmp_path, rows)
    assert case.age_at_compute == age_on(dt.date(1970, 1, 1), AT) == 49
    (item,) = case.convictions
    assert "partial_dob" in item.flags
    # The pack's age step printed the same age in its trace.
    ages = {int(m) for _, _, detail in item.trace for m in re.findall(r"\bage (\d+) at ", detail)}
    assert ages == {case.age_at_compute}


def test_negative_sentence_counts_as_no_time_like_the_rules(tmp_path: Path) -> None:
    # '-5|D' is nonsense in the record: the rules count 0 days, the case screen said -5.
    rows = [
        conviction("7002", "001001001000", "11360(A) HS-TRANSPORT", sentence=("-5", "D")),
        conviction("7002", "002001001000", "11359 HS-POSSESS FOR SALE", sentence=("30", "D")),
        conviction("7002", "002001001000", "11359 HS-POSSESS FOR SALE", sentence=("-5", "D")),
    ]
    case = _case(tmp_path, rows)
    shown = {c.cnt_order: c.sentence_days for c in case.convictions}
    engine = {c.cnt_order: c.sentence_days for c in build_person(rows).convictions}
    assert shown == engine == {"001001001000": 0.0, "002001001000": 30.0}


def test_prop64_mark_is_the_rules_reading_of_the_charge(tmp_path: Path) -> None:
    rows = [
        conviction("7003", "001001001000", "664/11359 HS-ATTEMPT POSSESS FOR SALE"),
        conviction("7003", "002001001000", "11357 PC-POSS MARIJ"),  # wrong code letters
        conviction("7003", "003001001000", "11358 HS-CULTIVATE", county="SACRAMENTO"),
        conviction("7003", "004001001000", "459 PC-BURGLARY"),
    ]
    case = _case(tmp_path, rows)
    marks = {c.cnt_order: c.prop64 for c in case.convictions}
    assert marks == {
        "001001001000": True, "002001001000": True, "003001001000": True, "004001001000": False,
    }  # fmt: skip
    for c in case.convictions:
        assert c.prop64 == parse_charge(c.offense, c.comment).looks_prop64
        if c.outcome is not None:  # every determined conviction is a Prop 64 one
            assert c.prop64
