"""The review queue: which cases a filter selects, paged and counted over an index.

A case is a person with at least one conviction in the run that matches the filter. The
per-person aggregates live in the derived `review_cases` table (built by `triage.review.cases_table`),
one row per run, outcome ('*' for any outcome) and person, so a page is an index range
and a count is an index scan, never a GROUP BY over every determination.

Filters and sorts map to fixed SQL fragments; user text only ever reaches SQL as a bound
parameter.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from triage import db
from triage.errors import UsageError
from triage.review.cases_table import ANY_OUTCOME, ensure_cases
from triage.review.model import SORT_KEYS, CaseRow, ConvictionItem, QueueFilter

_SORT_COLUMNS = {
    "name": "rc.name",
    "subject_id": "rc.subject_id",
    "conviction_date": "rc.first_date",
    "reason": "rc.reason",
    "county": "rc.county",
    "pending": "rc.pending",
}
assert set(_SORT_COLUMNS) == set(SORT_KEYS)

# Sorts after every string SQLite can hold, so `x >= p AND x < p || _TOP` is a prefix match
# that can use an index (LIKE cannot, with the default case-insensitive LIKE).
_TOP = "\U0010ffff"


# --- filters -------------------------------------------------------------------------


def validate(flt: QueueFilter) -> None:
    """Refuse filter values no conviction could have, with a usage error."""
    if flt.outcome is not None and flt.outcome not in db.OUTCOMES:
        raise UsageError(f"outcome: use one of {', '.join(db.OUTCOMES)} (got {flt.outcome!r})")
    if flt.decision is not None and flt.decision not in db.DECISIONS:
        raise UsageError(f"decision: use one of {', '.join(db.DECISIONS)} (got {flt.decision!r})")


def _conviction_level(flt: QueueFilter) -> bool:
    """Whether the filter looks at single convictions beyond their outcome."""
    return any(
        v is not None
        for v in (flt.reason, flt.flag, flt.county, flt.court_case, flt.reviewer, flt.decision)
    )


def _match(flt: QueueFilter) -> tuple[list[str], list[Any]]:
    """Conditions on one conviction (d: determination, cv: conviction, cd: current
    decision) for the filter's conviction-level fields."""
    where: list[str] = []
    args: list[Any] = []
    if flt.outcome is not None:
        where.append("d.outcome = ?")
        args.append(flt.outcome)
    if flt.reason is not None:
        where.append("d.reason = ?")
        args.append(flt.reason)
    if flt.flag is not None:
        where.append("(' ' || d.flags || ' ') LIKE ('% ' || ? || ' %') ESCAPE '\\'")
        args.append(_escape_like(flt.flag.strip()))
    if flt.county is not None:
        where.append("upper(d.county) = upper(?)")
        args.append(flt.county.strip())
    if flt.court_case is not None:
        where.append("cv.ofn = ?")
        args.append(flt.court_case.strip())
    if flt.reviewer is not None:
        where.append("cd.reviewer = ? AND cd.decision IS NOT NULL")
        args.append(flt.reviewer)
    if flt.decision is not None:
        where.append("cd.decision = ?")
        args.append(flt.decision)
    return where, args


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_MATCH_FROM = (
    "FROM determinations d JOIN convictions cv ON cv.key = d.key "
    "LEFT JOIN current_decisions cd ON cd.key = d.key "
)


def _search(term: str) -> tuple[str, list[Any]]:
    """Subject ids whose name, CII, SUBJECT_ID or a court number starts with `term`.

    Names are matched as typed and upper-cased (DOJ names are upper case); each branch is
    an index range."""
    variants = sorted({term, term.upper()})
    parts: list[str] = []
    args: list[Any] = []
    for v in variants:
        hi = v + _TOP
        parts.append("SELECT subject_id FROM people WHERE name >= ? AND name < ?")
        parts.append("SELECT subject_id FROM people WHERE cii >= ? AND cii < ?")
        parts.append("SELECT subject_id FROM people WHERE subject_id >= ? AND subject_id < ?")
        parts.append("SELECT subject_id FROM convictions WHERE ofn >= ? AND ofn < ?")
        args.extend([v, hi] * 4)
    return " UNION ".join(parts), args


def _case_where(run_id: int, flt: QueueFilter) -> tuple[str, list[Any]]:
    validate(flt)
    where = ["rc.run_id = ?", "rc.outcome = ?"]
    args: list[Any] = [run_id, flt.outcome if flt.outcome is not None else ANY_OUTCOME]
    if _conviction_level(flt):
        conds, cargs = _match(flt)
        base = (
            f"SELECT 1 {_MATCH_FROM} WHERE d.run_id = rc.run_id "
            f"AND d.subject_id = rc.subject_id AND {' AND '.join(conds)}"
        )
        if flt.decided is False:
            where.append(f"EXISTS ({base} AND cd.decision IS NULL)")
            args.extend(cargs)
        else:
            where.append(f"EXISTS ({base})")
            args.extend(cargs)
            if flt.decided is True:
                where.append(f"NOT EXISTS ({base} AND cd.decision IS NULL)")
                args.extend(cargs)
    # `+rc.pending`: keep the planner on the sort's index rather than the pending one,
    # which would force sorting every pending case to return a page.
    elif flt.decided is False:
        where.append("+rc.pending > 0")
    elif flt.decided is True:
        where.append("+rc.pending = 0")
    if flt.search is not None and flt.search.strip():
        sql, sargs = _search(flt.search.strip())
        where.append(f"rc.subject_id IN ({sql})")
        args.extend(sargs)
    return " AND ".join(where), args


