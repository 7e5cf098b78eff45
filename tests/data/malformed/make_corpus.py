"""Write the malformed-input corpus (tests/data/malformed/*.csv) from this script.

Every file is small, synthetic and fictional (invented names, SUBJECT_IDs in the 9xxxxxxx
range that the sample generator never uses). The bytes are spelled out here so they can be
reviewed; the generated files are committed too, and `test_malformed_corpus.py` checks
that they still match what this script writes. Expected outcomes live in expected.toml.

    /work/venv/bin/python tests/data/malformed/make_corpus.py
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from triage.importers import DOJ_COLUMNS

HERE = Path(__file__).resolve().parent
IX = {name: i for i, name in enumerate(DOJ_COLUMNS)}
HEADER = ",".join(DOJ_COLUMNS)


def record(n: int, **overrides: str) -> list[str]:
    """A plausible, fictional convicted DOJ row; `n` makes SUBJECT_ID/CNT_ORDER distinct."""
    row = [""] * len(DOJ_COLUMNS)
    values = {
        "RECORD_ID": f"{n:04d}",
        "SUBJECT_ID": f"9{n:07d}",
        "REQ_SEG_SEP": "#",
        "CII_NUMBER": f"A{n:09d}",
        "PRI_NAME": f"QUILLFEATHER,ORSOLYA{n}",
        "PRI_DOB": "19750615",
        "STP_EVENT_DATE": "20120403",
        "STP_TYPE_DESCR": "COURT ACTION",
        "STP_ORI_CNTY_NAME": "SAN JOAQUIN",
        "CNT_ORDER": f"{n % 7 + 1:03d}001001000",
        "OFN": f"CR{n:05d}",
        "OFFENSE_DESCR": "11357(C) HS-POSSESS MARIJUANA",
        "OFFENSE_TOC": "M",
        "DISP_DESCR": "CONVICTED",
        "CONV_STAT_DESCR": "MISDEMEANOR",
        "SENT_LENGTH": "10",
        "SENT_TIME_CODE": "D",
        "COMMENT_TEXT": "",
        "SENT_SEG_SEP": "#",
        "END_OF_REC": "#",
    }
    values.update(overrides)
    for name, value in values.items():
        row[IX[name]] = value
    return row


def line(fields: list[str]) -> str:
    """One CSV record as DOJ writes it (minimal quoting), without a line break."""
    buf = io.StringIO()
    # The terminator must contain CR and LF: csv quotes a field holding a line break only
    # when the break is one of the terminator's characters.
    csv.writer(buf, lineterminator="\r\n").writerow(fields)
    return buf.getvalue().removesuffix("\r\n")


def lines(*parts: str, end: str = "\n") -> bytes:
    return "".join(p + end for p in parts).encode("utf-8")


def files() -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) for every corpus file."""
    r = [line(record(n)) for n in range(1, 8)]
    yield "baseline.csv", lines(HEADER, r[1], r[2], r[3])
    yield "no_header.csv", lines(r[1], r[2], r[3])
    yield "header_trailing_comma.csv", lines(HEADER + ",", r[1], r[2])
    yield "bom_utf8.csv", b"\xef\xbb\xbf" + lines(HEADER, r[1], r[2])
    yield "bom_no_header.csv", b"\xef\xbb\xbf" + lines(r[1], r[2])
    yield "crlf.csv", lines(HEADER, r[1], r[2], r[3], end="\r\n")
    yield "mixed_line_endings.csv", lines(HEADER, r[1], end="\r\n") + lines(r[2], r[3])

    # Legacy single-byte encodings: é (0xE9), ñ (0xF1), curly quotes (0x93/0x94).
    cp = line(record(2, PRI_NAME="BRÉVAL,ODETTE"))
    yield "cp1252_name.csv", (lines(HEADER, r[1]) + cp.encode("cp1252") + b"\n" + lines(r[3]))
    latin = line(record(2, COMMENT_TEXT="SEE FILE FOR NIÑO"))
    yield "latin1_comment.csv", lines(r[1]) + latin.encode("latin-1") + b"\n" + lines(r[3])
    smart = line(record(3, COMMENT_TEXT="DEF SAID “NOT MINE”"))
    yield "cp1252_smart_quotes.csv", lines(HEADER, r[1], r[2]) + smart.encode("cp1252") + b"\n"
    yield (
        "utf8_truncated_at_eof.csv",
        lines(HEADER, r[1])
        + line(record(2, PRI_NAME="ÅSTRAND,ILSE")).encode("utf-8")[:-30]
        + "Å".encode()[:1],
    )

    # Wrong number of fields.
    short = line(record(2)[:-1])
    long = line([*record(3), "EXTRA"])
    yield "ragged_94.csv", lines(HEADER, r[1], short, r[3])
    yield "ragged_96.csv", lines(HEADER, r[1], r[2], long)
    yield "ragged_strict.csv", lines(HEADER, r[1], r[2], short)

    # Quoting.
    multiline = line(record(2, COMMENT_TEXT="FIRST PART\nSECOND PART"))
    yield "embedded_newline.csv", lines(HEADER, r[1], multiline, r[3])
    crlf_inside = line(record(2, COMMENT_TEXT="LINE ONE\r\nLINE TWO\r\nLINE THREE"))
    yield "embedded_crlf_crlf_file.csv", lines(HEADER, r[1], crlf_inside, r[3], end="\r\n")
    open_quote = line(record(2)).replace(",CONVICTED,", ',"CONVICTED,', 1)
    yield "unterminated_quote.csv", lines(HEADER, r[1], open_quote, r[3], r[4])
    yield "unterminated_quote_last.csv", lines(HEADER, r[1], r[2], open_quote)
    after_quote = line(record(2)).replace(",CONVICTED,", ',"CONVICTED"X,', 1)
    yield "text_after_quote.csv", lines(HEADER, r[1], after_quote, r[3])
    yield "cr_only_line_endings.csv", lines(HEADER, r[1], r[2], end="\r")

    # Headers where they should not be, or wrong.
    yield "duplicate_header.csv", lines(HEADER, HEADER, r[1], r[2])
    yield "mid_file_header.csv", lines(HEADER, r[1], r[2], HEADER, r[3], r[4])
    swapped = list(DOJ_COLUMNS)
    swapped[12], swapped[14] = swapped[14], swapped[12]
    yield "header_wrong_names.csv", lines(",".join(swapped), r[1])
    yield "header_94_names.csv", lines(",".join(DOJ_COLUMNS[:-1]), r[1], r[2])

    # Nothing to import.
    yield "empty.csv", b""
    yield "header_only.csv", lines(HEADER)
    yield "blank_lines_only.csv", b"\n\n\r\n\n"
    yield "blank_lines_between.csv", lines(HEADER, r[1], "", r[2], "   ", r[3])

    # Size and control bytes.
    big = line(record(2, COMMENT_TEXT="LONG NARRATIVE " + "X" * 200_000))
    yield "field_200kb.csv", lines(HEADER, r[1], big, r[3])
    nul = line(record(2, COMMENT_TEXT="BEFORE\x00AFTER"))
    yield "nul_byte.csv", lines(HEADER, r[1], nul, r[3])
    yield "binary_garbage.csv", bytes(range(256)) * 4

    # Keys missing.
    yield "blank_subject_id.csv", lines(HEADER, r[1], line(record(2, SUBJECT_ID="  ")), r[3])
    yield "blank_cnt_order.csv", lines(HEADER, r[1], r[2], line(record(3, CNT_ORDER="")))

    # Dates: kept raw, parsed as far as they go, flagged by the rules.
    yield (
        "impossible_dates.csv",
        lines(
            HEADER,
            line(record(1, STP_EVENT_DATE="20190231")),
            line(record(2, STP_EVENT_DATE="20121301")),
            line(record(3, STP_EVENT_DATE="99999999", PRI_DOB="19751345")),
        ),
    )
    yield (
        "partial_dates.csv",
        lines(
            HEADER,
            line(record(1, STP_EVENT_DATE="20120000")),
            line(record(2, STP_EVENT_DATE="20120400", PRI_DOB="19750000")),
        ),
    )
    yield (
        "two_digit_years.csv",
        lines(
            HEADER,
            line(record(1, STP_EVENT_DATE="120403")),
            line(record(2, STP_EVENT_DATE="04/03/12", PRI_DOB="750615")),
        ),
    )

    # Duplicates.
    yield "exact_duplicates.csv", lines(HEADER, r[1], r[2], r[1], r[3], r[1])
    conflict = line(record(2, OFFENSE_DESCR="11359 HS-POSSESS MARIJUANA FOR SALE"))
    part = line(record(2, SENT_LENGTH="2", SENT_TIME_CODE="Y"))
    yield "conflicting_duplicates.csv", lines(HEADER, r[1], r[2], conflict, part)

    # Trailers some extract tools append.
    yield "trailer_rows.csv", lines(HEADER, r[1], r[2], "TOTAL RECORDS: 2", "EOF,2,,")

    # Invisible and direction-changing characters (kept as they are; display sanitizes).
    yield (
        "zero_width.csv",
        lines(
            HEADER,
            line(record(1, PRI_NAME="MOR\u200bGANFIELD,\u200dTEAGAN")),
            line(record(2, COMMENT_TEXT="\ufeffNOTE\u2060 WITH JOINERS\u200c")),
        ),
    )
    yield (
        "bidi_controls.csv",
        lines(
            HEADER,
            line(record(1, PRI_NAME="\u202eNOSREDNA,ARIEL\u202c")),
            line(record(2, COMMENT_TEXT="\u2067ISOLATE\u2069 \u200fRLM \u061c")),
        ),
    )
    yield (
        "padded_fields.csv",
        lines(
            HEADER,
            line(
                record(
                    1,
                    SUBJECT_ID="  90000001  ",
                    PRI_NAME=" TARNWICK,BO  ",
                    CNT_ORDER=" 001001001000",
                )
            ),
        ),
    )


def main() -> None:
    for name, data in files():
        (HERE / name).write_bytes(data)
    print(f"wrote {sum(1 for _ in files())} files to {HERE}")


if __name__ == "__main__":
    main()
