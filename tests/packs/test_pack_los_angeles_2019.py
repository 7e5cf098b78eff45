"""The `los-angeles-2019` pack, step by step."""

from __future__ import annotations

import pytest
from pack_cases import (
    StepCase,
    assert_step,
    conv,
    determinations,
    event,
    outcome_of,
    person,
    step_coverage_gaps,
    tried,
)

from rules.model import EventKind, Outcome
from rules.packs import load_pack

PACK = load_pack("los-angeles-2019")
BURGLARY_2008 = conv("459 PC", date="2008-01-01")
BURGLARY_2015 = conv("459 PC", date="2015-01-01")

# (name, record, index of the conviction to check, expected step, outcome, label, reason)
CASES: list[StepCase] = [
    ("misdemeanor", person(conv("11359 HS", felony=False)), 0, "misdemeanor", Outcome.REVIEW,
     "To be reviewed by City Attorneys", "Misdemeanor or Infraction"),
    ("after prop 64", person(conv("11359 HS", date="2016-11-09")), 0, "after-prop64",
     Outcome.NOT_ELIGIBLE, "Not eligible", "Occurred after 11/09/2016"),
    ("11357(b)", person(conv("11357(B) HS")), 0, "11357-ab", Outcome.DISMISS,
     "Eligible for Dismissal", "11357(a) or 11357(b)"),
    ("11357(c)", person(conv("11357(C) HS")), 0, "11357-other", Outcome.REVIEW, "Hand Review",
     "Other 11357"),
    ("super strike", person(conv("220 PC", date="1998-01-01"), conv("11359 HS", date="2005-01-01"),
                            dob="1980-01-01"),
     1, "super-strike", Outcome.NOT_ELIGIBLE, "Not eligible", "PC 667(e)(2)(c)(iv)"),
    ("pc 290 offense", person(conv("266 PC", date="2000-01-01"), conv("11359 HS", date="2005-01-01"),
                              dob="1980-01-01"),
     1, "pc290", Outcome.NOT_ELIGIBLE, "Not eligible", "PC 290"),
    ("two priors", person(conv("11359 HS", date="2000-01-01"), conv("11359 HS", date="2002-01-01"),
                          conv("11359 HS", date="2005-01-01"), dob="1980-01-01"),
     2, "two-priors", Outcome.NOT_ELIGIBLE, "Not eligible", "Two priors"),
    ("50 or older", person(conv("11359 HS", date="2015-01-01"), BURGLARY_2015, dob="1960-01-01"),
     0, "age-50", Outcome.DISMISS, "Eligible for Dismissal", "50 years or older"),
    ("21 or younger", person(conv("11359 HS", date="2015-01-01"), BURGLARY_2015, dob="1998-01-01"),
     0, "age-21", Outcome.DISMISS, "Eligible for Dismissal", "21 years or younger"),
    ("only prop 64, served", person(conv("11359 HS", date="2005-01-01", days=366),
                                    dob="1980-01-01"),
     0, "only-prop64-completed", Outcome.DISMISS, "Eligible for Dismissal",
     "Only has 11357-60 charges and completed sentence"),
    ("conviction free", person(conv("11359 HS", date="2005-01-01"), BURGLARY_2008,
                               dob="1980-01-01"),
     0, "conviction-free", Outcome.DISMISS, "Eligible for Dismissal",
     "No convictions in past 10 years"),
    ("serving", person(conv("11359 HS", date="2005-01-01"),
                       conv("459 PC", date="2015-01-01", days=10 * 366), dob="1980-01-01"),
     0, "serving", Outcome.REVIEW, "Hand Review", "Currently serving sentence"),
    ("deceased", person(conv("11359 HS", date="2005-01-01"), BURGLARY_2015, dob="1980-01-01",
                        events=[event(EventKind.DECEASED)]),
     0, "deceased", Outcome.DISMISS, "Eligible for Dismissal", "Deceased"),
    ("otherwise", person(conv("11359 HS", date="2005-01-01"), BURGLARY_2015, dob="1980-01-01"),
     0, "otherwise", Outcome.REVIEW, "Hand Review", "No applicable eligibility criteria"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_step(case: StepCase) -> None:
    assert_step(PACK, case)


def test_every_step_has_a_matching_and_a_falling_through_case() -> None:
    assert step_coverage_gaps(PACK, CASES) == []


def test_prop64_effective_date_boundary() -> None:
    assert outcome_of(person(conv("11359 HS", date="2016-11-08")), PACK).step_id != "after-prop64"


def test_super_strike_must_come_before_this_conviction() -> None:
    same_day = person(conv("220 PC", date="2005-01-01"), conv("11359 HS", date="2005-01-01"))
    later = person(conv("11359 HS", date="2005-01-01"), conv("220 PC", date="2006-01-01"))
    for record in (same_day, later):
        det = outcome_of(record, PACK, 1 if record is same_day else 0)
        assert tried(det)["super-strike"] is False


def test_gang_pair_in_the_same_court_case_is_a_super_strike() -> None:
    # PC 136.1 with a PC 186.22(b)(4) enhancement in court case 101001: together a super strike.
    record = person(
        conv("136.1 PC", date="2015-02-14", cnt="101001022000"),
        conv("11358 HS", date="2015-05-19", cnt="101001023000"),
        conv("186.22(B)(4) PC", date="2015-10-31", cnt="101001024000"),
        dob="1972-11-27",
    )
    assert outcome_of(record, PACK, 1).step_id == "super-strike"
    apart = person(
        conv("136.1 PC", date="2015-02-14", cnt="101001022000"),
        conv("11358 HS", date="2015-05-19", cnt="101002023000"),
        conv("186.22(B)(4) PC", date="2015-10-31", cnt="101003024000"),
        dob="1972-11-27",
    )
    assert tried(outcome_of(apart, PACK, 1))["super-strike"] is False


def test_pc290_registration_counts_when_earlier() -> None:
    reg = [event(EventKind.REGISTRATION, "290 PC-REGISTRATION OF SEX OFFENDER", date="2001-01-01")]
    record = person(conv("11359 HS", date="2005-01-01"), dob="1980-01-01", events=reg)
    det = outcome_of(record, PACK)
    assert det.step_id == "pc290"
    assert "registration on 2001-01-01" in det.trace[-1].detail
    later = [event(EventKind.REGISTRATION, "290 PC", date="2006-01-01")]
    det = outcome_of(
        person(conv("11359 HS", date="2005-01-01"), dob="1980-01-01", events=later), PACK
    )
    assert tried(det)["pc290"] is False


def test_two_priors_counts_only_earlier_convictions_of_the_same_section() -> None:
    record = person(
        conv("11359 HS", date="2000-01-01"),
        conv("11360 HS", date="2002-01-01"),
        conv("11359 HS", date="2005-01-01"),
        conv("11359 HS", date="2005-01-01"),
        dob="1980-01-01",
    )
    det = outcome_of(record, PACK, 2)
    assert tried(det)["two-priors"] is False
    assert "1 earlier 11359 conviction(s) < 2" in [t.detail for t in det.trace][6]


def test_other_counties_are_not_classified_but_count_as_history() -> None:
    record = person(
        conv("11359 HS", date="2000-01-01", county="YOLO"),
        conv("11359 HS", date="2001-01-01", county="YOLO"),
        conv("11359 HS", date="2005-01-01", county=" los angeles "),
        dob="1980-01-01",
    )
    dets = [d.key for d in determinations(record, PACK)]
    assert dets == [record.convictions[2].key]
    assert outcome_of(record, PACK, 2).step_id == "two-priors"


def test_parity_pack_records_flags_without_forcing_review() -> None:
    record = person(conv("SEE COMMENT FOR CHARGE", comment="11357(B) HS-POSSESS"))
    det = outcome_of(record, PACK)
    assert det.outcome is Outcome.DISMISS
    assert not det.forced_review
    assert "charge_in_comment" in det.flags


def test_conviction_free_boundary_includes_the_day_ten_years_back() -> None:
    # As CfA's LA flow: a conviction exactly 10 years before compute-at is old enough.
    record = person(conv("11359 HS", date="2005-01-01"), conv("459 PC", date="2009-11-11"))
    det = outcome_of(record, PACK)
    assert det.step_id == "conviction-free"
    assert det.trace[-1].detail == "most recent conviction 2009-11-11 <= 2009-11-11"
