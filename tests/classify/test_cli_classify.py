"""`triage classify`, `triage results` and `triage policy` through the real entry point."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from classify_support import add_decision, cfa_doj_csv, people_rows, seed
from cli_support import one_line_error, run_cli

from rules.packs import bundled_ids
from triage import db
from triage.run_reports import RESULT_COLUMNS


@pytest.fixture
def dbpath(tmp_path: Path) -> Path:
    return seed(tmp_path / "t.db", people_rows())


# --- classify -------------------------------------------------------------------------------


def test_classify_prints_a_summary_and_makes_the_run_active(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    code, out, err = run_cli(
        capsys, "classify", "--policy", "los-angeles-2019", "--db", str(dbpath)
    )
    assert (code, err) == (0, "")
    assert "run 1: los-angeles-2019" in out and "(LOS ANGELES, compute-at 2019-11-11)" in out
    assert "4 people, 3 convictions classified" in out
    conn = db.connect(dbpath)
    assert db.active_run_id(conn) == 1
    conn.close()


def test_classify_json_with_county_and_date_overrides(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    code, out, _ = run_cli(
        capsys,
        "classify",
        "--policy",
        "california-statute",
        "--county",
        " sacramento ",
        "--compute-at",
        "2020-07-01",
        "--json",
        "--db",
        str(dbpath),
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["pack"]["id"] == "california-statute"
    assert (summary["county"], summary["compute_at"]) == ("SACRAMENTO", "2020-07-01")
    assert summary["people"] == 4 and summary["convictions"] == 1  # only 1004's 11358
    assert sum(summary["by_outcome"].values()) == 1


def test_classify_with_gogen_options(
    capsys: pytest.CaptureFixture[str], cfa: Path, tmp_path: Path
) -> None:
    source = cfa_doj_csv(cfa, tmp_path / "cf.csv")
    path = tmp_path / "cf.db"
    code, _, _ = run_cli(capsys, "import", str(source), "--db", str(path))
    assert code == 0
    options = cfa / "gogen" / "eligibility_options.json"
    code, out, err = run_cli(
        capsys,
        "classify",
        "--options",
        str(options),
        "--county",
        "SACRAMENTO",
        "--compute-at",
        "2019-11-11",
        "--json",
        "--db",
        str(path),
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["pack"]["id"] == "gogen" and summary["convictions"] == 18
    assert summary["by_outcome"] == {"dismiss": 17, "reduce": 1}
    conn = db.connect(path)
    stored = json.loads(conn.execute("SELECT options FROM runs").fetchone()[0])
    conn.close()
    assert stored["options_file"] == "eligibility_options.json"
    assert stored["gogen_options"]["additionalRelief"]["subjectAgeThreshold"] == 57


def test_unknown_pack_lists_the_available_ones(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    code, out, err = run_cli(
        capsys, "classify", "--policy", "los-angeles-2091", "--db", str(dbpath)
    )
    line = one_line_error(err)
    assert code == 1 and out == ""
    assert "unknown policy pack 'los-angeles-2091'" in line
    assert all(pid in line for pid in bundled_ids())


@pytest.mark.parametrize("value", ["2019-13-01", "11/11/2019", "yesterday"])
def test_bad_compute_at_is_a_usage_error_naming_the_option(
    capsys: pytest.CaptureFixture[str], dbpath: Path, value: str
) -> None:
    code, _, err = run_cli(
        capsys, "classify", "--policy", "gogen", "--compute-at", value, "--db", str(dbpath)
    )
    line = one_line_error(err)
    assert code == 2 and "--compute-at" in line and "YYYY-MM-DD" in line


def test_missing_database_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    for args in (["classify", "--policy", "gogen", "--county", "X"], ["results"], ["stats"]):
        code, _, err = run_cli(capsys, *args, "--db", str(missing))
        line = one_line_error(err)
        assert code == 1 and "no such database" in line
    assert not missing.exists()


def test_bad_options_file_names_file_and_line(
    capsys: pytest.CaptureFixture[str], dbpath: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "opts.json"
    broken.write_text('{\n  "baselineEligibility": {\n    "dismiss": [11357,\n', encoding="utf-8")
    code, _, err = run_cli(
        capsys, "classify", "--options", str(broken), "--county", "X", "--db", str(dbpath)
    )
    line = one_line_error(err)
    assert code == 1 and "opts.json:" in line
    bad_age = tmp_path / "age.json"
    bad_age.write_text(
        json.dumps(
            {
                "baselineEligibility": {"dismiss": [], "reduce": []},
                "additionalRelief": {"subjectAgeThreshold": 30},
            }
        )
    )
    code, _, err = run_cli(
        capsys, "classify", "--options", str(bad_age), "--county", "X", "--db", str(dbpath)
    )
    assert code == 1 and "age.json" in one_line_error(err)
    conn = db.connect(dbpath)
    assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
    conn.close()


def test_options_with_another_policy_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], dbpath: Path, cfa: Path
) -> None:
    code, _, err = run_cli(
        capsys,
        "classify",
        "--policy",
        "los-angeles-2019",
        "--options",
        str(cfa / "gogen" / "eligibility_options.json"),
        "--db",
        str(dbpath),
    )
    assert code == 2 and "--options" in one_line_error(err)
    code, _, err = run_cli(capsys, "classify", "--db", str(dbpath))
    assert code == 2 and "--policy" in one_line_error(err)


# --- results --------------------------------------------------------------------------------


def test_results_csv_has_one_row_per_determination(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    run_cli(capsys, "classify", "--policy", "los-angeles-2019", "--db", str(dbpath))
    code, out, err = run_cli(capsys, "results", "--db", str(dbpath))
    assert (code, err) == (0, "")
    table = list(csv.DictReader(io.StringIO(out)))
    # The header documented for analysts' scripts, pinned here so that changing it is deliberate.
    documented = (
        "file line SUBJECT_ID CNT_ORDER name county conviction_date code_section felony outcome "
        "label reason step_id flags suggested_outcome suggested_reason"
    ).split()
    assert list(table[0].keys()) == documented == list(RESULT_COLUMNS)
    by_key = {(r["SUBJECT_ID"], r["CNT_ORDER"]): r for r in table}
    assert set(by_key) == {
        ("1001", "001002001000"),
        ("1001", "002001001000"),
        ("1002", "001001001000"),
    }
    misd = by_key[("1001", "001002001000")]
    assert (misd["file"], misd["line"], misd["name"]) == ("doj.csv", "5", "DOE,JANE")
    assert (misd["felony"], misd["outcome"], misd["reason"]) == (
        "false",
        "review",
        "Misdemeanor or Infraction",
    )
    assert misd["code_section"].startswith("11357(b)") and misd["conviction_date"] == "20100305"
    # The City Attorneys' misdemeanor (office policy) suggests what the statute floor gives.
    assert misd["suggested_reason"].startswith(
        "The City Attorneys decide misdemeanors in Los Angeles (office policy); statute floor: "
    )
    # HS 11362.1(a)(1): an adult's 28.5 g or less is lawful today.
    assert misd["suggested_outcome"] == "dismiss"
    assert misd["suggested_reason"].endswith(
        "lawful today (step adult-11357b: HS 11361.8(e)-(f); HS 11361.9; HS 11362.1(a)(1))"
    )
    two_part = by_key[("1001", "002001001000")]
    assert two_part["line"] == "6" and two_part["felony"] == "true"
    assert by_key[("1002", "001001001000")]["step_id"]


def test_results_json_and_earlier_runs(capsys: pytest.CaptureFixture[str], dbpath: Path) -> None:
    run_cli(capsys, "classify", "--policy", "los-angeles-2019", "--db", str(dbpath))
    # Another county keeps none of run 1's convictions: it takes --force to make it active.
    run_cli(capsys, "classify", "--policy", "dismiss-all", "--county", "SACRAMENTO", "--force",
            "--db", str(dbpath))  # fmt: skip
    code, out, _ = run_cli(capsys, "results", "--format", "json", "--db", str(dbpath))
    latest = json.loads(out)
    assert code == 0 and [r["SUBJECT_ID"] for r in latest] == ["1004"]
    assert latest[0]["felony"] is True and latest[0]["outcome"] == "dismiss"
    assert latest[0]["line"] == 9 and latest[0]["county"] == "SACRAMENTO"
    assert latest[0]["suggested_outcome"] is None  # a decided outcome suggests nothing more
    code, out, _ = run_cli(capsys, "results", "--run", "1", "--format", "json", "--db", str(dbpath))
    assert code == 0 and len(json.loads(out)) == 3


def test_results_never_prints_control_characters_from_records(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    run_cli(
        capsys, "classify", "--policy", "dismiss-all", "--county", "SACRAMENTO", "--db", str(dbpath)
    )
    for fmt in ("csv", "json"):
        code, out, _ = run_cli(capsys, "results", "--format", fmt, "--db", str(dbpath))
        assert code == 0
        assert "\x1b" not in out and "[b]EVIL[/b]" in out  # markup stays literal text
        assert "\\u001b" not in out


def test_results_errors(capsys: pytest.CaptureFixture[str], dbpath: Path) -> None:
    code, _, err = run_cli(capsys, "results", "--db", str(dbpath))
    assert code == 1 and "no classification run yet" in one_line_error(err)
    run_cli(capsys, "classify", "--policy", "gogen", "--county", "LOS ANGELES", "--db", str(dbpath))
    code, _, err = run_cli(capsys, "results", "--run", "7", "--db", str(dbpath))
    assert code == 1 and "--run 7: no such run" in one_line_error(err)
    code, _, err = run_cli(capsys, "results", "--format", "xml", "--db", str(dbpath))
    assert code == 2 and "--format" in one_line_error(err)


def test_reclassify_from_the_cli_keeps_decisions(
    capsys: pytest.CaptureFixture[str], dbpath: Path
) -> None:
    run_cli(capsys, "classify", "--policy", "los-angeles-2019", "--db", str(dbpath))
    add_decision(dbpath, "1002:001001001000", "dismiss")
    code, _, _ = run_cli(
        capsys,
        "classify",
        "--policy",
        "california-statute",
        "--county",
        "LOS ANGELES",
        "--db",
        str(dbpath),
    )
    assert code == 0
    conn = db.connect(dbpath)
    assert [tuple(r) for r in conn.execute("SELECT key, decision FROM current_decisions")] == [
        ("1002:001001001000", "dismiss")
    ]
    conn.close()


# --- policy ---------------------------------------------------------------------------------


def test_policy_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "policy", "list")
    assert code == 0
    assert [line.split()[0] for line in out.strip().splitlines()] == bundled_ids()
    code, out, _ = run_cli(capsys, "policy", "list", "--json")
    assert [p["id"] for p in json.loads(out)] == bundled_ids()
    code, out, _ = run_cli(capsys, "policy", "show", "los-angeles-2019")
    assert code == 0 and "Occurred after 11/09/2016" in out
    assert "age_at_least(years=$age_threshold)" in out and "{years} years or older" in out
    assert "      suggests floor: The City Attorneys decide misdemeanors" in out
    code, out, _ = run_cli(capsys, "policy", "show", "sacramento-2019", "--json")
    shown = json.loads(out)
    assert shown["county"] == "SACRAMENTO" and shown["steps"][0]["id"]
    assert {s["outcome"] for s in shown["steps"]} <= {"dismiss", "reduce", "not_eligible", "review"}
    code, _, err = run_cli(capsys, "policy", "show", "nope")
    assert code == 1 and "unknown policy pack 'nope'" in one_line_error(err)


def test_policy_check_reports_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = Path(__file__).resolve().parents[2] / "rules" / "packs" / "dismiss-all.toml"
    code, out, err = run_cli(capsys, "policy", "check", str(good))
    assert (code, err) == (0, "") and "ok" in out
    broken = tmp_path / "broken.toml"
    text = good.read_text(encoding="utf-8")
    broken.write_text(
        text.replace('outcome = "dismiss"', 'outcome = "pardon"', 1), encoding="utf-8"
    )
    code, out, err = run_cli(capsys, "policy", "check", str(broken))
    assert code == 1 and out == ""
    problems = err.strip().splitlines()
    assert problems and all(p.startswith(f"{broken}:") for p in problems)
    line_no = next(n for n, t in enumerate(text.splitlines(), 1) if 'outcome = "dismiss"' in t)
    assert any(p.startswith(f"{broken}:{line_no}:") for p in problems), problems
    code, _, err = run_cli(capsys, "policy", "check", str(tmp_path / "absent.toml"))
    assert code == 1 and "no such policy pack file" in one_line_error(err)


def test_classify_warns_about_unfinished_imports_and_refuses_empty_databases(
    capsys: pytest.CaptureFixture[str], dbpath: Path, tmp_path: Path
) -> None:
    conn = db.connect(dbpath)
    with db.write(conn):
        conn.execute("UPDATE source_files SET completed_at = NULL")
    conn.close()
    code, out, err = run_cli(
        capsys, "classify", "--policy", "los-angeles-2019", "--db", str(dbpath)
    )
    assert code == 0 and "3 convictions classified" in out
    assert "the import of doj.csv has not completed" in one_line_error(err)
    empty = seed(tmp_path / "empty.db", [])
    code, out, err = run_cli(
        capsys, "classify", "--policy", "los-angeles-2019", "--json", "--db", str(empty)
    )
    assert (code, out) == (1, "")
    assert "holds no convictions" in one_line_error(err)
