"""Court exhibits for the bulk motion, and the list of challenged convictions.

For each court (the ORI of the conviction's court action; the county when the file did
not carry one) an exhibit lists the convictions the office asks relief for: the person,
DOB, CII, court number, conviction date, section and the relief (dismiss and seal, or
redesignate). The office's position is the reviewer's decision where there is one, else
the run's determination; the exhibit says when a reviewer's decision replaced the
suggestion. Convictions still to review (review without a decision, or deferred) are not
listed; their count is in the manifest and on the PDF.

`challenged.csv` lists the convictions the office opposes (position `not_eligible`) with
the grounds (the determination's label, reason and citation) and every reviewer note on
the conviction or the person, for the court and the public defender.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rules.doj_layout import DOJ_COLUMNS
from triage import grounds
from triage.export.bundle import Bundle
from triage.export.pdf import Document
from triage.export.runs import RunFacts

RELIEF = {"dismiss": "Dismiss and seal", "reduce": "Redesignate"}
_ORI_CODE = DOJ_COLUMNS.index("STP_ORI_CODE")
_ORI_DESCR = DOJ_COLUMNS.index("STP_ORI_DESCR")

EXHIBIT_COLUMNS = (
    "Court ORI", "Court", "County", "Name", "DOB", "CII", "Court number", "Conviction date",
    "Section", "Relief", "Suggested", "Reviewer decision", "Decided by", "Conviction key",
)  # fmt: skip
CHALLENGED_COLUMNS = (
    "Court ORI", "Court", "County", "Name", "DOB", "CII", "Court number", "Conviction date",
    "Section", "Decided by", "Decided at", "Grounds", "Reason", "Citation", "Notes",
    "Conviction key",
)  # fmt: skip

_QUERY = """
SELECT d.key, d.subject_id, d.outcome, d.label, d.reason, d.citation, d.section,
       d.county, c.event_date, c.ofn, c.offense_descr, p.name, p.dob, p.cii, s.raw,
       cd.decision, cd.reviewer, cd.decided_at, coalesce(dd.grounds, '') AS grounds
FROM determinations d
JOIN convictions c ON c.key = d.key
JOIN people p ON p.subject_id = d.subject_id
JOIN source_rows s ON s.id = c.first_row_id
LEFT JOIN current_decisions cd ON cd.key = d.key
LEFT JOIN decisions dd ON dd.id = cd.decision_id
WHERE d.run_id = ?
ORDER BY d.county, p.name, d.subject_id, c.event_date, d.key
"""


@dataclass(frozen=True)
class Position:
    """The office's position on one conviction of the run."""

    key: str
    subject_id: str
    court_ori: str
    court: str
    county: str
    name: str
    dob: str
    cii: str
    court_number: str
    date: str
    section: str
    suggested: str  # the run's outcome
    final: str | None  # dismiss / reduce / not_eligible, None while pending
    decision: str | None
    decided_by: str
    decided_at: str
    label: str
    reason: str
    citation: str
    grounds: str = ""  # the reviewer's `triage.grounds` ids, comma-separated

    @property
    def overridden(self) -> bool:
        return self.decision is not None and self.decision != self.suggested


def us_date(raw: str) -> str:
    """YYYYMMDD as MM/DD/YYYY; anything else (partial dates) as written."""
    text = raw.strip()
    if len(text) == 8 and text.isdigit() and text[4:6] != "00" and text[6:] != "00":
        return f"{text[4:6]}/{text[6:]}/{text[:4]}"
    return text


def final_position(outcome: str, decision: str | None) -> str | None:
    """A reviewer's decision wins; `defer` and an undecided `review` are pending (None)."""
    if decision is not None:
        return None if decision == "defer" else decision
    return None if outcome == "review" else outcome


def positions(conn: sqlite3.Connection, run_id: int) -> list[Position]:
    """Every conviction of the run with the office's current position on it."""
    out = []
    for r in conn.execute(_QUERY, (run_id,)):
        fields = next(csv.reader([r["raw"]]), [])
        ori = fields[_ORI_CODE].strip() if len(fields) == len(DOJ_COLUMNS) else ""
        court = fields[_ORI_DESCR].strip() if ori else ""
        section = r["section"] or r["offense_descr"].split("-", 1)[0].strip()
        out.append(Position(
            key=r["key"], subject_id=r["subject_id"], court_ori=ori,
            court=court or f"{r['county']} county court", county=r["county"],
            name=r["name"], dob=us_date(r["dob"]), cii=r["cii"], court_number=r["ofn"],
            date=us_date(r["event_date"]), section=section, suggested=r["outcome"],
            final=final_position(r["outcome"], r["decision"]), decision=r["decision"],
            decided_by=r["reviewer"] or "", decided_at=r["decided_at"] or "",
            label=r["label"], reason=r["reason"], citation=r["citation"],
            grounds=r["grounds"],
        ))  # fmt: skip
    return out


