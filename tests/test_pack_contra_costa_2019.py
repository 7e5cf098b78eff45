"""The `contra-costa-2019` pack, step by step (Prop 64 and related charges)."""

from __future__ import annotations

import pytest
from pack_cases import Coverage, conv, determinations, outcome_of, person, related_flow_cases

from rules.model import Outcome, PersonRecord
from rules.packs import load_pack

PACK = load_pack("contra-costa-2019")
COUNTY = "CONTRA COSTA"
CASES = related_flow_cases(COUNTY)


@pytest.mark.parametrize(("name", "record", "index", "step", "outcome", "label", "reason"), CASES)
def test_each_step(
    name: str,
    record: PersonRecord,
    index: int,
    step: str,
    outcome: Outcome,
    label: str,
    reason: str,
) -> None:
    det = outcome_of(record, PACK, index)
    assert (det.step_id, det.outcome, det.label, det.reason) == (step, outcome, label, reason)


def test_every_step_has_a_matching_and_a_falling_through_case() -> None:
    coverage = Coverage(PACK)
    for _name, record, index, *_ in CASES:
        coverage.add(outcome_of(record, PACK, index))
    assert coverage.missing() == []


def test_pack_county_and_relevance() -> None:
    assert PACK.county == COUNTY
    assert PACK.relevance == "prop64_and_related"
    # A charge that is neither Prop 64 nor related is not classified; neither is another county.
    record = person(conv("459 PC", county=COUNTY), conv("148 PC", county="YOLO"))
    assert determinations(record, PACK) == []


def test_years_are_365_25_days() -> None:
    # 2014-11-11 → 2019-11-11 is 1826 days, 4.9993 years of 365.25 days: not more than 5.
    # One day earlier, 1827 days, is 5.0021 years: more than 5.
    def record(last: str) -> PersonRecord:
        return person(
            conv("11359 HS", date="2005-01-01", county=COUNTY),
            conv("459 PC", date=last, county=COUNTY),
        )

    det = outcome_of(record("2014-11-11"), PACK)
    assert det.step_id == "recent-convictions"
    detail = {t.step_id: t.detail for t in det.trace}["conviction-free"]
    assert detail == "2 conviction(s) on the record; 5.0 years since 2014-11-11 <= 5"
    assert outcome_of(record("2014-11-10"), PACK).step_id == "conviction-free"
