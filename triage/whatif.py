"""What-if: the same records under two policy packs, compared, without writing anything.

`compare` reads every person once (inside one read transaction, so the comparison sees one
state of the database), classifies them with both packs in memory and reports:
per-conviction changes (outcome and reason, from → to), the impact figures side by side,
the outcome totals, and how many convictions move into or out of review. No run is
created, no audit entry is written: the database is not touched.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from rules import gogen_columns as g
from rules.engine import classify
from rules.model import Determination, PersonRecord
from rules.packs import Pack
from triage.records_db import iter_people

NOT_EVALUATED = "-"  # the pack does not consider this conviction at all


@dataclass(frozen=True)
class ConvictionChange:
    """One conviction the two packs treat differently."""

    key: str
    subject_id: str
    name: str
    date: str
    section: str
    from_outcome: str
    from_reason: str
    to_outcome: str
    to_reason: str


@dataclass(frozen=True)
class Scenario:
    """One side of the comparison."""

    pack_id: str
    pack_title: str
    pack_version: str
    pack_hash: str
    by_outcome: dict[str, int]
    impact: dict[str, int]


@dataclass(frozen=True)
class WhatIfReport:
    """The difference between two packs on the same data."""

    county: str
    compute_at: str
    people: int
    a: Scenario
    b: Scenario
    changes: tuple[ConvictionChange, ...] = ()
    into_review: int = 0
    out_of_review: int = 0
    transitions: dict[str, int] = field(default_factory=dict)  # "dismiss -> review": n

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (`triage whatif --json`)."""
        return asdict(self)


def _subject(person: PersonRecord) -> g.GogenSubject:
    """A person as the impact figures count them (see rules.gogen_columns.impact)."""
    subject = g.GogenSubject(person.subject_id)
    for c in person.convictions:
        subject.convictions.append(g.GogenConviction(
            index=0, key=c.key, section_text=c.charge.display,
            prop64=c.charge.section if c.charge.looks_prop64 else None,
            date=c.date.value if c.date.exact else None, county=c.county, felony=c.felony,
            court_case=c.court_case,
        ))  # fmt: skip
    return subject


def _verdicts(dets: list[Determination]) -> dict[str, g.Verdict]:
    return {d.key: g.verdict(d.outcome, d.label, d.reason) for d in dets}


def compare(
    conn: sqlite3.Connection, pack_a: Pack, pack_b: Pack, *, county: str, compute_at: dt.date
) -> WhatIfReport:
    """Classify every person with both packs (in memory) and report the difference."""
    subjects: dict[str, g.GogenSubject] = {}
    verdicts_a: dict[str, g.Verdict] = {}
    verdicts_b: dict[str, g.Verdict] = {}
    outcomes_a: Counter[str] = Counter()
    outcomes_b: Counter[str] = Counter()
    transitions: Counter[str] = Counter()
    changes: list[ConvictionChange] = []
    people = 0
    started_here = not conn.in_transaction
    if started_here:
        conn.execute("BEGIN")  # one snapshot; a deferred BEGIN takes no write lock
    try:
        for person in iter_people(conn):
            people += 1
            dets_a = classify(person, pack_a, county=county, compute_at=compute_at)
            dets_b = classify(person, pack_b, county=county, compute_at=compute_at)
            if not dets_a and not dets_b:
                continue
            subjects[person.subject_id] = _subject(person)
            verdicts_a.update(_verdicts(dets_a))
            verdicts_b.update(_verdicts(dets_b))
            outcomes_a.update(d.outcome.value for d in dets_a)
            outcomes_b.update(d.outcome.value for d in dets_b)
            changes.extend(_changes(person, dets_a, dets_b, transitions))
    finally:
        if started_here and conn.in_transaction:
            conn.execute("ROLLBACK")
    into = sum(n for t, n in transitions.items() if t.endswith("-> review"))
    out = sum(n for t, n in transitions.items() if t.startswith("review ->"))
    return WhatIfReport(
        county=county, compute_at=compute_at.isoformat(), people=people,
        a=_scenario(pack_a, outcomes_a, g.impact(subjects, verdicts_a, compute_at)),
        b=_scenario(pack_b, outcomes_b, g.impact(subjects, verdicts_b, compute_at)),
        changes=tuple(changes), into_review=into, out_of_review=out,
        transitions=dict(sorted(transitions.items())),
    )  # fmt: skip


def _scenario(pack: Pack, outcomes: Counter[str], impact: dict[str, int]) -> Scenario:
    return Scenario(
        pack.id,
        pack.title,
        str(pack.version),
        pack.content_hash,
        dict(sorted(outcomes.items())),
        impact,
    )


def _changes(
    person: PersonRecord,
    dets_a: list[Determination],
    dets_b: list[Determination],
    transitions: Counter[str],
) -> list[ConvictionChange]:
    by_a = {d.key: d for d in dets_a}
    by_b = {d.key: d for d in dets_b}
    found = []
    for c in person.convictions:
        a, b = by_a.get(c.key), by_b.get(c.key)
        if a is None and b is None:
            continue
        from_outcome = a.outcome.value if a else NOT_EVALUATED
        to_outcome = b.outcome.value if b else NOT_EVALUATED
        from_reason, to_reason = (a.reason if a else ""), (b.reason if b else "")
        if from_outcome != to_outcome:
            transitions[f"{from_outcome} -> {to_outcome}"] += 1
        if (from_outcome, from_reason) != (to_outcome, to_reason):
            found.append(ConvictionChange(
                key=c.key, subject_id=person.subject_id, name=person.name, date=c.date.raw,
                section=c.charge.display, from_outcome=from_outcome, from_reason=from_reason,
                to_outcome=to_outcome, to_reason=to_reason,
            ))  # fmt: skip
    return found
