"""The `san-joaquin-2019` and `contra-costa-2019` packs, step by step: one flow (Prop 64 and
related charges), two counties, so every test runs against each pack."""

from __future__ import annotations

import pytest
from pack_cases import (
    StepCase,
    assert_step,
    conv,
    determinations,
    outcome_of,
    person,
    related_flow_cases,
    step_coverage_gaps,
)

from rules.model import PersonRecord
from rules.packs import Pack, load_pack

COUNTIES = {"san-joaquin-2019": "SAN JOAQUIN", "contra-costa-2019": "CONTRA COSTA"}
PACKS = {pack_id: load_pack(pack_id) for pack_id in COUNTIES}
STEP_CASES = [
    pytest.param(pack_id, case, id=f"{pack_id}-{case[0]}")
    for pack_id, county in COUNTIES.items()
    for case in related_flow_cases(county)
]


@pytest.fixture(params=list(COUNTIES))
def pack(request: pytest.FixtureRequest) -> Pack:
    return PACKS[request.param]


@pytest.mark.parametrize(("pack_id", "case"), STEP_CASES)
def test_each_step(pack_id: str, case: StepCase) -> None:
    assert_step(PACKS[pack_id], case)


def test_every_step_has_a_matching_and_a_falling_through_case(pack: Pack) -> None:
    assert step_coverage_gaps(pack, related_flow_cases(COUNTIES[pack.id])) == []


def test_pack_county_and_relevance(pack: Pack) -> None:
    county = COUNTIES[pack.id]
    assert pack.county == county
    assert pack.relevance == "prop64_and_related"
    # A charge that is neither Prop 64 nor related is not classified; neither is another county.
    record = person(conv("459 PC", county=county), conv("148 PC", county="YOLO"))
    assert determinations(record, pack) == []


def test_years_are_365_25_days(pack: Pack) -> None:
    # 2014-11-11 → 2019-11-11 is 1826 days, 4.9993 years of 365.25 days: not more than 5.
    # One day earlier, 1827 days, is 5.0021 years: more than 5.
    def record(last: str) -> PersonRecord:
        return person(
            conv("11359 HS", date="2005-01-01", county=COUNTIES[pack.id]),
            conv("459 PC", date=last, county=COUNTIES[pack.id]),
        )

    det = outcome_of(record("2014-11-11"), pack)
    assert det.step_id == "recent-convictions"
    detail = {t.step_id: t.detail for t in det.trace}["conviction-free"]
    assert detail == "2 conviction(s) on the record; 5.0 years since 2014-11-11 <= 5"
    assert outcome_of(record("2014-11-10"), pack).step_id == "conviction-free"
