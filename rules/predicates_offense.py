"""Predicates about the offense behind a conviction: when it was committed, how old the
person was then, what level of offense it was, and what came before it.

HS 11361.8(a) and (e) ask what the person "would have been guilty of" under Prop 64 "had
that act been in effect at the time of the offense", and HS 11357-11360 grade the conduct
by the person's age (under 18, 18 to 20, 21 or over). So these predicates look at the
offense date (`Conviction.offense_date`: the arrest cycle's date, CYC_DATE, else the
conviction date), not the conviction date: someone arrested at 20 and convicted at 21 is
judged at 20, and an offense in June 2016 convicted in December 2016 is covered.

When the file has no arrest-cycle date the conviction date stands in, which can only be
later than the offense: `offense_date_unknown` lets a pack send the cases where that could
matter to a person. The `california-statute` pack shows how.
"""

from __future__ import annotations

import datetime as dt

from rules.dates import PROP64_EFFECTIVE, add_years, age_on
from rules.facts import Facts
from rules.model import Conviction
from rules.predicate_registry import Result, predicate
from rules.records import is_infraction

# SB 1449 (Stats. 2010, ch. 708) made possession of 28.5 g or less, HS 11357(b) as then
# lettered, an infraction from this day (it had been a misdemeanor punished by a fine).
POSSESSION_INFRACTION_FROM = dt.date(2011, 1, 1)


def _offense(c: Conviction) -> tuple[dt.date | None, str]:
    """The offense date and plain words saying where it came from."""
    when = c.offense_date.value
    if c.offense_date_known:
        return when, f"offense {when} (arrest cycle)"
    if when is None:
        return None, "offense date unknown (no arrest or conviction date)"
    return when, f"offense {when} (conviction date; no arrest date)"


@predicate()
def offense_on_or_after(facts: Facts, *, date: dt.date) -> Result:
    """The offense is dated on or after `date` (CYC_DATE, else the conviction date). HS
    11361.8(a), (e) cover conduct before Prop 64 took effect (2016-11-09): an offense before
    that day convicted after it is still covered."""
    when, words = _offense(facts.conviction)
    if when is None:
        return Result(False, f"{words}; not shown to be on/after {date}")
    hit = when >= date
    return Result(hit, f"{words} {'>=' if hit else '<'} {date}")


@predicate()
def offense_date_unknown(facts: Facts) -> Result:
    """The file gives no usable arrest-cycle date (CYC_DATE) for this conviction, so the
    conviction date stands in for the offense date, though the offense may be earlier."""
    c = facts.conviction
    if c.offense_date_known:
        return Result(False, f"arrest cycle dated {c.cycle_date.value}")
    raw = c.cycle_date.raw.strip()
    why = "after the conviction" if c.cycle_date.value is not None else "not given"
    return Result(True, f"arrest cycle date {why}" + (f" ({raw!r})" if raw else ""))


def _age(facts: Facts) -> tuple[dt.date | None, dt.date | None, str]:
    dob = facts.person.dob
    when, words = _offense(facts.conviction)
    return dob, when, words


@predicate(provides=("missing",))
def age_at_offense_unknown(facts: Facts) -> Result:
    """The person's age at the offense cannot be worked out: no readable date of birth, or
    no date for the offense at all. HS 11357-11360 grade the conduct by that age."""
    dob, when, _ = _age(facts)
    missing = [n for n, v in (("date of birth", dob), ("offense date", when)) if v is None]
    if missing:
        text = " and ".join(missing)
        return Result(True, f"{text} unknown", {"missing": f"{text} unknown"})
    return Result(False, f"born {dob}, offense {when}", {"missing": ""})


@predicate()
def under_age_at_offense(facts: Facts, *, years: int) -> Result:
    """The person was younger than `years` on the offense date. Under 18, every Prop 64
    offense is now an infraction (HS 11357(a)(1), (b)(1), (d), 11358(a), 11359(a),
    11360(a)(1)); from 18 to 20, possessing 28.5 g or less or growing six plants or fewer is
    (HS 11357(a)(2), 11358(b))."""
    dob, when, words = _age(facts)
    if dob is None or when is None:
        return Result(False, "date of birth or offense date unknown")
    hit = add_years(dob, years) > when
    return Result(hit, f"age {age_on(dob, when)} at the {words} {'<' if hit else '>='} {years}")


