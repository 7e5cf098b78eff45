"""A synthetic county: DOJ research-file rows for fictional people, deterministic from a seed.

Used for `sample.db` (`triage sample`), for tests and for the import benchmark. Every person
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

COLUMNS: tuple[str, ...] = data.COLUMNS
_IX = {name: i for i, name in enumerate(COLUMNS)}
_PROP64_CUTOFF = dt.date(2016, 11, 9)
_LAST_EVENT = dt.date(2019, 10, 31)
_FIRST_EVENT = dt.date(1972, 1, 1)


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


def _ymd(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"  # strftime is several times slower


class _Person:
    """One fictional subject: identity fields shared by all their rows, and their RNG."""

    def __init__(self, index: int, seed: int, home: str, elsewhere: tuple[str, ...]) -> None:
        self.rng = random.Random(f"triage-sample/{seed}/{index}")
        rng = self.rng
        self.index = index
        self.home = home
        self.elsewhere = elsewhere  # counties of out-of-county history
        self.subject_id = str((index * 7919 + seed * 104_729) % 89_000_000 + 10_000_000)
        cii_number = (index * 6007 + seed * 15_485_863) % 899_999_999 + 100_000_000
        self.cii = ("A" if rng.random() < 0.2 else "1") + f"{cii_number:09d}"
        self.name = (
            f"{rng.choice(data.FAMILY_HEADS)}{rng.choice(data.FAMILY_TAILS)},"
            f"{rng.choice(data.GIVEN_NAMES)}"
            + (f" {rng.choice('ABCDEFGHJKLMNPRSTVW')}" if rng.random() < 0.6 else "")
        )
        born = _birth_date(rng)
        self.born = born
        roll = rng.random()
        if roll < 0.02:
            self.dob = ""
        elif roll < 0.025:
            self.dob = f"{born.year}0000"
        else:
            self.dob = _ymd(born)
        self.comment_override: str | None = None
        slot, kind = divmod(index, 250)
        if kind == 123:  # a few hostile records, at fixed places so every sample has them
            variant = data.HOSTILE[slot % len(data.HOSTILE)]
            if variant[0] is not None:
                self.name = variant[0]
            self.comment_override = variant[1]


def _birth_date(rng: random.Random) -> dt.date:
    roll = rng.random()
    if roll < 0.07:  # under 21 at the 2019 compute-at date
        year = rng.randint(1999, 2001)
    elif roll < 0.45:  # 50 or older
        year = rng.randint(1935, 1968)
    else:
        year = rng.randint(1969, 1998)
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


class _Cycle:
    """An arrest cycle: its charges, where and when, and what the court did."""

    def __init__(
        self, number: int, day: dt.date, county: str, charges: list[data.ChargeSpec]
    ) -> None:
        self.number = number
        self.day = day
        self.county = county
        self.charges = charges


def _plan_cycles(person: _Person) -> list[_Cycle]:
    rng = person.rng
    start = max(_FIRST_EVENT, person.born + dt.timedelta(days=16 * 365 + 4))  # 16th birthday
    start = min(start, _LAST_EVENT - dt.timedelta(days=400))
    span = (_LAST_EVENT - start).days
    profile = rng.random()
    # Some repeat sellers/growers: the same felony section again and again ("two priors").
    habit = rng.choice(data.PROP64_HABITS) if profile < 0.1 else None
    count = rng.choices((1, 2, 3, 4, 5, 6), weights=(22, 30, 22, 13, 8, 5))[0]
    if habit is not None:
        count = max(count, 3) + 1
    # Recent years are over-represented, as in real extracts (more records, better capture).
    days = sorted(int(span * (1 - rng.random() ** 1.25)) for _ in range(count))
    cycles = []
    for n, offset in enumerate(days, start=1):
        day = start + dt.timedelta(days=offset)
        county = person.home if rng.random() < 0.78 else rng.choice(person.elsewhere)
        cycles.append(_Cycle(n, day, county, _pick_charges(rng, profile, day, habit)))
    _add_priors(person, cycles)
    return cycles


def _pick_charges(
    rng: random.Random, profile: float, day: dt.date, habit: data.ChargeSpec | None
) -> list[data.ChargeSpec]:
    """One to three charges; cannabis-heavy people get Prop 64 charges more often."""
    p64_weight = 55 if profile < 0.55 else (12 if profile < 0.8 else 2)
    if day >= _PROP64_CUTOFF:
        p64_weight //= 4  # far fewer cannabis cases once Prop 64 took effect
    kinds = ("p64", "related", "ordinary")
    first = rng.choices(kinds, weights=(p64_weight, 20, 45))[0]
    if habit is not None and rng.random() < 0.7:
        return [habit]
    charges = [_charge_of(rng, first, day)]
    while len(charges) < 3 and rng.random() < 0.42:
        kind = rng.choices(kinds, weights=(p64_weight // 2, 30, 40))[0]
        charges.append(_charge_of(rng, kind, day))
    return charges


def _charge_of(rng: random.Random, kind: str, day: dt.date) -> data.ChargeSpec:
    if kind == "p64":
        spec = rng.choice(data.PROP64_RARE if rng.random() < 0.15 else data.PROP64)
        if day >= _PROP64_CUTOFF and spec[0].startswith("11357(B)"):
            return (spec[0], "I", 0.0)  # possession of an ounce became an infraction
        return spec
    if kind == "related":
        return rng.choice(data.RELATED)
    return rng.choice(data.ORDINARY)


def _add_priors(person: _Person, cycles: list[_Cycle]) -> None:
    """Give some people the serious priors that disqualify: super strikes, PC 290 offenses,
    gang pairs. Added to their earliest cycle so they precede later cannabis convictions."""
    rng = person.rng
    roll = rng.random()
    first = cycles[0]
    if roll < 0.035:
        first.charges.insert(0, rng.choice(data.SUPER_STRIKES))
    elif roll < 0.07:
        first.charges.insert(0, rng.choice(data.PC290_OFFENSES))
    elif roll < 0.09:
        first.charges[:0] = list(data.GANG_PAIR)


def iter_doj_rows(
    *, people: int = 2000, seed: int = 64, home_county: str = "LOS ANGELES"
) -> Iterator[list[str]]:
    """Yield DOJ records (lists of 95 strings, no header), person after person."""
    home = home_county.strip().upper()
    elsewhere = tuple(c for c in (*data.OTHER_COUNTIES, "LOS ANGELES") if c != home)
    for index in range(people):
        person = _Person(index, seed, home, elsewhere)
        yield from _person_rows(person)


def _person_rows(person: _Person) -> Iterator[list[str]]:
    rng = person.rng
    base = _TEMPLATES[rng.random() < 0.3].copy()
    base[_IX["SUBJECT_ID"]] = person.subject_id
    base[_IX["REQ_CII_NUMBER"]] = person.cii
    base[_IX["PRI_NAME"]] = person.name
    base[_IX["PRI_DOB"]] = person.dob
    if rng.random() < 0.3:
        base[_IX["CII_NUMBER"]] = person.cii
    registered = False
    last_day = _FIRST_EVENT
    for cycle in _plan_cycles(person):
        age = str(max(0, (cycle.day - person.born).days // 366))
        base[_IX["CYC_AGE"]] = age
        if rng.random() >= 0.12:  # else cited to court: no booking reached the file
            for n, charge in enumerate(cycle.charges, start=1):
                yield _arrest_row(base, cycle, n, charge, rng)
            if rng.random() < 0.12:
                continue  # no court disposition reported for this arrest
        court_day = cycle.day + dt.timedelta(days=rng.randrange(1, 200))
        court_day = min(court_day, _LAST_EVENT)
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
    base: list[str], cycle: _Cycle, n: int, charge: data.ChargeSpec, rng: random.Random
) -> list[str]:
    row = base.copy()
    row[_IX["STP_EVENT_DATE"]] = _ymd(cycle.day)
    row[_IX["DISP_DATE"]] = _ymd(cycle.day)
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
    cycle: _Cycle,
    day: dt.date,
    n: int,
    charge: data.ChargeSpec,
    ofn: str,
    rng: random.Random,
    person: _Person,
) -> list[list[str]]:
    row = base.copy()
    row[_IX["STP_EVENT_DATE"]] = _court_date(day, rng)
    row[_IX["DISP_DATE"]] = _ymd(day)
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
    return _ymd(day)


def _describe_offense(
    row: list[str], charge: data.ChargeSpec, rng: random.Random, person: _Person
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
    row[_IX["STP_EVENT_DATE"]] = _ymd(day)
    row[_IX["DISP_DATE"]] = _ymd(day)
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
