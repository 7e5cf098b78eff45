"""The review app at 80x24 on the sample (issue 11): accepting a not_eligible suggestion
opens the grounds pick-list with the step's grounds picked and the pack's reason shown;
bulk not_eligible takes `other` with one note kept on each conviction; a modal's messages
appear on the modal, not on the screen beneath it."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from tui_harness import frozen_clock, make_app, pilot_test, settle  # noqa: F401

from triage import db, identity
from triage.export.service import Options, run_export
from triage.tui.app import ReviewApp
from triage.tui.screens.bulk import BulkScreen
from triage.tui.screens.case import CaseScreen
from triage.tui.screens.grounds import GroundsScreen
from triage.tui.widgets.keybar import MessageLine

COMMITTED = Path(__file__).resolve().parents[2] / "sample.db"
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    copy = tmp_path / "sample.db"
    shutil.copyfile(COMMITTED, copy)
    return copy


def _first(path: Path, outcome: str, *, step: str | None = None, suggests: str | None = None
           ) -> tuple[str, str]:  # fmt: skip
    """(subject_id, key) of the first conviction with this outcome, step, suggestion."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT subject_id, key FROM determinations WHERE run_id = (SELECT max(id) FROM "
            "runs) AND outcome = ? AND (? IS NULL OR step_id = ?) AND (? IS NULL OR "
            "suggested_outcome = ?) ORDER BY key LIMIT 1",
            (outcome, step, step, suggests, suggests),
        ).fetchone()
    finally:
        conn.close()
    assert row is not None
    return str(row[0]), str(row[1])


def _recorded(path: Path) -> list[tuple[str, str, str, str | None]]:
    """(key, decision, grounds, the linked note's text) of every decision, in order."""
    conn = db.connect(path)
    try:
        return [
            (r[0], r[1], r[2], r[3])
            for r in conn.execute(
                "SELECT d.key, d.decision, d.grounds, n.text FROM decisions d "
                "LEFT JOIN notes n ON n.id = d.note_id ORDER BY d.id"
            )
        ]
    finally:
        conn.close()


def _lines(app: ReviewApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


async def _open(pilot: object, app: ReviewApp, subject_id: str, key: str) -> CaseScreen:
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, CaseScreen)
    screen.open_case(subject_id, 0, focus_key=key)
    await pilot.pause()  # type: ignore[attr-defined]
    assert screen.focused_conviction is not None and screen.focused_conviction.key == key
    return screen


@pilot_test
async def test_accepting_a_suggested_not_eligible_preselects_its_grounds(sample: Path) -> None:
    subject, key = _first(sample, "review", suggests="not_eligible")
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _open(pilot, app, subject, key)
        await pilot.press("enter")  # accept: not_eligible needs its grounds confirmed
        grounds = app.screen
        assert isinstance(grounds, GroundsScreen)
        assert grounds.picked == {"not-prop64-conduct"}  # the floor's step cites HS 11357-60
        drawn = _lines(app)
        assert "The pack says not eligible (step misdemeanor-" in drawn
        assert "[x] The conduct is still an offense" in drawn
        assert _recorded(sample) == []  # nothing until the reviewer confirms
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert _recorded(sample) == [(key, "not_eligible", "not-prop64-conduct", None)]


@pilot_test
async def test_accepting_a_super_strike_not_eligible_preselects_that_ground(
    sample: Path,
) -> None:
    subject, key = _first(sample, "not_eligible", step="super-strike")
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _open(pilot, app, subject, key)
        await pilot.press("enter")
        grounds = app.screen
        assert isinstance(grounds, GroundsScreen) and grounds.picked == {"super-strike-or-290"}
        assert "(step super-strike, HS 11358(d)(1)" in _lines(app)
        await pilot.press("down", "space")  # the reviewer may change the picks
        assert grounds.picked == {"super-strike-or-290", "two-priors"}
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert _recorded(sample) == [(key, "not_eligible", "super-strike-or-290,two-priors", None)]


