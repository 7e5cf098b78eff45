"""The summary report: what a run found and how far review has come (Markdown and PDF).

Like BEAR's summary PDF, and more: the county, pack and run; lines processed and time
taken; the impact figures (people who would no longer have a felony, no conviction in the
seven years before compute-at, no conviction at all), once as classified and once with the
reviewers' decisions (pending convictions count as not relieved); convictions by section;
felony against misdemeanor; dismissals and reductions by reason; and review progress
(decided, pending, deferred, by reviewer), with bar charts.

Each decision is held to what the pack suggested (`fmt.pack_suggestion`: the outcome, or a
review's `suggested_outcome`) with the court export's own test (`fmt.accepted`), so both
reports agree: it accepted the suggestion, decided otherwise (the only "override"), or
answered a question (a review with no suggestion). A deferral is none of these.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rules import gogen_columns as g
from triage.export import gogen
from triage.export.bundle import Bundle
from triage.export.court import final_position
from triage.export.fmt import accepted, pack_suggestion, plural
from triage.export.pdf import Document
from triage.export.runs import manifest
from triage.runs import Run

CONVICTIONS = ("conviction", "convictions")
IMPACT_LABELS = {
    "CountSubjectsNoFelony": "People who will no longer have a felony",
    "CountSubjectsNoConvictionLast7Years": "People with no conviction in the last 7 years",
    "CountSubjectsNoConviction": "People who will have no conviction at all",
}


@dataclass
class SummaryData:
    """Every figure of the report, ready to render."""

    run: Run
    files: int = 0
    lines: int = 0
    duplicates: int = 0
    quarantined: int = 0
    people: int = 0
    convictions: int = 0
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_section: Counter[str] = field(default_factory=Counter)
    felony: int = 0
    misdemeanor: int = 0
    dismissals_by_reason: Counter[str] = field(default_factory=Counter)
    reductions_by_reason: Counter[str] = field(default_factory=Counter)
    impact_classified: dict[str, int] = field(default_factory=dict)
    impact_decided: dict[str, int] = field(default_factory=dict)
    to_review: int = 0
    decided: int = 0
    deferred: int = 0
    pending: int = 0
    accepted: int = 0
    overrides: int = 0
    questions: int = 0
    by_reviewer: dict[str, Counter[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (for scripts and tests)."""
        return {
            "run": manifest(self.run),
            "lines": self.lines, "duplicates": self.duplicates,
            "quarantined": self.quarantined, "files": self.files,
            "seconds": self.run.seconds, "people": self.people,
            "convictions": self.convictions, "by_outcome": dict(self.by_outcome),
            "by_section": dict(self.by_section), "felony": self.felony,
            "misdemeanor": self.misdemeanor,
            "dismissals_by_reason": dict(self.dismissals_by_reason),
            "reductions_by_reason": dict(self.reductions_by_reason),
            "impact_classified": self.impact_classified,
            "impact_decided": self.impact_decided,
            "review": {"to_review": self.to_review, "decided": self.decided,
                       "deferred": self.deferred, "pending": self.pending,
                       "accepted": self.accepted, "overrides": self.overrides,
                       "questions": self.questions,
                       "by_reviewer": {k: dict(v) for k, v in self.by_reviewer.items()}},
        }  # fmt: skip


def _count(conn: sqlite3.Connection, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args).fetchone()[0])


