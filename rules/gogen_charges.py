"""Charge text as gogen read it: the section a row names, whether it is a Prop 64 one, and
gogen's "Possible Other P64 Charges" (part of `rules.gogen_columns`, which re-exports them).

gogen matched charge text with its own patterns, not with `rules.charges`; these reproduce
what it read (exactly anchored: see the differences listed in `rules.gogen_columns`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rules.doj_layout import DOJ_COLUMNS

_OFFENSE = DOJ_COLUMNS.index("OFFENSE_DESCR")
_COMMENT = DOJ_COLUMNS.index("COMMENT_TEXT")
_PROP64_SECTION = re.compile(r"(?<![\d.])(1135[789]|11360)(?![\d.])")
_CODE_AFTER = re.compile(r"^(?:\([A-Z0-9]{1,4}\))*\s*([A-Z]{2})\b")
_SUB_11357 = re.compile(r"11357\(([A-D])\)")


def code_section(fields: Sequence[str]) -> str:
    """The charge text gogen read: OFFENSE_DESCR up to its first '-', or COMMENT_TEXT's
    when the offense says to see the comment."""
    offense = fields[_OFFENSE]
    source = fields[_COMMENT] if charge_in_comment(offense) else offense
    return source.split("-", 1)[0]


def charge_in_comment(offense: str) -> bool:
    return offense.strip() in ("", "SEE COMMENT FOR CHARGE")


def prop64_section(text: str) -> str | None:
    """The Prop 64 section a charge text names (exactly: 11357.5 is not 11357), or None.
    A section under another code (`11357 PC`) is not a Prop 64 conviction."""
    upper = text.upper()
    match = _PROP64_SECTION.search(upper)
    if match is None:
        return None
    code = _CODE_AFTER.match(upper[match.end() :].lstrip())
    if code is not None and code.group(1) != "HS":
        return None
    return match.group(1)


def possible_other_p64(offense: str, comment: str) -> str:
    """gogen's "Possible Other P64 Charges": the comment text when it names a Prop 64
    charge the offense does not (another section, or another 11357 subdivision group)."""
    if charge_in_comment(offense):
        return ""
    in_comment = prop64_section(comment)
    if in_comment is None:
        return ""
    in_offense = prop64_section(offense)
    if in_offense is None or in_offense != in_comment:
        return comment
    if in_offense != "11357":
        return ""
    sub_offense = _SUB_11357.search(offense.upper())
    sub_comment = _SUB_11357.search(comment.upper())
    if sub_offense and sub_comment:
        a, b = sub_offense.group(1), sub_comment.group(1)
        return comment if (a in "AB") != (b in "AB") else ""
    return comment if sub_comment else ""
