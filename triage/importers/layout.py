"""What every input format hands the writer: the named columns of `source_rows`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# The `source_rows` columns the rules use, in insert order, and the DOJ field feeding each.
NAMED_COLUMNS: tuple[str, ...] = (
    "subject_id",
    "cnt_order",
    "stp_type",
    "event_date",
    "county",
    "name",
    "dob",
    "cii",
    "ofn",
    "offense_descr",
    "offense_toc",
    "disp_descr",
    "conv_stat",
    "sent_length",
    "sent_time_code",
    "comment_text",
)
NAMED_SOURCES: tuple[str, ...] = (
    "SUBJECT_ID",
    "CNT_ORDER",
    "STP_TYPE_DESCR",
    "STP_EVENT_DATE",
    "STP_ORI_CNTY_NAME",
    "PRI_NAME",
    "PRI_DOB",
    "CII_NUMBER",
    "OFN",
    "OFFENSE_DESCR",
    "OFFENSE_TOC",
    "DISP_DESCR",
    "CONV_STAT_DESCR",
    "SENT_LENGTH",
    "SENT_TIME_CODE",
    "COMMENT_TEXT",
)
DATE_SOURCES = frozenset({"STP_EVENT_DATE", "PRI_DOB"})

# The named values (trimmed) followed by `convicted` (0/1), or a defect reason.
Shaped = tuple[str | int, ...] | str


@dataclass(frozen=True)
class Layout:
    """How to turn one file's records into rows.

    `shape` maps a record's fields to the named values plus `convicted`, or returns the
    reason the record is quarantined. `header_defect` quarantines a header line that is
    recognisably a header but malformed.
    """

    has_header: bool
    header_defect: str | None
    shape: Callable[[list[str]], Shaped]
    delimiter: str = ","
    hash_prefix: str = ""
