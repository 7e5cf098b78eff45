"""Loading and checking policy packs: bundled ids, paths, hashes and file:line errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rules.errors import RulesError
from rules.model import Flag, Outcome
from rules.packs import BUNDLED_DIR, check_pack, list_packs, load_pack
from rules.predicates import PREDICATES, Undated

BUNDLED = [
    "california-statute",
    "contra-costa-2019",
    "dismiss-all",
    "gogen",
    "los-angeles-2019",
    "sacramento-2019",
    "san-joaquin-2019",
]

GOOD = """\
id = "my-office"
title = "My office"
version = "2026.1"
county = "YOLO"
compute_at = 2020-07-01

[parameters]
age = 50

# older people
[[steps]]
id = "old"
predicate = "age_at_least"
params = { years = "$age" }
outcome = "dismiss"
reason = "{years} or older"

[[steps]]
id = "rest"
predicate = "always"
outcome = "review"
reason = "otherwise"
"""


def write(tmp_path: Path, text: str, name: str = "pack.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_bundled_packs() -> None:
    packs = list_packs()
    assert [p.id for p in packs] == BUNDLED
    for pack in packs:
        assert pack.title and pack.version and pack.steps
        assert pack.steps[-1].predicate == "always"
        assert pack.source == str(BUNDLED_DIR / f"{pack.id}.toml")
        assert len(pack.content_hash) == 64
        assert check_pack(pack.source) == []
        for step in pack.steps:
            assert step.predicate in PREDICATES
            assert step.outcome in set(Outcome)
    # The CfA-parity packs force no review, to reproduce CfA's outputs; so does the what-if
    # baseline, which dismisses every relevant conviction. The rest force every flag.
    force_none = {
        "gogen",
        "los-angeles-2019",
        "san-joaquin-2019",
        "contra-costa-2019",
        "sacramento-2019",
        "dismiss-all",
    }
    for pack in packs:
        expected = frozenset() if pack.id in force_none else frozenset(Flag)
        assert pack.force_review_flags == expected, pack.id


@pytest.mark.parametrize("pack_id", BUNDLED)
def test_every_step_cites_the_statute_or_says_it_is_policy(pack_id: str) -> None:
    # HS 11361.8(b) is the court's test for a person still serving a sentence, and (b)(1)
    # dangerousness evidence: neither grounds relief on its own. A step with no statute
    # behind it says so.
    plain = ("Office policy", "office policy", "Not a legal rule", "No rule of")
    for step in load_pack(pack_id).steps:
        assert step.citation, (pack_id, step.id)
        assert "HS " in step.citation or step.citation.startswith(plain), (pack_id, step.id)
        assert step.citation not in ("HS 11361.8(b)", "HS 11361.8(b)(1)"), (pack_id, step.id)
        if step.outcome in (Outcome.DISMISS, Outcome.REDUCE) and "11361.8(b)" in step.citation:
            assert "11361.8(a)-(b)" in step.citation, (pack_id, step.id)  # serving only


def test_load_by_path_and_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    pack = load_pack(str(path))
    assert (pack.id, pack.county, pack.compute_at) == ("my-office", "YOLO", dt.date(2020, 7, 1))
    assert pack.parameters == {"age": 50}
    assert pack.steps[0].params == {"years": 50}
    assert pack.steps[0].raw_params == {"years": "$age"}
    assert pack.steps[0].label == "Eligible for Dismissal"  # default label for the outcome
    assert pack.steps[0].line == 11  # its [[steps]] header
    assert pack.relevance == "prop64"
    assert pack.force_review_flags == frozenset(Flag)  # default: every flag forces review


def test_content_hash_follows_the_bytes(tmp_path: Path) -> None:
    a = load_pack(str(write(tmp_path, GOOD, "a.toml")))
    b = load_pack(str(write(tmp_path, GOOD, "b.toml")))
    c = load_pack(str(write(tmp_path, GOOD.replace("age = 50", "age = 55"), "c.toml")))
    assert a.content_hash == b.content_hash != c.content_hash


def test_unknown_pack_id_lists_the_bundled_ones() -> None:
    with pytest.raises(RulesError, match="unknown policy pack 'los-angeles'.*los-angeles-2019"):
        load_pack("los-angeles")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no such policy pack file"):
        load_pack(str(tmp_path / "nope.toml"))
    assert check_pack(tmp_path / "nope.toml")[0].endswith("no such policy pack file")


OLD_REASON, REST = 'reason = "{years} or older"', 'reason = "otherwise"'

# (description, edit to GOOD (old, new), expected line, expected message fragment)
BROKEN = [
    ("toml syntax", ('title = "My office"', "title = My office"), 2, "TOML syntax"),
    ("unknown predicate", ('predicate = "age_at_least"', 'predicate = "age_atleast"'), 13,
     "step 'old': unknown predicate 'age_atleast'"),
    ("wrong parameter type", ('params = { years = "$age" }', 'params = { years = "fifty" }'), 14,
     "step 'old': predicate 'age_at_least': parameter 'years' must be a whole number"),
    ("unknown parameter", ('params = { years = "$age" }', "params = { yeers = 50 }"), 14,
     "predicate 'age_at_least' has no parameter 'yeers'"),
    ("missing parameter", ('params = { years = "$age" }\n', ""), 13,
     "predicate 'age_at_least' needs parameter 'years'"),
    ("unknown reference", ('params = { years = "$age" }', 'params = { years = "$aeg" }'), 14,
     "refers to unknown parameter 'aeg'"),
    ("bad outcome", ('outcome = "dismiss"', 'outcome = "dismissed"'), 15,
     "outcome must be one of dismiss, reduce, not_eligible, review"),
    ("unknown step key", ('reason = "{years} or older"', 'reason = "{years} or older"\nlabl = "x"'),
     17, "step 'old': unknown key 'labl'"),
    ("unknown top key", ('county = "YOLO"', 'county = "YOLO"\ncounty_name = "x"'), 5,
     "unknown key 'county_name'"),
    ("template field", ('reason = "{years} or older"', 'reason = "{yeras} or older"'), 16,
     "reason uses unknown field {yeras}"),
    ("duplicate id", ('id = "rest"', 'id = "old"'), 19, "step 'old': id used twice"),
    ("last step", ('predicate = "always"', 'predicate = "not_felony"'), 20,
     'the last step must use predicate = "always"'),
    ("bad flag", ('county = "YOLO"', 'county = "YOLO"\nforce_review_flags = ["typo"]'), 5,
     "unknown flag 'typo'"),
    ("bad relevance", ('county = "YOLO"', 'county = "YOLO"\nrelevance = "all"'), 5,
     "relevance must be one of prop64, prop64_and_related"),
    ("bad date", ("compute_at = 2020-07-01", 'compute_at = "July"'), 5,
     "compute_at must be a date like 2019-11-11"),
    ("version not text", ('version = "2026.1"', "version = 2026.1"), 3, "'version' must be text"),
    ("bad when", ('id = "old"', 'id = "old"\nwhen = "nothing"'), 13, "'when' must name a parameter"),
    ("bad id", ('id = "my-office"', 'id = "My Office"'), 1, "id must be lower-case"),
    ("suggest on a deciding step", (OLD_REASON, OLD_REASON + '\nsuggest = "reduce"'), 17,
     "step 'old': 'suggest' is only for review steps"),
    ("bad suggest", (REST, REST + '\nsuggest = "maybe"'), 23,
     "suggest must be one of dismiss, reduce, not_eligible, next, floor"),
    ("suggest and question", (REST, REST + '\nsuggest = "floor"\nquestion = "How much?"'), 24,
     "give 'suggest' or 'question', not both"),
    ("suggestion without its reason", (REST, REST + '\nsuggest = "dismiss"'), 23,
     "suggest = \"dismiss\" needs 'suggest_reason'"),
    ("question template", (REST, REST + '\nquestion = "{amount}?"'), 23,
     "question uses unknown field {amount}"),
    ("next after the last step", (REST, REST + '\nsuggest = "next"'), 23,
     'the last step has no "next" to suggest'),
]  # fmt: skip


@pytest.mark.parametrize(("what", "edit", "line", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_problems_name_file_and_line(
    tmp_path: Path, what: str, edit: tuple[str, str], line: int, message: str
) -> None:
    old, new = edit
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    problems = check_pack(path)
    assert problems, what
    assert problems[0].startswith(f"{path}:{line}: "), problems
    assert message in problems[0]
    with pytest.raises(RulesError) as err:
        load_pack(str(path))
    assert str(err.value) == problems[0]


def test_every_bundled_review_step_offers_a_suggestion_or_a_question() -> None:
    # Issue 11: a reviewer is never left with a bare "review"; see rules/suggest.py.
    for pack in list_packs():
        for step in pack.steps:
            if step.outcome is Outcome.REVIEW:
                assert step.suggest or step.question, (pack.id, step.id)


def test_suggestions_are_held_to_the_bundled_floor(tmp_path: Path) -> None:
    assert load_pack("california-statute").floor is None
    office = load_pack(str(write(tmp_path, GOOD)))
    assert office.floor is not None and office.floor.id == "california-statute"
    assert load_pack("los-angeles-2019").floor == office.floor


def test_undated_must_be_one_of_its_readings(tmp_path: Path) -> None:
    # A typo in `undated` is a load error naming the choices, not a silent default.
    old = 'predicate = "age_at_least"\nparams = { years = "$age" }'
    assert old in GOOD
    text = GOOD.replace(
        old, 'predicate = "convicted_at_least_years_ago"\nparams = { years = 5, undated = "no" }'
    )
    path = write(tmp_path, text)
    problems = check_pack(path)
    assert problems and problems[0].startswith(f"{path}:14: "), problems
    assert 'parameter \'undated\' must be one of "review", "long_ago"' in problems[0]


def test_check_reports_every_problem(tmp_path: Path) -> None:
    text = GOOD.replace('predicate = "age_at_least"', 'predicate = "nope"').replace(
        'outcome = "review"', 'outcome = "maybe"'
    )
    problems = check_pack(write(tmp_path, text))
    assert len(problems) == 2
    assert "unknown predicate 'nope'" in problems[0]
    assert "outcome must be one of" in problems[1]


def test_missing_required_keys_and_steps(tmp_path: Path) -> None:
    problems = check_pack(write(tmp_path, 'id = "x"\n'))
    assert any("missing required key 'title'" in p for p in problems)
    assert any("at least one [[steps]]" in p for p in problems)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "pack.toml"
    path.write_bytes(b'id = "\xff"\n')
    assert "not UTF-8" in check_pack(path)[0]


def test_subtable_params_are_located(tmp_path: Path) -> None:
    text = GOOD.replace('params = { years = "$age" }\n', "").replace(
        'reason = "{years} or older"\n',
        'reason = "{years} or older"\n\n[steps.params]\nyears = "x"\n',
    )
    path = write(tmp_path, text)
    problems = check_pack(path)
    assert problems[0].startswith(f"{path}:17: ")  # the [steps.params] header
    assert "parameter 'years' must be a whole number" in problems[0]


def test_every_predicate_is_documented_and_typed() -> None:
    assert len(PREDICATES) >= 20
    for name, spec in PREDICATES.items():
        assert spec.doc, name
        for kind in spec.params.values():
            assert kind in (int, float, bool, str, dt.date, tuple[str, ...], Undated)


def test_packs_steps_and_conditions_are_hashable() -> None:
    packs = list_packs()
    assert len(set(packs)) == len(packs)
    assert {load_pack("gogen"), load_pack("gogen")} == {load_pack("gogen")}
    conditions = {c for p in packs for s in p.steps for c in s.also}
    assert any(c.predicate == "latest_conviction_over_years_ago" for c in conditions)
    assert len({s for p in packs for s in p.steps}) == sum(len(p.steps) for p in packs)
