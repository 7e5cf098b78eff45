"""Small display helpers shared by the screens (dates, sentences, labels).

Everything returned here is plain text built from record fields; callers still pass
record text through `triage.display` before it reaches the screen.
"""

from __future__ import annotations

import datetime as dt

OUTCOME_LABELS = {
    "dismiss": "dismiss",
    "reduce": "reduce",
    "not_eligible": "not eligible",
    "review": "review",
    "defer": "defer",
}

# Styles name meaning, not colour only: every styled state also has a symbol or word, so
# the screens read the same under NO_COLOR and on 16-colour terminals.
OUTCOME_STYLES = {
    "dismiss": "green",
    "reduce": "cyan",
    "not_eligible": "red",
    "review": "yellow",
    "defer": "magenta",
}


def parse_date(raw: str) -> dt.date | None:
    """A YYYYMMDD (or YYYY-MM-DD) date, or None when partial or invalid."""
    digits = raw.replace("-", "").strip()
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def show_date(raw: str) -> str:
    """YYYY-MM-DD; partial dates keep their known part (`1998-06-??`), blanks show `?`."""
    digits = raw.replace("-", "").strip()
    if not digits:
        return "????-??-??"
    if len(digits) == 8 and digits.isdigit():
        y, m, d = digits[:4], digits[4:6], digits[6:]
        m = "??" if m == "00" else m
        d = "??" if d == "00" else d
        return f"{y}-{m}-{d}"
    return digits[:10]


def show_time(stamp: str | None) -> str:
    """An ISO timestamp as `YYYY-MM-DD HH:MM` (UTC)."""
    if not stamp:
        return ""
    return stamp[:16].replace("T", " ")


def sentence(days: float) -> str:
    if days <= 0:
        return "no custody"
    if days >= 365 and days % 365 < 1:
        years = int(days // 365)
        return f"{years}y"
    if days >= 30 and days % 30 < 1:
        return f"{int(days // 30)}mo"
    return f"{days:g}d"


def sentence_end(date_raw: str, days: float) -> str:
    """When the sentence ended (conviction date + sentence), or '' if unknown."""
    start = parse_date(date_raw)
    if start is None or days <= 0:
        return ""
    try:
        return (start + dt.timedelta(days=days)).isoformat()
    except OverflowError:
        return ""


def outcome(value: str | None) -> str:
    if value is None:
        return "—"
    return OUTCOME_LABELS.get(value, value)