@pilot_test
async def test_overriding_relief_with_not_eligible_picks_nothing_and_says_so_on_the_modal(
    sample: Path,
) -> None:
    subject, key = _first(sample, "review", suggests="dismiss")
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = await _open(pilot, app, subject, key)
        await pilot.press("n")
        grounds = app.screen
        assert isinstance(grounds, GroundsScreen) and grounds.picked == set()
        assert "The pack says not eligible" not in _lines(app)
        await pilot.press("ctrl+s")  # nothing picked: refused, on the modal's own line
        assert isinstance(app.screen, GroundsScreen)
        assert "pick at least one ground" in grounds.query_one(MessageLine).text
        assert case.query_one(MessageLine).text == ""  # not on the screen beneath
        assert "pick at least one ground" in _lines(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "Cancelled: nothing written." in case.query_one(MessageLine).text
    assert _recorded(sample) == []


@pilot_test
async def test_bulk_not_eligible_takes_other_with_the_note_on_each_conviction(
    sample: Path,
) -> None:
    app = make_app(sample)
    note = "office declines: companion case pending"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "down", "space", "b")
        bulk = app.screen
        assert isinstance(bulk, BulkScreen)
        if bulk.flagged:
            await pilot.press("i")  # include the flagged ones too
        await pilot.press("n")
        grounds = app.screen
        assert isinstance(grounds, GroundsScreen)
        assert f"kept on each of the {bulk.counts[0]}" in _lines(app)
        await pilot.press("end", "space")  # other
        assert grounds.picked == {"other"}
        await pilot.press("ctrl+s")  # other needs the note
        assert isinstance(app.screen, GroundsScreen)
        assert "needs a note" in grounds.query_one(MessageLine).text
        await pilot.press(*note, "enter")
        await settle(pilot)
    recorded = _recorded(sample)
    assert len(recorded) == bulk.counts[0] >= 2
    assert {(d, g, n) for _, d, g, n in recorded} == {("not_eligible", "other", note)}
    conn = db.connect(sample)
    try:  # one note per conviction, each on its conviction, each linked once
        notes = conn.execute(
            "SELECT n.key, count(*) FROM decisions d JOIN notes n ON n.id = d.note_id GROUP BY n.id"
        ).fetchall()
    finally:
        conn.close()
    assert sorted(k for k, _ in notes) == sorted(k for k, *_ in recorded)
    assert {c for _, c in notes} == {1}
    # The challenged list prints the note beside each of them.
    conn = db.connect(sample)
    try:
        run_export(conn, "court", sample.parent / "court", actor=identity.os_account(),
                   options=Options(allow_pending=True))  # fmt: skip
    finally:
        conn.close()
    text = (sample.parent / "court" / "challenged.csv").read_bytes().decode("utf-8-sig")
    listed = {r["Conviction key"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert all(note in listed[k]["Notes"] for k, *_ in recorded)
    assert all(listed[k]["Grounds"].startswith("Reviewer's grounds") for k, *_ in recorded)


@pilot_test
async def test_bulk_of_only_flagged_convictions_says_why_on_the_modal(sample: Path) -> None:
    conn = db.connect(sample)
    try:  # the first queued person whose undecided review convictions are all flagged
        run = db.active_run_id(conn)
        rows = conn.execute(
            "SELECT subject_id FROM determinations WHERE run_id = ? AND outcome = 'review' "
            "GROUP BY subject_id HAVING min(flags != '') = 1 ORDER BY subject_id LIMIT 1",
            (run,),
        ).fetchall()
    finally:
        conn.close()
    if not rows:
        pytest.skip("the sample has no case whose review convictions are all flagged")
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *rows[0][0], "enter")  # search the queue for the case
        await settle(pilot)
        await pilot.press("space", "b")
        bulk = app.screen
        if not isinstance(bulk, BulkScreen):
            pytest.skip("the queue search did not land on one case")
        assert bulk.flagged == bulk.counts[0]
        await pilot.press("d")  # every one is flagged: nothing to do until `i`
        assert isinstance(app.screen, BulkScreen)
        assert "are flagged" in bulk.query_one(MessageLine).text
    assert _recorded(sample) == []
