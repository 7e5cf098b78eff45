"""What-if: two packs on the same data, compared in memory; the database is untouched."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from cli_support import run_cli

from rules import gogen_columns as g
from rules.packs import pack_from_gogen_options
from triage import db
from triage.importers import import_files
from triage.whatif import compare

COMPUTE_AT = dt.date(2019, 11, 11)


def _fingerprint(conn: sqlite3.Connection) -> str:
    return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


@pytest.fixture
def fixture_db(cfa: Path, tmp_path: Path) -> sqlite3.Connection:
    table = list(csv.reader((cfa / "gogen" / "configurable_flow_raw.csv").open(newline="")))
    path = tmp_path / "doj.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(r[1:96] for r in table[1:])
    conn = db.connect(tmp_path / "t.db", create=True)
    import_files(conn, [path])
    return conn


def _options(cfa: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((cfa / "gogen" / "eligibility_options.json").read_text())
    return loaded


def test_dismissing_11359_too_changes_exactly_the_11359_rows(
    cfa: Path, fixture_db: sqlite3.Connection
) -> None:
    options_a = _options(cfa)
    options_b = json.loads(json.dumps(options_a))
    options_b["baselineEligibility"] = {
        "dismiss": ["11357", "11358", "11359", "11360"],
        "reduce": [],
    }
    pack_a = pack_from_gogen_options(options_a, county="SACRAMENTO")
    pack_b = pack_from_gogen_options(options_b, county="SACRAMENTO")
    before = _fingerprint(fixture_db)
    report = compare(fixture_db, pack_a, pack_b, county="SACRAMENTO", compute_at=COMPUTE_AT)
    assert _fingerprint(fixture_db) == before  # nothing written: no run, no audit entry
    assert fixture_db.execute("SELECT count(*) FROM runs").fetchone()[0] == 0

    # Expected from the workbook: every HS 11359 conviction with a determination now gets
    # the baseline dismissal, except misdemeanors, which the flow dismisses before it looks
    # at sections (workbook row 20: a misdemeanor 11358 reads "Misdemeanor or Infraction");
    # only the one gogen reduced changes outcome.
    rows = list(csv.reader((cfa / "gogen" / "configurable_flow_raw.csv").open(newline="")))[2:]
    expected = {}
    for r in rows:
        if r[96 + 16] and g.prop64_section(g.code_section(r[1:96])) == "11359":
            if r[96 + 17] != "Misdemeanor or Infraction":
                expected[g.conviction_key(r[1:96])] = r[96 + 17]
    assert len(expected) == 7
    changed = {c.key: c for c in report.changes}
    assert set(changed) == set(expected)
    for key, old_reason in expected.items():
        c = changed[key]
        assert (c.from_reason, c.to_reason) == (old_reason, "Dismiss all HS 11359 convictions")
        assert c.to_outcome == "dismiss" and c.section.startswith("11359")
    reduced = [c for c in report.changes if c.from_outcome != c.to_outcome]
    assert [(c.from_outcome, c.to_outcome, c.date) for c in reduced] == [
        ("reduce", "dismiss", "20151031")
    ]
    assert report.transitions == {"reduce -> dismiss": 1}
    assert report.into_review == 0 and report.out_of_review == 0
    assert report.a.by_outcome == {"dismiss": 17, "reduce": 1}
    assert report.b.by_outcome == {"dismiss": 18}
    # 84734892 keeps a 220 PC felony and a 632 PC misdemeanor, so no figure moves.
    assert (
        report.a.impact
        == report.b.impact
        == {
            "CountSubjectsNoFelony": 5,
            "CountSubjectsNoConvictionLast7Years": 2,
            "CountSubjectsNoConviction": 4,
        }
    )


def test_review_movement_against_a_stricter_pack(cfa: Path, fixture_db: sqlite3.Connection) -> None:
    pack_a = pack_from_gogen_options(_options(cfa), county="SACRAMENTO")
    options_b = _options(cfa)
    options_b["additionalRelief"] = {}  # no additional relief: fewer dismissals
    pack_b = pack_from_gogen_options(options_b, county="SACRAMENTO")
    report = compare(fixture_db, pack_a, pack_b, county="SACRAMENTO", compute_at=COMPUTE_AT)
    # Without additional relief, the six 11359 dismissals on age, years, death and
    # only-Prop-64 grounds become reductions; "Misdemeanor or Infraction" stays.
    assert report.transitions == {"dismiss -> reduce": 6}
    assert report.b.by_outcome == {"dismiss": 11, "reduce": 7}
    assert (
        report.b.impact["CountSubjectsNoConviction"] < report.a.impact["CountSubjectsNoConviction"]
    )
    assert report.as_dict()["b"]["by_outcome"] == {"dismiss": 11, "reduce": 7}


def test_cli_json_and_text(
    cfa: Path,
    fixture_db: sqlite3.Connection,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    opts = cfa / "gogen" / "eligibility_options.json"
    base = [
        "whatif",
        "--options",
        str(opts),
        "--policy",
        "los-angeles-2019",
        "--county",
        "SACRAMENTO",
        "--compute-at",
        "2019-11-11",
        "--db",
        str(tmp_path / "t.db"),
    ]
    before = _fingerprint(fixture_db)
    code, out, err = run_cli(capsys, *base, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["a"]["pack_id"] == "los-angeles-2019" and data["b"]["pack_id"] == "gogen"
    assert data["b"]["by_outcome"] == {"dismiss": 17, "reduce": 1}
    assert len(data["changes"]) == sum(1 for c in data["changes"])
    code, out, _ = run_cli(capsys, *base, "--limit", "2")
    assert code == 0
    assert "Impact (A | B):" in out and "people with no felony left:" in out
    assert out.count(" -> ") >= 2 and "more (use --limit or --json)" in out
    assert _fingerprint(fixture_db) == before


def test_cli_needs_exactly_two_scenarios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db.connect(tmp_path / "t.db", create=True).close()
    code, _, err = run_cli(capsys, "whatif", "--policy", "gogen", "--db", str(tmp_path / "t.db"))
    assert code == 2 and err.count("\n") == 1 and "exactly two scenarios" in err
    code, _, err = run_cli(
        capsys, "whatif", "--policy", "gogen", "--policy", "nope", "--db", str(tmp_path / "t.db")
    )
    assert code == 1 and err.count("\n") == 1 and "unknown policy pack" in err
