"""Accepting a not_eligible the pack says or suggests records the grounds its step cites
(issue 11): the citation's subdivisions read back into `triage.grounds` ids, through
`triage decide --decision accept` on the committed sample (real import and classify)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from cli_support import run_cli

from rules.packs import list_packs
from triage import grounds

COMMITTED = Path(__file__).resolve().parents[2] / "sample.db"


@pytest.mark.parametrize(
    ("citation", "expected"),
    [
        # LA's super strike / PC 290 step and its two-priors step.
        ("HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A) (the office may oppose reduction); "
         "office policy: not eligible", ("super-strike-or-290",)),
        ("HS 11358(d)(2), 11359(c)(2), 11360(a)(3)(B) (the office may oppose reduction)",
         ("two-priors",)),
        # A subdivision after a comma continues the section before it.
        ("HS 11357(a)(1), (b)(1), (d), 11358(a); HS 11361.8(e)", ("not-prop64-conduct",)),
        ("HS 11361.8(a), (e): conduct before Prop 64 took effect", ("not-prop64-conduct",)),
        ("HS 11358(d)(3)-(4)", ("environmental",)),  # a range cites both
        ("HS 11359(c)(3); HS 11360(a)(3)(D)", ("minor", "import-export")),
        # What names no criterion of HS 11361.8 implies nothing.
        ("Office policy (no basis in HS 11361.8)", ()),
        ("HS 11358(d)", ()),  # the whole subdivision: which prong?
        ("HS 11357-11360 (graded by age)", ()),
        ("PC 667(e)(2)(C)(iv), (b)(1)", ()),  # another code's subdivisions, continued too
        ("", ()),
    ],
)  # fmt: skip
def test_a_citation_names_the_grounds_of_its_subdivisions(
    citation: str, expected: tuple[str, ...]
) -> None:
    assert grounds.for_citation(citation) == expected


def test_each_ground_is_implied_by_its_own_citation() -> None:
    # The table and the vocabulary agree: a ground's citation reads back to the ground
    # (record-mismatch and other are the reviewer's alone: no step can cite them).
    for ground in grounds.GROUNDS:
        implied = grounds.for_citation(ground.citation)
        assert implied == (() if ground.id in ("record-mismatch", "other") else (ground.id,))


def test_every_bundled_not_eligible_step_implies_a_ground() -> None:
    # A pack author who cites the subdivision gets the grounds filled in; a bundled pack
    # that says not_eligible without one would leave the challenged list to the reason.
    for pack in list_packs():
        for step in pack.steps:
            if step.outcome.value == "not_eligible" or step.suggest == "not_eligible":
                assert grounds.for_citation(step.citation), (pack.id, step.id)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    copy = tmp_path / "sample.db"
    shutil.copyfile(COMMITTED, copy)
    return copy


def _key(path: Path, outcome: str, *, step: str | None = None, suggests: str | None = None) -> str:
    """The first conviction of the sample's run with this outcome (and step, suggestion)."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT key FROM determinations WHERE run_id = (SELECT max(id) FROM runs) "
            "AND outcome = ? AND (? IS NULL OR step_id = ?) "
            "AND (? IS NULL OR suggested_outcome = ?) ORDER BY key LIMIT 1",
            (outcome, step, step, suggests, suggests),
        ).fetchone()
    finally:
        conn.close()
    assert row is not None, (outcome, step, suggests)
    return str(row[0])


def _stored(path: Path, key: str) -> tuple[str, str, str]:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT decision, grounds, suggested FROM decisions WHERE key = ? ORDER BY id DESC",
            (key,),
        ).fetchone()
    finally:
        conn.close()
    return row[0], row[1], row[2]


def _accept(capsys: pytest.CaptureFixture[str], path: Path, key: str, *more: str) -> str:
    code, out, err = run_cli(
        capsys, "decide", key, "--decision", "accept", "--reviewer", "rev", "--db", str(path),
        *more,
    )  # fmt: skip
    assert code == 0, err
    return out


@pytest.mark.parametrize(
    ("step", "ground"),
    [
        ("super-strike", "super-strike-or-290"),
        ("pc290", "super-strike-or-290"),
        ("two-priors", "two-priors"),
        ("after-prop64", "not-prop64-conduct"),
    ],
)
def test_cli_accept_of_a_not_eligible_outcome_records_its_steps_grounds(
    sample: Path, capsys: pytest.CaptureFixture[str], step: str, ground: str
) -> None:
    key = _key(sample, "not_eligible", step=step)
    out = _accept(capsys, sample, key)
    assert _stored(sample, key) == ("not_eligible", ground, "not_eligible")
    assert f"grounds recorded: {ground} (from the pack's step " in out


def test_cli_accept_of_a_suggested_not_eligible_takes_the_floors_step(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # LA sends misdemeanors to a person; the statute floor's step (cited inside the
    # suggestion, e.g. misdemeanor-11359: HS 11359(b)) says it is still a misdemeanor.
    key = _key(sample, "review", suggests="not_eligible")
    out = _accept(capsys, sample, key)
    assert _stored(sample, key) == ("not_eligible", "not-prop64-conduct", "not_eligible")
    assert "grounds recorded: not-prop64-conduct (from the pack's step misdemeanor-" in out


def test_cli_accept_keeps_grounds_given_and_says_what_the_step_cites(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _key(sample, "not_eligible", step="two-priors")
    out = _accept(capsys, sample, key, "--grounds", "record-mismatch")
    assert _stored(sample, key)[1] == "record-mismatch"
    assert "grounds recorded: record-mismatch (as given; the pack's step two-priors cites " in out


def test_cli_accept_of_relief_records_no_grounds(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _key(sample, "review", suggests="reduce")
    out = _accept(capsys, sample, key)
    assert _stored(sample, key) == ("reduce", "", "reduce")
    assert "grounds" not in out
