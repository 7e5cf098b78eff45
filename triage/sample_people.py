"""The fictional people of the synthetic county and what happens to them: identity, birth,
arrest cycles and their charges (the planning half of `triage.sample`, which turns these
into DOJ rows).

Every draw comes from the person's own random stream in a fixed order: moving or reordering
a draw here changes every sample file (tests/cli/test_sample.py pins its hash).
"""

from __future__ import annotations

import datetime as dt
import random

from triage import sample_data as data

PROP64_CUTOFF = dt.date(2016, 11, 9)
LAST_EVENT = dt.date(2019, 10, 31)
FIRST_EVENT = dt.date(1972, 1, 1)


def ymd(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"  # strftime is several times slower


class Person:
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
            self.dob = ymd(born)
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


class Cycle:
    """An arrest cycle: its charges, where and when, and what the court did."""

    def __init__(
        self, number: int, day: dt.date, county: str, charges: list[data.ChargeSpec]
    ) -> None:
        self.number = number
        self.day = day
        self.county = county
        self.charges = charges


def plan_cycles(person: Person) -> list[Cycle]:
    rng = person.rng
    start = max(FIRST_EVENT, person.born + dt.timedelta(days=16 * 365 + 4))  # 16th birthday
    start = min(start, LAST_EVENT - dt.timedelta(days=400))
    span = (LAST_EVENT - start).days
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
        cycles.append(Cycle(n, day, county, _pick_charges(rng, profile, day, habit)))
    _add_priors(person, cycles)
    return cycles


def _pick_charges(
    rng: random.Random, profile: float, day: dt.date, habit: data.ChargeSpec | None
) -> list[data.ChargeSpec]:
    """One to three charges; cannabis-heavy people get Prop 64 charges more often."""
    p64_weight = 55 if profile < 0.55 else (12 if profile < 0.8 else 2)
    if day >= PROP64_CUTOFF:
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
        if day >= PROP64_CUTOFF and spec[0].startswith("11357(B)"):
            return (spec[0], "I", 0.0)  # possession of an ounce became an infraction
        return spec
    if kind == "related":
        return rng.choice(data.RELATED)
    return rng.choice(data.ORDINARY)


def _add_priors(person: Person, cycles: list[Cycle]) -> None:
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
