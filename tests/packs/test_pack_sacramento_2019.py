"""The `sacramento-2019` pack, step by step."""

from __future__ import annotations

import pytest
from pack_cases import conv, coverage_gaps, determinations, outcome_of, person

from rules.model import Conviction, Outcome, PersonRecord
from rules.packs import load_pack

PACK = load_pack("sacramento-2019")


def c(
    offense: str, *, date: str = "2010-01-01", felony: bool = True, days: float = 0
) -> Conviction:
    return conv(offense, county="SACRAMENTO", date=date, felony=felony, days=days)


CASES = [
    ("after prop 64", person(c("11359 HS", date="2016-11-09")), "after-prop64",
     Outcome.NOT_ELIGIBLE, "Not eligible", "Occurred after 11/09/2016"),
    ("misdemeanor", person(c("11359 HS", felony=False)), "misdemeanor", Outcome.DISMISS,
     "Eligible for Dismissal", "Misdemeanor or Infraction"),
    ("11357(b)", person(c("11357(B) HS")), "11357b", Outcome.DISMISS, "Eligible for Dismissal",
     "HS 11357(b)"),
    ("several, none recent", person(c("11357(C) HS", date="2005-01-01"),
                                    c("459 PC", date="2008-01-01")),
     "conviction-free", Outcome.DISMISS, "Eligible for Dismissal",
     "No convictions in past 10 years"),
    ("several, one recent", person(c("11359 HS", date="2005-01-01"), c("459 PC", date="2016-01-01")),
     "recent-convictions", Outcome.REDUCE, "Eligible for Reduction",
     "Has convictions in past 10 years"),
    ("only one, served", person(c("11359 HS", date="2005-01-01", days=366)), "sentence-completed",
     Outcome.DISMISS, "Eligible for Dismissal", "Sentence Completed"),
    ("only one, serving", person(c("11360 HS", date="2016-01-01", days=5 * 366)), "otherwise",
     Outcome.REDUCE, "Eligible for Reduction", "Sentence not Completed"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "record", "step", "outcome", "label", "reason"), CASES)
def test_each_step(
    name: str, record: PersonRecord, step: str, outcome: Outcome, label: str, reason: str
) -> None:
    det = outcome_of(record, PACK)
    assert (det.step_id, det.outcome, det.label, det.reason) == (step, outcome, label, reason)


def test_every_step_has_a_matching_and_a_falling_through_case() -> None:
    dets = (outcome_of(record, PACK) for _name, record, *_ in CASES)
    assert coverage_gaps(PACK, dets) == []


def test_related_charges_are_not_classified() -> None:
    same_cycle = person(
        conv("11359 HS", county="SACRAMENTO", cnt="001001001000"),
        conv("148 PC", county="SACRAMENTO", cnt="001001002000"),
    )
    assert [d.key for d in determinations(same_cycle, PACK)] == [same_cycle.convictions[0].key]


def test_sentence_ending_on_compute_at_is_not_completed() -> None:
    # Sentence ends 2019-11-11 itself: "ended before compute-at" is false, so reduce.
    record = person(c("11359 HS", date="2019-11-01", days=10))
    assert outcome_of(record, PACK).step_id == "after-prop64"
    record = person(c("11359 HS", date="2016-11-01", days=1105))
    det = outcome_of(record, PACK)
    assert det.step_id == "otherwise"
    assert "sentence ended 2019-11-11 >= 2019-11-11" in [t.detail for t in det.trace]