def _notes(
    conn: sqlite3.Connection, subject_ids: set[str]
) -> dict[tuple[str, str | None], list[str]]:
    found: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for sid, key, reviewer, at, text in conn.execute(
        "SELECT subject_id, key, reviewer, created_at, text FROM notes ORDER BY id"
    ):
        if sid in subject_ids:
            found[(sid, key)].append(f"{reviewer} {at[:10]}: {text}")
    return found


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "court"


def _exhibit_row(p: Position) -> list[str]:
    return [
        p.court_ori, p.court, p.county, p.name, p.dob, p.cii, p.court_number, p.date,
        p.section, RELIEF.get(p.final or "", ""), RELIEF.get(p.suggested, p.suggested),
        (p.decision or "") if p.overridden else "", p.decided_by if p.overridden else "",
        p.key,
    ]  # fmt: skip


def export(
    conn: sqlite3.Connection, run: RunFacts, bundle: Bundle, *, subtitle: str
) -> dict[str, Any]:
    """Stage one exhibit (CSV + PDF) per court and the challenged list; returns counts."""
    everything = positions(conn, run.id)
    courts: dict[tuple[str, str], list[Position]] = defaultdict(list)
    for p in everything:
        if p.final in RELIEF:
            courts[(p.county, p.court_ori or p.court)].append(p)
    used: set[str] = set()
    exhibits = []
    for (county, court_id), items in sorted(courts.items()):
        slug = _slug(f"{county}-{court_id}")
        while slug in used:
            slug += "-x"
        used.add(slug)
        rows = [_exhibit_row(p) for p in items]
        with bundle.csv(f"exhibit-{slug}.csv", EXHIBIT_COLUMNS) as f:
            for row in rows:
                f.row(row)
        doc = Document(f"Exhibit A: {items[0].court} ({county})", subtitle, landscape=True)
        doc.paragraph(
            f"Convictions for which relief under Health and Safety Code section 11361.8 is "
            f"requested: {len(items)}. Court ORI: {items[0].court_ori or 'not recorded'}."
        )
        doc.grid(
            ["Name", "DOB", "CII", "Court no.", "Convicted", "Section", "Relief", "Note"],
            [[p.name, p.dob, p.cii, p.court_number, p.date, p.section,
              RELIEF.get(p.final or "", ""),
              f"reviewer decision ({p.decided_by})" if p.overridden else ""] for p in items],
            widths=(50, 20, 22, 25, 20, 35, 30, 40),
        )  # fmt: skip
        bundle.binary(f"exhibit-{slug}.pdf", doc.render(), rows=len(items))
        exhibits.append(
            {
                "court": items[0].court,
                "ori": items[0].court_ori,
                "county": county,
                "convictions": len(items),
                "slug": slug,
            }
        )
    challenged = [p for p in everything if p.final == "not_eligible"]
    _challenged(conn, bundle, challenged, subtitle)
    pending = sum(1 for p in everything if p.final is None)
    return {"exhibits": exhibits, "challenged": len(challenged), "pending": pending}


def _grounds(p: Position) -> tuple[str, str, str]:
    """(grounds, reason, citation) for a challenged conviction.

    The reviewer's own grounds come first; the run's label, reason and citation stand only
    when the run itself said not eligible; a reviewer's challenge with neither says so in
    the exhibit rather than leaving the reason blank."""
    if p.grounds:
        reason, citation = grounds.describe(p.grounds)
        who = "Reviewer's grounds" + (
            "" if p.suggested == "not_eligible" else f" (the run suggested {p.suggested})"
        )
        return who, reason, citation
    if p.suggested == "not_eligible":
        return p.label, p.reason, p.citation
    return (
        f"Reviewer decision (the run suggested {p.suggested})",
        "No grounds recorded with the decision; see the notes",
        "",
    )


def _challenged(
    conn: sqlite3.Connection, bundle: Bundle, items: list[Position], subtitle: str
) -> None:
    notes = _notes(conn, {p.subject_id for p in items})
    rows = []
    for p in items:
        text = notes.get((p.subject_id, p.key), []) + notes.get((p.subject_id, None), [])
        label, reason, citation = _grounds(p)
        rows.append([p.court_ori, p.court, p.county, p.name, p.dob, p.cii, p.court_number,
                     p.date, p.section, p.decided_by, p.decided_at, label, reason, citation,
                     " | ".join(text), p.key])  # fmt: skip
    with bundle.csv("challenged.csv", CHALLENGED_COLUMNS) as f:
        for row in rows:
            f.row(row)
    doc = Document("Challenged convictions (HS 11361.8)", subtitle, landscape=True)
    doc.paragraph(
        f"The office opposes relief for {len(items)} conviction(s) listed below, on the grounds "
        "given. Notes are the reviewing attorney's."
    )
    doc.grid(
        ["Court", "Name", "DOB", "CII", "Court no.", "Convicted", "Section", "Grounds",
         "Notes"],
        [[r[1], r[3], r[4], r[5], r[6], r[7], r[8],
          " - ".join(x for x in (r[11], r[12], r[13]) if x), r[14]] for r in rows],
        widths=(30, 35, 21, 20, 20, 21, 25, 45, 45),
    )  # fmt: skip
    bundle.binary("challenged.pdf", doc.render(), rows=len(items))
