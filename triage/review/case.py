"""Reading one case: the person, every conviction with its determination and decision,
events, notes and history; plus the current run and a reviewer's progress."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from rules.charges import parse_charge
from rules.dates import age_on, parse_doj_date, sentence_days
from rules.records import is_felony
from triage import db, runs
from triage.errors import TriageError
from triage.review.cases_table import ensure_cases
from triage.review.model import (
    AuditEntry,
    CaseView,
    ConvictionHistory,
    ConvictionItem,
    DecisionEntry,
    Note,
    Progress,
    RunDetermination,
)
from triage.review.queue import split_flags
from triage.runs import Run

# Parameters: run id (determinations), run id (run county).
ITEM_SELECT = """
SELECT cv.key AS key, cv.subject_id AS subject_id, cv.cnt_order AS cnt_order,
       cv.event_date AS event_date, cv.county AS county, cv.ofn AS ofn,
       cv.offense_descr AS offense_descr, sr.comment_text AS comment_text,
       sr.offense_toc AS offense_toc, sr.conv_stat AS conv_stat,
       (SELECT group_concat(s.sent_length || '|' || s.sent_time_code, ';') FROM source_rows s
        WHERE s.subject_id = cv.subject_id AND s.cnt_order = cv.cnt_order AND s.convicted = 1)
        AS sentences,
       d.outcome AS outcome, d.label AS label, d.reason AS reason, d.step_id AS step_id,
       d.citation AS citation, d.flags AS flags, d.forced_review AS forced_review,
       d.suggested_outcome AS suggested_outcome, d.suggested_label AS suggested_label,
       d.suggested_reason AS suggested_reason, d.trace AS trace, d.section AS section,
       d.felony AS d_felony,
       cd.decision AS decision, cd.version AS version, cd.reviewer AS decided_by,
       cd.decided_at AS decided_at, r.county AS run_county, p.name AS person_name
FROM convictions cv
JOIN people p ON p.subject_id = cv.subject_id
JOIN source_rows sr ON sr.id = cv.first_row_id
LEFT JOIN determinations d ON d.run_id = ? AND d.key = cv.key
LEFT JOIN runs r ON r.id = ?
LEFT JOIN current_decisions cd ON cd.key = cv.key
"""


def _sentence_days(parts: str | None) -> float:
    """The conviction's sentence rows ("length|code;...") added up as the rules add them."""
    total = 0.0
    for part in (parts or "").split(";"):
        length, _, unit = part.partition("|")
        total += sentence_days(length, unit)
    return total


def _trace(text: str | None) -> tuple[tuple[str, bool, str], ...]:
    try:
        steps = json.loads(text or "[]")
    except ValueError:
        return ()
    out: list[tuple[str, bool, str]] = []
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, list | tuple) and len(step) >= 3:
            out.append((str(step[0]), bool(step[1]), str(step[2])))
        elif isinstance(step, dict):
            out.append(
                (str(step.get("step_id", "")), bool(step.get("matched")), str(step.get("detail")))
            )
    return tuple(out)


def item_from_row(r: sqlite3.Row, *, run_county: str | None) -> ConvictionItem:
    """A `ConvictionItem` from a row of `ITEM_SELECT`."""
    county = str(r["county"])
    home = run_county if run_county is not None else (r["run_county"] or "")
    section = str(r["section"] or "")
    # What the rules read in the charge text: a Prop 64 section (under any code letters, as
    # the rules give every such conviction a determination), whether or not a run judged it.
    prop64 = parse_charge(str(r["offense_descr"]), str(r["comment_text"])).looks_prop64
    if r["outcome"] is not None:
        felony = bool(r["d_felony"])
    else:
        felony = is_felony(str(r["conv_stat"]), str(r["offense_toc"]))
    return ConvictionItem(
        key=str(r["key"]),
        subject_id=str(r["subject_id"]),
        cnt_order=str(r["cnt_order"]),
        date=str(r["event_date"]),
        county=county,
        court_number=str(r["ofn"]),
        offense=str(r["offense_descr"]),
        comment=str(r["comment_text"]),
        section=section,
        felony=felony,
        sentence_days=_sentence_days(r["sentences"]),
        prop64=prop64,
        in_county=bool(home) and county.strip().upper() == str(home).strip().upper(),
        outcome=r["outcome"],
        label=str(r["label"] or ""),
        reason=str(r["reason"] or ""),
        step_id=str(r["step_id"] or ""),
        citation=str(r["citation"] or ""),
        flags=split_flags(str(r["flags"] or "")),
        forced_review=bool(r["forced_review"]),
        suggested_outcome=r["suggested_outcome"],
        suggested_label=str(r["suggested_label"] or ""),
        suggested_reason=str(r["suggested_reason"] or ""),
        trace=_trace(r["trace"]),
        decision=r["decision"],
        decision_version=int(r["version"] or 0),
        # after an undo back to "undecided" the row names who undid it, not a decider
        decided_by=r["decided_by"] if r["decision"] is not None else None,
        decided_at=r["decided_at"] if r["decision"] is not None else None,
        name=str(r["person_name"]),
    )


