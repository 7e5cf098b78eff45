"""`summary` report: figures in Markdown and in the PDF's extracted text."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pypdf
from exportseed import add_file, add_run, new_db, workbook

from rules import gogen_columns as g
from triage import review
from triage.export import summary
from triage.export.bundle import open_bundle
from triage.export.runs import resolve_run

# More decisions, one of each kind against the pack's suggestion: key -> (outcome,
# suggested_outcome, decision). A review with a suggestion is held to the suggestion, not to
# `review`; one without is a question the reviewer answered; a deferral is none of these.
MORE = {
    "18675309:101001006000": ("review", "reduce", "dismiss"),  # decided otherwise
    "17954908:101001008000": ("review", None, "reduce"),  # answered a question
    "84734892:101001024000": ("reduce", None, "reduce"),  # accepted
    "90675321:101001019000": ("dismiss", None, "defer"),  # deferred: not counted
}


def _db(cfa: Path, tmp_path: Path, *, more: bool = False) -> sqlite3.Connection:
    rows, expected = workbook(cfa)
    conn = new_db(tmp_path / "t.db")
    add_file(conn, rows)
    dets: dict[str, dict[str, object]] = {}
    for row, cols in zip(rows, expected, strict=True):
        if cols[16]:
            dets[g.conviction_key(row)] = {
                "outcome": "dismiss" if cols[16] == g.DISMISSAL else "reduce",
                "label": cols[16], "reason": cols[17],
                "section": g.prop64_section(g.code_section(row)) + " HS",
                "felony": int(row[g.COL["CONV_STAT_DESCR"]] == "FELONY"),
            }  # fmt: skip
    # Two convictions go to review instead, so review progress has something to show.
    for key in ("313456:101001027000", "34499400:101001030000"):
        dets[key] = {**dets[key], "outcome": "review", "reason": "needs review"}
    # the pack suggested dismissing the first; the reviewer accepts that below
    dets["313456:101001027000"]["suggested_outcome"] = "dismiss"
    for key, (outcome, suggested, _) in MORE.items() if more else ():
        dets[key] = {**dets[key], "outcome": outcome, "suggested_outcome": suggested}
    run_id = add_run(conn, dets, seconds=1.5)
    for key, (_, _, decision) in MORE.items() if more else ():
        review.decide(conn, key, decision, "cy", run_id=run_id)
    review.decide(conn, "313456:101001027000", "dismiss", "ana", run_id=run_id)
    review.decide(conn, "34499400:101001030000", "defer", "ben", run_id=run_id)
    # a reviewer overrides a dismissal the pack suggested
    review.decide(conn, "21345614:101001027000", "not_eligible", "ana", run_id=run_id)
    return conn


def _export(cfa: Path, tmp_path: Path, *, more: bool = False) -> tuple[dict[str, object], Path]:
    conn = _db(cfa, tmp_path, more=more)
    with open_bundle(tmp_path / "out") as bundle:
        figures = summary.export(conn, resolve_run(conn, None), bundle)
        bundle.commit({})
    return figures, tmp_path / "out"


def test_figures(cfa: Path, tmp_path: Path) -> None:
    figures, _ = _export(cfa, tmp_path)
    assert figures["lines"] == 38 and figures["quarantined"] == 0
    assert figures["convictions"] == 18 and figures["people"] == 12
    assert figures["by_section"] == {"11357 HS": 3, "11358 HS": 7, "11359 HS": 8}
    assert figures["felony"] + figures["misdemeanor"] == 18
    # gogen's figures for these determinations are 5 / 2 / 4. As classified, the two people
    # whose only conviction went to review (313456, 34499400) are not relieved yet; neither
    # conviction is within 7 years of compute-at, so that figure stays 2.
    assert figures["impact_classified"] == {
        "CountSubjectsNoFelony": 3,
        "CountSubjectsNoConvictionLast7Years": 2,
        "CountSubjectsNoConviction": 2,
    }
    # With decisions: 313456 dismissed (counts again), 34499400 deferred (still not),
    # 21345614's only conviction challenged (no longer counts).
    assert figures["impact_decided"] == {
        "CountSubjectsNoFelony": 3,
        "CountSubjectsNoConvictionLast7Years": 2,
        "CountSubjectsNoConviction": 2,
    }
    assert figures["review"] == {
        "to_review": 2,
        "decided": 1,
        "deferred": 1,
        "pending": 0,
        "accepted": 1,
        "overrides": 1,
        "questions": 0,
        "by_reviewer": {"ana": {"decided": 2}, "ben": {"deferred": 1}},
    }


def test_pdf_text_carries_the_figures(cfa: Path, tmp_path: Path) -> None:
    _, out = _export(cfa, tmp_path)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(out / "summary.pdf").pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Prop 64 relief summary: SACRAMENTO" in flat
    assert "People who will no longer have a felony 3 3" in flat
    assert "People who will have no conviction at all 2 2" in flat
    assert "People with no conviction in the last 7 years 2 2" in flat
    assert "Lines processed 38 lines in 1 file (0 exact duplicates, 0 quarantined)" in flat
    assert "1.5 s to classify" in flat
    assert "11359 HS 8 convictions" in flat and "11358 HS 7 convictions" in flat
    assert "Dismiss all HS 11358 convictions 5 convictions" in flat  # one of 6 in review
    assert "Decided 1 conviction " in flat and "Deferred 1 conviction " in flat
    assert "Pending 0 convictions" in flat
    assert "ana 2 decisions" in flat and "ben 1 decision" in flat


def test_markdown(cfa: Path, tmp_path: Path) -> None:
    _, out = _export(cfa, tmp_path)
    md = (out / "summary.md").read_text()
    assert md.startswith("# Prop 64 relief summary: SACRAMENTO\n")
    assert "| People who will no longer have a felony | 3 | 3 |" in md
    assert "| 11358 HS | 7 |" in md
    assert "| ana | 2 | 0 |" in md and "| ben | 0 | 1 |" in md
    assert "| Pending | 0 |" in md


def test_overrides_are_held_to_the_packs_suggestion(cfa: Path, tmp_path: Path) -> None:
    figures, out = _export(cfa, tmp_path, more=True)
    progress = figures["review"]
    assert isinstance(progress, dict)
    # accepted: 313456 (review suggesting dismiss, dismissed) and 84734892's reduction;
    # otherwise: 21345614 (dismiss -> not_eligible) and 18675309 (suggested reduce, dismissed);
    # question: 17954908 (review with no suggestion). Deferrals are not counted.
    assert (progress["accepted"], progress["overrides"], progress["questions"]) == (2, 2, 1)
    assert (progress["to_review"], progress["decided"], progress["deferred"]) == (4, 3, 1)
    md = (out / "summary.md").read_text()
    assert "## Decisions against the pack's suggestion" in md
    assert "| Accepted the pack's suggestion | 2 |" in md
    assert "| Decided otherwise | 2 |" in md and "| No suggestion (question) | 1 |" in md
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(out / "summary.pdf").pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Accepted the pack's suggestion 2 convictions" in flat
    assert "Decided otherwise 2 convictions" in flat
    assert "No suggestion (question) 1 conviction" in flat
