"""Court exports show the pack's suggestion beside the run's outcome and the reviewer's
decision, and whether the reviewer accepted it; the decisions log says the same; an export
with --allow-pending says in its manifest and README.txt what it leaves out (issue 11).

Everything runs on a copy of the committed sample (real import and classify), through
`triage decide` and `triage export`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pypdf
import pytest
from cli_support import run_cli

from triage import db, review
from triage.export.court import CHALLENGED_COLUMNS

COMMITTED = Path(__file__).resolve().parents[2] / "sample.db"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    copy = tmp_path / "sample.db"
    shutil.copyfile(COMMITTED, copy)
    return copy


def _keys(path: Path, outcome: str, suggests: str | None, n: int = 1) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT key FROM determinations WHERE run_id = (SELECT max(id) FROM runs) "
            "AND outcome = ? AND suggested_outcome IS ? ORDER BY key LIMIT ?",
            (outcome, suggests, n),
        ).fetchall()
    finally:
        conn.close()
    assert len(rows) == n
    return [str(r[0]) for r in rows]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    return out


def _decide(capsys: pytest.CaptureFixture[str], path: Path, key: str, *args: str) -> None:
    _cli(capsys, "decide", key, *args, "--reviewer", "rev.one", "--db", str(path))


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _pdf(path: Path) -> str:
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def decided(sample: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """One conviction per way a reviewer can meet the pack's suggestion."""
    keys = {
        "accepted": _keys(sample, "review", "reduce")[0],
        "overridden": _keys(sample, "review", "dismiss")[0],
        "question": _keys(sample, "review", None)[0],
        "accepted_ne": _keys(sample, "review", "not_eligible")[0],
        "challenged": _keys(sample, "review", "dismiss", 2)[1],
        "confirmed": _keys(sample, "dismiss", None)[0],
    }
    _decide(capsys, sample, keys["accepted"], "--decision", "accept")
    _decide(capsys, sample, keys["overridden"], "--decision", "reduce")
    _decide(capsys, sample, keys["question"], "--decision", "dismiss")
    _decide(capsys, sample, keys["accepted_ne"], "--decision", "accept")
    _decide(capsys, sample, keys["challenged"], "--decision", "not_eligible",
            "--grounds", "other", "--note", "plea bargain struck the 11357 count")  # fmt: skip
    _decide(capsys, sample, keys["confirmed"], "--decision", "dismiss")
    return keys


def _court(capsys: pytest.CaptureFixture[str], path: Path, out: Path, *more: str) -> dict:
    _cli(capsys, "export", "court", "--out", str(out), "--db", str(path), *more)
    manifest: dict = json.loads((out / "manifest.json").read_text())
    return manifest