def collect(conn: sqlite3.Connection, run: Run) -> SummaryData:
    """Compute the report's figures for `run` (read-only)."""
    data = SummaryData(run)
    data.files = _count(conn, "SELECT count(*) FROM source_files")
    data.lines = _count(conn, "SELECT count(*) FROM source_rows")
    data.duplicates = _count(conn, "SELECT count(*) FROM duplicate_rows")
    data.quarantined = _count(conn, "SELECT count(*) FROM quarantine")
    classified: dict[str, g.Verdict] = {}
    decided: dict[str, g.Verdict] = {}
    people: set[str] = set()
    for r in conn.execute(
        "SELECT d.key, d.subject_id, d.outcome, d.label, d.reason, d.section, d.felony, "
        "d.suggested_outcome, cd.decision, cd.reviewer FROM determinations d "
        "LEFT JOIN current_decisions cd ON cd.key = d.key WHERE d.run_id = ?",
        (run.id,),
    ):
        key, outcome, decision = r["key"], r["outcome"], r["decision"]
        people.add(r["subject_id"])
        data.by_outcome[outcome] += 1
        data.by_section[r["section"] or "(unparsed)"] += 1
        if r["felony"]:
            data.felony += 1
        else:
            data.misdemeanor += 1
        if outcome == "dismiss":
            data.dismissals_by_reason[r["reason"]] += 1
        elif outcome == "reduce":
            data.reductions_by_reason[r["reason"]] += 1
        classified[key] = g.verdict(outcome, r["label"], r["reason"])
        final = final_position(outcome, decision)
        if final is not None:
            decided[key] = g.verdict(final, "", r["reason"])
        _progress(data, outcome, decision, r["reviewer"])
        _against_suggestion(data, pack_suggestion(outcome, r["suggested_outcome"]), decision)
    data.people = len(people)
    data.convictions = sum(data.by_outcome.values())
    subjects = gogen.fold_people(conn, run, set(classified))
    data.impact_classified = g.impact(subjects, classified, run.compute_date)
    data.impact_decided = g.impact(subjects, decided, run.compute_date)
    return data


def _progress(data: SummaryData, outcome: str, decision: str | None, reviewer: str | None) -> None:
    if outcome == "review":
        data.to_review += 1
        if decision is None:
            data.pending += 1
        elif decision == "defer":
            data.deferred += 1
        else:
            data.decided += 1
    if decision is not None and reviewer:
        kind = "deferred" if decision == "defer" else "decided"
        data.by_reviewer.setdefault(reviewer, Counter())[kind] += 1


def _against_suggestion(data: SummaryData, suggested: str | None, decision: str | None) -> None:
    verdict = accepted(suggested, decision)
    if verdict == "yes":
        data.accepted += 1
    elif verdict == "no":
        data.overrides += 1
    elif verdict == "question":
        data.questions += 1


def _against_rows(d: SummaryData) -> list[tuple[str, int]]:
    """Reviewers' decisions (deferrals aside) held to the pack's suggestion."""
    return [
        ("Accepted the pack's suggestion", d.accepted),
        ("Decided otherwise", d.overrides),
        ("No suggestion (question)", d.questions),
    ]


def _facts(d: SummaryData) -> list[tuple[str, str]]:
    run = d.run
    return [
        ("County", run.county),
        ("Policy pack", f"{run.pack_title} ({run.pack_id} v{run.pack_version})"),
        ("Pack hash", run.pack_hash[:16]),
        ("Run", f"#{run.id}, finished {(run.finished_at or '')[:19].replace('T', ' ')} UTC, "
                f"by {run.created_by}"),
        ("Compute-at", run.compute_at),
        ("Lines processed", f"{plural(d.lines + d.duplicates, 'line')} in "
                            f"{plural(d.files, 'file')} ({plural(d.duplicates, 'exact duplicate')},"
                            f" {d.quarantined:,} quarantined)"),
        ("Time taken", f"{run.seconds:.1f} s to classify"),
        ("People and convictions evaluated",
         f"{plural(d.people, 'person', 'people')}, {plural(d.convictions, 'conviction')}"),
    ]  # fmt: skip