def current_run(conn: sqlite3.Connection) -> Run | None:
    """The active run (explicitly activated, else the newest finished one), or None."""
    return runs.active(conn)


def run_info(conn: sqlite3.Connection, run_id: int) -> Run:
    """Run `run_id`, finished or not (to look at it); TriageError when there is none."""
    return runs.resolve(conn, run_id, finished=False)


def _age(dob: str, compute_at: str) -> int | None:
    """Age at compute-at as the rules reckon it: a partial DOB (`19700000`) counts from the
    first day it can stand for, as `rules.dates.parse_doj_date` reads it."""
    born = parse_doj_date(dob).value
    if born is None:
        return None
    return age_on(born, dt.date.fromisoformat(compute_at[:10]))


def _note(r: sqlite3.Row) -> Note:
    return Note(
        id=int(r["id"]),
        subject_id=str(r["subject_id"]),
        key=r["key"],
        reviewer=str(r["reviewer"]),
        created_at=str(r["created_at"]),
        text=str(r["text"]),
    )


def entry(r: sqlite3.Row) -> DecisionEntry:
    """A `DecisionEntry` from a `decisions` row."""
    return DecisionEntry(
        id=int(r["id"]),
        key=str(r["key"]),
        version=int(r["version"]),
        action=str(r["action"]),
        decision=r["decision"],
        previous=r["previous"],
        reviewer=str(r["reviewer"]),
        created_at=str(r["created_at"]),
        batch=r["batch"],
    )


def load_case(conn: sqlite3.Connection, subject_id: str, run_id: int) -> CaseView:
    """One person's whole record as the case screen shows it."""
    person = conn.execute("SELECT * FROM people WHERE subject_id = ?", (subject_id,)).fetchone()
    if person is None:
        raise TriageError(f"no person with SUBJECT_ID {subject_id}")
    run = run_info(conn, run_id)
    rows = conn.execute(
        f"{ITEM_SELECT} WHERE cv.subject_id = ? ORDER BY cv.event_date, cv.cnt_order",  # noqa: S608
        (run_id, run_id, subject_id),
    ).fetchall()
    convictions = tuple(item_from_row(r, run_county=run.county) for r in rows)
    events = tuple(
        (str(e["event_date"]), str(e["stp_type"]), str(e["county"]), str(e["offense_descr"]))
        for e in conn.execute(
            "SELECT event_date, stp_type, county, offense_descr FROM events "
            "WHERE subject_id = ? ORDER BY event_date, cnt_order, id",
            (subject_id,),
        )
    )
    deceased = any(kind.strip().upper() == "DECEASED" for _, kind, _, _ in events)
    notes = tuple(
        _note(r)
        for r in conn.execute("SELECT * FROM notes WHERE subject_id = ? ORDER BY id", (subject_id,))
    )
    history = tuple(
        entry(r)
        for r in conn.execute(
            "SELECT * FROM decisions WHERE subject_id = ? ORDER BY id", (subject_id,)
        )
    )
    claim = conn.execute(
        "SELECT reviewer, expires_at FROM claims WHERE subject_id = ? AND expires_at > ?",
        (subject_id, db.now()),
    ).fetchone()
    return CaseView(
        subject_id=subject_id,
        name=str(person["name"]),
        dob=str(person["dob"]),
        cii=str(person["cii"]),
        deceased=deceased,
        age_at_compute=_age(str(person["dob"]), run.compute_at),
        compute_at=run.compute_at,
        county=run.county,
        convictions=convictions,
        events=events,
        notes=notes,
        history=history,
        claimed_by=None if claim is None else str(claim["reviewer"]),
        claim_expires=None if claim is None else str(claim["expires_at"]),
    )


def history(conn: sqlite3.Connection, key: str) -> list[DecisionEntry]:
    """Every decision entry on a conviction, oldest first."""
    return [
        entry(r)
        for r in conn.execute("SELECT * FROM decisions WHERE key = ? ORDER BY version", (key,))
    ]


