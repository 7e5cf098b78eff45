"""Small review databases built with plain SQL, independent of the importer and classifier.

`Person`/`Conv` describe a record; `build()` writes source rows, people, convictions, one
finished run and its determinations, and returns the run id.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from triage import audit, db, digests


@dataclass
class Conv:
    cnt_order: str
    outcome: str | None = "review"  # None: not relevant to the pack (no determination)
    reason: str = "Needs a look"
    label: str = "Hand Review"
    flags: str = ""
    county: str = "SAN JOAQUIN"
    date: str = "20100102"
    ofn: str = ""
    offense: str = "11359 HS-POSSESS MARIJUANA FOR SALE"
    comment: str = ""
    felony: bool = True
    sentence: tuple[str, str] = ("", "")
    suggested: str | None = None


@dataclass
class Person:
    subject_id: str
    name: str
    convictions: list[Conv] = field(default_factory=list)
    dob: str = "19700101"
    cii: str = ""
    events: list[tuple[str, str]] = field(default_factory=list)  # (stp_type, date)


def new_db(path: Path) -> sqlite3.Connection:
    return db.connect(path, create=True)


def build(conn: sqlite3.Connection, people: list[Person], *, county: str = "SAN JOAQUIN",
          compute_at: str = "2019-07-01", refresh: bool = True) -> int:  # fmt: skip
    """Write `people` and one finished run over them; return the run id."""
    with db.write(conn):
        conn.execute("PRAGMA defer_foreign_keys = ON")  # people are written after their rows
        file_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM source_files").fetchone()[0]
        conn.execute(
            "INSERT INTO source_files (id, sha256, name, format, encoding, size, "
            "first_imported_at) VALUES (?, ?, 'fixture.csv', 'doj', 'utf-8', 0, ?)",
            (file_id, f"sha{file_id}", db.now()),
        )
        line = 0
        run_id = int(
            conn.execute(
                "INSERT INTO runs (pack_id, pack_title, pack_version, pack_hash, county, "
                "compute_at, started_at, finished_at, created_by) "
                "VALUES ('test-pack', 'Test pack', '1', 'h', ?, ?, ?, ?, 'fixture')",
                (county, compute_at, db.now(), db.now()),
            ).lastrowid
            or 0
        )
        for p in people:
            first_row = None
            for c in p.convictions:
                line += 1
                row_id = _row(conn, file_id, line, p, c.cnt_order, "COURT ACTION", c.date,
                              c.county, c.offense, c.comment, 1, c)  # fmt: skip
                first_row = first_row or row_id
                conn.execute(
                    "INSERT INTO convictions (key, subject_id, cnt_order, first_row_id, "
                    "event_date, county, ofn, offense_descr) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (key) DO NOTHING",
                    (f"{p.subject_id}:{c.cnt_order}", p.subject_id, c.cnt_order, row_id,
                     c.date, c.county, c.ofn, c.offense),
                )  # fmt: skip
            for kind, date in p.events:
                line += 1
                row_id = _row(conn, file_id, line, p, "999999999000", kind, date, county, "", "",
                              0, None)  # fmt: skip
                first_row = first_row or row_id
            if first_row is None:
                line += 1
                first_row = _row(conn, file_id, line, p, "000000000000", "ARREST/DETAINED/CITED",
                                 "20000101", county, "", "", 0, None)  # fmt: skip
            conn.execute(
                "INSERT INTO people (subject_id, name, dob, cii, first_row_id) "
                "VALUES (?, ?, ?, ?, ?)",
                (p.subject_id, p.name, p.dob, p.cii, first_row),
            )
            for c in p.convictions:
                if c.outcome is None:
                    continue
                conn.execute(
                    "INSERT INTO determinations (run_id, key, subject_id, outcome, label, "
                    "reason, step_id, flags, suggested_outcome, trace, section, felony, "
                    "conviction_date, county) VALUES (?, ?, ?, ?, ?, ?, 'step', ?, ?, ?, ?, ?, "
                    "?, ?) ON CONFLICT DO NOTHING",
                    (run_id, f"{p.subject_id}:{c.cnt_order}", p.subject_id, c.outcome, c.label,
                     c.reason, c.flags, c.suggested, '[["s1", false, "no"], ["step", true, "yes"]]',
                     c.offense.split("-")[0].strip(), int(c.felony), c.date, c.county),
                )  # fmt: skip
        _record_run(conn, run_id)
    if refresh:
        from triage import review

        review.refresh_cases(conn, run_id)
    return run_id


def _record_run(conn: sqlite3.Connection, run_id: int) -> None:
    """The classification entry `classify_run` writes for a finished run (what doctor holds
    the run to): its facts, counts by outcome and the digest of its determinations."""
    run = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    by_outcome = {
        str(o): int(n)
        for o, n in conn.execute(
            "SELECT outcome, count(*) FROM determinations WHERE run_id = ? GROUP BY outcome "
            "ORDER BY outcome",
            (run_id,),
        )
    }
    total = sum(by_outcome.values())
    conn.execute("UPDATE runs SET convictions = ? WHERE id = ?", (total, run_id))
    audit.append(conn, "fixture", "classify", f"run:{run_id}", {
        "pack": run["pack_id"], "version": run["pack_version"], "hash": run["pack_hash"],
        "county": run["county"], "compute_at": run["compute_at"], "convictions": total,
        "by_outcome": by_outcome,
        "determinations_sha256": digests.run_determinations(conn, run_id),
    })  # fmt: skip


def _row(conn: sqlite3.Connection, file_id: int, line: int, p: Person, cnt_order: str,
         kind: str, date: str, county: str, offense: str, comment: str, convicted: int,
         c: Conv | None) -> int:  # fmt: skip
    length, unit = c.sentence if c is not None else ("", "")
    conv_stat = "FELONY" if c is not None and c.felony else "MISDEMEANOR"
    cur = conn.execute(
        "INSERT INTO source_rows (file_id, line, raw, row_hash, subject_id, cnt_order, stp_type, "
        "event_date, county, name, dob, cii, ofn, offense_descr, disp_descr, conv_stat, "
        "sent_length, sent_time_code, comment_text, convicted) "
        "VALUES (?, ?, 'raw', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (file_id, line, f"{file_id}:{line}", p.subject_id, cnt_order, kind, date, county, p.name,
         p.dob, p.cii, c.ofn if c else "", offense, "CONVICTED" if convicted else "",
         conv_stat if convicted else "", length, unit, comment, convicted),
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def sample_people() -> list[Person]:
    """Five people: three with review convictions, one all-dismiss, one with a mix."""
    return [
        Person("S1", "ADAMS,ANN", [Conv("001001001000", ofn="CR100"),
                                   Conv("002001001000", outcome="dismiss", reason="Misdemeanor")],
               cii="A11111111"),
        Person("S2", "BAKER,BOB", [Conv("001001001000", reason="Currently serving sentence",
                                        flags="charge_in_comment partial_date", date="20120505",
                                        ofn="CR200"),
                                   Conv("003001001000", outcome=None, offense="459 PC-BURGLARY")],
               cii="B22222222", events=[("DECEASED", "20180101")]),
        Person("S3", "CARTER,CAL", [Conv("001001001000", date="20050101", county="LOS ANGELES"),
                                    Conv("001001002000", date="20050101",
                                         reason="Currently serving sentence", ofn="CR300")],
               cii="C33333333"),
        Person("S4", "DAVIS,DEE", [Conv("001001001000", outcome="dismiss", reason="Misdemeanor")]),
        Person("S5", "EVANS,EVE", [Conv("001001001000", sentence=("2", "Y")),
                                   Conv("001001001000", sentence=("6", "M"))]),
    ]  # fmt: skip


def claim_all(args: tuple[str, int, str, str, int]) -> list[str]:
    """Worker for the multi-process claim test: say it is ready, wait for the `go` file so
    all workers start together, then claim cases until none are left (or `most` taken)."""
    import time

    from triage import review

    path, run_id, reviewer, gate, most = args
    conn = db.connect(path)
    Path(f"{gate}.{reviewer}").touch()
    while not Path(gate).exists():
        time.sleep(0.005)
    taken: list[str] = []
    try:
        flt = review.QueueFilter()
        while len(taken) < most:
            subject = review.claim_next(conn, run_id, reviewer, flt)
            if subject is None:
                break
            taken.append(subject)
    finally:
        conn.close()
    return taken


def many_people(n: int) -> list[Person]:
    return [Person(f"P{i:04d}", f"NAME{i:04d},X", [Conv("001001001000")]) for i in range(n)]


def decide_all(args: tuple[str, list[str], str]) -> int:
    """Worker: decide each key in turn (a reviewer working while something else runs)."""
    from triage import review

    path, keys, reviewer = args
    conn = db.connect(path)
    try:
        for key in keys:
            review.decide(conn, key, "dismiss", reviewer)
    finally:
        conn.close()
    return len(keys)
