"""What a packaged command line owes its users: --version, shell completion, help grouped
in panels, typed choices, `import -` from a pipe, and a helpful bare `triage`."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from classify_support import conviction
from cli_support import one_line_error, run_cli

from triage import db
from triage.cli import app
from triage.cli.choices import DecideChoice, DecisionChoice, OutcomeChoice
from triage.importers import DOJ_COLUMNS

TRIAGE = str(Path(sys.executable).parent / "triage")
PANELS = {"Import & classify", "Review", "Export", "Maintenance"}


def _triage(
    *args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [TRIAGE, *args], cwd=cwd, input=stdin, capture_output=True, check=False,
        env={**os.environ, "TMPDIR": str(cwd), **(env or {})}, timeout=120,
    )  # fmt: skip


def _doj_csv(subject: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(DOJ_COLUMNS)
    row = conviction(subject, "001001001000", "11359 HS-POSSESS FOR SALE")
    writer.writerow([row.get(name, "") for name in DOJ_COLUMNS])
    return buf.getvalue().encode()


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--version")
    assert (code, out, err) == (0, f"triage {version('triage')}\n", "")


def test_shell_completion_script_and_completions(tmp_path: Path) -> None:
    shown = _triage("--show-completion", "bash", cwd=tmp_path)
    assert shown.returncode == 0
    assert b"_TRIAGE_COMPLETE=complete_bash" in shown.stdout and b"complete " in shown.stdout

    def complete(words: str) -> list[str]:
        env = {"_TRIAGE_COMPLETE": "complete_bash", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}  # fmt: skip
        done = _triage(cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.decode().split()

    assert complete("triage dec") == ["decide"]
    assert complete("triage decide K --decision ") == [d.value for d in DecideChoice]


def test_every_command_sits_in_a_help_panel(capsys: pytest.CaptureFixture[str]) -> None:
    infos = [*app.registered_commands, *app.registered_groups]
    assert infos and {i.rich_help_panel for i in infos} == PANELS
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for panel in PANELS:
        assert f"─ {panel} " in out


def test_choices_spell_the_service_vocabulary() -> None:
    assert tuple(DecisionChoice) == db.DECISIONS
    assert tuple(DecideChoice) == (*db.DECISIONS, "accept")
    assert tuple(OutcomeChoice) == (*db.OUTCOMES, "any")


def test_typed_choice_is_listed_in_help_and_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shown = _triage("decide", "--help", cwd=tmp_path, env={"COLUMNS": "160"})
    assert shown.returncode == 0 and b"<dismiss|reduce|not_eligible|defer|accept>" in shown.stdout
    code, out, err = run_cli(capsys, "results", "--format", "xml", "--db", str(tmp_path / "x"))
    assert (code, out) == (2, "")
    assert one_line_error(err).startswith("triage results: Invalid value for '--format': 'xml'")
    assert not (tmp_path / "x").exists()


def test_import_dash_reads_standard_input(tmp_path: Path) -> None:
    data = _doj_csv("9001")
    done = _triage("import", "-", "--db", "t.db", cwd=tmp_path, stdin=data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("stdin: 1 imported")
    conn = sqlite3.connect(tmp_path / "t.db")
    try:
        assert conn.execute("SELECT name FROM source_files").fetchall() == [("stdin",)]
    finally:
        conn.close()
    # The same bytes again: recognised by their sha256, as a file would be.
    again = _triage("import", "-", "--db", "t.db", cwd=tmp_path, stdin=data)
    assert again.returncode == 0 and b"stdin: already imported" in again.stdout
    # Not CSV: refused in one line that names stdin, never the private spool file.
    bad = _triage("import", "-", "--db", "t.db", cwd=tmp_path, stdin=b"\x1f\x8b\x08\x00junk")
    assert bad.returncode == 1
    assert bad.stderr.decode().startswith("triage: stdin: gzip-compressed")
    assert bad.stderr.count(b"\n") == 1 and b"triage-stdin-" not in bad.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("triage-stdin-")]


def test_import_dash_only_once(tmp_path: Path) -> None:
    done = _triage("import", "-", "-", "--db", "t.db", cwd=tmp_path, stdin=b"")
    assert done.returncode == 2 and b"can be given once" in done.stderr
    assert not (tmp_path / "t.db").exists()


def test_bare_triage_outside_a_checkout_says_how_to_get_a_sample(tmp_path: Path) -> None:
    done = _triage(cwd=tmp_path)
    assert done.returncode == 1
    line = done.stderr.decode()
    assert line.count("\n") == 1 and "no ./sample.db" in line and "`triage sample`" in line
    assert list(tmp_path.iterdir()) == []
