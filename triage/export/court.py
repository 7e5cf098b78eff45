"""Court exhibits for the bulk motion, proposed orders, and the challenged list.

For each court (the ORI of the conviction's court action, named as `courts` says; "Court
not recorded: <county>" when the record carries none and the office named no court for the
county) an exhibit lists the convictions the office asks relief for: the person, DOB, CII,
court number, conviction date, section and the relief (dismiss and seal, or redesignate),
with a proposed order beside it (`order`). The office's position is the reviewer's decision
where there is one, else the run's determination. Beside the run's outcome each row shows
what the pack suggested (for a review, its `suggested_outcome`, or the question it asked
when it suggested nothing) and whether the reviewer accepted the suggestion. Convictions still under review (`triage.review.stats`) are not
listed; their count is in the manifest and on every PDF.

`challenged.csv` lists the convictions the office opposes (position `not_eligible`) with
the grounds (the determination's label, reason and citation) and every reviewer note on
the conviction or the person, for the court and the public defender.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from rules.doj_layout import DOJ_COLUMNS
from rules.suggest import cited_source
from triage import grounds
from triage.display import clean
from triage.export import courts, order
from triage.export.bundle import Bundle
from triage.export.courts import EMPTY, Court, CourtBook
from triage.export.fmt import accepted, blank_null, export_date, pack_suggestion, plural
from triage.export.pdf import Document
from triage.review.stats import is_unresolved
from triage.runs import Run

RELIEF = {"dismiss": "Dismiss and seal", "reduce": "Redesignate"}
_ORI_CODE = DOJ_COLUMNS.index("STP_ORI_CODE")
_ORI_DESCR = DOJ_COLUMNS.index("STP_ORI_DESCR")

EXHIBIT_COLUMNS = (
    "Court ORI", "Court", "County", "Name", "DOB", "CII", "Court number", "Conviction date",
    "Section", "Relief", "Run outcome", "Suggested", "Reviewer decision",
    "Accepted suggestion", "Decided by", "Conviction key",
)  # fmt: skip
CHALLENGED_COLUMNS = (
    "Court ORI", "Court", "County", "Name", "DOB", "CII", "Court number", "Conviction date",
    "Section", "Decided by", "Decided at", "Grounds", "Reason", "Citation", "Notes",
    "Run outcome", "Suggested", "Accepted suggestion", "Conviction key",
)  # fmt: skip

_QUERY = """
SELECT d.key, d.subject_id, d.outcome, d.label, d.reason, d.citation, d.section,
       d.suggested_outcome, d.suggested_reason, d.county, c.event_date, c.ofn, c.offense_descr, p.name, p.dob, p.cii, s.raw,
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
    suggested: str  # the run's outcome (see `suggestion` for what the pack suggested)
    final: str | None  # dismiss / reduce / not_eligible, None while pending
    decision: str | None
    decided_by: str
    decided_at: str
    label: str
    reason: str
    citation: str
    grounds: str = ""  # the reviewer's `triage.grounds` ids, comma-separated
    court_info: Court = Court("", "")
    # What the pack suggested: the outcome itself when the run decided; for a review, its
    # suggested outcome, or None with the question it asked in `suggested_reason`.
    suggestion: str | None = None
    suggested_reason: str = ""

    @property
    def overridden(self) -> bool:
        """A reviewer's decision that is not the pack's suggestion (or answers its question)."""
        return self.decision is not None and self.decision != self.suggestion

    @property
    def suggested_text(self) -> str:
        """The exhibit's "Suggested": an outcome, or `question: ...` when there was none."""
        if self.suggestion is not None:
            return self.suggestion
        return f"question: {self.suggested_reason}" if self.suggested_reason else "question"

    @property
    def accepted(self) -> str:
        return accepted(self.suggestion, self.decision)


def final_position(outcome: str, decision: str | None) -> str | None:
    """A reviewer's decision wins; a conviction still under review has none (None)."""
    if is_unresolved(outcome, decision):
        return None
    return decision if decision is not None else outcome


def _court(raw: str, county: str, book: CourtBook) -> Court:
    fields = next(csv.reader([raw]), [])
    if len(fields) != len(DOJ_COLUMNS):  # a non-DOJ layout carries no ORI
        return book.court("", "", county)
    return book.court(blank_null(fields[_ORI_CODE]), blank_null(fields[_ORI_DESCR]), county)


