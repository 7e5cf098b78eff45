"""Turning one person's DOJ rows into the record the rules read.

A DOJ criminal-history extract has one row per event: arrests, court actions, registrations,
a death. triage groups a person's rows (same SUBJECT_ID) and builds a `PersonRecord`:

* **Convictions.** A row whose disposition (DISP_DESCR) begins with `CONVICTED` is a
  conviction. The disposition decides, not the row type: Code for America's tools counted
  such rows whatever their STP_TYPE_DESCR, and their expected figures depend on it. Rows
  sharing a count number (CNT_ORDER) are one conviction: the later rows are further parts
  of the same sentence, whose lengths are added together. If those rows disagree about the
  charge or the date, the conviction is flagged `CONFLICTING_DUPLICATE`.
* **Felony.** CONV_STAT_DESCR says `FELONY`; when it is blank, the offense's type of charge
  (OFFENSE_TOC) `F` decides. An infraction is told apart the same way (`is_infraction`).
* **Offense date.** The conviction keeps its arrest cycle's date (CYC_DATE, from its first
  row): HS 11361.8 and the age rules of HS 11357-11360 look at the offense, not the
  conviction (`Conviction.offense_date`). Files without it (CfA's fixtures carry `x`) fall
  back to the conviction date.
* **Everything else** (arrests, registrations, deaths, dismissed or otherwise not convicted
  court actions) is kept as an event, in file order; a `DECEASED` row also counts as an
  event when it carries a conviction.
* **Doubts** raised here, on the conviction: `PARTIAL_DATE` (DOJ date without day or month),
  `MISSING_DATE`, `MISSING_DOB` (on every conviction of a person whose date of birth is blank
  or unreadable: age-based relief cannot be judged), `PARTIAL_DOB` (on every conviction of a
  person whose date of birth lacks its day or month: ages are then counted from the first
  day it could be, so an age test near its threshold may go either way) and
  `PRE_2016_SUBDIVISION`, below.

Prop 64 re-lettered HS 11357 on 9 November 2016. Before, (a) was concentrated cannabis,
(b) up to 28.5 g, (c) more than 28.5 g and (d) possession on school grounds; after, the
letters mean other things. Almost all convictions in these files predate the change and are
read, by the policy packs, with the old letters, so flagging every 11357(x) would only add
noise. `PRE_2016_SUBDIVISION` is raised when the date cannot tell which lettering the court
used: an 11357 conviction with a subdivision whose date is unknown, partial across
2016-11-09, or within one year after it (a case charged under the old letters may be
decided after the election). A reviewer should then check the court record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rules.charges import parse_charge
from rules.dates import PROP64_EFFECTIVE, add_years, latest_possible, parse_doj_date, sentence_days
from rules.errors import RulesError
from rules.model import Charge, Conviction, Event, EventKind, Flag, PartialDate, PersonRecord

_TRANSITION_END = add_years(PROP64_EFFECTIVE, 1)

# What build_person reads: every row's event columns, and a convicted row's conviction
# columns too, each in one pass (`_fields`) rather than one look-up per use. This runs for
# every person of every classification run, a million rows and more.
_EVENT_COLUMNS: tuple[str, ...] = (
    "SUBJECT_ID",
    "STP_TYPE_DESCR",
    "DISP_DESCR",
    "CNT_ORDER",
    "STP_EVENT_DATE",
    "STP_ORI_CNTY_NAME",
    "OFFENSE_DESCR",
    "COMMENT_TEXT",
)
_EVENT_DATE = _EVENT_COLUMNS.index("STP_EVENT_DATE")
_CONVICTION_COLUMNS: tuple[str, ...] = (
    "CONV_STAT_DESCR",
    "OFFENSE_TOC",
    "OFN",
    "SENT_LENGTH",
    "SENT_TIME_CODE",
    "CYC_DATE",
)


def _text(value: object) -> str:
    """A row value as trimmed text: blank for a missing column or None."""
    return "" if value is None else str(value).strip()


def _get(row: Mapping[str, str], column: str) -> str:
    return _text(row.get(column))


def _fields(row: Mapping[str, str], columns: tuple[str, ...]) -> list[str]:
    """The row's `columns`, each read as `_text` reads it.

    A value of type exactly `str` (nearly all of them) is only trimmed: `str()` would return
    it unchanged. Anything else, a str subclass included, goes through `_text`.
    """
    return [v.strip() if type(v) is str else _text(v) for v in map(row.get, columns)]


def _line(row: Mapping[str, str]) -> int | None:
    try:
        return int(str(row.get("_line", "")).strip())
    except ValueError:
        return None


def is_conviction(disposition: str) -> bool:
    """DISP_DESCR begins with `CONVICTED`, in any letter case. The one test of a conviction:
    the importer marks rows with it, so the convictions it derives are the ones the rules
    build (and the classifier can pick people by them)."""
    return disposition.strip().upper().startswith("CONVICTED")


def is_felony(conv_status: str, toc: str) -> bool:
    """CONV_STAT_DESCR `FELONY`, or (when it is blank) OFFENSE_TOC `F`."""
    status = conv_status.strip().upper()
    if status:
        return status == "FELONY"
    return toc.strip().upper() == "F"


def is_infraction(conv_status: str, toc: str) -> bool:
    """CONV_STAT_DESCR `INFRACTION`, or (when it is blank) OFFENSE_TOC `I`: the conviction was
    recorded as an infraction. (The law may make it one whatever the record says: see the
    `infraction` predicate.)"""
    status = conv_status.strip().upper()
    if status:
        return status.startswith("INFRACTION")
    return toc.strip().upper() == "I"


def event_kind(stp_type_descr: str) -> EventKind:
    """The kind of a non-conviction row, from STP_TYPE_DESCR."""
    kind = stp_type_descr.strip().upper()
    if kind.startswith("ARREST"):
        return EventKind.ARREST
    if kind.startswith("REGISTRATION"):
        return EventKind.REGISTRATION
    if kind.startswith("DECEASED"):
        return EventKind.DECEASED
    if kind.startswith("COURT"):
        return EventKind.COURT
    return EventKind.OTHER


# A file repeats a handful of STP_TYPE_DESCR spellings and sentence lengths over and over;
# both functions are pure, so their answers are kept.
_event_kind = lru_cache(maxsize=1024)(event_kind)
_sentence_days = lru_cache(maxsize=4096)(sentence_days)


def needs_subdivision_review(charge: Charge, date: PartialDate) -> bool:
    """Could this 11357 subdivision be in either lettering (before/after Prop 64)?"""
    if charge.section != "11357" or not charge.subdivision or not charge.is_prop64:
        return False
    earliest, latest = date.value, latest_possible(date)
    if earliest is None or latest is None:
        return True
    if earliest < PROP64_EFFECTIVE <= latest:
        return True
    return PROP64_EFFECTIVE <= earliest < _TRANSITION_END


@dataclass(slots=True)
class _Gathered:
    """A conviction while its rows are gathered. Its first row decides the facts (its
    `_EVENT_COLUMNS` and `_CONVICTION_COLUMNS` values, its charge); later rows with the same
    CNT_ORDER add sentence time and lines. The Conviction is built once, at the end."""

    facts: list[str]
    conviction_facts: list[str]
    charge: Charge
    days: float
    lines: list[int]
    conflicting: bool = False


def _conviction(subject_id: str, gathered: _Gathered, dob_flag: Flag | None) -> Conviction:
    _, _, disposition, cnt_order, event_date, county, offense, comment = gathered.facts
    conv_status, toc, ofn, _, _, cycle_date = gathered.conviction_facts
    charge = gathered.charge
    date = parse_doj_date(event_date)
    # Flag order is part of the record (it is stored and shown): date, subdivision,
    # duplicate, date of birth.
    if date.value is None:
        flags = [Flag.MISSING_DATE]
    else:
        flags = [Flag.PARTIAL_DATE] if date.partial else []
    if needs_subdivision_review(charge, date):
        flags.append(Flag.PRE_2016_SUBDIVISION)
    if gathered.conflicting:
        flags.append(Flag.CONFLICTING_DUPLICATE)
    if dob_flag is not None:
        flags.append(dob_flag)
    # Positional: a frozen dataclass's keyword call costs about a third more, and this runs
    # once per conviction of every run (field order as declared in rules.model).
    return Conviction(
        f"{subject_id}:{cnt_order}",  # key
        cnt_order,
        date,
        county,
        charge,
        offense,  # offense_descr
        comment,
        is_felony(conv_status, toc),  # felony
        toc,
        conv_status,
        gathered.days,  # sentence_days
        ofn,  # court_number
        disposition,
        tuple(flags),
        tuple(gathered.lines),
        parse_doj_date(cycle_date),
    )


def _sort_key(c: Conviction) -> tuple[bool, dt.date, str]:
    return (c.date.value is None, c.date.value or dt.date.min, c.cnt_order)


def build_person(rows: Sequence[Mapping[str, str]]) -> PersonRecord:
    """One person's record from their DOJ rows (in file order, keyed by DOJ column name).

    Name, date of birth and CII number come from the first row. Raises `RulesError` (naming
    line numbers only) when there are no rows or the rows belong to different subjects.
    """
    if not rows:
        raise RulesError("build_person: no rows for this person")
    first = rows[0]
    subject_id = _get(first, "SUBJECT_ID")
    dob = parse_doj_date(_get(first, "PRI_DOB"))
    mixed = False
    gathered: dict[str, _Gathered] = {}
    events: list[Event] = []
    for row in rows:
        facts = _fields(row, _EVENT_COLUMNS)
        row_subject, stp_type, disposition, cnt_order, event_date, county, offense, comment = facts
        if row_subject != subject_id:
            mixed = True  # reported below, once every row has been seen
            continue
        charge = parse_charge(offense, comment)
        kind = _event_kind(stp_type)
        convicted = is_conviction(disposition)
        if not convicted or kind is EventKind.DECEASED:
            date = parse_doj_date(event_date)
            # kind, cnt_order, date, county, charge, offense_descr, comment (positional: see
            # _conviction)
            events.append(Event(kind, cnt_order, date, county, charge, offense, comment))
            if not convicted:
                continue
        conviction_facts = _fields(row, _CONVICTION_COLUMNS)
        _, _, _, length, time_code, _ = conviction_facts
        days = _sentence_days(length, time_code)
        line = _line(row)
        found = gathered.get(cnt_order)
        if found is None:
            found = _Gathered(facts, conviction_facts, charge, days, [])
            gathered[cnt_order] = found
        else:
            found.days += days
            if not found.conflicting:
                # parse_charge is cached: the same text gives the very same Charge.
                first_charge = found.charge
                same_charge = first_charge is charge or first_charge.display == charge.display
                same_date = found.facts[_EVENT_DATE] == event_date  # both trimmed
                found.conflicting = not (same_charge and same_date)
        if line is not None:
            found.lines.append(line)
    if mixed:
        strangers = [
            _line(r) or i + 1 for i, r in enumerate(rows) if _get(r, "SUBJECT_ID") != subject_id
        ]
        where = ", ".join(str(n) for n in strangers[:5])
        raise RulesError(f"build_person: rows for another SUBJECT_ID mixed in (line {where})")
    dob_flag = Flag.MISSING_DOB if dob.value is None else Flag.PARTIAL_DOB if dob.partial else None
    convictions = [_conviction(subject_id, g, dob_flag) for g in gathered.values()]
    convictions.sort(key=_sort_key)
    name, cii = _get(first, "PRI_NAME"), _get(first, "CII_NUMBER")
    return PersonRecord(subject_id, name, dob, cii, tuple(convictions), tuple(events))
