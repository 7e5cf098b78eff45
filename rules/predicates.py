"""The predicate library: one small, named test per legal or policy rule.

A pack step says `predicate = "age_at_least"` and `params = { years = 50 }`; the engine calls
`age_at_least(facts, years=50)` and records the answer and its plain-words detail in the
determination's trace. Each docstring names the statute or policy the test implements.

Dates follow Code for America's flows, which these packs reproduce: "N years" is the same
calendar day N years later (`add_years`), ages are whole years on a day (`age_on`), and a
sentence ends at the conviction date plus the summed sentence parts (D=1, M=30.5, Y=366 days).

Unknown dates: a conviction whose date cannot be read cannot be placed before or after
another. The predicates that need such a date take an `undated` parameter:

* `"review"` (the default): when the answer depends on the missing date, the predicate is
  *undecided* and the engine sends the conviction to a person with a reason naming the
  missing date. Nothing is assumed: an undated conviction is neither recent nor old, neither
  before nor after this one.
* `"long_ago"`: read a blank date as Code for America's tools did (Go's zero time, the year
  1): never recent, long before any dated conviction, its sentence long served. The CfA-parity
  packs use it to reproduce CfA's answers, and say so in their headers.

Age tests without a date of birth do not match. The data flag on the conviction
(MISSING_DATE, MISSING_DOB) tells the reviewer why. A date of birth without its day or month
counts from the first day it could be (PARTIAL_DOB says so).
"""

from __future__ import annotations

import datetime as dt

from rules import predicates_offense as _offense_predicates  # noqa: F401 - registers them
from rules.dates import add_years, age_on
from rules.facts import Facts
from rules.predicate_registry import PREDICATES, PredicateSpec, Result, check_params, predicate
from rules.prior_predicates import Undated, undated_note, undecided

__all__ = [
    "PREDICATES",
    "Facts",
    "PredicateSpec",
    "Result",
    "Undated",
    "check_params",
    "predicate",
]


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
def convicted_at_least_years_ago(
    facts: Facts, *, years: int, undated: Undated = "review"
) -> Result:
    """The conviction is at least `years` years before compute-at (conviction date <=
    compute-at minus `years` years). gogen's "Conviction occurred N or more years ago"."""
    when = facts.conviction.date.value
    limit = add_years(facts.compute_at, -years)
    if when is None:
        if undated == "long_ago":
            return Result(True, "no conviction date: read as long ago, as CfA did")
        return undecided(f"no conviction date: cannot tell whether it is {years} years old")
    hit = when <= limit
    return Result(hit, f"convicted {when} {'<=' if hit else '>'} {limit} ({years} years back)")


@predicate()
def sentence_completed(facts: Facts, *, undated: Undated = "review") -> Result:
    """This conviction's sentence ended before compute-at (date plus summed sentence parts).
    HS 11361.8(e): a person who has completed the sentence may have the record dismissed."""
    end = facts.conviction.sentence_end()
    if end is None:
        if undated == "long_ago":
            return Result(True, "no conviction date: read as long ago, as CfA did, so served")
        return undecided("no conviction date: cannot tell when the sentence ended")
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
    gogen's "Only has 11357-60 charges". A Prop 64 section under another code counts, as in
    CfA's tools (it is classified as Prop 64, flagged WRONG_CODE); a row naming a second,
    other charge (MULTIPLE_CHARGES) does not."""
    others = [
        c
        for c in facts.record.convictions
        if not all(charge.looks_prop64 for charge in c.charge.all_charges)
    ]
    total = len(facts.record.convictions)
    if others:
        return Result(False, f"{len(others)} of {total} convictions are not Prop 64")
    return Result(True, f"all {total} convictions are Prop 64")


@predicate()
def all_sentences_completed(facts: Facts, *, undated: Undated = "review") -> Result:
    """Every sentence on the record ended by compute-at (no sentence end after it)."""
    running = [c for c in facts.record.convictions if _serving(c.sentence_end(), facts)]
    if running:
        return Result(False, f"{len(running)} sentence(s) still running at {facts.compute_at}")
    if facts.person.undated_convictions and undated == "review":
        return undecided(undated_note(facts) + ": cannot tell when their sentences ended")
    return Result(True, f"every sentence ended by {facts.compute_at}")


def _serving(end: dt.date | None, facts: Facts) -> bool:
    return end is not None and end > facts.compute_at


@predicate()
def serving_sentence(facts: Facts, *, undated: Undated = "review") -> Result:
    """Some sentence on the record is still running at compute-at. HS 11361.8(a): a person
    currently serving petitions for recall or dismissal rather than record relief."""
    ends = [c.sentence_end() for c in facts.record.convictions]
    running = [e for e in ends if _serving(e, facts)]
    if running:
        return Result(True, f"a sentence runs until {max(d for d in running if d)}")
    if facts.person.undated_convictions and undated == "review":
        return undecided(undated_note(facts) + ": cannot tell whether a sentence runs")
    return Result(False, f"no sentence runs past {facts.compute_at}")


def _none_recent(facts: Facts, undated: Undated, hit: bool, detail: str) -> Result:
    """A "no recent conviction" answer `hit` reached on the dated convictions alone: undated
    ones could only make a conviction recent, so they leave a yes open (`"review"`)."""
    if hit and facts.person.undated_convictions and undated == "review":
        return undecided(f"{detail}, but {undated_note(facts)}: cannot tell how recent they are")
    if hit and facts.person.undated_convictions:
        detail += " (undated convictions read as long ago, as CfA did)"
    return Result(hit, detail)


@predicate()
def no_convictions_within_years(
    facts: Facts, *, years: int, strict: bool = False, undated: Undated = "review"
) -> Result:
    """No conviction on the record (any county) in the `years` years before compute-at: the
    most recent is on or before compute-at minus `years` years ("conviction-free" period).
    With `strict`, it must be before that day (gogen's yearsCrimeFreeThreshold)."""
    limit = add_years(facts.compute_at, -years)
    latest = facts.person.latest_conviction
    if latest is None:
        return _none_recent(facts, undated, True, "no dated conviction on the record")
    hit = latest < limit if strict else latest <= limit
    sign = ("<" if strict else "<=") if hit else (">=" if strict else ">")
    return _none_recent(facts, undated, hit, f"most recent conviction {latest} {sign} {limit}")


@predicate()
def several_convictions(facts: Facts) -> Result:
    """The record holds more than one conviction (any county)."""
    n = len(facts.record.convictions)
    return Result(n > 1, f"{n} conviction(s) on the record")


@predicate()
def latest_conviction_over_years_ago(
    facts: Facts, *, years: int, undated: Undated = "review"
) -> Result:
    """More than `years` years of 365.25 days passed between the most recent conviction on
    the record and compute-at (the San Joaquin / Contra Costa / Sacramento 2019 measure)."""
    latest = facts.person.latest_conviction
    if latest is None:
        return _none_recent(facts, undated, True, "no dated conviction on the record")
    elapsed = (facts.compute_at - latest).days / 365.25
    hit = elapsed > years
    detail = f"{elapsed:.1f} years since {latest} {'>' if hit else '<='} {years}"
    return _none_recent(facts, undated, hit, detail)


@predicate()
def deceased(facts: Facts) -> Result:
    """The record holds a DECEASED event. Relief clears the record of a person who died."""
    return Result(facts.record.deceased, "deceased" if facts.record.deceased else "not deceased")


@predicate()
def date_of_birth_missing(facts: Facts) -> Result:
    """The record carries no readable date of birth."""
    dob = facts.person.dob
    return Result(dob is None, "date of birth unknown" if dob is None else f"born {dob}")
