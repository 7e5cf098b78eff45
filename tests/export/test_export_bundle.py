"""The export writer: staged files, atomic rename, manifest, modes, CSV profiles."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from triage.errors import TriageError, UsageError
from triage.export import csvfmt
from triage.export.bundle import STAGING_PREFIX, open_bundle, remove_stale_staging


def _commit_two(out: Path, profile: csvfmt.Profile = csvfmt.MACHINE) -> dict[str, object]:
    with open_bundle(out, profile) as bundle:
        with bundle.csv("a.csv", ["x", "y"]) as f:
            f.row(["1", "=SUM(A1)"])
            f.row(["2", " lead"])
        bundle.text("b.md", "# hi\n")
        return bundle.commit({"kind": "test", "run_id": 7})


def test_commit_writes_files_manifest_and_private_modes(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        manifest = _commit_two(tmp_path / "out")
    finally:
        os.umask(old)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.md", "manifest.json"]
    for p in out.iterdir():
        assert p.stat().st_mode & 0o777 == 0o600, p
    assert out.stat().st_mode & 0o777 == 0o700
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest
    files = {f["name"]: f for f in on_disk["files"]}
    assert files["a.csv"]["rows"] == 2
    assert files["b.md"]["rows"] is None
    for name, entry in files.items():
        data = (out / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert on_disk["run_id"] == 7 and on_disk["profile"] == "machine"
    assert on_disk["created_at"].endswith("Z")
    # machine profile: values exactly as given, quoted only when a reader needs it
    assert (out / "a.csv").read_bytes() == b'x,y\n1,=SUM(A1)\n2," lead"\n'


def test_spreadsheet_profile_escapes_formulas_bom_and_crlf(tmp_path: Path) -> None:
    _commit_two(tmp_path, csvfmt.SPREADSHEET)
    data = (tmp_path / "a.csv").read_bytes()
    assert data == '\ufeffx,y\r\n1,\'=SUM(A1)\r\n2," lead"\r\n'.encode()


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\uff1dcmd", "\uff0b1", "\uff0d1", "\uff20x"],
)
def test_every_formula_start_gets_an_apostrophe(cell: str) -> None:
    assert csvfmt.escape_formula(cell) == "'" + cell
    line = csvfmt.encode_row([cell], csvfmt.SPREADSHEET)
    assert line.startswith(("'", "\"'"))
    assert csvfmt.encode_row([cell], csvfmt.MACHINE).rstrip("\n").strip('"') == cell


@pytest.mark.parametrize("cell", ["", "abc", "1-2", "a=b", "'quoted", "NULL  "])
def test_harmless_cells_are_unchanged(cell: str) -> None:
    assert csvfmt.escape_formula(cell) == cell


def test_quoting_follows_go_csv() -> None:
    enc = csvfmt.encode_row
    assert enc(["a,b", 'say "x"', "two\nlines", "", "\\.", "x "], csvfmt.MACHINE) == (
        '"a,b","say ""x""","two\nlines",,"\\.",x \n'
    )


def test_unknown_profile_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--profile"):
        csvfmt.profile("excel")


def test_failure_before_commit_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("old\n")
    with pytest.raises(RuntimeError), open_bundle(tmp_path) as bundle:
        with bundle.csv("a.csv", ["x"]) as f:
            f.row(["new"])
        raise RuntimeError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    assert (tmp_path / "a.csv").read_text() == "old\n"


def test_bad_destinations_are_one_line_errors(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("")
    with pytest.raises(TriageError, match="not a folder"), open_bundle(afile):
        pass
    with pytest.raises(TriageError, match="does not exist"), open_bundle(tmp_path / "x" / "y"):
        pass


def test_stale_staging_of_dead_process_is_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f"{STAGING_PREFIX}{dead.stdout.strip()}-abcd"
    stale.mkdir()
    (stale / "a.csv").write_text("partial")
    live = tmp_path / f"{STAGING_PREFIX}{os.getpid()}-beef"
    live.mkdir()
    assert remove_stale_staging(tmp_path) == 1
    assert not stale.exists() and live.exists()


_SLOW_EXPORT = """
import sys, time
from pathlib import Path
from triage.export.bundle import open_bundle
with open_bundle(Path(sys.argv[1])) as bundle:
    with bundle.csv("big.csv", ["n"]) as f:
        for i in range(10**9):
            f.row([str(i)])
            if i == 1000:
                f._handle.flush()
                print("writing", flush=True)
                time.sleep(60)
    bundle.commit({})
"""


def test_kill_9_mid_export_leaves_no_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_EXPORT, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    staged = list(out.glob(f"{STAGING_PREFIX}*/big.csv"))
    assert staged and staged[0].stat().st_size > 0  # it really was mid-write
    proc.kill()
    proc.wait()
    assert [p.name for p in out.iterdir() if not p.name.startswith(STAGING_PREFIX)] == []
    # the next export into the folder clears what the killed one left behind
    time.sleep(0.05)
    _commit_two(out)
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.md", "manifest.json"]
