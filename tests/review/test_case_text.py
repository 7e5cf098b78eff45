"""The case screen's conviction detail: what a reviewer reads about each flag."""

from __future__ import annotations

import shutil
from pathlib import Path

from triage import db, review
from triage.tui.widgets import case_text

SAMPLE = Path(__file__).resolve().parents[2] / "sample.db"


def test_review_flags_are_explained_in_words(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    shutil.copy(SAMPLE, path)
    conn = db.connect(path)
    run = db.active_run_id(conn)
    assert run is not None
    subject = conn.execute(
        "SELECT subject_id FROM determinations WHERE run_id = ? AND flags LIKE '%partial_dob%'",
        (run,),
    ).fetchone()[0]
    case = review.load_case(conn, subject, run)
    conn.close()
    flagged = [c for c in case.convictions if "partial_dob" in c.flags]
    assert flagged
    shown = case_text.detail(flagged[0]).plain
    assert "⚑ partial_dob  partial date of birth" in shown
