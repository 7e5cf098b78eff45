"""Conformance with Code for America's fixtures (../shared/cfa-fixtures; skipped when absent).

The workbooks' CSV copies hold, per DOJ row, the eligibility gogen wrote for it. Each person's
rows are built into a record with `rules.records.build_person`, classified with the matching
pack, and every row must get exactly the expected label and reason; rows gogen left blank
must get no determination.

Deliberate differences: triage matches code sections exactly where CfA matched unanchored
regular expressions (`237 PC` also matched `37 PC`; `66411357(A)` matched 11357). Such a row
would be listed in DELIBERATE_DIFFERENCES with its reason. On these fixtures exact matching
makes no row differ, so both lists are empty, and the test fails if that ever changes.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

from rules.engine import classify
from rules.model import Determination, Outcome, PersonRecord
from rules.packs import Pack, load_pack, pack_from_gogen_options
from rules.records import build_person

COMPUTE_AT = dt.date(2019, 11, 11)
DOJ_COLUMNS = 95

# (fixture, physical line) -> why triage's answer differs from CfA's on purpose.
DELIBERATE_DIFFERENCES: dict[tuple[str, int], str] = {}

Expected = dict[int, tuple[str, str]]  # physical line -> (label, reason); ("", "") = none


def read_workbook(path: Path) -> tuple[dict[str, list[dict[str, str]]], Expected]:
    """People's DOJ rows (keyed by column name, with `_line`) and the expected columns."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[1]
    columns = header[1 : 1 + DOJ_COLUMNS]
    assert columns[0] == "RECORD_ID" and columns[-1] == "END_OF_REC"
    assert header[-2:] == ["Eligibility Determination", "Eligibility Reason"]
    people: dict[str, list[dict[str, str]]] = defaultdict(list)
    expected: Expected = {}
    for line, row in enumerate(rows[2:], start=3):
        doj = dict(zip(columns, row[1 : 1 + DOJ_COLUMNS], strict=True))
        doj["_line"] = str(line)
        people[doj["SUBJECT_ID"]].append(doj)
        expected[line] = (row[-2].strip(), row[-1].strip())
    return people, expected


def classify_people(
    people: dict[str, list[dict[str, str]]], pack: Pack, county: str, at: dt.date
) -> tuple[list[PersonRecord], dict[int, Determination]]:
    """Records, and each classified conviction's determination by physical line."""
    records: list[PersonRecord] = []
    by_line: dict[int, Determination] = {}
    for rows in people.values():
        record = build_person(rows)
        records.append(record)
        lines = {c.key: c.lines for c in record.convictions}
        for det in classify(record, pack, county=county, compute_at=at):
            for line in lines[det.key]:
                by_line[line] = det
    return records, by_line


def check_rows(name: str, expected: Expected, got: dict[int, Determination]) -> list[str]:
    mismatches = []
    evaluated = 0
    for line, (label, reason) in expected.items():
        det = got.get(line)
        answer = (det.label, det.reason) if det else ("", "")
        if (name, line) in DELIBERATE_DIFFERENCES:
            assert answer != (label, reason), f"{name}:{line} no longer differs; update the list"
            continue
        evaluated += bool(label)
        if answer != (label, reason):
            mismatches.append(f"{name}:{line}: expected {(label, reason)}, got {answer}")
    assert evaluated > 0
    return mismatches


def test_gogen_configurable_flow(cfa: Path) -> None:
    people, expected = read_workbook(cfa / "gogen" / "configurable_flow_raw.csv")
    pack = pack_from_gogen_options(cfa / "gogen" / "eligibility_options.json", county="SACRAMENTO")
    records, got = classify_people(people, pack, "SACRAMENTO", COMPUTE_AT)
    assert check_rows("configurable_flow", expected, got) == []
    assert sum(1 for label, _ in expected.values() if label) == 18
    # gogen's own summary figures for this fixture (see the fixtures README).
    summary = relief_summary(records, got)
    assert summary == {"no_felony": 5, "no_conviction": 4, "some_relief": 12}


def test_los_angeles_2019(cfa: Path) -> None:
    people, expected = read_workbook(cfa / "gogen_pilots" / "los_angeles_raw.csv")
    pack = load_pack("los-angeles-2019")
    _records, got = classify_people(people, pack, "LOS ANGELES", COMPUTE_AT)
    assert check_rows("los_angeles", expected, got) == []
    labels = {label for label, _ in expected.values() if label}
    assert labels == {
        "Eligible for Dismissal",
        "Hand Review",
        "Not eligible",
        "To be reviewed by City Attorneys",
    }


def relief_summary(
    records: list[PersonRecord], by_line: dict[int, Determination]
) -> dict[str, int]:
    """gogen's per-person relief counts (DOJInformation.countIndividualsFilteredByFullRelief).

    - no_felony ("will no longer have a felony"): people with at least one felony conviction
      (any county, any section) whose every felony conviction was determined dismiss or
      reduce. A reduction counts: the felony becomes a misdemeanor. Misdemeanors are ignored.
    - no_conviction: people with at least one conviction whose every conviction is dismissed.
    - some_relief: people with at least one conviction determined dismiss or reduce.
    A conviction the pack did not classify (other county, not Prop 64) counts as not relieved.
    """
    relieved = (Outcome.DISMISS, Outcome.REDUCE)
    decided = {d.key: d.outcome for d in by_line.values()}
    no_felony = no_conviction = some = 0
    for record in records:
        outcome = {c.key: decided.get(c.key) for c in record.convictions}
        felonies = [c for c in record.convictions if c.felony]
        if felonies and all(outcome[c.key] in relieved for c in felonies):
            no_felony += 1
        convictions = record.convictions
        if convictions and all(outcome[c.key] is Outcome.DISMISS for c in convictions):
            no_conviction += 1
        if any(o in relieved for o in outcome.values()):
            some += 1
    return {"no_felony": no_felony, "no_conviction": no_conviction, "some_relief": some}


def test_bear_defaults_four_people_no_longer_have_a_felony(cfa: Path) -> None:
    path = cfa / "bear" / "file.dat"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0][:DOJ_COLUMNS]
    assert header[0] == "RECORD_ID" and len(rows) == 35
    people: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line, row in enumerate(rows[1:], start=2):
        doj = dict(zip(header, row[:DOJ_COLUMNS], strict=True))
        doj["_line"] = str(line)
        people[doj["SUBJECT_ID"]].append(doj)
    pack = pack_from_gogen_options(cfa / "bear" / "bear_default_options.json", county="SACRAMENTO")
    records, got = classify_people(people, pack, "SACRAMENTO", dt.date(2020, 7, 1))
    assert got, "nothing was classified"
    assert relief_summary(records, got)["no_felony"] == 4


def test_flags_are_recorded_though_parity_packs_force_none(cfa: Path) -> None:
    people, _expected = read_workbook(cfa / "gogen" / "configurable_flow_raw.csv")
    pack = pack_from_gogen_options(cfa / "gogen" / "eligibility_options.json", county="SACRAMENTO")
    _records, got = classify_people(people, pack, "SACRAMENTO", COMPUTE_AT)
    # Line 14's charge is only in COMMENT_TEXT ("SEE COMMENT FOR CHARGE"): classified normally
    # (as CfA did), with the flag kept for the reviewer.
    assert "charge_in_comment" in got[14].flags
    assert not any(d.forced_review for d in got.values())
