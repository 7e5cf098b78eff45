"""The `california-statute` pack (HS 11361.8 floor), step by step."""

from __future__ import annotations

import pytest
from pack_cases import conv, coverage_gaps, determinations, event, outcome_of, person

from rules.model import EventKind, Flag, Outcome, PersonRecord
from rules.packs import load_pack

PACK = load_pack("california-statute")

CASES = [
    ("after prop 64", person(conv("11359 HS", date="2017-01-01")), 0, "after-prop64",
     Outcome.NOT_ELIGIBLE, "Occurred after 11/09/2016"),
    ("misdemeanor, no conviction date", person(conv("11357(B) HS", felony=False, date=None)), 0,
     "misdemeanor-age-unknown", Outcome.REVIEW,
     "Misdemeanor or Infraction: age at conviction unknown"),
    ("misdemeanor, adult", person(conv("11357(B) HS", felony=False, date="2000-01-01"),
                                  dob="1970-01-01"),
     0, "misdemeanor-adult", Outcome.DISMISS, "Misdemeanor or Infraction, 21 or older at conviction"),
    ("misdemeanor, under 21", person(conv("11357(B) HS", felony=False, date="2000-01-01"),
                                     dob="1985-01-01"),
     0, "misdemeanor-under-21", Outcome.REDUCE,
     "Misdemeanor or Infraction, under 21 at conviction: redesignate as an infraction"),
    ("felony 11357", person(conv("11357(C) HS")), 0, "felony-11357", Outcome.REDUCE,
     "Felony HS 11357: reduce to a misdemeanor"),
    ("super strike", person(conv("187 PC", date="1990-01-01"), conv("11359 HS", date="2000-01-01")),
     1, "super-strike", Outcome.REVIEW,
     "Prior super strike (PC 667(e)(2)(C)(iv)): decide whether to contest reduction"),
    ("pc 290", person(conv("11360 HS", date="2000-01-01"),
                      events=[event(EventKind.REGISTRATION, "290 PC", date="1995-01-01")]),
     0, "pc290", Outcome.REVIEW,
     "Prior PC 290 offense or registration: decide whether to contest reduction"),
    ("two priors", person(conv("11358 HS", date="1990-01-01"), conv("11358 HS", date="1995-01-01"),
                          conv("11358 HS", date="2000-01-01")),
     2, "two-priors", Outcome.REVIEW,
     "Two prior HS 11358 convictions: decide whether to contest reduction"),
    ("felony 11358", person(conv("11358 HS", date="1995-01-01"), conv("11358 HS", date="2000-01-01")),
     1, "felony-reduce", Outcome.REDUCE, "Felony HS 11358: reduce to a misdemeanor"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "record", "index", "step", "outcome", "reason"), CASES)
def test_each_step(
    name: str, record: PersonRecord, index: int, step: str, outcome: Outcome, reason: str
) -> None:
    det = outcome_of(record, PACK, index, county="LOS ANGELES")
    assert (det.step_id, det.outcome, det.reason) == (step, outcome, reason)
    assert det.citation.startswith("HS ")  # every step cites the statute


def test_every_step_has_a_matching_and_a_falling_through_case() -> None:
    dets = (
        outcome_of(record, PACK, index, county="LOS ANGELES") for _n, record, index, *_ in CASES
    )
    # `otherwise` is a safety net: the steps above cover every Prop 64 conviction (misdemeanor:
    # age unknown / 21+ / under 21; felony: 11357 / 11358-11360), so no case can reach it,
    # and nothing can fall through `felony-reduce`.
    assert coverage_gaps(PACK, dets) == [
        "felony-reduce: no case falls through it",
        "otherwise: no case matches it",
    ]


def test_missing_dob_on_a_misdemeanor_goes_to_review() -> None:
    record = person(conv("11357(B) HS", felony=False, flags=(Flag.MISSING_DOB,)), dob=None)
    det = outcome_of(record, PACK, county="LOS ANGELES")
    assert det.outcome is Outcome.REVIEW
    assert det.suggested_reason == "Misdemeanor or Infraction: age at conviction unknown"


def test_every_flag_forces_review_with_the_suggestion_kept() -> None:
    record = person(conv("SEE COMMENT FOR CHARGE", comment="11358 HS-CULTIVATE"))
    det = outcome_of(record, PACK, county="LOS ANGELES")
    assert det.forced_review
    assert det.outcome is Outcome.REVIEW
    assert det.suggested_outcome is Outcome.REDUCE
    assert det.suggested_reason == "Felony HS 11358: reduce to a misdemeanor"
    assert det.reason == "Review the record: charge only in the comment"


def test_never_harsher_than_dismiss_all_for_pre_2016_misdemeanors() -> None:
    # The floor never says not_eligible for a conviction before Prop 64 took effect.
    record = person(
        conv("11357(B) HS", felony=False, date="2000-01-01"),
        conv("11359 HS", date="2001-01-01"),
        conv("11360 HS", date="2002-01-01"),
        dob="1970-01-01",
    )
    dets = determinations(record, PACK, county="LOS ANGELES")
    assert {d.outcome for d in dets} <= {Outcome.DISMISS, Outcome.REDUCE, Outcome.REVIEW}
