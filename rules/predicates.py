"""The predicate library: one small, named test per legal or policy rule.

A pack step says `predicate = "age_at_least"` and `params = { years = 50 }`; the engine calls
`age_at_least(facts, years=50)` and records the answer and its plain-words detail in the
determination's trace. Each docstring names the statute or policy the test implements.

Dates follow Code for America's flows, which these packs reproduce: "N years" is the same
calendar day N years later (`add_years`), ages are whole years on a day (`age_on`), and a
sentence ends at the conviction date plus the summed sentence parts (D=1, M=30.5, Y=366 days).

Unknown dates: a conviction whose date cannot be read cannot be placed before or after
another. Such a conviction keeps the question open: it blocks "no recent convictions" and
counts as a possible prior; age tests without a date of birth do not match. The data flag on
that conviction (MISSING_DATE, MISSING_DOB) tells the reviewer why. A date of birth without
its day or month counts from the first day it could be (PARTIAL_DOB says so).
"""

from __future__ import annotations

import datetime as dt

from rules import predicates_offense as _offense_predicates  # noqa: F401 - registers them
from rules import reference
from rules.dates import add_years, age_on
from rules.facts import Facts
from rules.predicate_registry import PREDICATES, PredicateSpec, Result, check_params, predicate

__all__ = ["PREDICATES", "Facts", "PredicateSpec", "Result", "check_params", "predicate"]


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d is not None else "unknown"


def _before(other: dt.date | None, this: dt.date | None) -> bool:
    """Whether a conviction dated `other` came before one dated `this`.

    An unreadable date cannot be placed, so it counts as a possible prior (as CfA's tools
    did, reading it as the zero date); the data flag on that conviction tells the reviewer.
    """
    if other is None or this is None:
        return True
    return other < this


# --- the conviction itself -------------------------------------------------------------


@predicate()
def always(facts: Facts) -> Result:
    """Matches every conviction: the last step of a pack, "otherwise ..."."""
    return Result(True, "always matches")


@predicate()
def not_felony(facts: Facts) -> Result:
    """The conviction is a misdemeanor or infraction, not a felony (CONV_STAT_DESCR, or
    OFFENSE_TOC when the status is blank). A felony is reduced to a misdemeanor (HS 11361.8(e));
    what happens to a misdemeanor depends on the conduct (see `infraction` too)."""
    c = facts.conviction
    kind = "felony" if c.felony else "misdemeanor or infraction"
    return Result(not c.felony, f"convicted of a {kind}")


def _listed_entry(entry: str, section: str | None, subdivision: tuple[str, ...]) -> bool:
    """Whether a list entry such as `11358`, `11357(a)` or `11357(no-sub-section)` (the forms
    gogen/BEAR options use) names this charge's section and first subdivision."""
    text = entry.strip().lower()
    base, _, rest = text.partition("(")
    if base != section:
        return False
    if not rest:
        return True
    wanted = rest.rstrip(")")
    if wanted == "no-sub-section":
        return not subdivision
    return bool(subdivision) and subdivision[0] == wanted


@predicate(provides=("section", "section_note"))
def section_in(facts: Facts, *, sections: tuple[str, ...]) -> Result:
    """The conviction's code section is one of `sections`: exact sections ("11358"; 11357.5 is
    not 11357), optionally with a first subdivision ("11357(a)") or "11357(no-sub-section)".
    An office's per-section policy, e.g. gogen's baselineEligibility dismiss and reduce lists."""
    charge = facts.conviction.charge
    section = charge.section or ""
    listed = ", ".join(sections) or "none"
    for entry in sections:
        if _listed_entry(entry, charge.section, charge.subdivision):
            bare = entry.strip().lower().endswith("(no-sub-section)")
            shown = entry.partition("(")[0] if bare else entry
            note = " (when no sub-section is specified)" if bare else ""
            values = {"section": shown, "section_note": note}
            return Result(True, f"{charge.display} matches {entry} in [{listed}]", values)
    values = {"section": section, "section_note": ""}
    return Result(False, f"section {section or 'unknown'} not in [{listed}]", values)


