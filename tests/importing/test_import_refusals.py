"""Issue 10: what a file is, and whether it is UTF-8, is known before anything is written.

A file that is not a regular file, is compressed, is UTF-16 or binary, or (without
`--encoding`) is not UTF-8 is refused whole, in one line that names what it is and what to
do; a re-imported file whose lines were quarantined says so again and exits 1.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import sqlite3
from pathlib import Path

import pytest
from cli_support import one_line_error, run_cli

from triage import db
from triage.errors import TriageError
from triage.importers import DOJ_COLUMNS, import_files, sniff


def _record(n: int, **values: str) -> list[str]:
    fields = [""] * len(DOJ_COLUMNS)
    base = {"SUBJECT_ID": f"9000{n:04d}", "CNT_ORDER": "001001001000", "PRI_NAME": "TESTER,ADA",
            "PRI_DOB": "19700101", "STP_TYPE_DESCR": "COURT ACTION", "STP_EVENT_DATE": "20100105",
            "STP_ORI_CNTY_NAME": "SAN JOAQUIN", "OFFENSE_DESCR": "11357(A) HS-POSSESS MARIJUANA",
            "DISP_DESCR": "CONVICTED"}  # fmt: skip
    for name, value in {**base, **values}.items():
        fields[DOJ_COLUMNS.index(name)] = value
    return fields


def _doj_text(records: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DOJ_COLUMNS)
    writer.writerows(records)
    return out.getvalue()


def _nothing_imported(path: Path) -> None:
    if not path.exists():
        return
    conn = db.connect(path)
    try:
        for table in ("source_files", "source_rows", "quarantine"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0  # noqa: S608
    finally:
        conn.close()


def _import(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    code, out, err = run_cli(capsys, "import", "--db", str(tmp_path / "t.db"), *args)
    return code, err if code else out


# --- what the path is -----------------------------------------------------------------------


def test_paths_that_are_not_files_are_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    fifo = tmp_path / "a-pipe"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    broken = tmp_path / "broken.csv"
    broken.symlink_to(tmp_path / "gone.csv")
    through_file = tmp_path / "plain.txt"
    through_file.write_text("x")
    cases = {
        folder: "is a folder, not a file",
        fifo: "is a named pipe (FIFO), not a file",
        loop: "is a symbolic link loop",
        broken: "is a broken symbolic link",
        tmp_path / "missing.csv": "no such file",
        through_file / "x.csv": "a part of its path is a file, not a folder",
    }
    for path, expected in cases.items():
        code, err = _import(capsys, tmp_path, str(path))
        assert code == 1, path
        line = one_line_error(err)
        assert line.startswith(f"triage: {path}: ") and expected in line, line
        assert line.endswith("; nothing was imported")
        assert not (tmp_path / "t.db").exists()  # refused before the database is created


# --- what the bytes are ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda t: gzip.compress(t.encode()), "gzip-compressed: decompress it first"),
        (lambda t: t.encode("utf-16"), "UTF-16 text: convert it to UTF-8 first"),
        (lambda t: t.encode("utf-16-le"), "UTF-16 text (little-endian, no byte-order mark)"),
        (lambda t: t.encode("utf-16-be"), "UTF-16 text (big-endian, no byte-order mark)"),
        (lambda t: t.encode("utf-32"), "UTF-32 text"),
    ],
    ids=["gzip", "utf16-bom", "utf16le", "utf16be", "utf32"],
)
def test_formats_are_named_not_quarantined_line_by_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, encode: object, expected: str
) -> None:
    source = tmp_path / "county.csv"
    source.write_bytes(encode(_doj_text([_record(1), _record(2)])))  # type: ignore[operator]
    for extra in ((), ("--encoding", "latin-1")):  # an encoding does not change what it is
        code, err = _import(capsys, tmp_path, *extra, str(source))
        assert code == 1
        line = one_line_error(err)
        assert line.startswith(f"triage: {source}: {expected}")
        assert line.endswith("nothing was imported")
    _nothing_imported(tmp_path / "t.db")


# --- encodings ------------------------------------------------------------------------------


def test_a_cp1252_file_is_refused_whole_with_the_encoding_to_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = _doj_text([_record(1), _record(2, PRI_NAME="BRÉVAL,ODETTE"), _record(3)])
    source = tmp_path / "county.csv"
    source.write_bytes(text.encode("cp1252"))
    offset = text.encode("cp1252").index(b"\xc9")
    code, err = _import(capsys, tmp_path, str(source))
    assert code == 1
    line = one_line_error(err)
    assert line == (
        f"triage: {source}:3: byte 0xC9 (offset {offset:,}) is not UTF-8; the file looks like "
        "Windows-1252: import it with --encoding cp1252 (or --encoding utf-8 to quarantine the "
        "lines that do not decode); nothing was imported"
    )
    assert "BR" not in line  # no record data
    _nothing_imported(tmp_path / "t.db")
    code, out = _import(capsys, tmp_path, "--encoding", "cp1252", str(source))
    assert code == 0 and "3 imported, 0 duplicates, 0 quarantined" in out
    # Imported to its end: naming it again without --encoding skips it, it is not refused.
    code, out = _import(capsys, tmp_path, str(source))
    assert code == 0 and "already imported" in out


def test_an_explicit_utf8_quarantines_the_undecodable_lines_as_before(tmp_path: Path) -> None:
    source = tmp_path / "county.csv"
    source.write_bytes(_doj_text([_record(1), _record(2, PRI_NAME="BRÉVAL,O")]).encode("cp1252"))
    conn = db.connect(tmp_path / "t.db", create=True)
    report = import_files(conn, [source], encoding="utf-8")
    assert (report.imported, report.quarantined) == (1, 1)
    conn.close()


def test_latin1_is_suggested_when_a_byte_cp1252_lacks_appears_later(tmp_path: Path) -> None:
    source = tmp_path / "county.csv"
    text = _doj_text([_record(1, PRI_NAME="MUÑOZ,A"), _record(2, COMMENT_TEXT="X\x81Y")])
    source.write_bytes(text.encode("latin-1"))
    conn = db.connect(tmp_path / "t.db", create=True)
    with pytest.raises(TriageError, match=r"county.csv:2: byte 0xD1 .* --encoding latin-1 "):
        import_files(conn, [source])
    conn.close()


def test_line_and_offset_are_exact_across_read_blocks(tmp_path: Path) -> None:
    """The check streams the file in blocks: a character split between two blocks is
    valid, and a bad byte far into the file is placed exactly."""
    head = b"A" * (sniff.BLOCK - 1) + "É\n".encode()  # É straddles the first block's end
    body = b"".join(b"line %d\n" % n for n in range(100_000))
    clean = tmp_path / "clean.csv"
    clean.write_bytes(head + body)
    assert sniff.scan(clean, check_utf8=True).bad is None
    bad = tmp_path / "bad.csv"
    bad.write_bytes(head + body + b"NO\xc9L\n" + b"\x9d\n")
    found = sniff.scan(bad, check_utf8=True).bad
    assert found is not None
    assert (found.line, found.offset, found.byte) == (100_002, len(head + body) + 2, 0xC9)
    assert found.utf8_before and found.not_cp1252
    scanned = sniff.scan(bad, check_utf8=False)
    assert scanned.bad is None and scanned.size == bad.stat().st_size


def test_a_file_cut_inside_a_character_is_named(tmp_path: Path) -> None:
    source = tmp_path / "cut.csv"
    source.write_bytes(_doj_text([_record(1)]).encode() + "Å".encode()[:1])
    found = sniff.scan(source, check_utf8=True).bad
    assert found is not None and found.at_end and found.line == 3
    assert "ends inside a UTF-8 character" in found.message()


# --- re-importing a quarantined file ----------------------------------------------------------


def test_reimporting_a_quarantined_file_reports_it_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "ragged.csv"
    source.write_text(
        "\n".join(",".join(r[:94]) for r in (list(DOJ_COLUMNS), _record(1), _record(2))) + "\n"
    )
    code, _, err = run_cli(capsys, "import", "--db", str(tmp_path / "t.db"), str(source))
    assert code == 1  # the header has 94 names: every line is refused
    first_problems = [line for line in err.splitlines() if line.strip().startswith(str(source))]
    assert first_problems
    code, out, err = run_cli(capsys, "import", "--db", str(tmp_path / "t.db"), str(source))
    assert code == 1
    assert "already imported" in out and "lines are quarantined" in out
    assert [line for line in err.splitlines() if line.strip().startswith(str(source))] == (
        first_problems
    )


def test_reimporting_a_partly_quarantined_file_via_the_service(tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    text = _doj_text([_record(1), _record(2, SUBJECT_ID=" ")])
    source.write_text(text)
    conn: sqlite3.Connection = db.connect(tmp_path / "t.db", create=True)
    first = import_files(conn, [source])
    again = import_files(conn, [source])
    assert (first.quarantined, first.ok) == (1, False)
    assert (again.files[0].status, again.quarantined, again.ok, again.imported) == (
        "skipped", 1, False, 0
    )  # fmt: skip
    assert again.files[0].problems == first.files[0].problems
    conn.close()


def test_pack_and_database_paths_say_what_they_are(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    cases = [
        (("policy", "check", str(tmp_path)), f"{tmp_path}: is a folder, not a file"),
        (("policy", "check", str(loop)), f"{loop}: is a symbolic link loop"),
        (("classify", "--policy", str(loop)), f"{loop}: is a symbolic link loop"),
        (("policy", "check", str(tmp_path / "no.toml")), "no.toml: no such policy pack file"),
        (("stats", "--db", str(tmp_path)), f"{tmp_path}: is a folder, not a database file"),
    ]
    for argv, expected in cases:
        code, _, err = run_cli(capsys, *argv)
        assert code == 1, argv
        assert expected in one_line_error(err), argv
