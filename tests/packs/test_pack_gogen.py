"""The `gogen` pack (CfA's configurable flow), step by step, and its options reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pack_cases import conv, coverage_gaps, event, outcome_of, person, tried

from rules.errors import RulesError
from rules.model import Conviction, EventKind, Outcome, PersonRecord
from rules.packs import load_pack, pack_from_gogen_options

ALL_ON = {
    "baselineEligibility": {"dismiss": ["11357"], "reduce": ["11360"]},
    "additionalRelief": {
        "subjectUnder21AtConviction": True,
        "subjectAgeThreshold": 57,
        "yearsSinceConvictionThreshold": 10,
        "yearsCrimeFreeThreshold": 5,
        "subjectHasOnlyProp64Charges": True,
        "subjectIsDeceased": True,
    },
}
PACK = pack_from_gogen_options(ALL_ON, county="SACRAMENTO")


def sac(offense: str, *, date: str = "2010-01-01", felony: bool = True) -> Conviction:
    return conv(offense, county="SACRAMENTO", date=date, felony=felony)


BURGLARY_2016 = conv("459 PC", county="SACRAMENTO", date="2016-02-01")

# (name, record, expected step, outcome, reason)
CASES = [
    ("misdemeanor", person(sac("11359 HS", felony=False)), "misdemeanor", Outcome.DISMISS,
     "Misdemeanor or Infraction"),
    ("dismiss list", person(sac("11357(C) HS")), "dismiss-section", Outcome.DISMISS,
     "Dismiss all HS 11357 convictions"),
    ("under 21 at conviction", person(sac("11359 HS", date="1990-06-01"), dob="1970-01-01"),
     "under-21-at-conviction", Outcome.DISMISS, "21 years or younger"),
    ("age threshold", person(sac("11359 HS", date="2015-01-01"), dob="1960-01-01"),
     "age-threshold", Outcome.DISMISS, "57 years or older"),
    ("years since conviction", person(sac("11359 HS", date="2005-01-01"), BURGLARY_2016),
     "years-since-conviction", Outcome.DISMISS, "Conviction occurred 10 or more years ago"),
    ("crime free", person(sac("11359 HS", date="2012-01-01"), conv("459 PC", date="2011-01-01")),
     "crime-free", Outcome.DISMISS, "No convictions in the past 5 years"),
    ("only prop 64", person(sac("11359 HS", date="2016-01-01")), "only-prop64", Outcome.DISMISS,
     "Only has 11357-60 charges"),
    ("deceased", person(sac("11359 HS", date="2016-01-01"), BURGLARY_2016,
                        events=[event(EventKind.DECEASED, "555 PC")]),
     "deceased", Outcome.DISMISS, "Individual is deceased"),
    ("reduce list", person(sac("11360 HS", date="2016-01-01"), BURGLARY_2016), "reduce-section",
     Outcome.REDUCE, "Reduce all HS 11360 convictions"),
    ("otherwise", person(sac("11359 HS", date="2016-01-01"), BURGLARY_2016), "otherwise",
     Outcome.REVIEW, "No applicable eligibility criteria"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "record", "step", "outcome", "reason"), CASES)
def test_each_step(
    name: str, record: PersonRecord, step: str, outcome: Outcome, reason: str
) -> None:
    det = outcome_of(record, PACK)
    assert (det.step_id, det.outcome, det.reason) == (step, outcome, reason)
    assert (
        det.label
        == {
            Outcome.DISMISS: "Eligible for Dismissal",
            Outcome.REDUCE: "Eligible for Reduction",
            Outcome.REVIEW: "Hand Review",
        }[outcome]
    )


def test_every_step_has_a_matching_and_a_falling_through_case() -> None:
    dets = (outcome_of(record, PACK) for _name, record, *_ in CASES)
    assert coverage_gaps(PACK, dets) == []


def test_an_option_that_is_off_never_matches() -> None:
    off = pack_from_gogen_options(
        {**ALL_ON, "additionalRelief": {**ALL_ON["additionalRelief"], "subjectAgeThreshold": 0}},
        county="SACRAMENTO",
    )
    record = person(sac("11359 HS", date="2015-01-01"), BURGLARY_2016, dob="1940-01-01")
    assert outcome_of(record, PACK).step_id == "age-threshold"
    det = outcome_of(record, off)
    assert det.step_id == "otherwise"
    assert tried(det)["age-threshold"] is False
    assert [t.detail for t in det.trace if t.step_id == "age-threshold"] == [
        "off: parameter 'age_threshold' is not set"
    ]


def test_dismiss_list_matches_sections_exactly() -> None:
    # 11357.5 (synthetic cannabinoids) is not 11357; it is not a Prop 64 conviction at all.
    record = person(sac("11357.5 HS"), sac("11357 HS"))
    dets = [outcome_of(record, PACK, i) for i in (1,)]
    assert dets[0].step_id == "dismiss-section"
    with pytest.raises(AssertionError, match="not classified"):
        outcome_of(record, PACK, 0)


def test_subdivision_entries_as_later_gogen_versions_write_them() -> None:
    pack = pack_from_gogen_options(
        {"baselineEligibility": {"dismiss": ["11357(a)", "11357(no-sub-section)"], "reduce": []}},
        county="SACRAMENTO",
    )
    a = outcome_of(person(sac("11357(A) HS")), pack)
    bare = outcome_of(person(sac("11357 HS")), pack)
    c = outcome_of(person(sac("11357(C) HS", date="2016-01-01"), BURGLARY_2016), pack)
    assert a.reason == "Dismiss all HS 11357(a) convictions"
    assert bare.reason == "Dismiss all HS 11357 convictions (when no sub-section is specified)"
    assert c.step_id == "otherwise"


def test_bundled_defaults_are_bears() -> None:
    pack = load_pack("gogen")
    assert pack.parameters["dismiss_sections"] == ("11357", "11358", "11359", "11360")
    assert pack.parameters["years_crime_free"] == 5
    assert pack.force_review_flags == frozenset()


def test_options_file_and_county(tmp_path: Path) -> None:
    path = tmp_path / "opts.json"
    path.write_text(json.dumps(ALL_ON, indent=2))
    pack = pack_from_gogen_options(path, county=" Sacramento ")
    assert pack.county == "Sacramento"
    assert pack.source == str(path)
    assert pack.parameters["age_threshold"] == 57
    assert pack.content_hash == PACK.content_hash  # same options, same pack
    other = pack_from_gogen_options({**ALL_ON, "additionalRelief": {}})
    assert other.content_hash != PACK.content_hash
    assert PACK.source == "<gogen options>"


@pytest.mark.parametrize(
    ("relief", "message"),
    [
        ({"subjectAgeThreshold": 30}, "subjectAgeThreshold should be between 40 and 65, or 0"),
        ({"subjectAgeThreshold": 66}, "between 40 and 65"),
        ({"yearsSinceConvictionThreshold": 16}, "between 1 and 15, or 0"),
        ({"yearsCrimeFreeThreshold": -1}, "between 1 and 15, or 0"),
        ({"subjectIsDeceased": "yes"}, "must be true or false"),
        ({"subjectAgeThreshold": 50.5}, "must be a whole number"),
        ({"subjectAgedThreshold": 50}, "unknown option additionalRelief.subjectAgedThreshold"),
    ],
)
def test_options_validation_names_file_and_line(
    tmp_path: Path, relief: dict[str, object], message: str
) -> None:
    path = tmp_path / "opts.json"
    doc = {"baselineEligibility": {"dismiss": ["11357"], "reduce": []}, "additionalRelief": relief}
    path.write_text(json.dumps(doc, indent=2))
    with pytest.raises(RulesError) as err:
        pack_from_gogen_options(path)
    key = next(iter(relief))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if f'"{key}"' in t)
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("baseline", "message"),
    [
        ({"dismiss": ["11357.5"]}, "'11357.5' is not a Prop 64 section"),
        ({"dismiss": ["11359"], "reduce": ["11359"]}, "in both the dismiss and the reduce list"),
        ({"dismiss": "11357"}, "must be a list of code sections"),
        ({"dismis": ["11357"]}, "unknown option baselineEligibility.dismis"),
    ],
)
def test_baseline_validation(baseline: dict[str, object], message: str) -> None:
    with pytest.raises(RulesError, match="^<gogen options>: ") as err:
        pack_from_gogen_options({"baselineEligibility": baseline})
    assert message in str(err.value)


def test_options_file_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "baselineEligibility": {\n    "dismiss": [11357,\n}\n')
    with pytest.raises(RulesError, match=rf"^{bad}:4: not valid JSON"):
        pack_from_gogen_options(bad)
    with pytest.raises(RulesError, match="no such options file"):
        pack_from_gogen_options(tmp_path / "missing.json")
    arr = tmp_path / "arr.json"
    arr.write_text("[]")
    with pytest.raises(RulesError, match="must be a JSON object"):
        pack_from_gogen_options(arr)


def test_crime_free_boundary_is_strict() -> None:
    # Most recent conviction exactly 5 years before compute-at: not "before" it, no match.
    def record(last: str) -> PersonRecord:
        return person(sac("11359 HS", date="2013-01-01"), conv("459 PC", date=last))

    det = outcome_of(record("2014-11-11"), PACK)
    assert det.step_id == "otherwise"
    assert {t.step_id: t.detail for t in det.trace}["crime-free"] == (
        "most recent conviction 2014-11-11 >= 2014-11-11"
    )
    assert outcome_of(record("2014-11-10"), PACK).step_id == "crime-free"
