"""The rules engine: relevance, first match wins, traces, reasons, flags and forced review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pack_cases import conv, determinations, outcome_of, pdate, person, tried

from rules.engine import classify, relevant, render
from rules.model import Charge, Flag, Outcome
from rules.packs import Pack, load_pack

HEADER = """
id = "test-pack"
title = "Test"
version = "1"
county = "LOS ANGELES"
"""


def make_pack(tmp_path: Path, body: str, header: str = HEADER) -> Pack:
    path = tmp_path / "pack.toml"
    path.write_text(header + body)
    return load_pack(str(path))


AGE_PACK = """
force_review_flags = ["charge_in_comment"]

[parameters]
age = 50

[[steps]]
id = "old"
predicate = "age_at_least"
params = { years = "$age" }
outcome = "dismiss"
reason = "{years} years or older ({section} {code}, {charge})"

[[steps]]
id = "rest"
predicate = "always"
outcome = "review"
reason = "otherwise"
"""


def test_first_match_wins_and_the_trace_explains(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, AGE_PACK)
    young = outcome_of(person(conv("11359(A) HS"), dob="1971-06-01"), pack)
    assert young.step_id == "rest"
    assert [(t.step_id, t.matched, t.detail) for t in young.trace] == [
        ("old", False, "age 48 at 2019-11-11 < 50"),
        ("rest", True, "always matches"),
    ]
    old = outcome_of(person(conv("11359(A) HS"), dob="1960-01-01"), pack)
    assert (old.step_id, old.outcome, old.label) == (
        "old",
        Outcome.DISMISS,
        "Eligible for Dismissal",
    )
    assert old.reason == "50 years or older (11359 HS, 11359(a) HS)"
    assert len(old.trace) == 1  # later steps are not tried


def test_forced_review_keeps_the_pack_suggestion(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, AGE_PACK)
    record = person(conv("SEE COMMENT FOR CHARGE", comment="11359 HS-SALE"), dob="1960-01-01")
    det = outcome_of(record, pack)
    assert det.forced_review
    assert (det.outcome, det.label) == (Outcome.REVIEW, "Hand Review")
    assert det.reason == "Review the record: charge only in the comment"
    assert (det.suggested_outcome, det.suggested_label, det.suggested_reason) == (
        Outcome.DISMISS,
        "Eligible for Dismissal",
        "50 years or older (11359 HS, 11359 HS)",
    )
    assert det.step_id == "old"


def test_flags_not_listed_are_recorded_but_do_not_force(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, AGE_PACK)
    record = person(conv("11359 HS", flags=(Flag.PARTIAL_DATE,)), dob="1960-01-01")
    det = outcome_of(record, pack)
    assert det.outcome is Outcome.DISMISS and not det.forced_review
    assert det.flags == (Flag.PARTIAL_DATE,)
    assert det.suggested_outcome is None


def test_flags_join_charge_and_conviction_flags_once() -> None:
    pack = load_pack("california-statute")  # forces review for every flag
    record = person(conv("664/11359 HS", flags=(Flag.MISSING_DOB, Flag.ATTEMPT_OR_CONSPIRACY)))
    det = outcome_of(record, pack, county="LOS ANGELES")
    assert det.flags == (Flag.ATTEMPT_OR_CONSPIRACY, Flag.MISSING_DOB)
    assert det.reason == "Review the record: attempt or conspiracy; missing date of birth"


def test_review_outcomes_are_forced_too(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, AGE_PACK)
    record = person(conv("SEE COMMENT FOR CHARGE", comment="11359 HS"), dob="1990-01-01")
    det = outcome_of(record, pack)
    assert det.forced_review and det.suggested_outcome is Outcome.REDUCE
    # The step names no suggestion, so the statute floor's answer (HS 11359(b), 11361.8(e))
    # is suggested, and the reason says the pack itself only asked.
    assert det.suggested_reason == (
        "Statute floor: Felony HS 11359: now a misdemeanor, reduce (step felony-11359: "
        "HS 11361.8(e)-(f); HS 11361.9; HS 11359(b)). The pack asks: Which outcome applies? "
        "Step rest sends this to a person (otherwise) and names no suggestion; the floor "
        "gives more."
    )


@pytest.mark.parametrize(
    ("county", "expected"),
    [("LOS ANGELES", True), (" los angeles ", True), ("Los Angeles", True), ("YOLO", False)],
)
def test_county_match_ignores_case_and_spaces(county: str, expected: bool) -> None:
    pack = load_pack("dismiss-all")
    c = conv("11358 HS", county="LOS ANGELES ")
    assert relevant(c, pack, county) is expected


def test_relevance() -> None:
    prop64 = load_pack("los-angeles-2019")
    related = load_pack("san-joaquin-2019")
    statute = load_pack("california-statute")  # forces review for every flag
    cases = {
        "11357(B) HS": (True, True, True),
        "664/11359 HS": (True, True, True),
        "11357.5 HS": (False, False, False),
        "148 PC": (False, True, False),
        "4060 BP": (False, True, False),
        "459 PC": (False, False, False),
        # A Prop 64 section under another code: every pack classifies it (flag WRONG_CODE).
        "11357(A) PC": (True, True, True),
    }
    for offense, expected in cases.items():
        c = conv(offense, county="X")
        got = (relevant(c, prop64, "X"), relevant(c, related, "X"), relevant(c, statute, "X"))
        assert got == expected, offense


def test_wrong_code_convictions_go_to_review_in_packs_that_force_it() -> None:
    statute = load_pack("california-statute")
    det = outcome_of(person(conv("11357(A) PC")), statute, county="LOS ANGELES")
    assert det.forced_review
    assert "Prop 64 section under another code" in det.reason


def test_only_relevant_convictions_in_record_order() -> None:
    pack = load_pack("dismiss-all")
    record = person(
        conv("11360 HS"), conv("459 PC"), conv("11357 HS"), conv("11358 HS", county="YOLO")
    )
    keys = [d.key for d in classify(record, pack, county="LOS ANGELES", compute_at=dt.date.today())]
    assert keys == [record.convictions[0].key, record.convictions[2].key]


def test_when_and_and_conditions(tmp_path: Path) -> None:
    pack = make_pack(
        tmp_path,
        """
