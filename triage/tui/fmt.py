"""Small display helpers shared by the screens (dates, sentences, labels).

Everything returned here is plain text built from record fields; callers still pass
record text through `triage.display` before it reaches the screen.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from rules.engine import FLAG_TEXT
from triage.errors import TriageError

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
    """A sentence length as a reviewer says it: 2y, 1.5y, 6mo, 90d."""
    if days <= 0:
        return "no custody"
    if days >= 360:
        years = days / 365.25
        return f"{round(years)}y" if abs(years - round(years)) < 0.05 else f"{years:.1f}y"
    if days >= 28:
        months = days / 30.44
        if abs(months - round(months)) < 0.1:
            return f"{round(months)}mo"
    return f"{days:g}d"


EVENT_KINDS = {
    "ARREST/DETAINED/CITED": "arrest",
    "COURT ACTION": "court",
    "DECEASED": "✝ deceased",
    "REGISTRATION": "registered",
}


def event_kind(kind: str) -> str:
    key = kind.strip().upper()
    return EVENT_KINDS.get(key, kind.strip().lower())


def sentence_end(date_raw: str, days: float) -> str:
    """When the sentence ended (conviction date + sentence), or '' if unknown."""
    start = parse_date(date_raw)
    if start is None or days <= 0:
        return ""
    try:
        return (start + dt.timedelta(days=days)).isoformat()
    except OverflowError:
        return ""


_FLAG_WORDS = {flag.value: words for flag, words in FLAG_TEXT.items()}


def flag_words(value: str) -> str:
    """What a review flag (its stored value) means, in the engine's words; "" if unknown."""
    return _FLAG_WORDS.get(value, "")


def outcome(value: str | None) -> str:
    if value is None:
        return "—"
    return OUTCOME_LABELS.get(value, value)


# What a service call may raise that the app reports and survives: a user-facing error,
# or the database refusing (locked past the busy timeout, disk full, read-only file).
SERVICE_ERRORS: tuple[type[Exception], ...] = (TriageError, sqlite3.Error)


def problem(exc: BaseException) -> str:
    """One line for a toast. SQLite's own text is left out: only our messages are shown."""
    if isinstance(exc, TriageError):
        return str(exc)
    return f"database error ({type(exc).__name__}): nothing was saved; try again"
