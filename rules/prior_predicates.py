"""The predicates about the rest of a person's record: disqualifying priors (HS 11361.8(b),
with HS 11358(d), 11359(c), 11360(a)(3)) and the San Joaquin / Contra Costa related charges,
with the helpers every date-dependent predicate shares (`Undated`: see `rules.predicates`).

Registered with `@predicate()` like the others; `rules.predicates` imports this module, so
the registry always holds them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from rules import reference
from rules.facts import Facts
from rules.predicate_registry import Result, predicate

Undated = Literal["review", "long_ago"]
"""How a predicate reads a missing conviction date (see `rules.predicates`)."""


def show_date(d: dt.date | None) -> str:
    return d.isoformat() if d is not None else "unknown"


def came_before(other: dt.date | None, this: dt.date | None, undated: Undated) -> bool | None:
    """Whether a conviction dated `other` came before one dated `this`; None when a missing
    date leaves it open (`undated="review"`). Read as CfA did (`"long_ago"`), a missing date
    is the year 1: before every dated conviction, and nothing dated comes before it."""
    if other is not None and this is not None:
        return other < this
    if undated == "long_ago":
        return this is not None
    return None


def undecided(detail: str, values: dict[str, str] | None = None) -> Result:
    return Result(False, detail, values or {}, undecided=True)


def undated_note(facts: Facts) -> str:
    n = facts.person.undated_convictions
    return f"{n} conviction(s) on the record have no date"


# --- disqualifying priors, HS 11361.8(e)(2)/(b) -----------------------------------------


def _open_order(what: str, other: dt.date | None) -> str:
    missing = "this conviction has no date" if other is not None else f"the {what} has no date"
    return f"{what} on {show_date(other)}, but {missing}: cannot tell which came first"


@predicate()
def prior_super_strike(facts: Facts, *, undated: Undated = "review") -> Result:
    """A super strike (PC 667(e)(2)(C)(iv), incl. gang-enhancement pairs) was convicted
    before this conviction (CfA's test). With it the conduct may still be a felony today
    (HS 11358(d)(1), 11359(c)(1), 11360(a)(3)(A)), so the office may oppose reduction.
    A conspiracy to a super-strike offense other than murder is not counted (PC 182(a));
    the detail names it so a person can check (`PersonFacts.conspiracies_to_super_strikes`)."""
    this = facts.conviction.date.value
    order = [(c, came_before(c.date.value, this, undated)) for c in facts.person.super_strikes]
    priors = [c for c, before in order if before]
    if priors:
        first = min(priors, key=lambda c: c.date.value or dt.date.min)
        return Result(True, f"super strike {first.charge.display} on {show_date(first.date.value)}")
    open_order = [c for c, before in order if before is None]
    if open_order:
        c = open_order[0]
        return undecided(_open_order(f"super strike {c.charge.display}", c.date.value))
    n = len(facts.person.super_strikes)
    detail = f"no super strike before {show_date(this)} ({n} on the record)"
    for c in facts.person.conspiracies_to_super_strikes:
        if came_before(c.date.value, this, undated) is not False:
            detail += (
                f"; conspiracy {c.charge.display} on {show_date(c.date.value)} not counted: only"
                " conspiracy to murder is punished by life (PC 182(a)), a person should check"
            )
            break
    return Result(False, detail)


@predicate()
def prior_pc290(facts: Facts, *, undated: Undated = "review") -> Result:
    """A PC 290 registrable offense was convicted, or a PC 290 registration recorded, before
    this conviction. HS 11361.8(b)(1) lets the prosecutor oppose relief then."""
    this = facts.conviction.date.value
    offenses = [(c, came_before(c.date.value, this, undated)) for c in facts.person.pc290_offenses]
    regs = [(d, came_before(d, this, undated)) for d in facts.person.pc290_registrations]
    for c, before in offenses:
        if before:
            return Result(True, f"PC 290 offense {c.charge.display} on {show_date(c.date.value)}")
    for d, before in regs:
        if before:
            return Result(True, f"PC 290 registration on {show_date(d)}")
    for c, before in offenses:
        if before is None:
            return undecided(_open_order(f"PC 290 offense {c.charge.display}", c.date.value))
    for d, before in regs:
        if before is None:
            return undecided(_open_order("PC 290 registration", d))
    return Result(False, f"no PC 290 offense or registration before {show_date(this)}")


@predicate()
def prior_same_section(
    facts: Facts, *, count: int, before_offense: bool = False, undated: Undated = "review"
) -> Result:
    """At least `count` earlier Prop 64 convictions (any county) of this conviction's section
    (with `before_offense`, before its offense date). Two such priors let a felony stand
    today: HS 11358(d)(2), 11359(c)(2), 11360(a)(3)(B). A Prop 64 section under another code
    (WRONG_CODE) is not counted: it is not shown to be one."""
    this, section = facts.conviction, facts.conviction.charge.section
    when = this.offense_date.value if before_offense else this.date.value
    same = [
        came_before(c.date.value, when, undated)
        for c in facts.record.convictions
        if c is not this and c.charge.is_prop64 and c.charge.section == section
    ]
    priors, open_order = same.count(True), same.count(None)
    what = " before the offense" if before_offense else ""
    if priors < count <= priors + open_order:
        return undecided(
            f"{priors} earlier {section} conviction(s){what}, {open_order} more without a date"
            f" (or this one has none): cannot tell whether there are {count}"
        )
    hit = priors >= count
    return Result(
        hit, f"{priors} earlier {section} conviction(s){what} {'>=' if hit else '<'} {count}"
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