def _sorted(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _md_table(headings: list[str], rows: list[list[str]]) -> str:
    def cell(value: str) -> str:
        return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown(d: SummaryData) -> str:
    """The report as Markdown (record-free: only counts, reasons and pack names)."""
    out = [f"# Prop 64 relief summary: {d.run.county}\n"]
    out.append(_md_table(["", ""], [[k, v] for k, v in _facts(d)]))
    out.append("\n## Impact\n\n")
    out.append(_md_table(["", "As classified", "With reviewers' decisions"], [
        [label, str(d.impact_classified[k]), str(d.impact_decided[k])]
        for k, label in IMPACT_LABELS.items()]))  # fmt: skip
    out.append("\n## Convictions by outcome\n\n")
    out.append(
        _md_table(["Outcome", "Convictions"], [[k, str(v)] for k, v in _sorted(d.by_outcome)])
    )
    out.append("\n## Convictions by section\n\n")
    out.append(
        _md_table(["Section", "Convictions"], [[k, str(v)] for k, v in _sorted(d.by_section)])
    )
    out.append("\n## Felony and misdemeanor\n\n")
    out.append(
        _md_table(
            ["Level", "Convictions"],
            [["Felony", str(d.felony)], ["Misdemeanor or infraction", str(d.misdemeanor)]],
        )
    )
    out.append("\n## Dismissals by reason\n\n")
    out.append(
        _md_table(
            ["Reason", "Convictions"], [[k, str(v)] for k, v in _sorted(d.dismissals_by_reason)]
        )
    )
    out.append("\n## Reductions by reason\n\n")
    out.append(
        _md_table(
            ["Reason", "Convictions"], [[k, str(v)] for k, v in _sorted(d.reductions_by_reason)]
        )
    )
    out.append("\n## Review progress\n\n")
    out.append(_md_table(["", "Convictions"], [
        ["Sent to review", str(d.to_review)], ["Decided", str(d.decided)],
        ["Deferred", str(d.deferred)], ["Pending", str(d.pending)]]))  # fmt: skip
    out.append("\n")
    out.append(_md_table(["Reviewer", "Decided", "Deferred"], [
        [name, str(c["decided"]), str(c["deferred"])]
        for name, c in sorted(d.by_reviewer.items())]))  # fmt: skip
    out.append("\n## Decisions against the pack's suggestion\n\n")
    out.append(_md_table(["", "Convictions"], [[k, str(v)] for k, v in _against_rows(d)]))
    return "".join(out)


def pdf(d: SummaryData) -> bytes:
    """The report as a printable PDF with bar charts."""
    doc = Document(
        f"Prop 64 relief summary: {d.run.county}",
        f"Run #{d.run.id} - {d.run.pack_title} - compute-at {d.run.compute_at}",
    )
    doc.grid(["", ""], _facts(d), widths=(60, 130), size=9)
    doc.heading("Impact")
    doc.grid(
        ["", "As classified", "With reviewers' decisions"],
        [
            [label, d.impact_classified[k], d.impact_decided[k]]
            for k, label in IMPACT_LABELS.items()
        ],
        widths=(100, 45, 45),
        size=9,
    )
    doc.bars("Convictions by outcome", _sorted(d.by_outcome), unit=CONVICTIONS)
    doc.bars("Convictions by section", _sorted(d.by_section)[:25], unit=CONVICTIONS)
    doc.bars(
        "Felony and misdemeanor",
        [("Felony", d.felony), ("Misdemeanor or infraction", d.misdemeanor)],
        unit=CONVICTIONS,
    )
    doc.bars("Dismissals by reason", _sorted(d.dismissals_by_reason)[:25], unit=CONVICTIONS)
    doc.bars("Reductions by reason", _sorted(d.reductions_by_reason)[:25], unit=CONVICTIONS)
    doc.bars(
        "Review progress",
        [
            ("Decided", d.decided),
            ("Deferred", d.deferred),
            ("Pending", d.pending),
        ],
        unit=CONVICTIONS,
    )
    doc.bars("Decisions against the pack's suggestion", _against_rows(d), unit=CONVICTIONS)
    doc.bars("Decisions by reviewer", sorted(
        ((name, sum(c.values())) for name, c in d.by_reviewer.items()),
        key=lambda kv: (-kv[1], kv[0])), unit=("decision", "decisions"))  # fmt: skip
    return doc.render()


def export(conn: sqlite3.Connection, run: Run, bundle: Bundle) -> dict[str, Any]:
    """Stage `summary.md` and `summary.pdf`; returns the figures."""
    data = collect(conn, run)
    bundle.text("summary.md", markdown(data))
    bundle.binary("summary.pdf", pdf(data))
    return data.as_dict()