[parameters]
enabled = false
years = 10

[[steps]]
id = "off"
when = "enabled"
predicate = "always"
outcome = "dismiss"
reason = "never"

[[steps]]
id = "both"
predicate = "not_felony"
and = [{ predicate = "convicted_at_least_years_ago", params = { years = "$years" } }]
outcome = "dismiss"
reason = "old misdemeanor ({years})"

[[steps]]
id = "rest"
predicate = "always"
outcome = "review"
reason = "otherwise"
""",
    )
    old = outcome_of(person(conv("11357 HS", felony=False, date="2000-01-01")), pack)
    assert (old.step_id, old.reason) == ("both", "old misdemeanor (10)")
    assert old.trace[0].detail == "off: parameter 'enabled' is not set"
    assert old.trace[1].detail == (
        "convicted of a misdemeanor or infraction; convicted 2000-01-01 <= 2009-11-11 (10 years back)"
    )
    recent = outcome_of(person(conv("11357 HS", felony=False, date="2015-01-01")), pack)
    assert recent.step_id == "rest"
    felony = outcome_of(person(conv("11357 HS", date="2000-01-01")), pack)
    # The `and` condition is not evaluated once the main predicate fails.
    assert tried(felony)["both"] is False
    assert felony.trace[1].detail == "convicted of a felony"


def test_render_fills_known_fields_only() -> None:
    assert render("Dismiss all HS {section} convictions", {"section": "11358"}) == (
        "Dismiss all HS 11358 convictions"
    )
    assert render("{a} and {{braces}}", {"a": "x"}) == "x and {braces}"


# --- predicates on awkward data ----------------------------------------------------------


def test_unknown_dates_do_not_prove_age_or_time() -> None:
    pack = load_pack("los-angeles-2019")
    no_dob = outcome_of(person(conv("11359 HS", date="2005-01-01"), conv("459 PC"), dob=None), pack)
    details = {t.step_id: t.detail for t in no_dob.trace}
    assert details["age-50"] == "date of birth unknown"
    assert details["age-21"] == "date of birth unknown"


def test_undated_super_strike_counts_as_a_prior_in_the_parity_pack() -> None:
    # LA reads a blank date as CfA did, the year 1: before every dated conviction.
    pack = load_pack("los-angeles-2019")
    det = outcome_of(
        person(conv("187 PC", date=None), conv("11359 HS", date="2005-01-01")), pack, 1
    )
    assert det.step_id == "super-strike"
    assert det.trace[-1].detail == "super strike 187 PC on unknown"


def test_undated_super_strike_is_undecided_by_default(tmp_path: Path) -> None:
    # A pack that does not say `undated = "long_ago"` cannot place an undated super strike:
    # the conviction goes to a person, the reason naming the missing date.
    pack = make_pack(
        tmp_path,
        """
