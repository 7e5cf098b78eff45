"""A synthetic county: DOJ research-file rows for fictional people, deterministic from a seed.

Who the people are and what happened to them is planned in `triage.sample_people`; this
module writes it as rows. Used for `sample.db` (`triage sample`), for tests and for the import benchmark. Every person
is generated from their own random stream (seeded by the run seed and their index), so the
output is the same on every machine and Python version, `people=200` is a prefix of
`people=2000`, and memory stays flat however many people are asked for.

The histories mimic the shapes of real DOJ extracts (CfA's fixtures): padded fields, `NULL`
court numbers, CNT_ORDER as cycle/step/count, arrests followed by court actions, sentence
parts repeated on the same CNT_ORDER, charges hidden in comments, partial dates, missing
DOBs. All names are invented from syllables; a handful of records carry hostile text
(markup, terminal escapes, bidi overrides) so that every screen that shows record data is
exercised against it.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from triage import sample_data as data
from triage.sample_people import FIRST_EVENT, LAST_EVENT, Cycle, Person, plan_cycles, ymd

COLUMNS: tuple[str, ...] = data.COLUMNS
_IX = {name: i for i, name in enumerate(COLUMNS)}


def _template(filled: bool) -> list[str]:
    """A row with the constant filler extracts carry: separators always, and in `filled`
    ones the `x` placeholders and padded blanks CfA's workbook shows (BEAR's file leaves
    them empty)."""
    row = [""] * len(COLUMNS)
    if filled:
        for name in data.X_FIELDS:
            row[_IX[name]] = "x"
        for name, value in data.PADDED_FIELDS.items():
            row[_IX[name]] = value
    for name in ("REQ_SEG_SEP", "SENT_SEG_SEP", "END_OF_REC"):
        row[_IX[name]] = "#"
    return row


_TEMPLATES = (_template(False), _template(True))


def iter_doj_rows(
    *, people: int = 2000, seed: int = 64, home_county: str = "LOS ANGELES"
) -> Iterator[list[str]]:
    """Yield DOJ records (lists of 95 strings, no header), person after person."""
    home = home_county.strip().upper()
    elsewhere = tuple(c for c in (*data.OTHER_COUNTIES, "LOS ANGELES") if c != home)
    for index in range(people):
        person = Person(index, seed, home, elsewhere)
        yield from _person_rows(person)


def _person_rows(person: Person) -> Iterator[list[str]]:
    rng = person.rng
    base = _TEMPLATES[rng.random() < 0.3].copy()
    base[_IX["SUBJECT_ID"]] = person.subject_id
    base[_IX["REQ_CII_NUMBER"]] = person.cii
    base[_IX["PRI_NAME"]] = person.name
    base[_IX["PRI_DOB"]] = person.dob
    if rng.random() < 0.3:
        base[_IX["CII_NUMBER"]] = person.cii
    registered = False
    last_day = FIRST_EVENT
    for cycle in plan_cycles(person):
        age = str(max(0, (cycle.day - person.born).days // 366))
        base[_IX["CYC_AGE"]] = age
        if rng.random() >= 0.12:  # else cited to court: no booking reached the file
            for n, charge in enumerate(cycle.charges, start=1):
                yield _arrest_row(base, cycle, n, charge, rng)
            if rng.random() < 0.12:
                continue  # no court disposition reported for this arrest
        court_day = cycle.day + dt.timedelta(days=rng.randrange(1, 200))
        court_day = min(court_day, LAST_EVENT)
        last_day = court_day
        ofn = _court_number(rng, cycle.county)
        for n, charge in enumerate(cycle.charges, start=1):
            rows = _court_rows(base, cycle, court_day, n, charge, ofn, rng, person)
            yield from rows
            convicted = rows[0][_IX["DISP_DESCR"]].startswith("CONVICTED")
            if convicted and charge in data.PC290_OFFENSES and not registered:
                registered = True
                when = court_day + dt.timedelta(days=60)
                kind, offense = "REGISTRATION", data.REGISTRATION_CHARGE
                yield _event_row(base, cycle.number, 3, when, cycle.county, kind, offense)
    if rng.random() < 0.03:
        died = last_day + dt.timedelta(days=rng.randrange(30, 2000))
        if died < dt.date(2019, 11, 1):
            yield _event_row(base, 900, 1, died, person.home, "DECEASED", "")
    if person.index % 500 == 77:  # an exact duplicate row, as extracts sometimes carry
        kind, offense = "ARREST/DETAINED/CITED", data.ORDINARY[0][0]
        twin = _event_row(base, 900, 2, last_day, person.home, kind, offense)
        yield twin
        yield twin.copy()


def _cnt_order(cycle: int, step: int, count: int) -> str:
    return f"{cycle:03d}{step:03d}{count:03d}000"


def _court_number(rng: random.Random, county: str) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.12:
        return "NULL  "
    prefix = data.COURT_PREFIX.get(county, "")
    return f"{prefix}{rng.randrange(100_000, 999_999)}"


def _arrest_row(
    base: list[str], cycle: Cycle, n: int, charge: data.ChargeSpec, rng: random.Random
) -> list[str]:
    row = base.copy()
    row[_IX["STP_EVENT_DATE"]] = ymd(cycle.day)
    row[_IX["DISP_DATE"]] = ymd(cycle.day)
    row[_IX["STP_TYPE_DESCR"]] = "ARREST/DETAINED/CITED"
    row[_IX["STP_ORI_TYPE"]] = "x"
    row[_IX["STP_ORI_DESCR"]] = data.agency(cycle.county, court=False)
    row[_IX["STP_ORI_CNTY_NAME"]] = cycle.county
    row[_IX["CNT_ORDER"]] = _cnt_order(cycle.number, 1, n)
    row[_IX["OFFENSE_DESCR"]] = charge[0]
    row[_IX["OFFENSE_TOC"]] = charge[1]
    row[_IX["OFFENSE_QUAL_LST"]] = rng.choice(data.QUAL_PADDING)
    if rng.random() < 0.3:
        row[_IX["DISP_DESCR"]] = rng.choice(data.ARREST_DISPOSITIONS)
    return row


def _court_rows(
    base: list[str],
    cycle: Cycle,
    day: dt.date,
    n: int,
    charge: data.ChargeSpec,
    ofn: str,
    rng: random.Random,
    person: Person,
) -> list[list[str]]:
    row = base.copy()
    row[_IX["STP_EVENT_DATE"]] = _court_date(day, rng)
    row[_IX["DISP_DATE"]] = ymd(day)
    row[_IX["STP_TYPE_DESCR"]] = "COURT ACTION"
    row[_IX["STP_ORI_TYPE"]] = "         x"
    row[_IX["STP_ORI_DESCR"]] = data.agency(cycle.county, court=True)
    row[_IX["STP_ORI_CNTY_NAME"]] = cycle.county
    row[_IX["CNT_ORDER"]] = _cnt_order(cycle.number, 2, n)
    row[_IX["OFN"]] = ofn
    row[_IX["OFFENSE_TOC"]] = charge[1]
    row[_IX["OFFENSE_QUAL_LST"]] = rng.choice(data.QUAL_PADDING)
    row[_IX["CONV_STAT_CODE"]] = " " * rng.choice((0, 5, 8, 10, 24))
    _describe_offense(row, charge, rng, person)
    felony = rng.random() < charge[2]
    if charge in data.GANG_PAIR or charge in data.SUPER_STRIKES:
        convicted = True
    else:
        convicted = rng.random() < 0.72
    if not convicted:
        row[_IX["DISP_DESCR"]] = rng.choice(data.NON_CONVICTIONS)
        row[_IX["SENT_TIME_DESCR"]] = " " * 18
        row[_IX["CONV_STAT_DESCR"]] = "FELONY" if felony else "MISDEMEANOR"
        return [row]
    if charge[1] == "I":
        status = ""
    elif felony:
        status = "" if rng.random() < 0.05 else "FELONY"
        row[_IX["OFFENSE_TOC"]] = "F"
    else:
        status = "MISDEMEANOR"
        if row[_IX["OFFENSE_TOC"]] == "F":
            row[_IX["OFFENSE_TOC"]] = "M"
    row[_IX["CONV_STAT_DESCR"]] = status
    serious = charge in data.SUPER_STRIKES or charge in data.GANG_PAIR
    _sentence(row, rng, felony, serious)
    rows = [row]
    if rng.random() < 0.1:  # a second sentence part on the same count
        part = row.copy()
        _sentence(part, rng, felony, serious)
        if rng.random() < 0.03:  # a part whose facts disagree with the first
            part[_IX["OFFENSE_DESCR"]] = rng.choice(data.PROP64)[0]
        rows.append(part)
    return rows


def _court_date(day: dt.date, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.012:
        return f"{day.year}0000"
    if roll < 0.03:
        return f"{day.year}{day.month:02d}00"
    return ymd(day)


def _describe_offense(
    row: list[str], charge: data.ChargeSpec, rng: random.Random, person: Person
) -> None:
    """OFFENSE_DESCR and COMMENT_TEXT: usually the charge, sometimes the charge is only in
    the comment, sometimes the comment names a different cannabis charge."""
    roll = rng.random()
    text = charge[0]
    comment = ""
    if roll < 0.04:
        row[_IX["OFFENSE_DESCR"]] = "SEE COMMENT FOR CHARGE"
        comment = text
    elif roll < 0.055:
        row[_IX["OFFENSE_DESCR"]] = ""
        comment = text
    else:
        row[_IX["OFFENSE_DESCR"]] = text
        if roll < 0.075 and charge in data.PROP64:
            comment = rng.choice(data.PROP64)[0].split("-")[0] + " - AMENDED PER PLEA"
        elif roll < 0.11:
            comment = rng.choice(data.PLAIN_COMMENTS)
    if person.comment_override is not None:
        comment = person.comment_override
    row[_IX["COMMENT_TEXT"]] = comment


def _sentence(row: list[str], rng: random.Random, felony: bool, serious: bool) -> None:
    if serious:
        kind = "PRISON"
    elif felony:
        kind = rng.choices(("PRISON", "JAIL", "PROBATION"), weights=(25, 25, 50))[0]
    else:
        kind = rng.choices(("JAIL", "PROBATION", "NONE"), weights=(35, 55, 10))[0]
    if kind == "NONE":
        row[_IX["DISP_DESCR"]] = "CONVICTED"
        row[_IX["SENT_TIME_DESCR"]] = " " * 18
        return
    row[_IX["DISP_DESCR"]] = f"CONVICTED-{kind}"
    row[_IX["SENT_LOC_CODE"]] = {"PRISON": "", "JAIL": "J", "PROBATION": "P"}[kind]
    row[_IX["SENT_LOC_DESCR"]] = kind
    if kind == "PRISON":
        length, unit = (rng.randint(8, 40), "Y") if serious else (rng.randint(16, 96), "M")
        if unit == "M" and length % 12 == 0:
            length, unit = length // 12, "Y"
    elif kind == "JAIL":
        length, unit = rng.choice(((rng.randint(1, 364), "D"), (rng.randint(1, 12), "M")))
    else:
        length, unit = rng.choice(((rng.randint(6, 60), "M"), (rng.randint(1, 5), "Y")))
    row[_IX["SENT_LENGTH"]] = str(length)
    row[_IX["SENT_TIME_CODE"]] = unit
    row[_IX["SENT_TIME_DESCR"]] = data.TIME_DESCR[unit]


def _event_row(
    base: list[str], cycle: int, step: int, day: dt.date, county: str, kind: str, offense: str
) -> list[str]:
    row = base.copy()
    row[_IX["STP_EVENT_DATE"]] = ymd(day)
    row[_IX["DISP_DATE"]] = ymd(day)
    row[_IX["STP_TYPE_DESCR"]] = kind
    row[_IX["STP_ORI_DESCR"]] = data.agency(county, court=False)
    row[_IX["STP_ORI_CNTY_NAME"]] = county
    row[_IX["CNT_ORDER"]] = _cnt_order(cycle, step, 1)
    row[_IX["OFFENSE_DESCR"]] = offense
    row[_IX["OFFENSE_TOC"]] = "F" if offense else ""
    return row


def write_doj_csv(
    path: str | Path,
    *,
    people: int = 2000,
    seed: int = 64,
    home_county: str = "LOS ANGELES",
    header: bool = True,
) -> int:
    """Write a DOJ research file (UTF-8, CRLF, header row unless `header=False`) for a
    synthetic county and return the number of records written (the header not counted)."""
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        if header:
            writer.writerow(COLUMNS)
        for row in iter_doj_rows(people=people, seed=seed, home_county=home_county):
            writer.writerow(row)
            written += 1
    return written