@predicate()
def section_with_subdivision(
    facts: Facts, *, section: str, subdivisions: tuple[str, ...]
) -> Result:
    """The conviction is `section` with a first subdivision in `subdivisions` (lower case),
    e.g. HS 11357(a) or (b), possession amounts the office dismisses outright."""
    charge = facts.conviction.charge
    sub = charge.subdivision[0] if charge.subdivision else ""
    hit = charge.section == section and sub in subdivisions
    shown = f"{charge.section or 'unknown'}" + (f"({sub})" if sub else " (no subdivision)")
    wanted = " or ".join(f"{section}({s})" for s in subdivisions)
    return Result(hit, f"charge {shown} {'is' if hit else 'is not'} {wanted}")


@predicate()
def convicted_on_or_after(facts: Facts, *, date: dt.date) -> Result:
    """The conviction is dated on or after `date` (CfA's Prop 64 cut-off test). HS 11361.8(a),
    (e) look at the offense, not the conviction: see `offense_on_or_after`."""
    when = facts.conviction.date.value
    if when is None:
        return Result(False, f"conviction date unknown; not shown to be on/after {date}")
    hit = when >= date
    return Result(hit, f"convicted {when} {'>=' if hit else '<'} {date}")


@predicate()
def convicted_at_least_years_ago(facts: Facts, *, years: int) -> Result:
    """The conviction is at least `years` years before compute-at (conviction date <=
    compute-at minus `years` years). gogen's "Conviction occurred N or more years ago"."""
    when = facts.conviction.date.value
    limit = add_years(facts.compute_at, -years)
    if when is None:
        return Result(False, "conviction date unknown")
    hit = when <= limit
    return Result(hit, f"convicted {when} {'<=' if hit else '>'} {limit} ({years} years back)")


@predicate()
def sentence_completed(facts: Facts) -> Result:
    """This conviction's sentence ended before compute-at (date plus summed sentence parts).
    HS 11361.8(e): a person who has completed the sentence may have the record dismissed."""
    end = facts.conviction.sentence_end()
    if end is None:
        return Result(False, "conviction date unknown, so the sentence end is unknown")
    hit = end < facts.compute_at
    return Result(hit, f"sentence ended {end} {'<' if hit else '>='} {facts.compute_at}")


# --- age ---------------------------------------------------------------------------


@predicate()
def age_at_least(facts: Facts, *, years: int) -> Result:
    """The person is `years` or older at compute-at (date of birth + `years` <= compute-at).
    An office's age threshold for dismissal (gogen subjectAgeThreshold, LA's 50)."""
    dob = facts.person.dob
    if dob is None:
        return Result(False, "date of birth unknown")
    age = age_on(dob, facts.compute_at)
    hit = add_years(dob, years) <= facts.compute_at
    return Result(hit, f"age {age} at {facts.compute_at} {'>=' if hit else '<'} {years}")


@predicate()
def age_at_most(facts: Facts, *, years: int) -> Result:
    """The person is `years` old or younger (whole years) at compute-at. LA's "21 years or
    younger" (young people whose records most burden education and work)."""
    dob = facts.person.dob
    if dob is None:
        return Result(False, "date of birth unknown")
    age = age_on(dob, facts.compute_at)
    hit = age <= years
    return Result(hit, f"age {age} at {facts.compute_at} {'<=' if hit else '>'} {years}")


@predicate()
def under_age_at_conviction(facts: Facts, *, years: int) -> Result:
    """The person was younger than `years` on the conviction date (date of birth + `years`
    after it): gogen's subjectUnder21AtConviction, an office policy. The statute grades
    conduct by the age at the offense: see `under_age_at_offense`."""
    dob, when = facts.person.dob, facts.conviction.date.value
    if dob is None or when is None:
        return Result(False, "date of birth or conviction date unknown")
    age = age_on(dob, when)
    hit = add_years(dob, years) > when
    return Result(hit, f"age {age} at conviction {when} {'<' if hit else '>='} {years}")


@predicate()
def age_at_conviction_at_least(facts: Facts, *, years: int) -> Result:
    """The person was `years` or older on the conviction date. The statute grades conduct by
    the age at the offense: see `age_at_offense_at_least`."""
    dob, when = facts.person.dob, facts.conviction.date.value
    if dob is None or when is None:
        return Result(False, "date of birth or conviction date unknown")
    age = age_on(dob, when)
    hit = add_years(dob, years) <= when
    return Result(hit, f"age {age} at conviction {when} {'>=' if hit else '<'} {years}")


