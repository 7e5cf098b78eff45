"""Reading delimited text files record by record, with physical line numbers.

A record is what `csv` would return, but this reader also keeps the record's original text
(`raw`, as decoded, without its final line break) and the physical line where it starts, so
a quoted field that spans lines never shifts the numbers of the records after it.

Parsing is `csv`'s own (strict mode); malformed quoting is a defect of the record it is in.

Bytes the encoding cannot decode are carried through as lone surrogates
(`surrogateescape`) and reported as a defect of the record they are in, never replaced.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from triage.errors import TriageError, UsageError

DEFAULT_ENCODING = "utf-8"
# A quote left open swallows lines until the end of the file or csv's field size limit;
# those lines are read again as records of their own, up to this many times per file.
MAX_REFEEDS = 1000
KEY_SEPARATOR = "\x1f"

# (line, raw, fields, key): `fields` is None for a defect, and then `key` is the reason.
# `key` is the fields joined unambiguously, the input of the row hash.
Record = tuple[int, str, list[str] | None, str]

_SURROGATE = re.compile("[\udc80-\udcff]")


def codec_name(encoding: str | None) -> str:
    """Validate `--encoding`: a text encoding Python knows that writes `,`, `"`, tab and line
    breaks as the ASCII bytes (UTF-8, Latin-1, cp1252...); return its canonical name."""
    name = encoding or DEFAULT_ENCODING
    try:
        info = codecs.lookup(name)
        # Refuses codecs that are not text encodings (base64, rot13, zlib...).
        io.TextIOWrapper(io.BytesIO(b""), encoding=info.name)
    except LookupError as exc:
        reason = "unknown encoding" if "unknown" in str(exc) else "not a text encoding"
        raise UsageError(f"--encoding: {reason}: {name}") from None
    probe = ',;|\t"\r\nAZaz09'
    try:
        ok = probe.encode("ascii").decode(info.name) == probe
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
    """Yield every record of `lines` (from `open_text`). Blank lines are skipped.

    One `csv.reader` parses the stream; a `tee` a record behind it hands back the lines
    each record consumed (`reader.line_num` says how many), which gives both the original
    text and the physical line where the record starts.

    Long because this loop runs once per row of a million-row file, and splitting it
    into helpers costs a call per row (see bench/bench_import.py).
    """
    offset = 0  # physical number of the line before the current source's first line
    source: Iterator[str] = lines
    refeeds = 0
    sep = KEY_SEPARATOR
    while True:
        ahead, behind = itertools.tee(source)
        reader = csv.reader(ahead, delimiter=delimiter, strict=True)
        parse = reader.__next__
        lag = behind.__next__
        prev = 0
        while True:
            try:
                fields = parse()
            except StopIteration:
                return
            except csv.Error as exc:
                fields = None
                reason = _csv_reason(str(exc))
            num = reader.line_num
            span = num - prev
            start = offset + prev + 1
            prev = num
            if span == 1:
                raw = lag().rstrip("\r\n")
            else:
                consumed = list(itertools.islice(behind, span))
                if fields is None and span > 1 and refeeds < MAX_REFEEDS:
                    # Most likely a quote left open: blame the line it opened on, and
                    # read the lines it swallowed again, as records of their own.
                    if not reason.startswith("quoted field"):
                        reason = f"quoted field is never closed properly ({reason})"
                    yield start, shown_bytes(consumed[0].rstrip("\r\n")), None, reason
                    refeeds += 1
                    source = itertools.chain(consumed[1:], ahead)
                    offset = start
                    break
                raw = "".join(consumed).rstrip("\r\n")
            if fields is None:
                yield start, shown_bytes(raw), None, reason
                continue
            if "\x00" in raw or not raw.isascii():
                defect = _text_defect(raw, encoding)
                if defect is not None:
                    yield start, shown_bytes(raw), None, defect
                    continue
            if len(fields) < 2 and (not fields or not fields[0].strip()):
                continue  # a blank line
            if sep in raw:
                # A field holds the separator itself: JSON keeps the key unambiguous (it
                # never contains a raw separator, so it cannot equal any plain join).
                yield start, raw, fields, json.dumps(fields, ensure_ascii=False)
            else:
                yield start, raw, fields, sep.join(fields)


def _csv_reason(message: str) -> str:
    if "end of data" in message:
        return "quoted field is never closed"
    if "field larger than field limit" in message:
        return "quoted field is never closed (or a field is over the size limit)"
    if "new-line character" in message:
        return "line break (CR) inside an unquoted field"
    if "expected after" in message:
        return "text after a closing quote"
    return "malformed CSV quoting"


def first_record(path: Path, *, delimiter: str, encoding: str) -> Record | None:
    """The first record of a file (to detect and check its header), or None if empty."""
    with path.open("rb") as binary, decoding_errors(path, encoding):
        return next(
            read_records(open_text(binary, encoding), delimiter=delimiter, encoding=encoding), None
        )


@contextlib.contextmanager
def decoding_errors(path: Path, encoding: str) -> Iterator[None]:
    """Undecodable bytes are a record's defect, but a few codecs fail in ways no error
    handler can absorb (escape codecs): that refuses the file, in one line."""
    try:
        yield
    except UnicodeError:
        raise TriageError(f"{path}: cannot be decoded as {encoding}; check --encoding") from None
