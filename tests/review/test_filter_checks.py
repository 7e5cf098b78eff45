"""Issue 10: a queue filter naming nothing that exists is refused with the valid choices
(exit 2), in `triage queue` and `triage review --filter`, instead of showing 0 cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from classify_support import add_decision, people_rows, seed
from cli_support import one_line_error, run_cli


@pytest.fixture
def dbpath(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = seed(tmp_path / "t.db", people_rows())
    assert run_cli(capsys, "classify", "--policy", "los-angeles-2019", "--db", str(path))[0] == 0
    add_decision(path, "1001:001002001000", "defer", reviewer="alice")
    return path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--flag", "partial_dbo"), "--flag: 'partial_dbo' matches nothing; review flags, "
                                    "closest first: partial_dob, "),
        (("--county", "LOS ANGLES"), "--county: 'LOS ANGLES' matches nothing; the run's "
                                     "conviction counties, closest first: LOS ANGELES"),
        (("--reason", "Misdemeanour"), "--reason: 'Misdemeanour' matches nothing; the run's "
                                       "reasons (exact text), closest first: Misdemeanor or "),
        (("--decided-by", "alcie"), "--decided-by: 'alcie' matches nothing; reviewers with a "
                                    "current decision, closest first: alice"),
    ],
)  # fmt: skip
def test_queue_refuses_a_value_that_names_nothing(
    capsys: pytest.CaptureFixture[str], dbpath: Path, args: tuple[str, str], expected: str
) -> None:
    code, out, err = run_cli(capsys, "queue", "--db", str(dbpath), *args)
    assert (code, out) == (2, "")
    assert f"triage: {expected}" in one_line_error(err)


@pytest.mark.parametrize(
    ("option", "value", "choices"),
    [
        ("--outcome", "dismissed", "'dismiss', 'reduce', 'not_eligible', 'review', 'any'"),
        ("--decision", "deferred", "'dismiss', 'reduce', 'not_eligible', 'defer'"),
    ],
)
def test_queue_outcome_and_decision_are_typed_choices(
    capsys: pytest.CaptureFixture[str], dbpath: Path, option: str, value: str, choices: str
) -> None:
    # A fixed vocabulary: refused by the option's type before the database is opened.
    code, out, err = run_cli(capsys, "queue", "--db", str(dbpath), option, value)
    assert (code, out) == (2, "")
    assert one_line_error(err) == (
        f"triage queue: Invalid value for '{option}': '{value}' is not one of {choices}. "
        "(see `triage queue --help`)"
    )


def test_queue_accepts_values_that_exist(capsys: pytest.CaptureFixture[str], dbpath: Path) -> None:
    for args in (
        ("--county", "los angeles", "--outcome", "any"),
        ("--flag", "PARTIAL_DATE", "--outcome", "any"),  # flags in any letter case
        ("--reason", "Misdemeanor or Infraction", "--outcome", "any"),
        ("--decided-by", "alice", "--outcome", "any"),
        ("--court-case", "no such court number"),  # a look-up, not a choice: may find nothing
    ):
        code, out, err = run_cli(capsys, "queue", "--db", str(dbpath), *args)
        assert (code, err) == (0, ""), args
        assert out.startswith("run 1: ")


def test_review_filter_is_refused_before_the_app_starts(
    capsys: pytest.CaptureFixture[str], dbpath: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage.tui.app import ReviewApp

    def never(*_args: object, **_kw: object) -> None:
        raise AssertionError("the review app started despite a bad filter")

    monkeypatch.setattr(ReviewApp, "run", never)
    for item, expected in (
        ("flag=partial_dbo", "--filter flag=: 'partial_dbo' matches nothing"),
        ("county=ORANGE", "--filter county=: 'ORANGE' matches nothing; the run's conviction "
                          "counties, closest first: LOS ANGELES"),
        ("colour=red", "--filter 'colour': use FIELD=VALUE"),
        ("decided=maybe", "--filter decided=: use yes, no or any"),
    ):  # fmt: skip
        code, _, err = run_cli(capsys, "review", "--db", str(dbpath), "--filter", item)
        assert code == 2, item
        assert expected in one_line_error(err)


def test_decided_any_in_any_letter_case() -> None:
    from triage.cli.app_cmd import parse_filters

    assert parse_filters(["decided=ANY"]) == {"decided": None}
    assert parse_filters(["decided=No"]) == {"decided": False}
