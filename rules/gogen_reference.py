"""Reference data for gogen-compatible columns: the super strike and PC 290 section lists.

The super strike and PC 290 lists are those in the project's reference notes
(PC 667(e)(2)(C)(iv) and PC 290), as Code for America's county flows applied them in 2019.
They are matched exactly against the normalized section text (upper case, no spaces):
`237 PC` is not `37 PC`. An attempt (`664/`) of a listed section counts as the section.
"""

from __future__ import annotations

import re

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
