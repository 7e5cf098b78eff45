"""The what-if comparison on the statistics screen: the figures are the service's, the pack
list leaves out the run's own pack, escape returns, the key can be remapped, and nothing
is written to the database."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList
from tui_harness import make_app, make_db, pilot_test, settle

from rules.model import PersonRecord
from rules.packs import bundled_ids, load_pack
from triage import db, review
from triage import whatif as whatif_service
from triage.sample_build import build_sample_db
from triage.tui.screens import whatif as whatif_screen
from triage.tui.screens.stats import StatsScreen
from triage.tui.screens.whatif import CHANGES_SHOWN, PackPicker, WhatIfScreen
from triage.whatif import WhatIfReport, compare


def _sample(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    build_sample_db(path, people=150)
    return path


def _fingerprint(path: Path) -> dict[str, int]:
    conn = db.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        # table names come from sqlite_master, not from input
        query = 'SELECT count(*) FROM "{}"'
        return {t: conn.execute(query.format(t)).fetchone()[0] for t in tables}
    finally:
        conn.close()


def _expected(path: Path, pack_b: str) -> WhatIfReport:
    conn = db.connect(path)
    try:
        run = review.current_run(conn)
        assert run is not None
        day = dt.date.fromisoformat(run.compute_at)
        return compare(
            conn, load_pack(run.pack_id), load_pack(pack_b), county=run.county, compute_at=day
        )
    finally:
        conn.close()


async def _open_picker(pilot: Any) -> PackPicker:
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    assert isinstance(pilot.app.screen, StatsScreen)
    await pilot.press("w")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, PackPicker)
    return picker


async def _choose(pilot: Any, picker: PackPicker, pack_id: str) -> WhatIfScreen:
    options = picker.query_one(OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    await pilot.press(*["down"] * ids.index(pack_id), "enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, WhatIfScreen) and screen.pack_b == pack_id
    return screen


async def _result(pilot: Any, screen: WhatIfScreen) -> str:
    for _ in range(1000):
        text = str(screen.query_one("#whatif").render())
        if screen.report is not None or "not computed" in text:
            return text
        await pilot.pause(0.01)
    raise AssertionError("the what-if worker did not finish")


def _row(label: str, a: int, b: int) -> str:
    return rf"{re.escape(label)}\s+{a:,}\s+{b:,}\s+{re.escape(f'{b - a:+,}')}"


@pilot_test
async def test_whatif_shows_the_service_figures_and_writes_nothing(tmp_path: Path) -> None:
    path = _sample(tmp_path)
    before = _fingerprint(path)
    expected = _expected(path, "california-statute")
    assert expected.changes and expected.into_review and expected.out_of_review  # a real diff
    app = make_app(path)
    async with app.run_test(size=(140, 60)) as pilot:
        picker = await _open_picker(pilot)
        options = picker.query_one(OptionList)
        listed = {options.get_option_at_index(i).id for i in range(options.option_count)}
        assert listed == set(bundled_ids()) - {"los-angeles-2019"}  # A is the run's pack
        screen = await _choose(pilot, picker, "california-statute")
        text = await _result(pilot, screen)
        assert screen.report == expected
        assert "los-angeles-2019" in text and "california-statute" in text
        labels = {
            "CountSubjectsNoFelony": "people with no felony left",
            "CountSubjectsNoConvictionLast7Years": "people with no conviction in 7 years",
            "CountSubjectsNoConviction": "people with no conviction at all",
        }
        for key, label in labels.items():
            assert re.search(_row(label, expected.a.impact[key], expected.b.impact[key]), text)
        outcomes = set(expected.a.by_outcome) | set(expected.b.by_outcome)
        for outcome in outcomes:
            a, b = expected.a.by_outcome.get(outcome, 0), expected.b.by_outcome.get(outcome, 0)
            assert re.search(_row(outcome.replace("_", " "), a, b), text), outcome
        assert (
            f"Into review: {expected.into_review:,} · out of review: {expected.out_of_review:,}"
            in text
        )
        assert f"Changed convictions: {len(expected.changes):,}" in text
        first = expected.changes[0]
        assert f"{first.key}  {first.section}  {first.from_outcome} ({first.from_reason})" in text
        shown = [c.key for c in expected.changes[:CHANGES_SHOWN]]
        assert sum(f"{k}  " in text for k in set(shown)) == len(set(shown))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
    assert _fingerprint(path) == before


@pilot_test
async def test_whatif_key_is_remappable_and_in_the_palette(tmp_path: Path) -> None:
    path = _sample(tmp_path)
    before = _fingerprint(path)
    app = make_app(path, keymap={"stats.whatif": "W"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("w")  # the old key no longer opens it
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("W")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PackPicker)
        await pilot.press("escape")  # cancel the list: back to the statistics
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"What-if")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, PackPicker)
        await _choose(pilot, app.screen, "dismiss-all")
        await pilot.press("escape")  # leave at once, computing or not
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await settle(pilot)
        assert not [w for w in app.workers if w.group == "whatif" and w.is_running]
        assert "W" in app.keys_for("stats.whatif")
    assert _fingerprint(path) == before


@pilot_test
async def test_a_run_of_an_unbundled_pack_is_one_clear_line(tmp_path: Path) -> None:
    path = make_db(tmp_path / "t.db")  # the fixture's run is of "test-pack"
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await _open_picker(pilot)
        screen = await _choose(pilot, picker, "dismiss-all")
        text = await _result(pilot, screen)
        assert screen.report is None
        assert "What-if not computed: run 1 used pack 'test-pack', which is not bundled" in text
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)


@pilot_test
async def test_leaving_while_computing_interrupts_the_comparison(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Escape does not wait for the comparison: SQLite's progress handler stops it."""
    path = _sample(tmp_path)
    gate, interrupted = threading.Event(), threading.Event()
    real = whatif_service.iter_people

    def held(conn: sqlite3.Connection) -> Iterator[PersonRecord]:
        # Real records, but the first one waits until the user has left the screen.
        try:
            for n, person in enumerate(real(conn, batch=10)):  # several fetches
                yield person
                if n == 0:
                    gate.wait(10)
        except sqlite3.OperationalError:
            interrupted.set()
            raise

    monkeypatch.setattr(whatif_service, "iter_people", held)
    monkeypatch.setattr(whatif_screen, "_CANCEL_CHECK_STEPS", 50)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _choose(pilot, await _open_picker(pilot), "dismiss-all")
        assert "computing…" in str(screen.query_one("#whatif").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        gate.set()
        assert await asyncio.to_thread(interrupted.wait, 10)
        await settle(pilot)
        assert screen.report is None
