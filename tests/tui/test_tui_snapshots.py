"""SVG snapshots of the main screens at 80×24 and 120×40 (the data is a fixed fixture and
the clock is frozen; textual is a version range, so a Textual upgrade that draws
differently needs an update too). Update with `pytest --snapshot-update` after an
intended change, and look at the new SVGs before committing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tui_harness import frozen_clock, make_app, make_db, settle  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen_clock")


async def _open_case(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("down", "down", "enter")
    await pilot.pause()


async def _stats(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_queue(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(make_db(tmp_path / "t.db"))
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_case(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(make_db(tmp_path / "t.db"))
    assert snap_compare(app, terminal_size=size, run_before=_open_case)


def test_stats(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(make_db(tmp_path / "t.db"))
    assert snap_compare(app, terminal_size=(120, 40), run_before=_stats)
