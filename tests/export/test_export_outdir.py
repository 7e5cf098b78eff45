"""Issue 10: an export never mixes its files with others under one manifest.

`--out` must be empty, new, or hold an earlier export of the same kind, which is replaced
whole: whenever a `manifest.json` is present, the folder holds exactly the files it lists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli
from test_export_cli import _seed

from triage import identity
from triage.export import bundle as bundle_mod
from triage.export.bundle import STAGING_PREFIX, open_bundle
from triage.export.outdir import REPLACING


def _listing(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if not p.name.startswith(STAGING_PREFIX)}


def _exactly_its_manifest(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text())
    assert _listing(out) == {f["name"] for f in manifest["files"]} | {"manifest.json"}


def _export(capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, out: Path) -> tuple:
    return run_cli(capsys, "export", kind, "--out", str(out), "--db", str(tmp_path / "t.db"))


def test_a_folder_with_other_files_is_refused_listing_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes-to-self.txt").write_text("mine")
    (out / "old-exhibit.csv").write_text("a,b\n")
    code, stdout, err = _export(capsys, tmp_path, "court", out)
    assert (code, stdout) == (1, "")
    assert one_line_error(err) == (
        f"triage: {out}: holds files that are not part of an earlier export: notes-to-self.txt, "
        "old-exhibit.csv; nothing was written (choose an empty or new folder)"
    )
    assert sorted(p.name for p in out.iterdir()) == ["notes-to-self.txt", "old-exhibit.csv"]
    assert (out / "notes-to-self.txt").read_text() == "mine"


def test_an_earlier_export_of_another_kind_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db")
    out = tmp_path / "out"
    assert _export(capsys, tmp_path, "court", out)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, err = _export(capsys, tmp_path, "summary", out)
    assert code == 1
    assert "holds a court export, not a summary one" in one_line_error(err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_earlier_export_with_a_stray_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(tmp_path / "t.db")
    out = tmp_path / "out"
    assert _export(capsys, tmp_path, "decisions", out)[0] == 0
    (out / "extra.csv").write_text("x\n")
    code, _, err = _export(capsys, tmp_path, "decisions", out)
    assert code == 1
    assert "not part of an earlier decisions export: extra.csv" in one_line_error(err)


def test_the_same_kind_is_replaced_whole_and_old_files_go(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with open_bundle(out, kind="court") as b:
        b.text("exhibit-a.csv", "a\n")
        b.text("exhibit-b.csv", "b\n")
        b.commit({"kind": "court"})
    with open_bundle(out, kind="court") as b:  # this month: court A has nothing left
        b.text("exhibit-b.csv", "b2\n")
        b.text("exhibit-c.csv", "c\n")
        b.commit({"kind": "court"})
    assert _listing(out) == {"exhibit-b.csv", "exhibit-c.csv", "manifest.json"}
    assert (out / "exhibit-b.csv").read_text() == "b2\n"
    _exactly_its_manifest(out)


def test_an_interrupted_replacement_never_shows_a_manifest_with_old_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export is stopped right before the new manifest is moved in (the last step): the
    folder has no manifest at all, not the old one beside new files; the next export
    completes the replacement."""
    _seed(tmp_path / "t.db")
    out = tmp_path / "out"
    assert _export(capsys, tmp_path, "court", out)[0] == 0
    real_replace = os.replace

    def stop_at_manifest(src: object, dst: object) -> None:
        if Path(str(dst)).name == "manifest.json":
            raise KeyboardInterrupt
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(bundle_mod.os, "replace", stop_at_manifest)
    with pytest.raises(KeyboardInterrupt):
        from triage import db
        from triage.export.service import run_export

        conn = db.connect(tmp_path / "t.db")
        try:
            run_export(conn, "court", out, actor=identity.os_account())
        finally:
            conn.close()
    monkeypatch.undo()
    assert not (out / "manifest.json").exists()
    assert (out / REPLACING).exists()
    code, _, err = _export(capsys, tmp_path, "court", out)
    assert code == 0, err
    assert not (out / REPLACING).exists()
    _exactly_its_manifest(out)
