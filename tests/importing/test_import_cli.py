"""`triage import` through the real entry point: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def rows(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM source_rows").fetchone()[0])
    finally:
        conn.close()


def test_imports_into_sample_db_in_the_current_folder_by_default(
    capsys: pytest.CaptureFixture[str], cfa: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "import", str(cfa / "gogen" / "no_headers.csv"))
    assert (code, err) == (0, "")
    assert "no_headers.csv: 38 imported, 0 duplicates, 0 quarantined" in out
    assert out.strip().splitlines()[-1] == "38 imported, 0 quarantined"
    created = tmp_path / "sample.db"
    assert rows(created) == 38
    assert stat.S_IMODE(created.stat().st_mode) == 0o600

    code, out, err = run_cli(capsys, "import", str(cfa / "gogen" / "no_headers.csv"))
    assert code == 0 and "already imported" in out and "skipped" in out
    assert rows(created) == 38


def test_quarantined_lines_are_listed_and_exit_1(
    capsys: pytest.CaptureFixture[str], cfa: Path, tmp_path: Path
) -> None:
    db = tmp_path / "t.db"
    code, out, err = run_cli(
        capsys, "import", "--db", str(db), str(cfa / "bear" / "bad_csv_file.dat")
    )
    assert code == 1
    assert err.strip() == f"{cfa / 'bear' / 'bad_csv_file.dat'}:2: 94 fields, expected 95"
    assert "35 imported, 1 quarantined" in out
    assert "SKYWALKER" not in out + err


def test_many_quarantined_lines_are_summarised(
    capsys: pytest.CaptureFixture[str], cfa: Path, tmp_path: Path
) -> None:
    code, out, err = run_cli(capsys, "import", "--db", str(tmp_path / "t.db"),
                             str(cfa / "gogen" / "bad.csv"))  # fmt: skip
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 21 and lines[0].endswith("bad.csv:1: header has 94 fields, expected 95")
    assert "18 more quarantined lines" in lines[-1]
    assert "0 imported, 38 quarantined" in out


def test_json_summary(capsys: pytest.CaptureFixture[str], cfa: Path, tmp_path: Path) -> None:
    files = [cfa / "gogen" / "no_headers.csv", cfa / "gogen" / "extra_comma.csv",
             cfa / "bear" / "bad_csv_file.dat"]  # fmt: skip
    code, out, err = run_cli(capsys, "import", "--json", "--db", str(tmp_path / "t.db"),
                             *map(str, files))  # fmt: skip
    assert (code, err) == (1, "")
    summary = json.loads(out)
    assert [(f["name"], f["status"], f["imported"], f["duplicates"], f["quarantined"])
            for f in summary["files"]] == [
        ("no_headers.csv", "imported", 38, 0, 0),
        ("extra_comma.csv", "imported", 0, 38, 0),
        ("bad_csv_file.dat", "imported", 35, 0, 1),
    ]  # fmt: skip
    assert summary["files"][2]["problems"] == [{"line": 2, "reason": "94 fields, expected 95"}]
    totals = summary["totals"]
    assert {k: totals[k] for k in ("files", "imported", "duplicates", "quarantined", "skipped")} == {
        "files": 3, "imported": 73, "duplicates": 38, "quarantined": 1, "skipped": 0,
    }  # fmt: skip
    assert isinstance(totals["seconds"], float)

    code, out, err = run_cli(capsys, "import", "--json", "--db", str(tmp_path / "t.db"),
                             str(files[0]))  # fmt: skip
    assert code == 0
    again = json.loads(out)
    assert again["totals"]["skipped"] == 1 and again["files"][0]["status"] == "skipped"


def test_strict_refuses_with_one_line(capsys: pytest.CaptureFixture[str], cfa: Path,
                                      tmp_path: Path) -> None:  # fmt: skip
    db = tmp_path / "t.db"
    code, out, err = run_cli(capsys, "import", "--strict", "--db", str(db),
                             str(cfa / "bear" / "bad_csv_file.dat"))  # fmt: skip
    assert code == 1 and out == ""
    assert one_line_error(err).endswith("bad_csv_file.dat:2: 94 fields, expected 95 "
                                  "(--strict: nothing was imported)")  # fmt: skip
    assert rows(db) == 0


def test_missing_file_writes_nothing(capsys: pytest.CaptureFixture[str], cfa: Path,
                                     tmp_path: Path) -> None:  # fmt: skip
    db = tmp_path / "t.db"
    code, out, err = run_cli(capsys, "import", "--db", str(db),
                             str(cfa / "gogen" / "no_headers.csv"), str(tmp_path / "nope.csv"))  # fmt: skip
    assert code == 1 and out == ""
    assert (
        one_line_error(err)
        == f"triage: {tmp_path / 'nope.csv'}: no such file; nothing was imported"
    )
    assert not db.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv"], "--format csv needs --map"),
        (["--map", "x.toml"], "--map is for --format csv"),
        (["--encoding", "base64"], "not a text encoding"),
        (["--encoding", "klingon"], "unknown encoding"),
    ],
)
def test_usage_errors_exit_2_before_the_database_is_made(
    capsys: pytest.CaptureFixture[str], cfa: Path, tmp_path: Path, args: list[str],
    message: str,
) -> None:  # fmt: skip
    db = tmp_path / "t.db"
    code, out, err = run_cli(capsys, "import", "--db", str(db), *args,
                             str(cfa / "gogen" / "no_headers.csv"))  # fmt: skip
    assert code == 2 and out == ""
    assert message in one_line_error(err)
    assert not db.exists()


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str], cfa: Path,
                                         tmp_path: Path) -> None:  # fmt: skip
    code, _, err = run_cli(capsys, "import", "--db", str(tmp_path / "t.db"), "--format", "xml",
                           str(cfa / "gogen" / "no_headers.csv"))  # fmt: skip
    assert code == 2 and "xml" in err
    assert not (tmp_path / "t.db").exists()


def test_csv_with_a_map(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    code, out, err = run_cli(capsys, "import", "--db", str(db), "--format", "csv", "--map",
                             str(DATA / "county_map.toml"), str(DATA / "county_extract.csv"))  # fmt: skip
    assert code == 1
    assert "county_extract.csv: 4 imported, 1 duplicates, 3 quarantined" in out
    assert "county_extract.csv:4: STP_EVENT_DATE does not match date format %m/%d/%Y" in err
    assert "FAIRWEATHER" not in out + err
    assert rows(db) == 4


def test_malformed_map_is_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "t.db"
    bad = tmp_path / "bad.toml"
    bad.write_text("[columns]\nSUBJECT_ID = 'Defendant ID'\nCNT_ORDER = \n", encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "--db", str(db), "--format", "csv", "--map",
                             str(bad), str(DATA / "county_extract.csv"))  # fmt: skip
    assert code == 1 and out == ""
    assert one_line_error(err).startswith(f"triage: {bad}:3: not valid TOML")
    assert not db.exists()


def test_an_escape_in_a_file_name_prints_inert(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "doj\x1b]0;pwned\x07\x1b[2J.csv"
    code, _, err = run_cli(capsys, "import", str(missing), "--db", str(tmp_path / "t.db"))
    assert code == 1
    line = one_line_error(err)
    assert "no such file" in line and "doj␛" in line
    assert "\x1b" not in err and "\x07" not in err