def conviction_history(conn: sqlite3.Connection, key: str) -> ConvictionHistory:
    """A conviction's full story: each run's determination, decisions, notes, audit."""
    cv = conn.execute("SELECT subject_id FROM convictions WHERE key = ?", (key,)).fetchone()
    known = conn.execute("SELECT subject_id FROM decisions WHERE key = ? LIMIT 1", (key,))
    subject = cv if cv is not None else known.fetchone()
    if subject is None:
        raise TriageError(f"no conviction with key {key} (keys look like SUBJECT_ID:CNT_ORDER)")
    dets = tuple(
        RunDetermination(
            run_id=int(r["run_id"]),
            pack_id=str(r["pack_id"]),
            pack_version=str(r["pack_version"]),
            outcome=str(r["outcome"]),
            label=str(r["label"]),
            reason=str(r["reason"]),
            step_id=str(r["step_id"]),
            flags=split_flags(str(r["flags"])),
            suggested_outcome=r["suggested_outcome"],
            suggested_label=str(r["suggested_label"]),
            suggested_reason=str(r["suggested_reason"]),
        )
        for r in conn.execute(
            "SELECT d.*, r.pack_id, r.pack_version FROM determinations d "
            "JOIN runs r ON r.id = d.run_id WHERE d.key = ? ORDER BY d.run_id",
            (key,),
        )
    )
    notes = tuple(
        _note(r) for r in conn.execute("SELECT * FROM notes WHERE key = ? ORDER BY id", (key,))
    )
    trail = tuple(
        AuditEntry(
            id=int(r["id"]),
            at=str(r["at"]),
            actor=str(r["actor"]),
            action=str(r["action"]),
            target=str(r["target"]),
            detail=str(r["detail"]),
        )
        for r in conn.execute("SELECT * FROM audit WHERE target = ? ORDER BY id", (key,))
    )
    return ConvictionHistory(
        key=key,
        subject_id=str(subject[0]),
        determinations=dets,
        decisions=tuple(history(conn, key)),
        notes=notes,
        audit=trail,
    )


def _local_midnight_utc(now_text: str) -> str:
    """Today's start in the machine's time zone, as a UTC timestamp like `db.now()`."""
    moment = dt.datetime.strptime(now_text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    local = moment.astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(ts: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def progress(conn: sqlite3.Connection, run_id: int, reviewer: str, session_start: str) -> Progress:
    """A reviewer's progress: decisions this session and their rate per hour; the review
    queue's remaining (undecided) and total convictions and those decided by `reviewer`;
    decisions by anyone since local midnight."""
    ensure_cases(conn, run_id)
    now = db.now()
    session = int(
        conn.execute(
            "SELECT count(*) FROM decisions WHERE reviewer = ? AND created_at >= ? "
            "AND action = 'decide' "
            "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = decisions.id)",
            (reviewer, session_start),
        ).fetchone()[0]
    )
    start, end = _parse(session_start), _parse(now)
    hours = (end - start).total_seconds() / 3600 if start and end else 0.0
    per_hour = session / max(hours, 1 / 60) if session else 0.0
    total = int(
        conn.execute(
            "SELECT count(*) FROM determinations WHERE run_id = ? AND outcome = 'review'",
            (run_id,),
        ).fetchone()[0]
    )
    remaining = int(
        conn.execute(  # an index-only scan: pending is part of this index
            "SELECT coalesce(sum(pending), 0) FROM review_cases INDEXED BY review_cases_pending "
            "WHERE run_id = ? AND outcome = 'review'",
            (run_id,),
        ).fetchone()[0]
    )
    today = int(
        conn.execute(
            "SELECT count(*) FROM decisions WHERE created_at >= ? AND action = 'decide' "
            "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = decisions.id)",
            (_local_midnight_utc(now),),
        ).fetchone()[0]
    )
    mine = int(
        conn.execute(  # CROSS JOIN: start from this reviewer's decisions, not the whole run
            "SELECT count(*) FROM current_decisions cd CROSS JOIN determinations d "
            "ON d.run_id = ? AND d.key = cd.key AND d.outcome = 'review' "
            "WHERE cd.reviewer = ? AND cd.decision IS NOT NULL",
            (run_id, reviewer),
        ).fetchone()[0]
    )
    return Progress(
        decided_this_session=session,
        per_hour=round(per_hour, 1),
        remaining=remaining,
        decided_today=today,
        by_me=mine,
        total=total,
    )
