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
    "cyc_date",
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
    "CYC_DATE",
)
DATE_SOURCES = frozenset({"STP_EVENT_DATE", "PRI_DOB", "CYC_DATE"})

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


def key_defect(subject_id: str, cnt_order: str) -> str | None:
    """Why a record's SUBJECT_ID and CNT_ORDER cannot key its person and conviction (None if
    they can). A conviction's key is `SUBJECT_ID:CNT_ORDER`, read back by splitting at the
    first colon, so a colon in SUBJECT_ID would make two convictions' keys collide."""
    if not subject_id:
        return "SUBJECT_ID is blank"
    if not cnt_order:
        return "CNT_ORDER is blank"
    if ":" in subject_id:
        return "SUBJECT_ID contains ':' (conviction keys are SUBJECT_ID:CNT_ORDER)"
    return None
