"""Reading delimited text files record by record, with physical line numbers.

A record is what `csv` would return, but this reader also keeps the record's original text
(`raw`, as decoded, without its final line break) and the physical line where it starts, so
a quoted field that spans lines never shifts the numbers of the records after it.

Most lines hold no quote character; those are split with `str.split`, which for such lines
is exactly what `csv` does, only faster. Lines with quotes go through `csv` itself, fed line
by line so that it consumes only the lines its record spans.

Bytes the encoding cannot decode are carried through as lone surrogates
(`surrogateescape`) and reported as a defect of the record they are in, never replaced.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from triage.errors import UsageError

DEFAULT_ENCODING = "utf-8"
# A quoted field left open would otherwise swallow the rest of the file into one record.
MAX_SPAN_LINES = 100
MAX_SPAN_CHARS = 1 << 20
KEY_SEPARATOR = "\x1f"

# (line, raw, fields, key): `fields` is None for a defect, and then `key` is the reason.
# `key` is the fields joined unambiguously, the input of the row hash.
Record = tuple[int, str, list[str] | None, str]

_SURROGATE = re.compile("[\udc80-\udcff]")


def codec_name(encoding: str | None) -> str:
    """Validate `--encoding`: a known codec that keeps `,`, `"` and line breaks as single
    ASCII bytes, since records are split on those bytes."""
    name = encoding or DEFAULT_ENCODING
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise UsageError(f"--encoding: unknown encoding {name!r}") from None
    probe = ',;|\t"\r\nAZaz09'
    try:
        ok = probe.encode(info.name) == probe.encode("ascii")
    except (UnicodeError, LookupError):
        ok = False
    if not ok:
        raise UsageError(
            f"--encoding: {name} is not ASCII-compatible; convert the file to UTF-8 first"
        )
    return info.name


def open_text(binary: BinaryIO, encoding: str) -> Iterator[str]:
    """Lines of a binary file, decoded, split on LF only, each keeping its line break."""
    text = io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="\n")
    first = text.readline()
    if not first:
        return iter(())
    # A byte-order mark is not data, whatever encoding name was given.
    return itertools.chain((first.removeprefix("\ufeff"),), text)


def shown_bytes(raw: str) -> str:
    """Record text with undecodable bytes written as \\xNN escapes (for quarantine)."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", raw)


def _strip_break(line: str) -> str:
    if line.endswith("\n"):
        line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
    return line


def _key(fields: list[str]) -> str:
    joined = KEY_SEPARATOR.join(fields)
    if joined.count(KEY_SEPARATOR) != len(fields) - 1:
        # A field holds the separator itself: JSON keeps the split unambiguous (and never
        # contains a raw separator, so it cannot equal any plain join).
        return json.dumps(fields, ensure_ascii=False)
    return joined


def _text_defect(raw: str, encoding: str) -> str | None:
    if "\x00" in raw:
        return "contains NUL bytes"
    if not raw.isascii():
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            return f"holds bytes that are not valid {encoding} (see --encoding)"
    return None


def read_records(
    lines: Iterator[str], *, delimiter: str = ",", encoding: str = DEFAULT_ENCODING
) -> Iterator[Record]:
    """Yield every record of `lines` (from `open_text`). Blank lines are skipped."""
    src: Iterator[tuple[int, str]] = enumerate(lines, 1)
    while True:
        refeed: list[tuple[int, str]] | None = None
        for num, line in src:
            body = _strip_break(line)
            if '"' in body or "\r" in body or "\x00" in body or not body.isascii():
                rec, refeed = _slow(num, line, src, delimiter, encoding)
                if rec is not None:
                    yield rec
                if refeed:
                    break
                continue
            if not body or body.isspace():
                continue
            fields = body.split(delimiter)
            if KEY_SEPARATOR in body:
                yield num, body, fields, _key(fields)
            else:
                yield num, body, fields, body.replace(delimiter, KEY_SEPARATOR)
        else:
            return
        src = itertools.chain(refeed, src)


def _slow(
    num: int, line: str, src: Iterator[tuple[int, str]], delimiter: str, encoding: str
) -> tuple[Record | None, list[tuple[int, str]] | None]:
    """One record that needs `csv` (quotes) or checks (NUL, undecodable, stray CR)."""
    consumed: list[tuple[int, str]] = [(num, line)]
    size = len(line)

    def feed() -> Iterator[str]:
        nonlocal size
        yield line
        for item in src:
            consumed.append(item)
            size += len(item[1])
            yield item[1]
            if len(consumed) >= MAX_SPAN_LINES or size >= MAX_SPAN_CHARS:
                return

    reason: str | None = None
    fields: list[str] | None = None
    try:
        fields = next(csv.reader(feed(), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        reason = _csv_reason(str(exc))
    except StopIteration:  # pragma: no cover - `feed` always yields the first line
        return None, None
    if fields is None and len(consumed) > 1:
        # Probably a quote left open: blame the line it opened on, and read the lines it
        # swallowed again as records of their own.
        first = _strip_break(line)
        return (num, shown_bytes(first), None, reason or "unreadable"), consumed[1:]
    raw = _strip_break("".join(item[1] for item in consumed))
    defect = _text_defect(raw, encoding)
    if defect is not None:
        return (num, shown_bytes(raw), None, defect), None
    if fields is None:
        return (num, raw, None, reason or "unreadable"), None
    if not raw.strip():
        return None, None
    return (num, raw, fields, _key(fields)), None


def _csv_reason(message: str) -> str:
    if "end of data" in message:
        return "quoted field is never closed"
    if "new-line character" in message:
        return "line break (CR) inside an unquoted field"
    if "expected after" in message:
        return "text after a closing quote (malformed quoting)"
    return "malformed CSV quoting"


def first_record(path: Path, *, delimiter: str, encoding: str) -> Record | None:
    """The first record of a file (to detect and check its header), or None if empty."""
    with path.open("rb") as binary:
        return next(
            read_records(open_text(binary, encoding), delimiter=delimiter, encoding=encoding), None
        )
