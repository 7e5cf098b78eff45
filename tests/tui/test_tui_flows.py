"""The review app driven by Pilot: every flow asserts on the database afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_harness import (  # noqa: F401 - frozen_clock is a fixture
    decisions,
    frozen_clock,
    make_app,
    make_db,
    pilot_test,
    settle,
)

from triage import db
from triage.tui.screens.case import CaseScreen
from triage.tui.screens.modals import ConflictScreen, NoteScreen
from triage.tui.screens.queue import QueueScreen
from triage.tui.widgets.keybar import MessageLine
from triage.tui.widgets.queue_view import QueueView
from triage.tui.widgets.text_view import TextView

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _names(app: object) -> list[str]:
    view = app.screen.query_one(QueueView)  # type: ignore[attr-defined]
    return [view.row(i).name for i in range(view.rows_shown)]  # type: ignore[union-attr]


@pilot_test
async def test_decide_moves_to_next_undecided_then_next_case(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _names(app) == ["ADAMS,ANN", "BAKER,BOB", "CARTER,CAL", "EVANS,EVE"]
        await pilot.press("down", "down", "enter")  # CARTER: two review convictions
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen.subject_id == "S3"
        await pilot.press("d")
        assert screen.subject_id == "S3"  # same person first
        assert screen.focused_conviction.key == "S3:001001002000"  # type: ignore[union-attr]
        await pilot.press("r")
        assert screen.subject_id == "S5"  # then the next case in the queue
        await pilot.press("n", "space", "ctrl+s")  # not eligible asks for grounds first
    assert decisions(path) == [
        ("S3:001001001000", "decide", "dismiss", "alice"),
        ("S3:001001002000", "decide", "reduce", "alice"),
        ("S5:001001001000", "decide", "not_eligible", "alice"),
    ]


@pilot_test
async def test_accept_suggestion_defer_and_undo_is_a_new_entry(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path, reviewer="bob")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # ADAMS, suggestion dismiss
        await pilot.press("a")  # accept → dismiss; moves on to BAKER (suggestion reduce)
        assert app.screen.subject_id == "S2"  # type: ignore[attr-defined]
        await pilot.press("enter")  # enter also accepts
        await pilot.press("f")  # CARTER first conviction: defer
        await pilot.press("u")  # undo the defer
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        assert screen.focused_conviction.decision is None  # type: ignore[union-attr]
        await pilot.press("u")  # undo again: BAKER's reduce; the app goes back there
        assert screen.subject_id == "S2"
    assert decisions(path) == [
        ("S1:001001001000", "decide", "dismiss", "bob"),
        ("S2:001001001000", "decide", "reduce", "bob"),
        ("S3:001001001000", "decide", "defer", "bob"),
        ("S3:001001001000", "undo", None, "bob"),
        ("S2:001001001000", "undo", None, "bob"),
    ]


@pilot_test
async def test_note_saved_with_ctrl_s_and_draft_kept_on_escape(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "N")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"call DA", "escape")  # cancel: nothing written, draft kept
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("N")
        await pilot.resize_terminal(100, 30)  # the draft survives a resize
        await pilot.pause()
        assert app.screen.text == "call DA"  # type: ignore[attr-defined]
        await pilot.press(*" first", "ctrl+s")
        assert isinstance(app.screen, CaseScreen)
    conn = db.connect(path)
    rows = conn.execute("SELECT subject_id, key, reviewer, text FROM notes").fetchall()
    assert [tuple(r) for r in rows] == [("S1", "S1:001001001000", "alice", "call DA first")]


@pilot_test
async def test_bulk_marks_decide_all_in_one_batch(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # CARTER
        await pilot.press("space", "space", "d")  # mark both, dismiss both (none flagged)
    conn = db.connect(path)
    rows = conn.execute("SELECT key, decision, batch FROM decisions ORDER BY id").fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("S3:001001001000", "dismiss"),
        ("S3:001001002000", "dismiss"),
    ]
    assert rows[0][2] is not None and rows[0][2] == rows[1][2]


@pilot_test
async def test_conflict_shows_both_values_and_saves_nothing(tmp_path: Path) -> None:
    from triage import identity, review, roles

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        other = db.connect(path)  # a supervisor decides first, inside alice's claim
        roles.grant(other, identity.os_account(), "carol", "supervisor")
        review.decide(other, "S1:001001001000", "not_eligible", "carol", expected_version=0)
        await pilot.press("d")
        assert isinstance(app.screen, ConflictScreen)
        shown = str(app.screen.query("Static").first().render())
        assert "carol" in shown and "not eligible" in shown and "dismiss" in shown
        await pilot.press("enter")
        case = app.screen
        assert isinstance(case, CaseScreen)
        assert case.focused_conviction.decision == "not_eligible"  # type: ignore[union-attr]
    assert [d[2] for d in decisions(path)] == ["not_eligible"]


@pilot_test
async def test_filter_and_search_narrow_the_queue(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"CR30", "enter")  # court number prefix
        await settle(pilot)
        assert _names(app) == ["CARTER,CAL"]
        await pilot.press("slash", "ctrl+u", *"bak", "enter")  # name prefix, any case
        await settle(pilot)
        assert _names(app) == ["BAKER,BOB"]
        await pilot.press("x")  # clear
        await settle(pilot)
        await pilot.press("f")  # the filter form: flag = partial_date
        form = app.screen
        form.query_one("#f-flag").value = "partial_date"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _names(app) == ["BAKER,BOB"]
        assert app.queue_filter.flag == "partial_date"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter", "d", "q")  # decide ADAMS, back to the queue
        await settle(pilot)
        await pilot.press("U")  # undecided only
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert _names(app) == ["BAKER,BOB", "CARTER,CAL", "EVANS,EVE"]
    assert [d[0] for d in decisions(path)] == ["S1:001001001000"]


@pilot_test
async def test_claim_is_taken_on_open_and_released_on_back(tmp_path: Path) -> None:
    from triage import review

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        other = db.connect(path)
        assert review.claim(other, "S1", "carol") is False  # alice holds it
        await pilot.press("q")
        await settle(pilot)
        assert review.claim(other, "S1", "carol") is True


@pilot_test
async def test_remapped_key_decides(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path, keymap={"case.dismiss": "x"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "d")  # d is no longer dismiss
        await pilot.press("x")
    assert decisions(path) == [("S1:001001001000", "decide", "dismiss", "alice")]


@pilot_test
async def test_help_and_stats_screens_open_and_close(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        shown = str(app.screen.query_one("Static").render())
        assert "Dismiss" in shown and "case.dismiss" in shown
        await pilot.press("escape", "t")
        await settle(pilot)
        stats = str(app.screen.query_one("#stats").render())
        assert "Determinations by outcome" in stats and "review" in stats
        await pilot.press("q")
        assert isinstance(app.screen, QueueScreen)


@pilot_test
async def test_queue_bulk_on_marked_cases_and_undo_of_the_batch(tmp_path: Path) -> None:
    from triage.tui.screens.bulk import BulkScreen

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "down", "space")  # mark ADAMS and CARTER
        await pilot.press("b")
        assert isinstance(app.screen, BulkScreen)
        assert app.screen.counts == (3, 2, 0)  # 3 undecided convictions in 2 cases
        assert app.screen.flagged == 1  # ADAMS's is flagged: included only with a second key
        await pilot.press("i", "d")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert not app.screen.query_one(QueueView).marked
        await pilot.press("u")  # undo: the whole batch
        await settle(pilot)
    conn = db.connect(path)
    rows = conn.execute("SELECT key, action, decision, batch FROM decisions ORDER BY id").fetchall()
    decided = [(r[0], r[2]) for r in rows if r[1] == "decide"]
    assert decided == [("S1:001001001000", "dismiss"), ("S3:001001001000", "dismiss"),
                       ("S3:001001002000", "dismiss")]  # fmt: skip
    assert len({r[3] for r in rows if r[1] == "decide"}) == 1  # one batch
    assert sorted(r[0] for r in rows if r[1] == "undo") == [k for k, _ in decided]


@pilot_test
async def test_arrow_and_paging_keys_move_the_cursor(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(QueueView)
        await pilot.press("down", "down")
        assert view.cursor == 2
        await pilot.press("end")
        assert view.cursor == 3
        await pilot.press("home", "pagedown")
        assert view.cursor == 3
        await pilot.press("up", "enter")  # CARTER
        case = app.screen
        assert isinstance(case, CaseScreen) and case.subject_id == "S3"
        await pilot.press("down")
        assert case.cursor == 1
        await pilot.press("up")
        assert case.cursor == 0


@pilot_test
async def test_lease_renewed_only_while_the_reviewer_is_active(tmp_path: Path) -> None:
    import datetime as dt

    from tui_harness import FROZEN

    from triage import review

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        case = app.screen
        assert isinstance(case, CaseScreen)
        first = review.claim_holder(app.conn, "S1")
        db.set_clock(FROZEN + dt.timedelta(minutes=5))
        case._renew_claim()  # keys were pressed: renewed
        renewed = review.claim_holder(app.conn, "S1")
        assert first is not None and renewed is not None and renewed[1] > first[1]
        db.set_clock(FROZEN + dt.timedelta(minutes=10))
        case._renew_claim()  # nothing pressed since: left to lapse
        assert review.claim_holder(app.conn, "S1") == renewed
        db.set_clock(FROZEN + dt.timedelta(minutes=30))  # lapsed; carol takes the case
        assert review.claim(app.conn, "S1", "carol")
        await pilot.press("j")  # alice is back: the screen says who holds it now
        assert not case.holding
        assert "held by carol" in case.query_one("#person", TextView).plain


@pilot_test
async def test_a_failing_page_read_is_shown_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from triage import review

    def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    path = make_db(tmp_path / "t.db")
    monkeypatch.setattr(review, "queue_page", broken)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(QueueView)
        assert view.total == 4 and view.row(0) is None
        strip = view.render_line(0)
        assert "could not read these rows" in "".join(seg.text for seg in strip)
        assert app.is_running


@pilot_test
async def test_a_refused_write_is_reported_and_the_case_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from triage import review

    def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        monkeypatch.setattr(review, "decide", locked)
        await pilot.press("d")
        case = app.screen
        assert isinstance(case, CaseScreen) and case.subject_id == "S1"
        assert "nothing was saved" in case.query_one(MessageLine).text
        assert case.query_one(MessageLine).severity == "error"  # stays until the next key
    assert decisions(path) == []


@pilot_test
async def test_command_palette_runs_screen_commands(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "ctrl+p", *"Not eligible")
        for _ in range(100):  # the palette searches its providers asynchronously
            await pilot.pause(0.05)
            found = app.screen.query("CommandList")
            if found and found.first().option_count:  # type: ignore[attr-defined]
                break
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("space", "ctrl+s")  # the grounds pick-list
        await pilot.pause()
    assert decisions(path) == [("S1:001001001000", "decide", "not_eligible", "alice")]


@pilot_test
async def test_moving_on_skips_a_case_another_reviewer_holds(tmp_path: Path) -> None:
    from triage import review

    path = make_db(tmp_path / "t.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)  # the queue rows were read before carol's claim
        other = db.connect(path)
        assert review.claim(other, "S2", "carol")
        await pilot.press("enter", "d")  # ADAMS decided: BAKER is carol's, so CARTER
        case = app.screen
        assert isinstance(case, CaseScreen) and case.subject_id == "S3"
        for _ in range(100):  # claimed right after it was shown
            await pilot.pause(0.02)
            if case.holding:
                break
        assert case.holding
        assert review.claim_holder(other, "S3")[0] == "alice"  # type: ignore[index]
