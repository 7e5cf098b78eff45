"""Hostile record text: markup, links, click actions and terminal escapes in names,
charges, comments, reasons and notes must show literally on every screen, act on nothing,
and leave the app running."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_fixtures import Conv, Person
from tui_harness import (  # noqa: F401 - frozen_clock is a fixture
    frozen_clock,
    make_app,
    make_db,
    pilot_test,
    screen_strips,
    settle,
)

from triage import db, review
from triage.tui.app import ReviewApp
from triage.tui.screens.case import CaseScreen
from triage.tui.screens.queue import QueueScreen

pytestmark = pytest.mark.usefixtures("frozen_clock")

CLICK = "[@click=app.quit]x[/]"
BOLD = "[b]BOLD[/b]"
LINK = "[link=https://evil.example]y[/link]"
BROKEN = "[@=="
OSC = "\x1b]0;pwned\x07"
CSI = "\x1b[2J\x1b[31m"
C1 = "\x9b31m"
BIDI = "\u202eREVERSED\u202c"
# Invisible characters that make one name look like another (issue 10).
ZERO_WIDTH = "MOR\u200bGAN\u2060FIELD\u2028\u200d"


def hostile_people() -> list[Person]:
    return [
        Person("H1", f"{BOLD}{CLICK},ANN{OSC}", [
            Conv("001001001000", offense=f"11357 HS {LINK}{CSI}", comment=f"{BROKEN} {C1} {BIDI} {ZERO_WIDTH}",
                 reason=f"Reason {CLICK}", label=f"Label {BOLD}", ofn=f"CR{BROKEN}",
                 flags="charge_in_comment", suggested="dismiss"),
            Conv("002001001000", offense=f"{BOLD}", county=f"CTY{CSI}"),
        ], cii=f"A1{BOLD}", events=[("DECEASED", "20180101")]),
        Person("H2", f"[red]{BIDI}[/red]{ZERO_WIDTH}",
               [Conv("001001001000", reason=BROKEN, comment=ZERO_WIDTH)]),
    ]  # fmt: skip


def screen_text(app: ReviewApp) -> str:
    strips = screen_strips(app)
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def assert_safe(text: str) -> None:
    for bad in ("\x1b", "\x9b", "\x07", "\u202e", "\u202c", "\u200b", "\u2060", "\u2028", "\u200d"):
        assert bad not in text, repr(bad)


@pilot_test
async def test_every_screen_shows_hostile_text_literally(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db", hostile_people())
    conn = db.connect(path)
    review.add_note(conn, "H1", f"note {CLICK} {BOLD}{OSC}", "mallory", key="H1:001001001000")
    conn.close()
    app = make_app(path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        queue = screen_text(app)
        assert_safe(queue)
        assert BOLD in queue and CLICK in queue  # the name, literally
        assert "<U+202E>REVERSED<U+202C>" in queue  # invisible characters are marked
        await pilot.press("enter")
        assert isinstance(app.screen, CaseScreen)
        case = screen_text(app)
        assert_safe(case)
        assert "␛" in case  # escape sequences are neutralised but stay visible
        assert "MOR<U+200B>GAN<U+2060>FIELD<U+2028><U+200D>" in case
        for literal in (
            BOLD,
            CLICK,
            LINK,
            BROKEN,
            f"Reason {CLICK}",
            f"Label {BOLD}",
            f"note {CLICK} {BOLD}",
        ):
            assert literal in case, literal
        await pilot.press("N", *"[b]typed[/b]")  # the note editor
        assert "[b]typed[/b]" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.press("question_mark")
        assert_safe(screen_text(app))
        await pilot.press("escape", "t")
        await settle(pilot)
        stats = screen_text(app)
        assert_safe(stats)
        assert f"Reason {CLICK}" in stats
        await pilot.press("q", "q")  # stats, then case: back to the queue
        await settle(pilot)
        await pilot.press("slash", *CLICK, "enter")  # markup typed into search
        await settle(pilot)
        assert CLICK in screen_text(app)
        assert isinstance(app.screen, QueueScreen)
        assert app.is_running
    conn = db.connect(path)
    notes = [r[0] for r in conn.execute("SELECT text FROM notes ORDER BY id")]
    assert notes[-1] == "[b]typed[/b]"  # stored exactly as typed


@pilot_test
async def test_narrow_terminal_with_hostile_text(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db", hostile_people())
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "j", "k", "d")
        assert_safe(screen_text(app))
        assert app.is_running


@pilot_test
async def test_no_color_every_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    path = make_db(tmp_path / "t.db", hostile_people())
    app = make_app(path)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for keys in (("f",), ("escape", "enter"), ("N",), ("escape", "question_mark"),
                     ("escape", "t")):  # fmt: skip
            await pilot.press(*keys)
            await settle(pilot)
            assert_safe(screen_text(app))
        assert app.is_running
