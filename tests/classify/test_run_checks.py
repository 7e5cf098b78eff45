"""Issue 10, "No silent empty or wrong runs": `triage classify` refuses a run that would empty
or gut the review, leaves nothing behind, and `--force` overrides the loss check only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from classify_support import conviction, people_rows, seed
from cli_support import one_line_error, run_cli

from rules.packs import load_pack
from triage import db, identity
from triage.classify import classify_run
from triage.run_checks import RunRefused


@pytest.fixture
def dbpath(tmp_path: Path) -> Path:
    rows = [*people_rows(), conviction("1005", "001001001000", "459 PC-BURGLARY", county="KERN")]
    return seed(tmp_path / "t.db", rows)


def _state(path: Path) -> tuple[int | None, int, int, int, int]:
    """(active run, runs, determinations, queue rows, audit entries)."""
    conn = db.connect(path)
    try:
        counts = [
            int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # noqa: S608
            for t in ("runs", "determinations", "review_cases", "audit")
        ]
        return (db.active_run_id(conn), *counts)  # type: ignore[return-value]
    finally:
        conn.close()


def _classify(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "classify", "--db", str(path), *args)


def test_misspelled_county_is_refused_listing_the_closest_county_first(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    code, _, _ = _classify(capsys, dbpath, "--policy", "los-angeles-2019")
    assert code == 0
    before = _state(dbpath)
    code, out, err = _classify(
        capsys, dbpath, "--policy", "los-angeles-2019", "--county", "LOS ANGLES"
    )
    assert (code, out) == (1, "")
    line = one_line_error(err)
    assert "no conviction in the database is in county 'LOS ANGLES'" in line
    assert "closest first: LOS ANGELES (" in line
    assert line.index("LOS ANGELES") < line.index("KERN") and line.index(
        "LOS ANGELES"
    ) < line.index("SACRAMENTO")
    # Nothing written: the active run, its queue and the audit trail are as they were.
    assert _state(dbpath) == before


def test_empty_database_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = seed(tmp_path / "empty.db", [])
    code, _, err = _classify(capsys, path, "--policy", "los-angeles-2019")
    assert code == 1
    assert "holds no convictions" in one_line_error(err)
    assert _state(path) == (None, 0, 0, 0, 1)  # the import entry only


def test_a_run_that_classifies_nothing_is_refused_and_removed(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    # KERN holds a conviction, but no Prop 64 one: the county check passes, the run is empty.
    code, _, err = _classify(capsys, dbpath, "--policy", "los-angeles-2019", "--county", "kern")
    assert code == 1
    assert "classified no conviction in KERN" in one_line_error(err)
    assert _state(dbpath) == (
        None,
        0,
        0,
        0,
        1,
    )  # the import entry; no unfinished run left for doctor to flag
    code, _, _ = run_cli(capsys, "doctor", "--db", str(dbpath))
    assert code == 0


def test_a_run_losing_most_determinations_needs_force(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    assert _classify(capsys, dbpath, "--policy", "los-angeles-2019")[0] == 0
    before = _state(dbpath)
    assert before[0] == 1 and before[2] == 3
    # The same data for SACRAMENTO keeps none of run 1's three convictions.
    args = ("--policy", "california-statute", "--county", "SACRAMENTO")
    code, _, err = _classify(capsys, dbpath, *args)
    assert code == 1
    line = one_line_error(err)
    assert "determines only 0 of the 3 convictions active run 1 determined" in line
    assert "--force" in line
    assert _state(dbpath) == before
    code, out, err = _classify(capsys, dbpath, *args, "--force")
    assert (code, err) == (0, "")
    assert "run 2 is now the active run" in out
    assert _state(dbpath)[0] == 2


def test_a_run_keeping_the_determinations_needs_no_force(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    assert _classify(capsys, dbpath, "--policy", "los-angeles-2019")[0] == 0
    code, out, err = _classify(capsys, dbpath, "--policy", "california-statute", "--county", "LA")
    assert code == 1  # LA is not how the file spells it
    code, out, err = _classify(
        capsys, dbpath, "--policy", "california-statute", "--county", "los angeles"
    )
    assert (code, err) == (0, "")
    assert _state(dbpath)[0] == 2


def test_keeping_exactly_half_is_allowed(tmp_path: Path) -> None:
    """The limit is "fewer than half": a run keeping exactly half becomes active, one
    keeping fewer is refused and leaves no row behind."""
    rows = [
        conviction("2001", "001001001000", "11357 HS-POSSESS MARIJUANA", county="KERN"),
        # HS 11364 is a "related charge": only the San Joaquin flow considers it.
        conviction("2002", "001001001000", "11364 HS-PARAPHERNALIA", county="KERN"),
        conviction("2003", "001001001000", "11357 HS-POSSESS MARIJUANA", county="ORANGE"),
    ]
    conn = db.connect(seed(tmp_path / "h.db", rows))
    day = dt.date(2019, 11, 11)
    first = classify_run(conn, load_pack("san-joaquin-2019"), county="KERN", compute_at=day,
                         actor=identity.os_account())  # fmt: skip
    assert first.run.convictions == 2
    half = classify_run(conn, load_pack("sacramento-2019"), county="KERN", compute_at=day,
                        actor=identity.os_account())  # fmt: skip
    assert (half.run.convictions, db.active_run_id(conn)) == (1, half.run.id)
    with pytest.raises(RunRefused):
        classify_run(
            conn,
            load_pack("dismiss-all"),
            county="ORANGE",
            compute_at=day,
            actor=identity.os_account(),
        )
    assert [r[0] for r in conn.execute("SELECT id FROM runs")] == [1, 2]
    assert conn.execute("SELECT count(*) FROM determinations WHERE run_id > 2").fetchone()[0] == 0
    assert db.active_run_id(conn) == half.run.id
    conn.close()


def test_whatif_is_not_affected(capsys: pytest.CaptureFixture[str], dbpath: Path) -> None:
    code, out, _ = run_cli(
        capsys, "whatif", "--policy", "dismiss-all", "--policy", "los-angeles-2019",
        "--county", "LOS ANGLES", "--db", str(dbpath),
    )  # fmt: skip
    assert code == 0
    assert "What-if for LOS ANGLES" in out
