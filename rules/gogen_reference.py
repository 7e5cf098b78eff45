"""Reference data for gogen-compatible columns: the DOJ layout and the section lists.

The super strike and PC 290 lists are those in the project's reference notes
(PC 667(e)(2)(C)(iv) and PC 290), as Code for America's county flows applied them in 2019.
They are matched exactly against the normalized section text (upper case, no spaces):
`237 PC` is not `37 PC`. An attempt (`664/`) of a listed section counts as the section.
"""

from __future__ import annotations

import re

# The 95 columns of the CA DOJ research file, in file order.
DOJ_COLUMNS: tuple[str, ...] = (
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

_SUB = r"(?:\([A-Z0-9]+\))"
_ANY = _SUB + "*"


def _pattern(alternatives: list[str], code: str = "PC") -> re.Pattern[str]:
    return re.compile(r"(?:664/)?(?:" + "|".join(alternatives) + ")" + code)


_SUPERSTRIKE_PC = [
    "37", "128", "187", "188", r"189(?:\.[15])?", r"190(?:\.\d{1,2})?" + _ANY,
    r"191(?:\.5)?", "205", "207", r"209(?:\.5)?", r"217\.1", "218", "219", "220",
    r"245\(D\)\(3\)", "261" + _ANY, "262" + _ANY, r"264\.1", "269", "273AB" + _ANY,
    r"286(?:\(C\)\([123]\)(?:\([ABC]\))?|\(D\)\([123]\))?", "287",
    r"288(?:\(A\)|\(B\)\([12]\))?", r"288A(?:\(D\)|\(C\)\(1\)|\(C\)\(2\)\([ABC]\))?",
    r"288\.5(?:\(A\))?", r"289(?:\(J\)|\(A\)\(1\)\([ABC]\)|\(A\)\(2\)\(C\))?", r"451\.5",
    "653F", r"667\.(?:61|7|71)", "4500", r"11418(?:\(A\)\(1\)|\(B\)\([12]\))", "12308",
    "12310", "18745", "18755",
]  # fmt: skip
_SUPERSTRIKES = (_pattern(_SUPERSTRIKE_PC), _pattern([r"1672\(A\)"], "MV"))

_PC290 = _pattern([
    r"236\.1\([BC]\)" + _ANY, r"243\.4" + _ANY, "261" + _ANY, r"262\(A\)(?:\(1\))?",
    r"264\.1" + _ANY, "266", "266C", r"266H\(B\)" + _ANY, r"266I\(B\)" + _ANY, "266J",
    "267", "269" + _ANY, "272", "285", "286" + _ANY, "287", "288", "288A" + _ANY,
    r"288\.[23457]" + _ANY, "289" + _ANY, r"311\.1" + _ANY, r"311\.2\([BCD]\)",
    r"311\.(?:3|4|10|11)" + _ANY, r"314\([12]\)", r"451\.5", r"647\.6" + _ANY,
    "647A" + _ANY, r"653F\([BC]\)",
])  # fmt: skip

# PC 186.22(b)(4) in the same court case makes these offenses super strikes.
GANG_ENHANCEMENT = re.compile(r"186\.22\(B\)\(4\)PC")
ENHANCEABLE = _pattern(
    [
        r"136\.1" + _ANY,
        "215" + _ANY,
        r"213\(A\)\(1\)\(A\)",
        "246" + _ANY,
        "519" + _ANY,
        r"12022\.55" + _ANY,
    ]
)


def normalize(section_text: str) -> str:
    """Upper case without whitespace: `314(1) PC` → `314(1)PC`."""
    return re.sub(r"\s+", "", section_text.upper())


def is_superstrike(section_text: str) -> bool:
    """A super strike section (PC 667(e)(2)(C)(iv)), matched exactly."""
    text = normalize(section_text)
    return any(p.fullmatch(text) for p in _SUPERSTRIKES)


def is_pc290(section_text: str) -> bool:
    """A section requiring sex-offender registration (PC 290), matched exactly."""
    return _PC290.fullmatch(normalize(section_text)) is not None
