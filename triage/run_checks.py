"""Refusing a classification run that would silently empty or gut the review.

A misspelled county ("LOS ANGLES") classifies nothing, and a run that became active anyway
would empty the queue and the court exhibits without an error. So a run is refused, before
it becomes active and without leaving anything behind, when:

- no conviction in the database is in its county (checked before anything is written;
  the message lists the counties present, closest spelling first);
- it classifies no conviction at all (the county is there, but none of its convictions is a
  charge the pack considers);
- it keeps fewer than half of the convictions the active run determined (`LOSS_LIMIT`):
  most of the work in the queue would vanish, which is far more often a wrong `--county` or
  `--policy` than a deliberate choice. `force` (`triage classify --force`) allows it, for
  a supervisor only (as making any run active is).

The what-if comparison never creates a run, so none of this applies to it.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterable

from triage import authority, db
from triage.errors import TriageError

# A new run must keep at least this share of the convictions the active run determined.
LOSS_LIMIT = 0.5
COUNTIES_SHOWN = 10


class RunRefused(TriageError):
    """A run that would mislead: refused before it became active, and removed."""


def _same(a: str, b: str) -> bool:
    # The rules' own comparison (rules.engine): case and surrounding spaces ignored.
    return a.strip().casefold() == b.strip().casefold()


def counties_present(conn: sqlite3.Connection) -> dict[str, int]:
    """Convictions per county name as the database holds them."""
    rows = conn.execute("SELECT county, count(*) FROM convictions GROUP BY county")
    return {str(r[0]): int(r[1]) for r in rows}


def by_closeness(wanted: str, names: Iterable[str]) -> list[str]:
    """`names`, the closest spelling to `wanted` first (case and spaces ignored)."""
    target = wanted.strip().upper()
    return sorted(
        names,
        key=lambda n: (-difflib.SequenceMatcher(None, target, n.strip().upper()).ratio(), n),
    )


def closest_first(wanted: str, counties: dict[str, int]) -> str:
    """`NAME (count)` for the counties present, the closest spelling to `wanted` first,
    at most `COUNTIES_SHOWN` of them."""
    names = by_closeness(wanted, counties)
    shown = ", ".join(
        f"{name.strip() or '(blank)'} ({counties[name]:,})" for name in names[:COUNTIES_SHOWN]
    )
    more = len(names) - COUNTIES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def check_county(conn: sqlite3.Connection, county: str) -> None:
    """Refuse a county no conviction in the database is in (nothing is written yet)."""
    counties = counties_present(conn)
    if not counties:
        raise RunRefused(
            "the database holds no convictions (import a DOJ file with `triage import` first); "
            "nothing was classified"
        )
    if any(_same(name, county) for name in counties):
        return
    raise RunRefused(
        f"no conviction in the database is in county {county.strip()!r}: check --county; "
        f"nothing was classified. Counties present, closest first: "
        f"{closest_first(county, counties)}"
    )


def _count(conn: sqlite3.Connection, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args).fetchone()[0])


def check_new_run(
    conn: sqlite3.Connection, run_id: int, pack_id: str, county: str, *, force: bool,
    actor: str,
) -> None:  # fmt: skip
    """Refuse a run (its determinations written, not yet active) that classified nothing,
    or, unless `force`, that keeps fewer than `LOSS_LIMIT` of the active run's convictions.
    `force` overriding that check needs `actor` to be a supervisor (`RefusedError`)."""
    total = _count(conn, "SELECT count(*) FROM determinations WHERE run_id = ?", run_id)
    if total == 0:
        raise RunRefused(
            f"policy pack {pack_id} classified no conviction in {county.strip()}: none of the "
            "county's convictions is a charge it considers; nothing was activated"
        )
    active = db.active_run_id(conn)
    if active is None:
        return
    before = _count(conn, "SELECT count(*) FROM determinations WHERE run_id = ?", active)
    kept = _count(
        conn,
        "SELECT count(*) FROM determinations a WHERE a.run_id = ? AND EXISTS "
        "(SELECT 1 FROM determinations b WHERE b.run_id = ? AND b.key = a.key)",
        active,
        run_id,
    )
    if not before or kept >= before * LOSS_LIMIT:
        return
    if force:
        authority.require_supervisor(
            conn, actor, "classify --force", f"pack:{pack_id}", extra={"county": county.strip()},
            what="overriding the run checks (--force)",
        )  # fmt: skip
        return
    raise RunRefused(
        f"this run ({pack_id}, {county.strip()}) determines only {kept:,} of the "
        f"{before:,} convictions active run {active} determined (fewer than half): check "
        "--county and --policy; nothing was activated (--force makes it active anyway)"
    )