def _order(sort: str, descending: bool) -> str:
    if sort not in _SORT_COLUMNS:
        raise UsageError(f"sort: use one of {', '.join(SORT_KEYS)} (got {sort!r})")
    direction = "DESC" if descending else "ASC"
    return f"{_SORT_COLUMNS[sort]} {direction}, rc.subject_id {direction}"


def queue_count(conn: sqlite3.Connection, run_id: int, flt: QueueFilter) -> int:
    """How many cases the filter selects in the run."""
    validate(flt)
    ensure_cases(conn, run_id)
    searching = flt.search is not None and bool(flt.search.strip())
    if _conviction_level(flt) and flt.decided is not True and not searching:
        # Counting distinct people over the matching determinations beats testing every
        # case row with EXISTS.
        conds, cargs = _match(flt)
        if flt.decided is False:
            conds.append("cd.decision IS NULL")
        row = conn.execute(
            f"SELECT count(DISTINCT d.subject_id) {_MATCH_FROM} "  # noqa: S608
            f"WHERE d.run_id = ? AND {' AND '.join(conds)}",
            [run_id, *cargs],
        ).fetchone()
        return int(row[0])
    where, args = _case_where(run_id, flt)
    row = conn.execute(f"SELECT count(*) FROM review_cases rc WHERE {where}", args).fetchone()  # noqa: S608 - fixed fragments
    return int(row[0])


def queue_page(
    conn: sqlite3.Connection,
    run_id: int,
    flt: QueueFilter,
    *,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[CaseRow]:
    """A page of cases, ordered by `sort` (one of SORT_KEYS) then subject_id."""
    ensure_cases(conn, run_id)
    order = _order(sort, descending)
    where, args = _case_where(run_id, flt)
    now = db.now()
    rows = conn.execute(
        "SELECT rc.*, cl.reviewer AS claimed_by, cl.expires_at AS claim_expires "  # noqa: S608
        "FROM review_cases rc LEFT JOIN claims cl "
        "ON cl.subject_id = rc.subject_id AND cl.expires_at > ? "
        f"WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [now, *args, max(0, limit), max(0, offset)],
    ).fetchall()
    if _conviction_level(flt) and rows:
        exact = _page_aggregates(conn, run_id, flt, [str(r["subject_id"]) for r in rows])
    else:
        exact = {}
    return [_case_row(r, exact.get(str(r["subject_id"]))) for r in rows]


def _page_aggregates(
    conn: sqlite3.Connection, run_id: int, flt: QueueFilter, subjects: list[str]
) -> dict[str, sqlite3.Row]:
    """Counts and first conviction over only the matching convictions, for one page."""
    conds, cargs = _match(flt)
    marks = ", ".join("?" for _ in subjects)
    rows = conn.execute(
        "SELECT d.subject_id AS subject_id, count(*) AS convictions, "  # noqa: S608
        "sum(cd.decision IS NULL) AS pending, d.label AS label, d.reason AS reason, "
        "coalesce(group_concat(nullif(d.flags, ''), ' '), '') AS flags, d.county AS county, "
        "d.conviction_date AS first_date, min(d.conviction_date || char(31) || d.key) AS first "
        f"{_MATCH_FROM} WHERE d.run_id = ? AND d.subject_id IN ({marks}) "
        f"AND {' AND '.join(conds)} GROUP BY d.subject_id",
        [run_id, *subjects, *cargs],
    ).fetchall()
    return {str(r["subject_id"]): r for r in rows}


def split_flags(text: str) -> tuple[str, ...]:
    """Distinct flags, in order, from the stored space-separated form."""
    seen: dict[str, None] = {}
    for flag in text.replace(",", " ").split():
        seen.setdefault(flag, None)
    return tuple(seen)


def _case_row(r: sqlite3.Row, exact: sqlite3.Row | None) -> CaseRow:
    src = exact if exact is not None else r
    return CaseRow(
        subject_id=str(r["subject_id"]),
        name=str(r["name"]),
        dob=str(r["dob"]),
        cii=str(r["cii"]),
        convictions=int(src["convictions"]),
        pending=int(src["pending"] or 0),
        label=str(src["label"]),
        reason=str(src["reason"]),
        flags=split_flags(str(src["flags"])),
        county=str(src["county"]),
        first_date=str(src["first_date"]),
        claimed_by=r["claimed_by"],
        claim_expires=r["claim_expires"],
    )


def queue_convictions(
    conn: sqlite3.Connection, run_id: int, flt: QueueFilter, *, limit: int | None = None
) -> list[ConvictionItem]:
    """The matching convictions themselves (for `triage queue`), each with its key, in
    name order."""
    from triage.review.case import ITEM_SELECT, item_from_row

    validate(flt)
    conds, args = _match(flt)
    if flt.decided is False:
        conds.append("cd.decision IS NULL")
    elif flt.decided is True:
        conds.append("cd.decision IS NOT NULL")
    if flt.search is not None and flt.search.strip():
        sql, sargs = _search(flt.search.strip())
        conds.append(f"d.subject_id IN ({sql})")
        args.extend(sargs)
    where = " AND ".join(["d.run_id = ?", *conds])
    tail = "" if limit is None else " LIMIT ?"
    params: list[Any] = [run_id, run_id, run_id, *args]
    if limit is not None:
        params.append(max(0, limit))
    rows = conn.execute(
        f"{ITEM_SELECT} WHERE {where} "  # noqa: S608 - fixed fragments
        f"ORDER BY p.name, d.subject_id, cv.event_date, cv.key{tail}",
        params,
    ).fetchall()
    return [item_from_row(r, run_county=None) for r in rows]
