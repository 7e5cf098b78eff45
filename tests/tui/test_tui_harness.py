"""The shared review-app fixture database (tests/support/tui_harness.py) is what the TUI tests
assume: four cases in the queue."""

from __future__ import annotations

from pathlib import Path

from tui_harness import frozen_clock, make_db  # noqa: F401 - frozen_clock is a fixture

from triage import db


def test_fixture_database_has_a_review_queue(tmp_path: Path, frozen_clock: None) -> None:  # noqa: F811
    from triage import review

    path = make_db(tmp_path / "t.db")
    conn = db.connect(path)
    run = review.current_run(conn)
    assert run is not None
    assert review.queue_count(conn, run.id, review.QueueFilter()) == 4