def positions(conn: sqlite3.Connection, run_id: int, book: CourtBook = EMPTY) -> list[Position]:
    """Every conviction of the run with the office's current position on it."""
    out = []
    for r in conn.execute(_QUERY, (run_id,)):
        found = _court(r["raw"], r["county"], book)
        section = blank_null(r["section"]) or blank_null(r["offense_descr"].split("-", 1)[0])
        out.append(Position(
            key=r["key"], subject_id=r["subject_id"], court_ori=found.ori,
            court=found.name, county=r["county"], court_info=found,
            name=blank_null(r["name"]), dob=export_date(r["dob"]), cii=blank_null(r["cii"]),
            court_number=blank_null(r["ofn"]),
            date=export_date(r["event_date"]), section=section, suggested=r["outcome"],
            final=final_position(r["outcome"], r["decision"]), decision=r["decision"],
            decided_by=r["reviewer"] or "", decided_at=r["decided_at"] or "",
            label=r["label"], reason=r["reason"], citation=r["citation"],
            grounds=r["grounds"], suggestion=pack_suggestion(r["outcome"], r["suggested_outcome"]),
            suggested_reason=r["suggested_reason"],
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


def _court_id(p: Position) -> tuple[str, str]:
    """How exhibits group convictions: county, then the ORI or the court's name."""
    return (p.county, p.court_ori or p.court)


def _file_slug(p: Position) -> str:
    if p.court_ori:
        return _slug(f"{p.county}-{p.court_ori}")
    if not p.court_info.recorded:
        return _slug(f"{p.county}-court-not-recorded")
    if p.court.startswith(courts.SUPERIOR_COURT):
        return _slug(f"{p.county}-superior-court")
    return _slug(f"{p.county}-{p.court}")


def pending_line(here: int, total: int, *, where: str = "for this court") -> str:
    """The line every PDF carries while convictions are still under review."""
    if not total:
        return ""
    if not here:
        return f"No conviction {where} is still under review ({total:,} in the whole run)."
    line = f"{plural(here, 'conviction')} {where} still under review "
    line += ("is" if here == 1 else "are") + " not listed"
    return line + (f" ({total:,} in the whole run)." if total != here else ".")


def _exhibit_row(p: Position) -> list[str]:
    return [
        p.court_ori, p.court, p.county, p.name, p.dob, p.cii, p.court_number, p.date,
        p.section, RELIEF.get(p.final or "", ""), p.suggested, p.suggested_text,
        p.decision or "", p.accepted, p.decided_by, p.key,
    ]  # fmt: skip


def _pdf_note(p: Position) -> str:
    """The exhibit PDF's note: who decided, and whether that was the pack's suggestion."""
    if p.decision is None:
        return ""
    if not p.overridden:
        return f"suggestion accepted ({p.decided_by})"
    if p.suggestion is None:
        return f"reviewer decision ({p.decided_by}); the run asked a question"
    return f"reviewer decision ({p.decided_by}); suggested {p.suggestion}"


def _exhibit(bundle: Bundle, slug: str, items: list[Position], subtitle: str, pending: str) -> None:
    first = items[0]
    with bundle.table(f"exhibit-{slug}", EXHIBIT_COLUMNS) as f:
        for p in items:
            f.row(_exhibit_row(p))
    county = "" if first.county.upper() in first.court.upper() else f" ({first.county})"
    doc = Document(f"Exhibit A: {first.court}{county}", subtitle, landscape=True)
    for line in first.court_info.address:
        doc.paragraph(line)
    ori = first.court_ori or "not recorded in the DOJ file"
    by_relief = Counter(RELIEF[p.final] for p in items if p.final in RELIEF)
    doc.paragraph(
        f"{plural(len(items), 'conviction')} for which relief under Health and Safety Code "
        f"section 11361.8 is requested ("
        + ", ".join(f"{label}: {n:,}" for label, n in sorted(by_relief.items()))
        + f"). Court ORI: {ori}."
    )
    if pending:
        doc.paragraph(pending)
    doc.grid(
        # Numbered as the proposed order numbers them, so either can cite the other.
        ["No.", "Name", "DOB", "CII", "Court no.", "Convicted", "Section", "Relief", "Note"],
        [[str(n), p.name, p.dob, p.cii, p.court_number, p.date, p.section,
          RELIEF.get(p.final or "", ""), _pdf_note(p)]
         for n, p in enumerate(items, start=1)],
        widths=(8, 50, 20, 22, 25, 20, 35, 30, 40),
    )  # fmt: skip
    bundle.binary(f"exhibit-{slug}.pdf", doc.render(), rows=len(items))


def export(
    conn: sqlite3.Connection,
    run: Run,
    bundle: Bundle,
    *,
    subtitle: str,
    book: CourtBook = EMPTY,
) -> dict[str, Any]:
    """Stage per court an exhibit (table + PDF) and a proposed order (PDF), and the
    challenged list; returns counts."""
    everything = positions(conn, run.id, book)
    waiting = Counter(_court_id(p) for p in everything if p.final is None)
    pending = sum(waiting.values())
    courts: dict[tuple[str, str], list[Position]] = defaultdict(list)
    for p in everything:
        if p.final in RELIEF:
            courts[_court_id(p)].append(p)
    used: set[str] = set()
    exhibits = []
    for court_id, items in sorted(courts.items()):
        slug = _file_slug(items[0])
        while slug in used:
            slug += "-x"
        used.add(slug)
        _exhibit(bundle, slug, items, subtitle, pending_line(waiting[court_id], pending))
        bundle.binary(
            f"order-{slug}.pdf", order.render(items, RELIEF, book.office), rows=len(items)
        )
        first = items[0]
        exhibits.append({
            "court": first.court, "ori": first.court_ori, "county": first.county,
            "court_recorded": first.court_info.recorded, "convictions": len(items),
            "slug": slug,
        })  # fmt: skip
    challenged = [p for p in everything if p.final == "not_eligible"]
    _challenged(conn, bundle, challenged, subtitle, pending)
    statement = pending_statement(pending)
    _readme(bundle, subtitle, statement, exhibits, len(challenged))
    return {
        "exhibits": exhibits,
        "challenged": len(challenged),
        "pending": pending,
        "pending_statement": statement,
        "court_not_recorded": sum(e["convictions"] for e in exhibits if not e["court_recorded"]),
        "courts_file": book.source,
    }


def pending_statement(pending: int) -> str:
    """What the whole export leaves out, for the manifest and README.txt: the line the
    challenged PDF carries, or that nothing is left out. (The CSVs carry no such line: a
    comment row would break every program reading them.)"""
    if not pending:
        return "Every conviction of the run has a position: none is still under review."
    return pending_line(pending, pending, where="in the run")[:-1] + " in any file of this export."


def _readme(
    bundle: Bundle, subtitle: str, statement: str, exhibits: list[dict[str, Any]], challenged: int
) -> None:
    """README.txt: what the folder holds, and what it leaves out, for whoever files it."""
    table = "xlsx" if bundle.profile.xlsx else "csv"
    lines = [f"Court export for HS 11361.8 motions: {subtitle}", "", statement, "", "Files:"]
    for e in exhibits:
        court = clean(e["court"]) + ("" if e["court_recorded"] else " (court not recorded)")
        lines.append(
            f"  exhibit-{e['slug']}.{table}, exhibit-{e['slug']}.pdf, order-{e['slug']}.pdf: "
            f"{court}, {plural(e['convictions'], 'conviction')} for relief"
        )
    lines += [
        f"  challenged.{table}, challenged.pdf: {plural(challenged, 'conviction')} the office "
        "opposes, with grounds, citations and reviewers' notes",
        "  manifest.json: who exported what and when, each file's rows and SHA-256",
        "",
    ]
    bundle.text("README.txt", "\n".join(lines))


def _grounds(p: Position) -> tuple[str, str, str]:
    """(grounds, reason, citation) for a challenged conviction.

    The reviewer's own grounds come first; the run's label, reason and citation stand when
    the run itself said not eligible, and the pack's suggestion (with the law its step
    cites) when the reviewer accepted a not_eligible suggestion; a reviewer's challenge
    with none of these says so rather than leaving the reason blank."""
    if p.grounds:
        agrees = p.suggestion == "not_eligible"
        return "Reviewer's grounds" + ("" if agrees else _against(p)), *grounds.describe(p.grounds)
    if p.suggested == "not_eligible":
        return p.label, p.reason, p.citation
    if p.suggestion == "not_eligible":
        source = cited_source(p.suggested_reason)
        citation = source[1] if source else p.citation
        return "The pack's suggestion, accepted by the reviewer", p.suggested_reason, citation
    return (
        "Reviewer decision" + _against(p),
        "No grounds recorded with the decision; see the notes",
        "",
    )


def _against(p: Position) -> str:
    """What the reviewer's challenge departs from, e.g. ` (the run suggested reduce)`."""
    if p.suggestion is None:
        return " (the run asked a question)"
    return f" (the run suggested {p.suggestion})"


def _challenged(
    conn: sqlite3.Connection, bundle: Bundle, items: list[Position], subtitle: str, pending: int
) -> None:
    notes = _notes(conn, {p.subject_id for p in items})
    rows = []
    for p in items:
        text = notes.get((p.subject_id, p.key), []) + notes.get((p.subject_id, None), [])
        label, reason, citation = _grounds(p)
        rows.append([p.court_ori, p.court, p.county, p.name, p.dob, p.cii, p.court_number,
                     p.date, p.section, p.decided_by, p.decided_at, label, reason, citation,
                     " | ".join(text), p.suggested, p.suggested_text, p.accepted,
                     p.key])  # fmt: skip
    with bundle.table("challenged", CHALLENGED_COLUMNS) as f:
        for row in rows:
            f.row(row)
    doc = Document("Challenged convictions (HS 11361.8)", subtitle, landscape=True)
    doc.paragraph(
        f"The office opposes relief for the {plural(len(items), 'conviction')} listed below, "
        "on the grounds given. Notes are the reviewing attorney's."
    )
    if pending:
        doc.paragraph(pending_line(pending, pending, where="in the run"))
    doc.grid(
        ["Court", "Name", "DOB", "CII", "Court no.", "Convicted", "Section", "Grounds",
         "Citation", "Notes"],
        [[r[1], r[3], r[4], r[5], r[6], r[7], r[8],
          ": ".join(x for x in (r[11], r[12]) if x), r[13], r[14]] for r in rows],
        widths=(28, 32, 19, 18, 18, 19, 22, 45, 28, 40),
    )  # fmt: skip
    bundle.binary("challenged.pdf", doc.render(), rows=len(items))
