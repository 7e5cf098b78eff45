"""The reviewer's day at 80x24 (issue 11): what the first screenful of a case shows,
every key of every screen in its key bar, the grounds pick-list, the same decision twice,
one message line, unbound keys, NO_COLOR, and the command palette from anywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tui_harness import (  # noqa: F401 - frozen_clock is a fixture
    decisions,
    frozen_clock,
    make_app,
    make_db,
    pilot_test,
    screen_strips,
    settle,
)

from triage import db
from triage.tui import keylabels, scopes
from triage.tui.app import ReviewApp
from triage.tui.screens.case import CaseScreen
from triage.tui.screens.claims import AFTER_PAINT_SECONDS
from triage.tui.screens.grounds import GroundsScreen
from triage.tui.screens.queue import QueueScreen
from triage.tui.widgets.keybar import KeyBar, MessageLine, screen_bindings
from triage.tui.widgets.text_view import TextView

pytestmark = pytest.mark.usefixtures("frozen_clock")

SAMPLE = Path(__file__).resolve().parents[2] / "sample.db"


def visible(view: TextView) -> str:
    """The lines of a pane as drawn (only what fits its height)."""
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


def screen_lines(app: ReviewApp) -> list[str]:
    strips = screen_strips(app)
    return ["".join(seg.text for seg in strip) for strip in strips]


def grounds(path: Path) -> list[tuple[str, str | None, str | None]]:
    conn = db.connect(path)
    try:
        rows = conn.execute(
            "SELECT d.key, d.grounds, n.text FROM decisions d "
            "LEFT JOIN notes n ON n.id = d.note_id ORDER BY d.id"
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]
    finally:
        conn.close()


@pilot_test
async def test_first_screenful_of_a_flagged_case_on_sample_db(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    shutil.copy(SAMPLE, path)
    conn = db.connect(path)
    run = db.active_run_id(conn)
    subject = conn.execute(
        "SELECT subject_id FROM determinations WHERE run_id = ? AND outcome = 'review' "
        "AND flags LIKE '%charge_in_comment%' ORDER BY key LIMIT 1",
        (run,),
    ).fetchone()[0]
    conn.close()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        queue._open(subject, 0)
        await pilot.pause()
        case = app.screen
        assert isinstance(case, CaseScreen)
        c = case.focused_conviction
        assert c is not None and "charge_in_comment" in c.flags
        first = visible(case.query_one("#detail-box", TextView))
        assert "Reason    " + c.reason in first
        assert "Suggests  " in first  # the suggestion, or why there is none
        if c.suggested_outcome is None:
            assert "no suggestion: " in first
        assert "⚑ charge_in_comment  COMMENT_TEXT │" in first  # the flag and its evidence
        body = case.query_one("#detail-box", TextView)
        assert "charge only in the comment" in body.plain  # what it means, further down
        assert "Charge    " in first
        assert "Rule trace:" not in first or "w shows them" in first
        # The trace is folded; w shows it, and the next conviction starts at the top.
        assert "✓ " not in body.plain
        await pilot.press("w")
        assert "Rule trace (w folds it)" in body.plain
        await pilot.press("pagedown")
        assert body.scroll_y > 0
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert body.scroll_y == 0


@pilot_test
async def test_key_bar_shows_every_key_of_each_screen_at_80_and_full_text_at_120(
    tmp_path: Path,
) -> None:
    path = make_db(tmp_path / "t.db")
    for width in (80, 120):
        app = make_app(path)
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(pilot)
            for keys in ((), ("enter",), ("t",)):
                await pilot.press(*keys)
                await settle(pilot)
                bar = app.screen.query_one(KeyBar)
                shown = str(bar.render())
                lines = shown.split("\n")
                assert len(lines) <= bar.size.height  # nothing cut off
                assert all(len(line) <= width for line in lines)
                for b in screen_bindings(app.screen) + screen_bindings(app):
                    assert app.key_for(str(b.id)) in shown, (width, b.id)
                    if width >= 120:
                        assert b.description in shown, b.id
                    elif str(b.id) not in keylabels.PAIRED:
                        assert keylabels.short(str(b.id), b.description) in shown, b.id
            await pilot.press("escape")


def test_every_binding_has_an_id_a_description_and_a_short_label() -> None:
    for app_bindings in [ReviewApp.BINDINGS] + [
        s.BINDINGS  # type: ignore[attr-defined]
        for s in scopes.screens()
    ]:
        for b in app_bindings:
            assert getattr(b, "id", None), b
            assert getattr(b, "description", ""), b
    for binding_id in ReviewApp.collect_bindings():
        assert binding_id in keylabels.SHORT, binding_id


@pilot_test
async def test_not_eligible_asks_for_grounds_and_writes_them(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "n")  # ADAMS
        assert isinstance(app.screen, GroundsScreen)
        await pilot.press("escape")  # cancels: nothing written
        assert isinstance(app.screen, CaseScreen)
        assert decisions(path) == []
        await pilot.press("n")
        await pilot.press("ctrl+s")  # nothing picked: refused, stays open
        assert isinstance(app.screen, GroundsScreen)
        await pilot.press("down", "space", "end", "space")  # super strike + other
        await pilot.press("ctrl+s")  # other needs a note
        assert isinstance(app.screen, GroundsScreen)
        await pilot.press(*"see docket")
        await pilot.press("enter")
        assert isinstance(app.screen, CaseScreen)
    assert grounds(path) == [("S1:001001001000", "super-strike-or-290,other", "see docket")]


@pilot_test
async def test_same_decision_again_is_a_no_op_with_a_message(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "d")  # ADAMS dismissed; on to BAKER
        await pilot.pause(AFTER_PAINT_SECONDS * 3)  # its message, shown once BAKER is drawn
        await pilot.press("left_square_bracket")  # back to ADAMS
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen.subject_id == "S1"
        screen.open_case("S1", 0, focus_key="S1:001001001000")
        await pilot.pause()
        await pilot.press("d")
        message = screen.query_one(MessageLine)
        assert "Already dismiss" in message.text
    assert decisions(path) == [("S1:001001001000", "decide", "dismiss", "alice")]


@pilot_test
async def test_one_message_line_and_unbound_keys(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("z")
        line = app.screen.query_one(MessageLine)
        assert line.text == "z: no such key here; ? for keys"
        app.notify("first")
        app.notify("second", severity="error")
        assert line.text == "second" and line.severity == "error"
        assert not app._notifications  # no toasts piled up
        assert any("✗ second" in row for row in screen_lines(app))
        await pilot.press("j")  # any key clears an error
        assert line.text == ""


@pilot_test
async def test_no_color_writes_no_colour(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for keys in ((), ("enter",), ("n",), ("escape", "question_mark")):
            await pilot.press(*keys)
            await settle(pilot)
            strips = screen_strips(app)
            styled = [s.style for strip in strips for s in strip if s.style is not None]
            assert styled
            assert all(s.color is None and s.bgcolor is None for s in styled), keys
            ansi = "".join(s.style.render("x") for s in [*strip_segments(strips)] if s.style)
            assert "38;" not in ansi and "48;" not in ansi


def strip_segments(strips: list) -> list:  # type: ignore[type-arg]
    return [seg for strip in strips for seg in strip]


@pilot_test
async def test_command_palette_reaches_every_action_from_the_queue(tmp_path: Path) -> None:
    from triage.tui.commands import ROUTABLE, TriageCommands

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        commands = {title: run for title, _h, run in TriageCommands(app.screen)._commands()}
        for binding_id, b in ReviewApp.collect_bindings().items():
            scope = binding_id.split(".", 1)[0]
            if scope in ROUTABLE:
                wanted = b.description if scope in ("queue", "app") else None
                assert wanted in commands or f"{scope.capitalize()}: {b.description}" in commands
        commands["Case: Dismiss"]()  # opens the case under the cursor, then dismisses
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        commands = {title: run for title, _h, run in TriageCommands(app.screen)._commands()}
        commands["Queue: Sort"]()  # from the case: back to the queue, then sort
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and app.screen.sort != "name"
    assert decisions(path) == [("S1:001001001000", "decide", "dismiss", "alice")]


@pilot_test
async def test_bulk_leaves_flagged_out_unless_confirmed(tmp_path: Path) -> None:
    from triage.tui.screens.bulk import BulkScreen

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "down", "space", "b")  # ADAMS (flagged) and CARTER
        bulk = app.screen
        assert isinstance(bulk, BulkScreen) and bulk.flagged == 1
        assert "1 of them are flagged and left out" in str(bulk.query_one("#bulk-body").render())
        await pilot.press("d")
        await settle(pilot)
    assert [d[0] for d in decisions(path)] == ["S3:001001001000", "S3:001001002000"]


@pilot_test
async def test_case_marks_with_a_flagged_conviction_need_a_second_press(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # ADAMS: one flagged review conviction
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        screen.marked.update(c.key for c in screen.case.convictions if c.outcome)  # type: ignore[union-attr]
        await pilot.press("d")
        assert decisions(path) == []
        assert "are flagged" in screen.query_one(MessageLine).text
        await pilot.press("d")
    assert len(decisions(path)) == 2


@pilot_test
async def test_filter_sort_and_last_case_are_saved_per_reviewer(tmp_path: Path) -> None:
    from triage.review import reviewer_state

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s", "U")  # sort by SUBJECT_ID, undecided only
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # CARTER
        await pilot.pause(AFTER_PAINT_SECONDS * 3)
        assert isinstance(app.screen, CaseScreen)
    conn = db.connect(path)
    state = reviewer_state.load_state(conn, "alice")
    assert (state.sort, state.queue_filter.decided, state.last_subject) == (
        "subject_id",
        False,
        "S3",
    )
    assert reviewer_state.load_state(conn, "bob") == reviewer_state.ReviewerState()
    assert conn.execute("SELECT count(*) FROM audit WHERE target = 'alice'").fetchone()[0] == 0
    conn.close()
    again = make_app(path)  # alice comes back: same sort and filter, on CARTER's case
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause(AFTER_PAINT_SECONDS * 3)
        screen = again.screen
        assert isinstance(screen, CaseScreen) and screen.subject_id == "S3"
        await pilot.press("q")
        queue = again.screen
        assert isinstance(queue, QueueScreen)
        assert (queue.sort, again.queue_filter.decided) == ("subject_id", False)


def test_a_damaged_saved_state_is_ignored(tmp_path: Path) -> None:
    from triage.review import reviewer_state

    path = make_db(tmp_path / "t.db")
    conn = db.connect(path)
    with db.write(conn):
        conn.execute(
            "INSERT INTO reviewer_state VALUES ('alice', ?, '2026-01-01')",
            ('{"filter": {"outcome": "pardon", "bogus": 1}, "sort": "shoe size"}',),
        )
    assert reviewer_state.load_state(conn, "alice") == reviewer_state.ReviewerState()
    conn.close()


@pilot_test
async def test_queue_at_80_has_column_titles_full_flag_names_and_the_pack(tmp_path: Path) -> None:
    from triage import review

    path = make_db(tmp_path / "t.db")
    conn = db.connect(path)
    review.claim(conn, "S2", "bob")  # BAKER: flagged and held by someone else
    conn.close()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_lines(app)
        assert "test-pack v1 · at 2019-11-11" in lines[0]
        titles = next(line for line in lines if line.startswith(" Name"))
        for title in ("DOB", "To do", "Reason", "Flags"):
            assert title in titles
        adams = next(line for line in lines if "ADAMS,ANN" in line)
        assert "⚑charge_in_comment" in adams
        baker = next(line for line in lines if "BAKER,BOB" in line)
        assert "⚑partial_date" in baker and "⟂bob" in baker
        assert all(len(line) <= 80 for line in lines)


@pilot_test
async def test_enter_accepts_the_suggestion_on_sample_db(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    shutil.copy(SAMPLE, path)
    conn = db.connect(path)
    run = db.active_run_id(conn)
    key, suggested = conn.execute(
        "SELECT key, suggested_outcome FROM determinations WHERE run_id = ? "
        "AND outcome = 'review' AND suggested_outcome IN ('dismiss', 'reduce') "
        "ORDER BY key LIMIT 1",
        (run,),
    ).fetchone()
    conn.close()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        queue._open(key.split(":")[0], 0)
        await pilot.pause()
        case = app.screen
        assert isinstance(case, CaseScreen)
        case.open_case(case.subject_id, 0, focus_key=key)
        await pilot.pause()
        shown = visible(case.query_one("#detail-box", TextView))
        assert "Suggests  " + suggested in shown
        await pilot.press("enter")
    assert decisions(path) == [(key, "decide", suggested, "alice")]