[[steps]]
id = "strike"
predicate = "prior_super_strike"
outcome = "not_eligible"
reason = "strike"
citation = "HS 11361.8(b)(1)"

[[steps]]
id = "rest"
predicate = "always"
outcome = "dismiss"
reason = "otherwise"
""",
    )
    det = outcome_of(
        person(conv("187 PC", date=None), conv("11359 HS", date="2005-01-01")), pack, 1
    )
    assert (det.outcome, det.label, det.step_id, det.citation) == (
        Outcome.REVIEW,
        "Hand Review",
        "strike",
        "HS 11361.8(b)(1)",
    )
    assert det.reason == (
        "Cannot tell (strike): super strike 187 PC on unknown, but the super strike 187 PC"
        " has no date: cannot tell which came first"
    )


def test_leap_day_birthday(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, AGE_PACK)
    record = person(conv("11359 HS"), dob="1960-02-29")
    assert outcome_of(record, pack, at=dt.date(2010, 2, 28)).step_id == "rest"
    assert outcome_of(record, pack, at=dt.date(2010, 3, 1)).step_id == "old"


def test_hand_built_charge_without_code_is_prop64() -> None:
    charge = Charge(raw="11358", code=None, section="11358", flags=(Flag.NO_CODE,))
    record = person(conv(charge=charge))
    dets = determinations(record, load_pack("los-angeles-2019"))
    assert len(dets) == 1 and dets[0].flags == (Flag.NO_CODE,)
    assert pdate(None).value is None


SUGGEST_PACK = """
force_review_flags = []

[[steps]]
id = "felony-priors"
predicate = "several_convictions"
outcome = "review"
reason = "several convictions"
suggest = "next"
suggest_reason = "Past the priors:"

[[steps]]
id = "misdemeanor"
predicate = "not_felony"
outcome = "review"
reason = "misdemeanor"
question = "Was {charge} a sale?"

[[steps]]
id = "old-conviction"
predicate = "convicted_at_least_years_ago"
params = { years = 5, undated = "review" }
outcome = "dismiss"
reason = "{years} years ago"
citation = "Office policy"

[[steps]]
id = "rest"
predicate = "always"
outcome = "review"
reason = "otherwise"
suggest = "dismiss"
suggest_reason = "Dismiss what remains (office policy)"
"""


def test_next_suggests_what_the_later_steps_decide(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, SUGGEST_PACK)
    record = person(conv("11357(B) HS", date="2005-01-01"), conv("459 PC", date="2006-01-01"))
    det = outcome_of(record, pack)
    assert (det.step_id, det.outcome, det.suggested_outcome) == (
        "felony-priors",
        Outcome.REVIEW,
        Outcome.DISMISS,
    )
    assert (
        det.suggested_reason == "Past the priors: 5 years ago (step old-conviction: Office policy)"
    )
    assert [t.step_id for t in det.trace] == ["felony-priors"]  # the trace is the decision's


def test_a_question_is_filled_in_and_suggests_nothing(tmp_path: Path) -> None:
    det = outcome_of(person(conv("11360 HS", felony=False)), make_pack(tmp_path, SUGGEST_PACK))
    assert (det.outcome, det.suggested_outcome, det.suggested_label) == (Outcome.REVIEW, None, "")
    assert det.suggested_reason == "Was 11360 HS a sale?"


def test_a_missing_fact_asks_for_it_and_a_named_outcome_is_kept(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, SUGGEST_PACK)
    undated = outcome_of(person(conv("11357(B) HS", date=None)), pack)
    assert undated.reason.startswith("Cannot tell (old-conviction): ")
    # The pack asks for the date; the statute floor reduces a felony HS 11357 whatever it
    # was (HS 11357(b)(2), 11361.8(e)-(f)), so that is suggested, the question kept beside.
    assert undated.suggested_outcome is Outcome.REDUCE
    assert "The pack asks: What does the court record say where the DOJ file cannot (no " in (
        undated.suggested_reason
    )
    recent = outcome_of(person(conv("11357(B) HS", date="2018-01-01")), pack)
    assert (recent.step_id, recent.suggested_outcome, recent.suggested_label) == (
        "rest",
        Outcome.DISMISS,
        "Eligible for Dismissal",
    )
    assert recent.suggested_reason == "Dismiss what remains (office policy)"