@predicate()
def age_at_conviction_unknown(facts: Facts) -> Result:
    """The age at conviction cannot be worked out: the date of birth or the conviction date
    is missing, so a rule that depends on it must go to a person."""
    dob, when = facts.person.dob, facts.conviction.date.value
    missing = [n for n, v in (("date of birth", dob), ("conviction date", when)) if v is None]
    if missing:
        return Result(True, " and ".join(missing) + " unknown")
    return Result(False, f"born {dob}, convicted {when}")


# --- the rest of the record ----------------------------------------------------------


@predicate()
def only_prop64_convictions(facts: Facts) -> Result:
    """Every conviction on the record (any county) is a Prop 64 conviction (HS 11357-11360).
    gogen's "Only has 11357-60 charges"."""
    others = [c for c in facts.record.convictions if not c.charge.is_prop64]
    total = len(facts.record.convictions)
    if others:
        return Result(False, f"{len(others)} of {total} convictions are not Prop 64")
    return Result(True, f"all {total} convictions are Prop 64")


@predicate()
def all_sentences_completed(facts: Facts) -> Result:
    """Every sentence on the record ended by compute-at (no sentence end after it)."""
    running = [c for c in facts.record.convictions if _serving(c.sentence_end(), facts)]
    if running:
        return Result(False, f"{len(running)} sentence(s) still running at {facts.compute_at}")
    return Result(True, f"every sentence ended by {facts.compute_at}")


def _serving(end: dt.date | None, facts: Facts) -> bool:
    return end is not None and end > facts.compute_at


@predicate()
def serving_sentence(facts: Facts) -> Result:
    """Some sentence on the record is still running at compute-at. HS 11361.8(a): a person
    currently serving petitions for recall or dismissal rather than record relief."""
    ends = [c.sentence_end() for c in facts.record.convictions]
    running = [e for e in ends if _serving(e, facts)]
    if running:
        return Result(True, f"a sentence runs until {max(d for d in running if d)}")
    return Result(False, f"no sentence runs past {facts.compute_at}")


@predicate()
def no_convictions_within_years(facts: Facts, *, years: int, strict: bool = False) -> Result:
    """No conviction on the record (any county) in the `years` years before compute-at: the
    most recent is on or before compute-at minus `years` years ("conviction-free" period).
    With `strict`, it must be before that day (gogen's yearsCrimeFreeThreshold)."""
    limit = add_years(facts.compute_at, -years)
    if facts.person.undated_convictions:
        return Result(False, "a conviction on the record has no readable date")
    latest = facts.person.latest_conviction
    if latest is None:
        return Result(True, "no convictions on the record")
    hit = latest < limit if strict else latest <= limit
    sign = ("<" if strict else "<=") if hit else (">=" if strict else ">")
    return Result(hit, f"most recent conviction {latest} {sign} {limit}")


@predicate()
def several_convictions(facts: Facts) -> Result:
    """The record holds more than one conviction (any county)."""
    n = len(facts.record.convictions)
    return Result(n > 1, f"{n} conviction(s) on the record")


@predicate()
def latest_conviction_over_years_ago(facts: Facts, *, years: int) -> Result:
    """More than `years` years of 365.25 days passed between the most recent conviction on
    the record and compute-at (the San Joaquin / Contra Costa / Sacramento 2019 measure)."""
    if facts.person.undated_convictions:
        return Result(False, "a conviction on the record has no readable date")
    latest = facts.person.latest_conviction
    if latest is None:
        return Result(True, "no convictions on the record")
    elapsed = (facts.compute_at - latest).days / 365.25
    hit = elapsed > years
    return Result(hit, f"{elapsed:.1f} years since {latest} {'>' if hit else '<='} {years}")


@predicate()
def deceased(facts: Facts) -> Result:
    """The record holds a DECEASED event. Relief clears the record of a person who died."""
    return Result(facts.record.deceased, "deceased" if facts.record.deceased else "not deceased")


