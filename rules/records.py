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
  (OFFENSE_TOC) `F` decides.
* **Everything else** (arrests, registrations, deaths, dismissed or otherwise not convicted
  court actions) is kept as an event, in file order; a `DECEASED` row also counts as an
  event when it carries a conviction.
* **Doubts** raised here, on the conviction: `PARTIAL_DATE` (DOJ date without day or month),
  `MISSING_DATE`, `MISSING_DOB` (on every conviction of a person whose date of birth is blank
  or unreadable: age-based relief cannot be judged) and `PRE_2016_SUBDIVISION`, below.

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
from dataclasses import dataclass, field, replace

from rules.charges import parse_charge
from rules.dates import PROP64_EFFECTIVE, add_years, latest_possible, parse_doj_date, sentence_days
from rules.errors import RulesError
from rules.model import Charge, Conviction, Event, EventKind, Flag, PartialDate, PersonRecord

_TRANSITION_END = add_years(PROP64_EFFECTIVE, 1)


def _get(row: Mapping[str, str], column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _line(row: Mapping[str, str]) -> int | None:
    try:
        return int(str(row.get("_line", "")).strip())
    except ValueError:
        return None


def is_felony(conv_status: str, toc: str) -> bool:
    """CONV_STAT_DESCR `FELONY`, or (when it is blank) OFFENSE_TOC `F`."""
    status = conv_status.strip().upper()
    if status:
        return status == "FELONY"
    return toc.strip().upper() == "F"


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


@dataclass
class _Draft:
    """A conviction while its rows are being gathered."""

    first: Conviction
    days: float
    lines: list[int] = field(default_factory=list)
    conflicting: bool = False


def _date_flags(date: PartialDate) -> list[Flag]:
    if date.value is None:
        return [Flag.MISSING_DATE]
    return [Flag.PARTIAL_DATE] if date.partial else []


def _new_conviction(subject_id: str, row: Mapping[str, str], charge: Charge) -> Conviction:
    cnt_order = _get(row, "CNT_ORDER")
    date = parse_doj_date(_get(row, "STP_EVENT_DATE"))
    conv_status, toc = _get(row, "CONV_STAT_DESCR"), _get(row, "OFFENSE_TOC")
    flags = _date_flags(date)
    if needs_subdivision_review(charge, date):
        flags.append(Flag.PRE_2016_SUBDIVISION)
    return Conviction(
        key=f"{subject_id}:{cnt_order}",
        cnt_order=cnt_order,
        date=date,
        county=_get(row, "STP_ORI_CNTY_NAME"),
        charge=charge,
        offense_descr=_get(row, "OFFENSE_DESCR"),
        comment=_get(row, "COMMENT_TEXT"),
        felony=is_felony(conv_status, toc),
        toc=toc,
        conv_status=conv_status,
        court_number=_get(row, "OFN"),
        disposition=_get(row, "DISP_DESCR"),
        flags=tuple(flags),
    )


def _event(row: Mapping[str, str], kind: EventKind, charge: Charge) -> Event:
    return Event(
        kind=kind,
        cnt_order=_get(row, "CNT_ORDER"),
        date=parse_doj_date(_get(row, "STP_EVENT_DATE")),
        county=_get(row, "STP_ORI_CNTY_NAME"),
        charge=charge,
        offense_descr=_get(row, "OFFENSE_DESCR"),
        comment=_get(row, "COMMENT_TEXT"),
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
    subject_id = _get(rows[0], "SUBJECT_ID")
    strangers = [
        _line(r) or i + 1 for i, r in enumerate(rows) if _get(r, "SUBJECT_ID") != subject_id
    ]
    if strangers:
        where = ", ".join(str(n) for n in strangers[:5])
        raise RulesError(f"build_person: rows for another SUBJECT_ID mixed in (line {where})")
    dob = parse_doj_date(_get(rows[0], "PRI_DOB"))
    drafts: dict[str, _Draft] = {}
    events: list[Event] = []
    for row in rows:
        charge = parse_charge(_get(row, "OFFENSE_DESCR"), _get(row, "COMMENT_TEXT"))
        kind = event_kind(_get(row, "STP_TYPE_DESCR"))
        if not _get(row, "DISP_DESCR").upper().startswith("CONVICTED"):
            events.append(_event(row, kind, charge))
            continue
        if kind is EventKind.DECEASED:
            events.append(_event(row, kind, charge))
        days = sentence_days(_get(row, "SENT_LENGTH"), _get(row, "SENT_TIME_CODE"))
        line = _line(row)
        cnt_order = _get(row, "CNT_ORDER")
        draft = drafts.get(cnt_order)
        if draft is None:
            draft = drafts[cnt_order] = _Draft(_new_conviction(subject_id, row, charge), days)
        else:
            draft.days += days
            same_charge = draft.first.charge.display == charge.display
            same_date = draft.first.date.raw.strip() == _get(row, "STP_EVENT_DATE")
            draft.conflicting = draft.conflicting or not (same_charge and same_date)
        if line is not None:
            draft.lines.append(line)
    convictions = []
    for draft in drafts.values():
        flags = list(draft.first.flags)
        if draft.conflicting:
            flags.append(Flag.CONFLICTING_DUPLICATE)
        if dob.value is None:
            flags.append(Flag.MISSING_DOB)
        convictions.append(
            replace(
                draft.first,
                sentence_days=draft.days,
                lines=tuple(draft.lines),
                flags=tuple(flags),
            )
        )
    convictions.sort(key=_sort_key)
    return PersonRecord(
        subject_id=subject_id,
        name=_get(rows[0], "PRI_NAME"),
        dob=dob,
        cii=_get(rows[0], "CII_NUMBER"),
        convictions=tuple(convictions),
        events=tuple(events),
    )