@predicate()
def age_at_offense_at_least(facts: Facts, *, years: int) -> Result:
    """The person was `years` or older on the offense date. At 21 or over, possessing 28.5 g
    or less (8 g concentrated), giving it away without compensation and growing six plants
    or fewer is lawful (HS 11362.1(a)), so such a conviction is dismissed."""
    dob, when, words = _age(facts)
    if dob is None or when is None:
        return Result(False, "date of birth or offense date unknown")
    hit = add_years(dob, years) <= when
    return Result(hit, f"age {age_on(dob, when)} at the {words} {'>=' if hit else '<'} {years}")


@predicate()
def infraction(facts: Facts) -> Result:
    """The conviction is an infraction: recorded as one (CONV_STAT_DESCR `INFRACTION`, or
    OFFENSE_TOC `I` when the status is blank), or an HS 11357(b) possession of 28.5 g or
    less (the lettering before Prop 64) committed from 2011-01-01, when SB 1449 made it an
    infraction. An infraction cannot be redesignated any lower under HS 11361.8(e)."""
    c = facts.conviction
    if is_infraction(c.conv_status, c.toc):
        return Result(True, "recorded as an infraction")
    when, words = _offense(c)
    sub = c.charge.subdivision[:1]
    if c.charge.section == "11357" and sub == ("b",) and when is not None:
        if POSSESSION_INFRACTION_FROM <= when < PROP64_EFFECTIVE:
            return Result(True, f"HS 11357(b), {words}: an infraction since 2011-01-01 (SB 1449)")
    level = c.conv_status.strip() or c.toc.strip() or "level not recorded"
    return Result(False, f"not an infraction ({level})")


@predicate()
def serving_this_sentence(facts: Facts) -> Result:
    """This conviction's sentence (date plus summed sentence parts) runs past compute-at.
    A person still serving petitions under HS 11361.8(a)-(b), and the court may deny relief
    that would pose an unreasonable risk of danger to public safety (HS 11361.8(b))."""
    end = facts.conviction.sentence_end()
    if end is None:
        return Result(False, "conviction date unknown, so the sentence end is unknown")
    hit = end > facts.compute_at
    return Result(hit, f"sentence ends {end} {'>' if hit else '<='} {facts.compute_at}")


# --- what came before the offense ---------------------------------------------------------


def _prior(other: dt.date | None, this: dt.date | None) -> bool:
    """Whether a conviction dated `other` came before `this`. An unreadable date cannot be
    placed, so it counts as a possible prior (a person then checks)."""
    return other is None or this is None or other < this


def _this_date(facts: Facts, before_offense: bool) -> tuple[dt.date | None, str]:
    if before_offense:
        return _offense(facts.conviction)
    when = facts.conviction.date.value
    return when, f"conviction {when or 'date unknown'}"


@predicate(provides=("prior",))
def prior_super_strike_or_pc290(facts: Facts, *, before_offense: bool = False) -> Result:
    """A super strike (PC 667(e)(2)(C)(iv)) or a PC 290(c) registrable offense was convicted,
    or a PC 290 registration recorded, before this conviction (with `before_offense`, before
    the offense). Such a prior lets a felony stand today: HS 11358(d)(1), 11359(c)(1),
    11360(a)(3)(A)."""
    this, words = _this_date(facts, before_offense)
    person = facts.person
    found = [(c.date.value, f"super strike {c.charge.display}") for c in person.super_strikes] + [
        (c.date.value, f"PC 290 offense {c.charge.display}") for c in person.pc290_offenses
    ]
    found += [(d, "PC 290 registration") for d in person.pc290_registrations]
    priors = [(d, what) for d, what in found if _prior(d, this)]
    if not priors:
        return Result(False, f"no super strike or PC 290 before the {words}", {"prior": ""})
    when, what = min(priors, key=lambda p: p[0] or dt.date.min)
    shown = f"{what} ({when or 'date unknown'})"
    return Result(True, f"{shown} before the {words}", {"prior": shown})
