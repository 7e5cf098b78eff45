"""On the committed sample.db: every review carries a suggestion or a question, no
suggestion gives less relief than the statute floor, and the review app's accept key
records the suggestion (issue 11: "enter accepts the suggestion").

Each test works on a copy (opening may write WAL files; the checkout stays clean).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli
from tui_harness import frozen_clock, make_app, pilot_test, settle  # noqa: F401

from rules.model import Outcome
from rules.packs import load_pack
from rules.suggest import relief_rank
from triage import db, identity, review
from triage.classify import classify_run
from triage.review import QueueFilter
from triage.tui.screens.case import CaseScreen

COMMITTED = Path(__file__).resolve().parents[2] / "sample.db"
pytestmark = [
    pytest.mark.skipif(not COMMITTED.exists(), reason="sample.db has not been built"),
    pytest.mark.usefixtures("frozen_clock"),
]

DECISIONS = ("dismiss", "reduce", "not_eligible")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    copy = tmp_path / "sample.db"
    shutil.copyfile(COMMITTED, copy)
    return copy


def test_every_review_in_the_sample_queue_has_a_suggestion_or_a_question(sample: Path) -> None:
    conn = db.connect(sample)
    try:
        run = db.active_run_id(conn)
        assert run is not None
        reviews = conn.execute(
            "SELECT count(*) FROM determinations WHERE run_id = ? AND outcome = 'review'", (run,)
        ).fetchone()[0]
        items = review.queue_convictions(conn, run, QueueFilter(outcome="review"))
    finally:
        conn.close()
    assert len(items) == reviews > 0  # the queue lists every review conviction
    for item in items:
        if item.suggested_outcome is None:
            assert "?" in item.question, item.key  # no suggestion: the question, asked
        else:
            assert item.suggested_outcome in DECISIONS, item.key
            assert item.suggested_reason and not item.question, item.key
    counts = Counter(i.suggested_outcome for i in items)
    # Most of the queue can be accepted with one key; the rest asks what the file lacks.
    assert counts["dismiss"] and counts["reduce"] and counts[None]
    assert counts[None] < len(items) / 2


def test_no_sample_suggestion_gives_less_relief_than_the_statute_floor(sample: Path) -> None:
    # Classify the same people with the floor (HS 11361.8) and hold each suggestion to it:
    # where the floor decides, the suggestion gives at least as much relief; where it asks,
    # the suggestion is never not_eligible.
    conn = db.connect(sample)
    try:
        office = db.active_run_id(conn)
        summary = classify_run(
            conn, load_pack("california-statute"), county="LOS ANGELES",
            compute_at=dt.date(2019, 11, 11), actor=identity.os_account(),
        )  # fmt: skip
        floor_run = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
        assert summary is not None and floor_run != office
        rows = conn.execute(
            "SELECT o.key, o.suggested_outcome AS s, f.outcome AS fo, "
            "f.suggested_outcome AS fs FROM determinations o "
            "JOIN determinations f ON f.key = o.key AND f.run_id = ? "
            "WHERE o.run_id = ? AND o.outcome = 'review'",
            (floor_run, office),
        ).fetchall()
        reviews = conn.execute(
            "SELECT count(*) FROM determinations WHERE run_id = ? AND outcome = 'review'",
            (office,),
        ).fetchone()[0]
    finally:
        conn.close()
    assert len(rows) == reviews  # the floor judged every one of them

    def rank(value: str | None) -> int:
        return relief_rank(Outcome(value) if value else None)

    harsher = [
        r["key"]
        for r in rows
        if r["s"] is not None and rank(r["s"]) < rank(r["fs"] if r["fo"] == "review" else r["fo"])
    ]
    assert harsher == []


def _decisions(path: Path) -> list[tuple[str, str | None, str | None]]:
    conn = db.connect(path)
    try:
        return [
            (r[0], r[1], r[2])
            for r in conn.execute("SELECT key, decision, suggested FROM decisions ORDER BY id")
        ]
    finally:
        conn.close()


def _audit_suggested(path: Path, key: str) -> str | None:
    conn = db.connect(path)
    try:
        row = conn.execute(
            "SELECT detail FROM audit WHERE target = ? AND action = 'decide' ORDER BY id DESC",
            (key,),
        ).fetchone()
    finally:
        conn.close()
    return json.loads(row[0])["suggested"]


@pilot_test
async def test_enter_accepts_the_suggestion_on_a_sample_case(sample: Path) -> None:
    app = make_app(sample, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # open the first case of the queue
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        focused = screen.focused_conviction
        assert focused is not None and focused.outcome == "review"
        suggested = focused.suggested_outcome
        assert suggested in DECISIONS  # the pack's suggestion, not the review outcome
        await pilot.press("enter")  # accept
        await settle(pilot)
    assert _decisions(sample) == [(focused.key, suggested, suggested)]
    assert _audit_suggested(sample, focused.key) == suggested  # not "review"


@pilot_test
async def test_enter_on_a_question_records_nothing(sample: Path) -> None:
    app = make_app(sample, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(20):  # the first case whose focused conviction asks a question
            await pilot.press("enter")
            await settle(pilot)
            focused = app.screen.focused_conviction  # type: ignore[attr-defined]
            if focused.question:
                break
            await pilot.press("escape", "down")
            await settle(pilot)
        assert focused.suggested_outcome is None and "?" in focused.question
        await pilot.press("enter")  # nothing to accept: a person answers the question
        await settle(pilot)
    assert _decisions(sample) == []


def _first(path: Path, *, question: bool) -> str:
    conn = db.connect(path)
    try:
        run = db.active_run_id(conn)
        items = review.queue_convictions(conn, run or 0, QueueFilter(outcome="review"))
    finally:
        conn.close()
    return next(i.key for i in items if bool(i.question) == question)


def test_cli_accept_records_the_suggestion_and_refuses_a_question(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suggested = _first(sample, question=False)
    code, out, _ = run_cli(
        capsys, "decide", suggested, "--decision", "accept", "--reviewer", "bob",
        "--db", str(sample),
    )  # fmt: skip
    assert code == 0
    (_, decision, recorded), *_ = _decisions(sample)
    assert decision == recorded and decision in DECISIONS and f": {decision} " in out
    asked = _first(sample, question=True)
    code, _, err = run_cli(
        capsys, "decide", asked, "--decision", "accept", "--reviewer", "bob", "--db", str(sample)
    )
    assert code != 0
    assert "no suggestion to accept, the pack asks a question" in one_line_error(err)
    assert len(_decisions(sample)) == 1  # nothing written for the question
    code, out, _ = run_cli(capsys, "history", asked, "--db", str(sample))
    assert code == 0 and "    asks: " in out and "?" in out.split("    asks: ")[1]
