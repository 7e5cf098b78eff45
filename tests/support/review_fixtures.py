"""The review tests' shape of the shared database builder (dbbuild.py), independent of the
importer and classifier.

`Person`/`Conv` describe a record; `build()` writes its source rows (people and convictions
derived as the importer does), one finished run and its determinations, and returns the
run id.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import dbbuild
from dbbuild import new_db

from triage import db

__all__ = ["Conv", "Person", "build", "claim_all", "decide_all", "many_people", "new_db",
           "sample_people"]  # fmt: skip


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


def build(conn: sqlite3.Connection, people: list[Person], *, county: str = "SAN JOAQUIN",
          compute_at: str = "2019-07-01", refresh: bool = True) -> int:  # fmt: skip
    """Write `people` as one imported file and one finished run over them (through the shared
    builder); return the run id. A conviction's first `Conv` gives its determination."""
    rows: list[dict[str, str]] = []
    determinations: dict[str, dict[str, object]] = {}
    for p in people:
        rows += [_row(p, c.cnt_order, "COURT ACTION", c.date, c.county, c) for c in p.convictions]
        rows += [_row(p, "999999999000", kind, date, county, None) for kind, date in p.events]
        if not rows or rows[-1]["subject_id"] != p.subject_id:  # a person with no rows at all
            rows.append(_row(p, "000000000000", "ARREST/DETAINED/CITED", "20000101", county, None))
        for c in p.convictions:
            if c.outcome is not None:
                determinations.setdefault(f"{p.subject_id}:{c.cnt_order}", _determination(c))
    number = conn.execute("SELECT count(*) + 1 FROM source_files").fetchone()[0]
    dbbuild.add_file(conn, rows, name="fixture.csv" if number == 1 else f"fixture-{number}.csv")
    run_id = dbbuild.add_run(conn, determinations, county=county, compute_at=compute_at,
                             created_by="fixture")  # fmt: skip
    if refresh:
        from triage import review

        review.refresh_cases(conn, run_id)
    return run_id


def _determination(c: Conv) -> dict[str, object]:
    return {
        "outcome": c.outcome, "label": c.label, "reason": c.reason, "step_id": "step",
        "flags": c.flags, "suggested_outcome": c.suggested,
        "trace": '[["s1", false, "no"], ["step", true, "yes"]]',
        "section": c.offense.split("-")[0].strip(), "felony": c.felony,
        "conviction_date": c.date, "county": c.county,
    }  # fmt: skip


def _row(p: Person, cnt_order: str, kind: str, date: str, county: str,
         c: Conv | None) -> dict[str, str]:  # fmt: skip
    """A source row of `p`: a conviction when `c` is given, else an event (arrest, death)."""
    length, unit = c.sentence if c is not None else ("", "")
    return {
        "subject_id": p.subject_id, "cnt_order": cnt_order, "stp_type": kind, "event_date": date,
        "county": county, "name": p.name, "dob": p.dob, "cii": p.cii,
        "ofn": c.ofn if c else "", "offense_descr": c.offense if c else "",
        "disp_descr": "CONVICTED" if c else "",
        "conv_stat": ("FELONY" if c.felony else "MISDEMEANOR") if c else "",
        "sent_length": length, "sent_time_code": unit, "comment_text": c.comment if c else "",
    }  # fmt: skip


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
