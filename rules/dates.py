"""Dates as the California DOJ writes them, and the date arithmetic the rules rely on.

DOJ record dates are eight digits, `YYYYMMDD`. Older entries often lack the day or the
month and carry zeros instead: `19810400` means "some day in April 1981", `19810000` "some
time in 1981". Such a date is kept as *partial*: its value is the first day of the period
(so "before/after" comparisons still work) and the conviction is flagged so a reviewer
sees that the exact day was never recorded. A date that cannot be read at all (blank,
letters, 31 February, month 13) has no value; the original text is always kept for display.

Sentence lengths are converted to days the way Code for America's tools did, so that
"sentence completed" answers match theirs: a day is 1, a month 30.5 and a year 366 days.

Birthdays on 29 February: in a year without that day, a person is treated as reaching the
new age on 1 March (the day after 28 February), and `add_years` moves 29 February to
1 March for the same reason. The two functions agree: `age_on(dob, add_years(dob, n)) == n`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from rules.model import PartialDate

# Prop 64 took effect the day after the 8 November 2016 election.
PROP64_EFFECTIVE = dt.date(2016, 11, 9)

_DAYS_PER_UNIT: dict[str, float] = {"D": 1.0, "M": 30.5, "Y": 366.0}


@lru_cache(maxsize=65536)
def parse_doj_date(raw: str) -> PartialDate:
    """Read a DOJ `YYYYMMDD` date; `YYYY0000` / `YYYYMM00` give a partial date.

    Surrounding spaces are ignored. Anything that is not eight digits naming a real calendar
    day (after the zero-day / zero-month allowance) gives `value=None`; `raw` is kept as given.
    """
    text = raw.strip()
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return PartialDate(raw=raw, value=None)
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if year == 0:
        return PartialDate(raw=raw, value=None)
    partial = False
    if month == 0:
        # A missing month makes any day meaningless: keep only the year.
        month, day, partial = 1, 1, True
    elif day == 0:
        day, partial = 1, True
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return PartialDate(raw=raw, value=None)
    return PartialDate(raw=raw, value=value, partial=partial)


def latest_possible(date: PartialDate) -> dt.date | None:
    """The last day a partial date could stand for (the value itself for an exact date)."""
    if date.value is None:
        return None
    if not date.partial:
        return date.value
    text = date.raw.strip()
    if text[4:6] == "00":
        return dt.date(date.value.year, 12, 31)
    nxt = dt.date(date.value.year + date.value.month // 12, date.value.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def sentence_days(length: str, time_code: str) -> float:
    """A sentence part in days: `SENT_LENGTH` × (D=1, M=30.5, Y=366) for `SENT_TIME_CODE`.

    Blank, non-numeric or negative lengths and unknown time codes count as 0 days: the
    record then simply says nothing about the sentence, rather than something wrong.
    """
    unit = _DAYS_PER_UNIT.get(time_code.strip().upper())
    if unit is None:
        return 0.0
    text = length.strip()
    if not text:
        return 0.0
    try:
        amount = float(text)
    except ValueError:
        return 0.0
    if amount != amount or amount < 0 or amount == float("inf"):  # NaN, negative, infinite
        return 0.0
    return amount * unit


def add_years(d: dt.date, n: int) -> dt.date:
    """The same calendar day `n` years later (or earlier); 29 February becomes 1 March."""
    year = d.year + n
    try:
        return d.replace(year=year)
    except ValueError:
        # Only 29 February in a non-leap target year lands here.
        return dt.date(year, 3, 1)


def age_on(dob: dt.date, on: dt.date) -> int:
    """Age in whole years on the day `on` (negative if `on` is before the birth)."""
    years = on.year - dob.year
    if (on.month, on.day) < (dob.month, dob.day):
        years -= 1
    return years
