"""Refusing queue filters that can match nothing because they name nothing that exists.

A filter for `flag=partial_dbo` or `county=LOS ANGLES` selects 0 cases, which reads as
"nothing left to review". The command-line filters (`triage queue`, `triage review
--filter`) are checked here against what the run holds, and a value that names nothing is a
usage error listing the valid choices, closest spelling first. The review app's filter form
offers flags, outcomes and decisions as lists and shows the active filter on screen, so it
does not need this.

Checked: outcome, decision and flag (fixed lists); county, reason and decided-by (what the
run's determinations and the current decisions hold). Court number and search are
look-ups of record data, not choices: they may match nothing, and their values are never
listed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from rules.model import Flag
from triage import db
from triage.errors import UsageError
from triage.review.model import QueueFilter
from triage.run_checks import by_closeness

CHOICES_SHOWN = 12

Label = Callable[[str], str]
"""How the command spells a field in its messages (`--flag`, `--filter flag=`)."""


def _refuse(label: Label, field: str, value: str, choices: Iterable[str], what: str) -> None:
    ranked = by_closeness(value, choices)
    if not ranked:
        raise UsageError(f"{label(field)}: {value!r} matches nothing: there are no {what}")
    shown = ", ".join(ranked[:CHOICES_SHOWN])
    more = len(ranked) - CHOICES_SHOWN
    raise UsageError(
        f"{label(field)}: {value!r} matches nothing; {what}, closest first: "
        + shown
        + (f" and {more} more" if more > 0 else "")
    )


def _distinct(conn: sqlite3.Connection, sql: str, *args: object) -> list[str]:
    return [str(r[0]) for r in conn.execute(sql, args)]


def check_filter(conn: sqlite3.Connection, run_id: int, flt: QueueFilter, label: Label) -> None:
    """Refuse (UsageError) a filter value that no conviction of the run could match."""
    if flt.outcome is not None and flt.outcome not in db.OUTCOMES:
        _refuse(label, "outcome", flt.outcome, (*db.OUTCOMES, "any"), "outcomes")
    if flt.decision is not None and flt.decision not in db.DECISIONS:
        _refuse(label, "decision", flt.decision, db.DECISIONS, "decisions")
    if flt.flag is not None and flt.flag.strip().lower() not in {f.value for f in Flag}:
        _refuse(label, "flag", flt.flag, [f.value for f in Flag], "review flags")
    if flt.county is not None:
        counties = _distinct(
            conn, "SELECT DISTINCT county FROM determinations WHERE run_id = ?", run_id
        )
        if flt.county.strip().upper() not in {c.strip().upper() for c in counties}:
            _refuse(label, "county", flt.county, counties, "the run's conviction counties")
    if flt.reason is not None:
        reasons = _distinct(
            conn, "SELECT DISTINCT reason FROM determinations WHERE run_id = ?", run_id
        )
        if flt.reason not in reasons:
            _refuse(label, "reason", flt.reason, reasons, "the run's reasons (exact text)")
    if flt.reviewer is not None:
        reviewers = _distinct(
            conn,
            "SELECT DISTINCT reviewer FROM current_decisions WHERE decision IS NOT NULL "
            "ORDER BY reviewer",
        )
        if flt.reviewer not in reviewers:
            _refuse(label, "reviewer", flt.reviewer, reviewers, "reviewers with a current decision")