def test_exhibits_show_the_suggestion_and_whether_it_was_accepted(
    sample: Path, decided: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "court"
    _court(capsys, sample, out, "--allow-pending")
    rows = {r["Conviction key"]: r for f in out.glob("exhibit-*.csv") for r in _rows(f)}

    def shown(key: str) -> tuple[str, str, str, str, str]:
        r = rows[decided[key]]
        return (r["Run outcome"], r["Suggested"], r["Reviewer decision"],
                r["Accepted suggestion"], r["Decided by"].split(" via ")[0])  # fmt: skip

    # Not "review": what the pack suggested, then what the reviewer did with it.
    assert shown("accepted") == ("review", "reduce", "reduce", "yes", "rev.one")
    assert shown("overridden") == ("review", "dismiss", "reduce", "no", "rev.one")
    run, suggested, decision, accepted, _ = shown("question")
    assert (run, decision, accepted) == ("review", "dismiss", "question")
    assert suggested.startswith("question: ") and "?" in suggested
    assert shown("confirmed") == ("dismiss", "dismiss", "dismiss", "yes", "rev.one")
    untouched = [r for r in rows.values() if r["Run outcome"] == "dismiss" and not r["Decided by"]]
    assert untouched and all(
        (r["Suggested"], r["Reviewer decision"], r["Accepted suggestion"]) == ("dismiss", "", "")
        for r in untouched
    )
    pdfs = " ".join(_pdf(f) for f in out.glob("exhibit-*.pdf"))
    # (The decider is "rev.one via <owner>": the test runs as the database's owner.)
    assert re.search(r"suggestion accepted \(rev\.one[^)]*\)", pdfs)
    assert re.search(r"reviewer decision \(rev\.one[^)]*\); suggested dismiss", pdfs)
    assert re.search(r"reviewer decision \(rev\.one[^)]*\); the run asked a question", pdfs)


def test_challenged_list_says_whose_not_eligible_it_is(
    sample: Path, decided: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "court"
    _court(capsys, sample, out, "--allow-pending")
    rows = {r["Conviction key"]: r for r in _rows(out / "challenged.csv")}
    accepted = rows[decided["accepted_ne"]]
    assert (accepted["Run outcome"], accepted["Suggested"], accepted["Accepted suggestion"]) == (
        "review", "not_eligible", "yes",
    )  # fmt: skip
    # Accepting recorded the grounds the floor's step cites: they print with their law.
    assert accepted["Grounds"] == "Reviewer's grounds"
    assert accepted["Reason"].startswith("The conduct is still an offense")
    assert accepted["Citation"] == "HS 11361.8(a), 11361.9(b)"
    challenged = rows[decided["challenged"]]
    assert challenged["Grounds"] == "Reviewer's grounds (the run suggested dismiss)"
    assert (challenged["Suggested"], challenged["Accepted suggestion"]) == ("dismiss", "no")
    assert "plea bargain struck the 11357 count" in challenged["Notes"]
    own = [r for r in rows.values() if r["Run outcome"] == "not_eligible"]
    assert own and all(r["Suggested"] == "not_eligible" for r in own)
    assert all(r["Accepted suggestion"] == "" for r in own if not r["Decided by"])


def test_decisions_log_says_whether_each_decision_accepted_the_suggestion(
    sample: Path, decided: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _cli(capsys, "undo", decided["confirmed"], "--reviewer", "rev.one", "--db", str(sample))
    out = tmp_path / "log"
    _cli(capsys, "export", "decisions", "--out", str(out), "--db", str(sample))
    log = _rows(out / "decisions.csv")
    by_key = {(r["conviction_key"], r["action"]): r for r in log}

    def verdict(name: str, action: str = "decide") -> str:
        return by_key[(decided[name], action)]["accepted_suggestion"]

    assert verdict("accepted") == verdict("accepted_ne") == verdict("confirmed") == "yes"
    assert verdict("overridden") == verdict("challenged") == "no"
    assert verdict("question") == "question"
    assert verdict("confirmed", "undo") == ""  # an undo accepts nothing
    challenged = by_key[(decided["challenged"], "decide")]
    assert challenged["grounds"] == "other" and challenged["note_id"]
    notes = {r["id"]: r["text"] for r in _rows(out / "notes.csv")}
    assert notes[challenged["note_id"]] == "plea bargain struck the 11357 count"
    assert by_key[(decided["accepted_ne"], "decide")]["grounds"] == "not-prop64-conduct"


def test_an_export_with_pending_convictions_says_so_outside_the_csv(
    sample: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "court"
    manifest = _court(capsys, sample, out, "--allow-pending")
    pending = manifest["details"]["pending"]
    assert pending > 1
    statement = (
        f"{pending:,} convictions in the run still under review are not listed in any file "
        "of this export."
    )
    assert manifest["details"]["pending_statement"] == statement
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert statement in readme.splitlines()
    assert "README.txt" in {f["name"] for f in manifest["files"]}
    # The CSV stays a table a program can read: the header is its first line.
    with (out / "challenged.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == list(CHALLENGED_COLUMNS)
    assert f"{pending:,} convictions in the run still under review are not listed" in _pdf(
        out / "challenged.pdf"
    )


def test_an_export_with_nothing_pending_says_that(
    sample: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    conn = db.connect(sample)
    try:
        run = db.active_run_id(conn)
        waiting = review.queue_convictions(conn, run or 0, review.QueueFilter(outcome="review"))
        # One bulk decision, as the review app's `b` records it.
        review.decide_many(conn, [(c.key, c.decision_version) for c in waiting], "dismiss", "r")
    finally:
        conn.close()
    out = tmp_path / "court"
    manifest = _court(capsys, sample, out)
    assert manifest["details"]["pending"] == 0
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "none is still under review" in readme and "still under review are not" not in readme