@predicate()
def date_of_birth_missing(facts: Facts) -> Result:
    """The record carries no readable date of birth."""
    dob = facts.person.dob
    return Result(dob is None, "date of birth unknown" if dob is None else f"born {dob}")


# --- priors that let a felony stand: HS 11358(d), 11359(c), 11360(a)(3) -------------------


@predicate()
def prior_super_strike(facts: Facts) -> Result:
    """A super strike (PC 667(e)(2)(C)(iv), incl. gang-enhancement pairs) was convicted
    before this conviction (CfA's test). With it the conduct may still be a felony today
    (HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A)), so the office may oppose reduction."""
    this = facts.conviction.date.value
    priors = [c for c in facts.person.super_strikes if _before(c.date.value, this)]
    if priors:
        first = min(priors, key=lambda c: c.date.value or dt.date.min)
        return Result(True, f"super strike {first.charge.display} on {_date(first.date.value)}")
    n = len(facts.person.super_strikes)
    return Result(False, f"no super strike before {_date(this)} ({n} on the record)")


@predicate()
def prior_pc290(facts: Facts) -> Result:
    """A PC 290 registrable offense was convicted, or a PC 290 registration recorded, before
    this conviction (CfA's test). A PC 290(c) offense is the same felony prong as a super
    strike (HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A))."""
    this = facts.conviction.date.value
    offenses = [c for c in facts.person.pc290_offenses if _before(c.date.value, this)]
    if offenses:
        c = offenses[0]
        return Result(True, f"PC 290 offense {c.charge.display} on {_date(c.date.value)}")
    regs = [d for d in facts.person.pc290_registrations if _before(d, this)]
    if regs:
        return Result(True, f"PC 290 registration on {_date(regs[0])}")
    return Result(False, f"no PC 290 offense or registration before {_date(this)}")


@predicate()
def prior_same_section(facts: Facts, *, count: int, before_offense: bool = False) -> Result:
    """At least `count` Prop 64 convictions (any county) of this conviction's section before
    it (with `before_offense`, before its offense date). Two such priors let a felony stand
    today: HS 11358(d)(2), 11359(c)(2), 11360(a)(3)(B)."""
    this, section = facts.conviction, facts.conviction.charge.section
    when = this.offense_date.value if before_offense else this.date.value
    priors = [
        c
        for c in facts.record.convictions
        if c is not this
        and c.charge.is_prop64
        and c.charge.section == section
        and _before(c.date.value, when)
    ]
    hit = len(priors) >= count
    what = " before the offense" if before_offense else ""
    return Result(
        hit, f"{len(priors)} earlier {section} conviction(s){what} {'>=' if hit else '<'} {count}"
    )


# --- related charges (San Joaquin / Contra Costa) ----------------------------------------


def _section_code(facts: Facts) -> str:
    charge = facts.conviction.charge
    return f"{charge.section} {charge.code}" if charge.code else f"{charge.section}"


@predicate(provides=("related",))
def related_charge(facts: Facts) -> Result:
    """The conviction is a "related charge" (e.g. PC 148, HS 11364, BP 4060) rather than a
    Prop 64 charge: offenses the county flows consider alongside the cannabis charge."""
    charge = facts.conviction.charge
    hit = not charge.is_prop64 and reference.is_related_charge(charge)
    shown = _section_code(facts)
    return Result(hit, f"{shown} {'is' if hit else 'is not'} a related charge", {"related": shown})


@predicate(provides=("related",))
def related_charge_in_prop64_cycle(facts: Facts, *, charges: tuple[str, ...] = ()) -> Result:
    """A related charge whose arrest cycle (first 3 digits of CNT_ORDER) also holds a Prop 64
    charge; with `charges` (e.g. ["4060 BP"]) only those section-and-code charges match."""
    base = related_charge(facts)
    shown = base.values["related"]
    if not base.matched:
        return base
    if charges and shown not in charges:
        return Result(False, f"{shown} not in [{', '.join(charges)}]", base.values)
    cycle = facts.conviction.cycle
    hit = cycle in facts.person.prop64_cycles
    word = "holds" if hit else "holds no"
    return Result(hit, f"arrest cycle {cycle} {word} Prop 64 charge", base.values)
