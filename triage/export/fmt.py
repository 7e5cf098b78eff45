"""How exports print source values: one date formatter, blank NULLs, plurals.

DOJ dates are YYYYMMDD with zeros for an unknown day or month. A court exhibit shows a
full date as MM/DD/YYYY, a month-only date (YYYYMM00) as MM/YYYY, a year-only date
(YYYY0000) as YYYY, and a blank or all-zero date as blank; anything else is printed as
written (an unreadable date is shown, not guessed at). Source fields sometimes hold the
word `NULL` (any case) where the extract had no value: exports print it as blank.

Whether a reviewer accepted the pack's suggestion is worded once (`accepted`), for the
exhibits, the challenged list and the decisions log alike.
"""

from __future__ import annotations


def blank_null(value: str | None) -> str:
    """`value` trimmed; blank for None, whitespace or a literal NULL (any case)."""
    text = (value or "").strip()
    return "" if text.upper() == "NULL" else text


def export_date(raw: str | None) -> str:
    """A DOJ date as an exhibit prints it (see the module docstring)."""
    text = blank_null(raw)
    if not (len(text) == 8 and text.isdigit()):
        return text
    year, month, day = text[:4], text[4:6], text[6:]
    if year == "0000":
        return "" if text == "00000000" else text
    if month == "00":
        return year if day == "00" else text
    if not 1 <= int(month) <= 12 or int(day) > 31:
        return text
    if day == "00":
        return f"{month}/{year}"
    return f"{month}/{day}/{year}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 conviction`, `2 convictions` (`many` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


SUGGESTIONS = ("dismiss", "reduce", "not_eligible")


def pack_suggestion(outcome: str, suggested_outcome: str | None) -> str | None:
    """What the pack suggested for a conviction: a deciding outcome suggests itself; a
    `review` suggests its `suggested_outcome` (None when it only asked a question)."""
    return suggested_outcome if outcome == "review" else outcome


def accepted(suggestion: str | None, decision: str | None) -> str:
    """Did the decision accept the pack's suggestion: `yes`, `no`, `question` (the pack
    suggested nothing, None or `review`, and asked; the reviewer answered), `deferred`,
    or blank when there is no decision."""
    if decision is None:
        return ""
    if decision == "defer":
        return "deferred"
    if suggestion not in SUGGESTIONS:
        return "question"
    return "yes" if decision == suggestion else "no"
