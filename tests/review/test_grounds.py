"""A reviewer's grounds for challenging relief: given at decision time, validated before
anything is written, printed with their citations on the challenged list, and held to the
audit trail by doctor."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli
from exportseed import add_file, add_run, doj_row, new_db

from triage import db, grounds, review
from triage.export import court
from triage.export.bundle import open_bundle
from triage.export.runs import resolve_run
from triage.maintenance import doctor

KEY = "4:004001001000"


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    conn = new_db(path)
    add_file(conn, [
        doj_row(SUBJECT_ID="4", PRI_NAME="DELTA,D", CNT_ORDER="004001001000", OFN="Y1",
                OFFENSE_DESCR="11359 HS-SALE", STP_ORI_CODE="CA0340100",
                STP_ORI_DESCR="SACRAMENTO SUPERIOR COURT"),
        doj_row(SUBJECT_ID="5", PRI_NAME="ECHO,E", CNT_ORDER="005001001000", OFN="Y2",
                OFFENSE_DESCR="11360 HS-SALE", STP_ORI_CODE="CA0340100",
                STP_ORI_DESCR="SACRAMENTO SUPERIOR COURT"),
    ])  # fmt: skip
    add_run(conn, {
        KEY: {"outcome": "review", "section": "11359 HS", "reason": "look"},
        "5:005001001000": {"outcome": "review", "section": "11360 HS", "reason": "look"},
    })  # fmt: skip
    conn.close()
    return path


def _challenged(path: Path, tmp_path: Path) -> dict[str, dict[str, str]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    with open_bundle(tmp_path / "out") as bundle:
        court.export(conn, resolve_run(conn, None), bundle, subtitle="s")
        bundle.commit({})
    conn.close()
    text = (tmp_path / "out" / "challenged.csv").read_bytes().decode("utf-8-sig")
    return {r["Conviction key"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}


def test_grounds_reach_the_challenged_list_with_their_citations(
    dbfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "decide", KEY, "--decision", "not_eligible", "--grounds", "two-priors,minor",
        "--note", "priors in 1999 and 2002", "--reviewer", "rev.two", "--db", str(dbfile),
    )  # fmt: skip
    assert code == 0, err
    conn = sqlite3.connect(dbfile)
    stored, note_id = conn.execute("SELECT grounds, note_id FROM decisions").fetchone()
    note_text = conn.execute("SELECT text FROM notes WHERE id = ?", (note_id,)).fetchone()[0]
    conn.close()
    assert stored == "two-priors,minor" and note_text == "priors in 1999 and 2002"
    # The undecided conviction is not challenged; the reviewer's one prints both grounds.
    row = _challenged(dbfile, tmp_path)[KEY]
    assert row["Grounds"] == "Reviewer's grounds (the run asked a question)"
    assert "Two or more prior convictions under the same section" in row["Reason"]
    assert "Sale, furnishing or offer to a minor" in row["Reason"]
    # HS 11360(a)(3)(B) is 11360's two-priors prong; (C) is the sale to a minor.
    assert row["Citation"] == (
        "HS 11358(d)(2), 11359(c)(2), 11360(a)(3)(B); HS 11359(c)(3), 11360(a)(3)(C)"
    )
    assert "priors in 1999 and 2002" in row["Notes"]


def test_a_challenge_without_grounds_says_so_on_the_list(
    dbfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "decide", KEY, "--decision", "not_eligible", "--reviewer", "r", "--db", str(dbfile)
    )
    assert code == 0, err
    row = _challenged(dbfile, tmp_path)[KEY]
    assert row["Reason"] == "No grounds recorded with the decision; see the notes"
    assert row["Citation"] == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--decision", "not_eligible", "--grounds", "vibes"), "unknown ground 'vibes'"),
        (("--decision", "dismiss", "--grounds", "two-priors"), "give them with not_eligible"),
        (("--decision", "not_eligible", "--grounds", "other"), "say what the ground is"),
    ],
)
def test_bad_grounds_are_refused_before_anything_is_written(
    dbfile: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run_cli(capsys, "decide", KEY, *args, "--reviewer", "r", "--db", str(dbfile))
    assert code == 2 and message in one_line_error(err)
    conn = sqlite3.connect(dbfile)
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    conn.close()


def test_doctor_catches_grounds_edited_in_the_file(dbfile: Path) -> None:
    live = db.connect(dbfile)
    review.decide(live, KEY, "not_eligible", "rev", grounds_text="import-export")
    live.close()

    def decisions_check(path: Path) -> tuple[str, str]:
        found = [c for c in doctor(path).checks if c.name == "decisions vs audit"]
        return found[0].status, found[0].message

    assert decisions_check(dbfile)[0] == "ok"
    raw = sqlite3.connect(dbfile, isolation_level=None)
    raw.execute("DROP TRIGGER decisions_no_update")
    raw.execute("UPDATE decisions SET grounds = 'record-mismatch'")
    raw.close()
    status, message = decisions_check(dbfile)
    assert status == "problem" and "edited" in message and "grounds" in message


def test_the_grounds_command_lists_every_ground(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "grounds")
    assert code == 0
    for g in grounds.GROUNDS:
        assert g.id in out and g.label in out
