"""Knowing what a file is before importing any of it.

Three checks, each before anything is written, each refusing the whole file in one line:

- `input_problem`: the path is not a regular file (a folder, a named pipe, a socket, a
  device, a symbolic link loop or a broken link) or cannot be read. Said as such, rather
  than "no such file".
- `format_problem`: the first bytes show a compressed file, an archive or spreadsheet, UTF-16
  or UTF-32 text, or binary data. Read line by line, such a file would be quarantined line
  after line; it is named instead, with what to do.
- `scan`: one streaming pass that hashes the file and, when no `--encoding` was given,
  decodes it as strict UTF-8 (cheap: ASCII blocks are skipped by a C check). A file that is
  not UTF-8 would otherwise be imported with every line holding an accented name quarantined,
  and a file is imported once, so the only repair would be a new database. The refusal
  names the first bad byte (line and offset) and the `--encoding` to pass. The guess is a
  small heuristic, not a detector: bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in
  Windows-1252, so a file holding one is Latin-1; any other non-UTF-8 file reads the same
  or better as cp1252 (a superset of Latin-1's printable range). An explicit `--encoding`
  skips the check: undecodable lines are then quarantined, one by one, as before.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20
HEAD = 1 << 16
# Bytes Windows-1252 leaves undefined.
_NOT_CP1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
# C0 controls that have no place in a CSV text file (tab, LF, VT, FF, CR excepted).
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13))
# Share of control bytes in the head beyond which a file is binary, not text with a stray
# NUL (a stray one is a defect of its line, quarantined as such).
_BINARY_SHARE = 0.05

_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed: decompress it first (gunzip)"),
    (b"BZh", "bzip2-compressed: decompress it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "xz-compressed: decompress it first (unxz)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed: decompress it first (unzstd)"),
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one): unzip it, or save the sheet "
                    "as CSV, first"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 (.xls) or other OLE file: save the sheet as CSV first"),
    (b"%PDF", "a PDF document, not a CSV file"),
    (b"\xff\xfe\x00\x00", "UTF-32 text: convert it to UTF-8 first (iconv -f UTF-32 -t UTF-8)"),
    (b"\x00\x00\xfe\xff", "UTF-32 text: convert it to UTF-8 first (iconv -f UTF-32 -t UTF-8)"),
    (b"\xff\xfe", "UTF-16 text: convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)"),
    (b"\xfe\xff", "UTF-16 text: convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)"),
)  # fmt: skip


def input_problem(path: Path) -> str | None:
    """What is wrong with `path` as a file to read, or None when it is a readable file."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return _stat_problem(path, exc)
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file: save its output to a file first"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    return None


def _stat_problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "is a symbolic link loop (the link leads back to itself)"
    if exc.errno == errno.EACCES:
        return "cannot be reached (permission denied on a folder in its path)"
    if exc.errno == errno.ENOTDIR:
        return "no such file (a part of its path is a file, not a folder)"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return "is a broken symbolic link (what it points to does not exist)"
    if exc.errno == errno.ENOENT:
        return "no such file"
    return f"cannot be read ({exc.strerror})"


def format_problem(head: bytes) -> str | None:
    """What the first bytes of a file say it is, when that is not CSV text."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    sample = head[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        # ASCII text in UTF-16 has a NUL in every other byte.
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
            return "UTF-16 text (little-endian, no byte-order mark): convert it to UTF-8 first"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "UTF-16 text (big-endian, no byte-order mark): convert it to UTF-8 first"
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if sample and controls > _BINARY_SHARE * len(sample):
        return (
            f"binary data, not CSV text ({controls} control bytes in its first {len(sample)} bytes)"
        )
    return None


@dataclass
class BadByte:
    """The first place a file stops being UTF-8."""

    line: int
    offset: int
    byte: int
    at_end: bool  # the file ends inside a multi-byte character
    utf8_before: bool  # valid multi-byte UTF-8 came before it
    not_cp1252: bool = False  # the file holds a byte Windows-1252 leaves undefined

    def message(self) -> str:
        """The refusal, after `path:line: `."""
        if self.at_end:
            return (
                "the file ends inside a UTF-8 character (was it cut short?): import it with "
                "--encoding utf-8 to quarantine that last line; nothing was imported"
            )
        where = f"byte 0x{self.byte:02X} (offset {self.offset:,}) is not UTF-8"
        if self.utf8_before:
            return (
                f"{where}, though the file is UTF-8 before it (a damaged line?): import it with "
                "--encoding utf-8 to quarantine the lines that do not decode; nothing was "
                "imported"
            )
        codec, name = ("latin-1", "Latin-1") if self.not_cp1252 else ("cp1252", "Windows-1252")
        return (
            f"{where}; the file looks like {name}: import it with --encoding {codec} (or "
            "--encoding utf-8 to quarantine the lines that do not decode); nothing was imported"
        )


@dataclass
class Scan:
    sha256: str
    size: int
    bad: BadByte | None


class _Utf8Check:
    """A strict UTF-8 decode over blocks, remembering where it first fails."""

    def __init__(self) -> None:
        self.carry = b""
        self.offset = 0  # file offset of carry's first byte
        self.lines = 0  # LF bytes before `offset`
        self.multibyte = False
        self.bad: BadByte | None = None

    def feed(self, block: bytes, final: bool) -> None:
        if self.bad is not None:
            if not block.isascii() and any(block.count(b) for b in _NOT_CP1252):
                self.bad.not_cp1252 = True
            return
        data = self.carry + block if self.carry else block
        if data.isascii():
            done = len(data)
        else:
            try:
                text, done = codecs.utf_8_decode(data, "strict", final)
                self.multibyte = self.multibyte or not text.isascii()
            except UnicodeDecodeError as exc:
                self._fail(data, exc.start, at_end=final and exc.reason == "unexpected end of data")
                self.feed(data[exc.start :], final)  # look on for the Latin-1 clue
                return
        self.lines += data.count(b"\n", 0, done)
        self.offset += done
        self.carry = data[done:]

    def _fail(self, data: bytes, start: int, *, at_end: bool) -> None:
        before = codecs.utf_8_decode(data[:start], "strict", True)[0]
        self.bad = BadByte(
            line=self.lines + data.count(b"\n", 0, start) + 1,
            offset=self.offset + start,
            byte=data[start],
            at_end=at_end,
            utf8_before=self.multibyte or not before.isascii(),
        )


def scan(path: Path, *, check_utf8: bool) -> Scan:
    """Hash the file and (with `check_utf8`) find where it first stops being UTF-8, in one
    streaming pass of `BLOCK`-sized reads."""
    digest = hashlib.sha256()
    check = _Utf8Check() if check_utf8 else None
    size = 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(BLOCK)
            digest.update(block)
            size += len(block)
            if check is not None:
                check.feed(block, final=not block)
            if not block:
                break
    return Scan(digest.hexdigest(), size, None if check is None else check.bad)


def read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD)
