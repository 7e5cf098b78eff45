"""The CA DOJ research-file layout: 95 fields per record, `RECORD_ID` … `END_OF_REC`."""

from __future__ import annotations

import operator
from collections.abc import Callable
from pathlib import Path

from triage.errors import TriageError
from triage.importers.layout import NAMED_SOURCES, Layout, Shaped

COLUMNS: tuple[str, ...] = (
    "RECORD_ID",
    "SUBJECT_STATUS",
    "SUBJECT_ID",
    "REQ_SEG_SEP",
    "REQ_CII_NUMBER",
    "REQ_NAME",
    "REQ_GENDER",
    "REQ_DOB",
    "REQ_CDL",
    "REQ_SSN",
    "PII_SEG_SEP",
    "CII_NUMBER",
    "PRI_NAME",
    "GENDER",
    "PRI_DOB",
    "PRI_SSN",
    "PRI_CDL",
    "PRI_IDN",
    "PRI_INN",
    "FBI_NUMBER",
    "PDR_SEG_SEP",
    "RACE_CODE",
    "RACE_DESCR",
    "EYE_COLOR_CODE",
    "EYE_COLOR_DESCR",
    "HAIR_COLOR_CODE",
    "HAIR_COLOR_DESCR",
    "HEIGHT",
    "WEIGHT",
    "SINGLE_SOURCE",
    "MULTI_SOURCE",
    "POB_CODE",
    "POB_NAME",
    "POB_TYPE",
    "CITIZENSHIP_LIST",
    "CYC_SEG_SEP",
    "CYC_ORDER",
    "CYC_DATE",
    "STP_SEG_SEP",
    "STP_ORDER",
    "STP_EVENT_DATE",
    "STP_TYPE_CODE",
    "STP_TYPE_DESCR",
    "STP_ORI_TYPE",
    "STP_ORI_TYPE_DESCR",
    "STP_ORI_CODE",
    "STP_ORI_DESCR",
    "STP_ORI_CNTY_CODE",
    "STP_ORI_CNTY_NAME",
    "CNT_SEG_SEP",
    "CNT_ORDER",
    "DISP_DATE",
    "OFN",
    "OFFENSE_CODE",
    "OFFENSE_DESCR",
    "OFFENSE_TOC",
    "OFFENSE_QUAL_LST",
    "DISP_OFFENSE_CODE",
    "DISP_OFFENSE_DESCR",
    "DISP_OFFENSE_TOC",
    "DISP_OFFENSE_QUAL_LST",
    "CONV_OFFENSE_ORDER",
    "CONV_OFFENSE_CODE",
    "CONV_OFFENSE_DESCR",
    "CONV_OFFENSE_TOC",
    "CONV_OFFENSE_QUAL_LST",
    "FE_NUM_ORDER",
    "FE_NUM_ARR_AGY",
    "FE_NUM_BNCH_WARR",
    "FE_NUM_CITE",
    "FE_NUM_DOCKET",
    "FE_NUM_INCIDENT",
    "FE_NUM_BOOKING",
    "FE_NUM_NUMBER",
    "FE_NUM_REMAND",
    "FE_NUM_OOS_INN",
    "FE_NUM_CRT_CASE",
    "FE_NUM_WARRANT",
    "DISP_ORDER",
    "DISP_CODE",
    "DISP_DESCR",
    "CONV_STAT_CODE",
    "CONV_STAT_DESCR",
    "SENT_SEG_SEP",
    "SENT_ORDER",
    "SENT_LOC_CODE",
    "SENT_LOC_DESCR",
    "SENT_LENGTH",
    "SENT_TIME_CODE",
    "SENT_TIME_DESCR",
    "CYC_AGE",
    "CII_TYPE",
    "CII_TYPE_ALPHA",
    "COMMENT_TEXT",
    "END_OF_REC",
)
FIELD_COUNT = len(COLUMNS)
HEADER_MARK = COLUMNS[0]

_pick = operator.itemgetter(*(COLUMNS.index(name) for name in NAMED_SOURCES))
_strip = str.strip


def _shape(fields: list[str]) -> Shaped:
    """The trimmed named columns of one record, or the reason it cannot be accepted."""
    if len(fields) != FIELD_COUNT:
        return f"{len(fields)} fields, expected {FIELD_COUNT}"
    values: tuple[str, ...] = tuple(map(_strip, _pick(fields)))
    subject_id = values[0]
    if not subject_id:
        return "SUBJECT_ID is blank"
    if not values[1]:
        return "CNT_ORDER is blank"
    if subject_id == "SUBJECT_ID":
        return "a header line in the middle of the file"
    return values + (1 if values[11].startswith("CONVICTED") else 0,)


def layout(path: Path, first: list[str] | None) -> Layout:
    """How to read a DOJ file, judged from its first record's fields.

    A header is recognised by `RECORD_ID` in its first field. Its names must be the DOJ
    names in order (else the data cannot be trusted to be in DOJ order: refuse the file); a
    trailing empty field is tolerated; a header of the wrong width is quarantined like any
    other bad line, and the records are then judged on their own.
    """
    shape: Callable[[list[str]], Shaped] = _shape
    if first is None or first[0].strip() != HEADER_MARK:
        return Layout(has_header=False, header_defect=None, shape=shape)
    names = [name.strip() for name in first]
    if len(names) == FIELD_COUNT + 1 and names[-1] == "":
        names.pop()
    for position, (got, expected) in enumerate(zip(names, COLUMNS, strict=False), 1):
        if got.upper() != expected:
            raise TriageError(
                f"{path}:1: header field {position} should be {expected}; this is not the "
                f"{FIELD_COUNT}-column DOJ layout (for other CSV files use --format csv --map)"
            )
    defect = None
    if len(names) != FIELD_COUNT:
        defect = f"header has {len(first)} fields, expected {FIELD_COUNT}"
    return Layout(has_header=True, header_defect=defect, shape=shape)
