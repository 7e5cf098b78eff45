"""Shared pieces for the review app tests: a small frozen-clock database and helpers that
wait for the app's workers. (Imported by the test_tui_* modules and others that drive the app.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from review_fixtures import Conv, Person, build, new_db
from textual.app import App
from textual.strip import Strip

from triage import db
from triage.tui.app import ReviewApp
from triage.tui.widgets.queue_view import QueueView

FROZEN = dt.datetime(2026, 11, 27, 15, 30, tzinfo=dt.UTC)


def people() -> list[Person]:
    """Four cases to review (one with two review convictions), one with nothing to review."""
    return [
        Person("S1", "ADAMS,ANN", [
            Conv("001001001000", ofn="CR100", suggested="dismiss", reason="Other 11357",
                 comment="SEE 11357(A) HS", flags="charge_in_comment"),
            Conv("002001001000", outcome="dismiss", reason="Misdemeanor", date="20030303"),
        ], cii="A11111111"),
        Person("S2", "BAKER,BOB", [
            Conv("001001001000", reason="Currently serving sentence", date="20120505",
                 ofn="CR200", suggested="reduce", flags="partial_date"),
            Conv("003001001000", outcome=None, offense="459 PC-BURGLARY"),
        ], cii="B22222222", events=[("DECEASED", "20180101")]),
        Person("S3", "CARTER,CAL", [
            Conv("001001001000", date="20050101", county="LOS ANGELES", ofn="CR300"),
            Conv("001001002000", date="20050102", reason="Currently serving sentence",
                 ofn="CR301", suggested="dismiss"),
        ], cii="C33333333"),
        Person("S4", "DAVIS,DEE", [Conv("001001001000", outcome="dismiss",
                                        reason="Misdemeanor")]),
        Person("S5", "EVANS,EVE", [Conv("001001001000", ofn="CR500", sentence=("2", "Y"))],
               cii="E55555555"),
    ]  # fmt: skip


def pilot_test(fn: Callable[..., Coroutine[object, object, None]]) -> Callable[..., None]:
    """Run an async Pilot test on a fresh event loop (no async pytest plugin needed)."""

    @functools.wraps(fn)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(fn(*args, **kwargs))

    return run


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    db.set_clock(FROZEN)
    yield
    db.set_clock(None)


def screen_strips(app: App[Any]) -> list[Strip]:
    """The current screen as drawn, a strip per line, with its styles. Textual 8.2 has no
    public way to read the composited screen (`export_screenshot` gives SVG, coloured by a
    theme), so this is the one place the tests reach into the private compositor."""
    strips: list[Strip] = app.screen._compositor.render_strips()
    return strips


def make_db(path: Path, persons: list[Person] | None = None) -> Path:
    conn = new_db(path)
    build(
        conn,
        persons if persons is not None else people(),
        county="LOS ANGELES",
        compute_at="2019-11-11",
    )
    conn.close()
    return path


def make_app(path: Path, reviewer: str = "alice", **kwargs: object) -> ReviewApp:
    return ReviewApp(path, reviewer, **kwargs)  # type: ignore[arg-type]


async def settle(pilot: object, *, rounds: int = 1000) -> None:
    """Wait until the queue has its count and the visible page, and workers are idle."""
    app = pilot.app  # type: ignore[attr-defined]
    for _ in range(rounds):
        await pilot.pause(0.01)  # type: ignore[attr-defined]
        views = app.screen.query(QueueView)
        busy = any(w.is_running for w in app.workers)
        if not busy and all(not v.busy for v in views):
            await pilot.pause()  # type: ignore[attr-defined]
            return
    raise AssertionError("the app did not settle")


def decisions(path: Path) -> list[tuple[str, str, str | None, str]]:
    """(key, action, decision, reviewer) of every decision entry, in order."""
    conn = db.connect(path)
    try:
        rows = conn.execute(
            "SELECT key, action, decision, reviewer FROM decisions ORDER BY id"
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]
    finally:
        conn.close()
