"""The malformed-input corpus: every file's import outcome, exactly (issue 4, "Bad input").

Files and expectations live in tests/data/malformed/ (made by make_corpus.py, outcomes in
expected.toml). Each case imports one file into a fresh database and checks the stored,
duplicate and quarantined lines, the reasons, the values, and that the report agrees with
the database. A few files also go through the `triage import` CLI to check the exit code
and that stderr holds one plain line per problem, no traceback and no record data.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from triage import db, identity
from triage.errors import TriageError
from triage.importers import import_files

CORPUS = Path(__file__).resolve().parents[1] / "data" / "malformed"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "expected.toml").read_text("utf-8"))["case"]
# Text from the corpus records that must never reach the terminal (names, DOBs, comments).
RECORD_TEXT = ("QUILLFEATHER", "ORSOLYA", "BRÉVAL", "BR\\xc9VAL", "19750615", "NIÑO", "NI\\xf1O",
               "TOTAL RECORDS", "MISDEMEANOR", "POSSESS MARIJUANA", "NOT MINE")  # fmt: skip


def _case_id(case: dict[str, Any]) -> str:
    extra = [f"enc={case['encoding']}"] if "encoding" in case else []
    extra += ["strict"] if case.get("strict") else []
    return "-".join([case["file"].removesuffix(".csv"), *extra])


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_is_what_the_script_writes() -> None:
    written = dict(_load_generator().files())
    on_disk = {p.name: p.read_bytes() for p in CORPUS.glob("*.csv")}
    assert on_disk == written
    assert len(written) >= 30


def test_every_file_has_an_expected_outcome() -> None:
    covered = {case["file"] for case in CASES}
    assert covered == {p.name for p in CORPUS.glob("*.csv")}
    for case in CASES:
        assert case["outcome"] in ("accept", "quarantine", "refuse"), case
        if case["outcome"] == "accept":
            assert "normalization" in case, f"{case['file']}: document the normalization"


def _import(conn: sqlite3.Connection, case: dict[str, Any], *, strict: bool | None = None) -> Any:
    return import_files(
        conn,
        [CORPUS / case["file"]],
        encoding=case.get("encoding"),
        strict=case.get("strict", False) if strict is None else strict,
    )


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def _nothing_written(conn: sqlite3.Connection) -> None:
    for table in ("source_rows", "quarantine", "duplicate_rows", "people", "convictions"):
        assert _count(conn, table) == 0, table


def _row_from(conn: sqlite3.Connection, line: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM source_rows WHERE line = ?", (line,)).fetchone()
    assert row is not None, f"no row stored from line {line}"
    return row  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_import_outcome(case: dict[str, Any], tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "t.db", create=True)
    if case["outcome"] == "refuse":
        with pytest.raises(TriageError) as caught:
            _import(conn, case)
        message = str(caught.value)
        assert case["refuse"] in message
        assert "\n" not in message
        assert not any(text in message for text in RECORD_TEXT)
        _nothing_written(conn)
        return

    report = _import(conn, case)
    stored = [int(r[0]) for r in conn.execute("SELECT line FROM source_rows ORDER BY line")]
    dups = [int(r[0]) for r in conn.execute("SELECT line FROM duplicate_rows ORDER BY line")]
    held = conn.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert stored == case["lines"]
    assert dups == case.get("duplicates", [])
    expected_q = case.get("quarantine", [])
    assert [int(r[0]) for r in held] == [line for line, _ in expected_q]
    for (line, reason_part), row in zip(expected_q, held, strict=True):
        assert reason_part in row[1], f"line {line}: {row[1]!r}"
        assert row[2].strip(), f"line {line}: quarantined text was not kept"
        assert not any(text in row[1] for text in RECORD_TEXT), "record data in a reason"
    assert (case["outcome"] == "accept") == (not expected_q)

    # The report says what the database holds.
    assert report.imported == len(stored)
    assert report.duplicates == len(dups)
    assert report.quarantined == len(held)
    assert report.ok == (not held)
    assert report.files[0].problems == [(int(r[0]), str(r[1])) for r in held]
    totals = conn.execute(
        "SELECT rows_total, rows_imported, rows_duplicate, rows_quarantined, completed_at "
        "FROM source_files"
    ).fetchone()
    assert tuple(totals)[:4] == (len(stored) + len(dups) + len(held), len(stored), len(dups),
                                 len(held))  # fmt: skip
    assert totals[4] is not None

    for check in case.get("values", []):
        assert _row_from(conn, check["line"])[check["column"]] == check["equals"], check
    for check in case.get("raw", []):
        found = conn.execute(
            "SELECT raw FROM source_rows WHERE line = :l UNION ALL "
            "SELECT raw FROM quarantine WHERE line = :l",
            {"l": check["line"]},
        ).fetchone()
        assert found is not None and check["contains"] in found[0], check
    for check in case.get("conviction", []):
        row_id = _row_from(conn, check["line"])["id"]
        conv = conn.execute(
            "SELECT parts, conflicting FROM convictions WHERE first_row_id = ?", (row_id,)
        ).fetchone()
        assert (conv[0], conv[1]) == (check["parts"], check["conflicting"]), check
    if case.get("flags"):
        _check_flags(conn, case["flags"])

    # Importing the same file again adds nothing.
    again = _import(conn, case)
    assert again.files[0].status == "skipped"
    assert (_count(conn, "source_rows"), _count(conn, "quarantine")) == (len(stored), len(held))
    conn.close()


def _check_flags(conn: sqlite3.Connection, checks: list[dict[str, Any]]) -> None:
    from rules.packs import load_pack
    from triage.classify import classify_run

    run = classify_run(
        conn, load_pack("dismiss-all"), county="SAN JOAQUIN", compute_at=dt.date(2019, 7, 1),
        actor=identity.os_account(),
    )  # fmt: skip
    for check in checks:
        row_id = _row_from(conn, check["line"])["id"]
        found = conn.execute(
            "SELECT d.flags FROM determinations d JOIN convictions c ON c.key = d.key "
            "WHERE d.run_id = ? AND c.first_row_id = ?",
            (run.run.id, row_id),
        ).fetchone()
        assert found is not None, f"line {check['line']}: no determination"
        assert check["flag"] in found[0].split(), (check, found[0])


QUARANTINE_CASES = [c for c in CASES if c["outcome"] == "quarantine"]


@pytest.mark.parametrize("case", QUARANTINE_CASES, ids=_case_id)
def test_strict_refuses_at_the_first_bad_line(case: dict[str, Any], tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "t.db", create=True)
    first = case["quarantine"][0][0]
    with pytest.raises(TriageError) as caught:
        _import(conn, case, strict=True)
    assert f"{case['file']}:{first}:" in str(caught.value)
    assert "\n" not in str(caught.value)
    _nothing_written(conn)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")}
    return subprocess.run(
        [sys.executable, "-m", "triage", "import", "--db", str(tmp_path / "cli.db"), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        timeout=60,
        check=False,
    )


def _assert_clean_output(result: subprocess.CompletedProcess[str]) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        assert not [text for text in RECORD_TEXT if text in stream]


CLI_PROBLEMS = {
    "ragged_94.csv": "ragged_94.csv:3: 94 fields, expected 95",
    "cp1252_name.csv": "cp1252_name.csv:3: holds bytes that are not valid utf-8",
    "nul_byte.csv": "nul_byte.csv:3: contains NUL bytes",
    "trailer_rows.csv": "trailer_rows.csv:5: 4 fields, expected 95",
    "unterminated_quote_last.csv": "unterminated_quote_last.csv:4: quoted field",
}


def test_cli_quarantine_reports_file_and_line(tmp_path: Path) -> None:
    # One call with several files (the CLI takes many): each problem on its own line. An
    # explicit --encoding utf-8 quarantines the lines that do not decode.
    files = (str(CORPUS / name) for name in CLI_PROBLEMS)
    result = _cli(tmp_path, "--encoding", "utf-8", *files)
    assert result.returncode == 1
    for problem in CLI_PROBLEMS.values():
        assert problem in result.stderr
    _assert_clean_output(result)
    conn = db.connect(tmp_path / "cli.db")
    assert _count(conn, "source_files") == len(CLI_PROBLEMS)
    # The files share records: later copies count as duplicates of earlier files' rows.
    assert _count(conn, "source_rows") + _count(conn, "duplicate_rows") == 2 + 2 + 2 + 2 + 2
    assert _count(conn, "quarantine") == 1 + 1 + 1 + 2 + 1
    conn.close()


def test_cli_refuses_a_wrong_header_in_one_line(tmp_path: Path) -> None:
    result = _cli(tmp_path, str(CORPUS / "header_wrong_names.csv"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "header_wrong_names.csv:1: header field 13 should be PRI_NAME" in lines[0]
    _assert_clean_output(result)


def test_cli_strict_refuses_and_writes_nothing(tmp_path: Path) -> None:
    result = _cli(tmp_path, "--strict", str(CORPUS / "ragged_strict.csv"))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "ragged_strict.csv:4: 94 fields" in result.stderr
    _assert_clean_output(result)
    if (tmp_path / "cli.db").exists():
        conn = db.connect(tmp_path / "cli.db")
        _nothing_written(conn)
        conn.close()


def test_cli_encoding_option_accepts_cp1252(tmp_path: Path) -> None:
    result = _cli(tmp_path, "--encoding", "cp1252", str(CORPUS / "cp1252_name.csv"))
    assert result.returncode == 0, result.stderr
    _assert_clean_output(result)
    conn = db.connect(tmp_path / "cli.db")
    assert _count(conn, "source_rows") == 3
    conn.close()
