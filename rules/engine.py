"""The rules engine: run a policy pack's ordered steps over a person's relevant convictions.

For each relevant conviction the engine tries the pack's steps in order; the first step
whose predicate (and any `and` conditions) matches decides the outcome, label and reason.
Every step tried is kept in the trace with a plain-words detail, so a reviewer can see why
the answer is what it is. Data flags (doubts the record itself raises) are attached to every
determination; when a flag the pack lists in `force_review_flags` is present, the outcome
becomes `review` and the pack's own suggestion is kept beside it. Every review carries a
suggestion or a question (the step's `suggest`/`question`, see `rules.suggest`), held to the
statute floor pack for a Prop 64 conviction.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from rules import reference, suggest
from rules.facts import Facts, PersonFacts
from rules.model import (
    Conviction,
    Determination,
    Flag,
    Outcome,
    PersonRecord,
    TraceStep,
)
from rules.packs import Pack, Step
from rules.predicates import PREDICATES, Result

FORCED_REVIEW_LABEL = "Hand Review"

# How each data flag reads in a forced-review reason.
FLAG_TEXT: dict[Flag, str] = {
    Flag.CHARGE_IN_COMMENT: "charge only in the comment",
    Flag.OTHER_P64_IN_COMMENT: "comment names another Prop 64 charge",
    Flag.ATTEMPT_OR_CONSPIRACY: "attempt or conspiracy",
    Flag.WRONG_CODE: "Prop 64 section under another code",
    Flag.NO_CODE: "no code letters on the charge",
    Flag.UNPARSED_CHARGE: "charge could not be read",
    Flag.PARTIAL_DATE: "partial conviction date",
    Flag.MISSING_DATE: "missing conviction date",
    Flag.MISSING_DOB: "missing date of birth",
    Flag.PARTIAL_DOB: "partial date of birth",
    Flag.CONFLICTING_DUPLICATE: "conflicting duplicate rows",
    Flag.PRE_2016_SUBDIVISION: "11357 subdivision lettered before Prop 64",
    Flag.MULTIPLE_CHARGES: "the row names more than one charge",
    Flag.IMPOSSIBLE_DATE: "impossible date (birth after conviction or compute-at, or before 1900)",
}

# The label of a step whose predicate could not answer for want of a fact (a date): the
# conviction goes to a person, with the predicate's words as the reason.
UNDECIDED_LABEL = "Hand Review"


def _same_county(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def relevant(conviction: Conviction, pack: Pack, county: str) -> bool:
    """Whether `pack` classifies this conviction when run for `county`.

    Relevant: convicted in `county` (case and surrounding spaces ignored) of a Prop 64
    charge, or of a related charge when the pack's relevance is `prop64_and_related`.
    A Prop 64 section written under another code (`11357 PC`, flagged WRONG_CODE) counts in
    every pack (`Charge.looks_prop64`): CfA's tools matched the section number whatever the
    code, and a likely data-entry error is for a person to judge, not for triage to drop.
    A row naming several charges is read as its Prop 64 one when it names one.
    """
    if not _same_county(conviction.county, county):
        return False
    charge = conviction.charge
    if charge.looks_prop64:
        return True
    return pack.relevance == "prop64_and_related" and reference.is_related_charge(charge)


def classify(
    record: PersonRecord, pack: Pack, *, county: str, compute_at: dt.date
) -> list[Determination]:
    """One determination per relevant conviction of `record`, in record order."""
    person = PersonFacts(record)
    out: list[Determination] = []
    for conviction in record.convictions:
        if relevant(conviction, pack, county):
            facts = Facts(person, conviction, county, compute_at, pack.parameters)
            out.append(_determine(facts, pack))
    return out


def _flags(facts: Facts) -> tuple[Flag, ...]:
    """The conviction's data flags: its charge's, its own, and IMPOSSIBLE_DATE (which needs
    compute-at, so it is raised here rather than when the record is built)."""
    conviction = facts.conviction
    flags = conviction.charge.flags
    if conviction.flags:
        flags = tuple(dict.fromkeys((*flags, *conviction.flags)))
    if facts.impossible_date is not None:
        flags = (*flags, Flag.IMPOSSIBLE_DATE)
    return flags


def _try(step: Step, facts: Facts) -> Result:
    """Evaluate a step's predicate and its `and` conditions (all must match). An undecided
    answer (a missing fact) stops there: the step neither matches nor falls through."""
    if step.when and not facts.parameters.get(step.when):
        return Result(False, f"off: parameter '{step.when}' is not set")
    first = PREDICATES[step.predicate].fn(facts, **step.params)
    if not step.also or not first.matched:
        return first
    results = [first]
    for cond in step.also:
        results.append(PREDICATES[cond.predicate].fn(facts, **cond.params))
        if not results[-1].matched:
            break
    values: dict[str, str] = {}
    for r in results:
        values.update(r.values)
    matched = all(r.matched for r in results)
    undecided = results[-1].undecided
    return Result(matched, "; ".join(r.detail for r in results), values, undecided)


def _field(name: str, facts: Facts, step: Step, extra: Mapping[str, str]) -> str:
    """A value a reason template may use, looked up in order: what the predicate reported
    (e.g. the dismiss-list entry that matched), the charge, the step's and the pack's
    parameters."""
    if name in extra:
        return extra[name]
    charge = facts.conviction.charge
    if name == "section":
        return charge.section or ""
    if name == "code":
        return charge.code or ""
    if name == "subdivision":
        return "".join(f"({s})" for s in charge.subdivision)
    if name == "charge":
        return charge.display
    if name == "county":
        return facts.conviction.county
    for cond in reversed(step.also):
        if name in cond.params:
            return _text(cond.params[name])
    if name in step.params:
        return _text(step.params[name])
    return _text(facts.parameters.get(name, ""))


def _text(value: object) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


@lru_cache(maxsize=1024)
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((lit, name) for lit, name, _spec, _conv in string.Formatter().parse(template))


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill `{name}` fields of a reason template (fields are checked when the pack loads)."""
    return "".join(
        lit + (values.get(name, "") if name else "") for lit, name in _parsed(template)
    ).strip()


def _fill(template: str, step: Step, facts: Facts, extra: Mapping[str, str]) -> str:
    """A step's reason, suggestion reason or question with its fields filled in."""
    parts = _parsed(template)
    if len(parts) == 1 and parts[0][1] is None:
        return parts[0][0].strip()
    return "".join(
        lit + (_field(name, facts, step, extra) if name else "") for lit, name in parts
    ).strip()


def _determine(facts: Facts, pack: Pack, start: int = 0, *, forcing: bool = True) -> Determination:
    """The first step from `start` on that matches decides. `forcing=False` ignores the
    pack's forced-review flags (used to ask what later steps would say)."""
    trace: list[TraceStep] = []
    flags = _flags(facts)
    for index in range(start, len(pack.steps)):
        step = pack.steps[index]
        result = _try(step, facts)
        trace.append(TraceStep(step.id, result.matched, result.detail))
        if result.undecided:
            # The record lacks what this step needs: a person decides, told what is missing.
            undecided = replace(step, outcome=Outcome.REVIEW, label=UNDECIDED_LABEL)
            reason = f"Cannot tell ({step.id}): {result.detail}"
            ask = suggest.question(
                f"What does the court record say where the DOJ file cannot ({result.detail})? "
                f"Step {step.id} needs it to decide."
            )
            return _finish(facts, pack, undecided, reason, flags, tuple(trace), ask, forcing)
        if result.matched:
            reason = _fill(step.reason, step, facts, result.values)
            own = None
            if step.outcome is Outcome.REVIEW:
                own = _suggestion(facts, pack, index, reason, result.values)
            return _finish(facts, pack, step, reason, flags, tuple(trace), own, forcing)
    # Packs must end with an `always` step (checked at load); this is a safety net.
    return Determination(
        key=facts.conviction.key,
        outcome=Outcome.REVIEW,
        label=FORCED_REVIEW_LABEL,
        reason="No step of the policy pack applied",
        step_id="",
        flags=flags,
        suggested_reason="Which outcome applies? No step of the policy pack applied.",
        trace=tuple(trace),
    )


def _suggestion(
    facts: Facts, pack: Pack, index: int, reason: str, values: Mapping[str, str]
) -> suggest.Suggestion:
    """What the review step at `index` offers: its named outcome, the later steps' answer
    ("next"), the statute floor's ("floor"), or its question."""
    step = pack.steps[index]
    prefix = _fill(step.suggest_reason, step, facts, values)
    if step.suggest in ("next", "floor"):
        if step.suggest == "floor" and pack.floor is not None:
            return _floor_suggestion(facts, pack.floor, prefix)
        later = _determine(facts, pack, index + 1, forcing=False)
        return suggest.from_determination(later, f"{prefix} " if prefix else "")
    if step.suggest:
        return suggest.Suggestion(Outcome(step.suggest), step.suggest_label, prefix)
    if step.question:
        return suggest.question(_fill(step.question, step, facts, values))
    return suggest.question(
        f"Which outcome applies? Step {step.id} sends this to a person ({reason}) "
        "and names no suggestion."
    )


def _floor_suggestion(facts: Facts, floor: Pack, prefix: str = "") -> suggest.Suggestion:
    """The statute floor's answer for this conviction. HS 11361.8 speaks only of HS
    11357-11360: for any other charge (a pack's related charges) it gives nothing."""
    lead = f"{prefix} " if prefix else suggest.FLOOR_PREFIX
    if not facts.conviction.charge.looks_prop64:
        return suggest.question(
            f"{lead}no relief for {facts.conviction.charge.display or 'this charge'}, which "
            "is not HS 11357-11360; whether to give it is office policy."
        )
    det = _determine(replace(facts, parameters=floor.parameters), floor)
    return suggest.from_determination(det, lead).as_held()


def _held(facts: Facts, pack: Pack, own: suggest.Suggestion) -> suggest.Suggestion:
    """`own`, held to the statute floor for a Prop 64 conviction (see `rules.suggest`)."""
    if own.held or pack.floor is None or not facts.conviction.charge.looks_prop64:
        return own
    if suggest.relief_rank(own.outcome) == suggest.relief_rank(Outcome.DISMISS):
        return own  # nothing gives more: no need to ask the floor
    return suggest.held_to_floor(own, _floor_suggestion(facts, pack.floor))


def _finish(
    facts: Facts,
    pack: Pack,
    step: Step,
    reason: str,
    flags: tuple[Flag, ...],
    trace: tuple[TraceStep, ...],
    own: suggest.Suggestion | None,
    forcing: bool = True,
) -> Determination:
    """The determination of the step that decided. A review carries a suggestion or a
    question (`own`); a forced review carries what the step itself decided."""
    forced = [f for f in flags if f in pack.force_review_flags] if forcing else []
    if forced and step.outcome is not Outcome.REVIEW:
        own = suggest.Suggestion(step.outcome, step.label, reason)
    if own is None:
        return Determination(
            key=facts.conviction.key,
            outcome=step.outcome,
            label=step.label,
            reason=reason,
            step_id=step.id,
            citation=step.citation,
            flags=flags,
            trace=trace,
        )
    own = _held(facts, pack, own)
    why = "; ".join(FLAG_TEXT.get(f, str(f)) for f in forced)
    return Determination(
        key=facts.conviction.key,
        outcome=Outcome.REVIEW,
        label=FORCED_REVIEW_LABEL if forced else step.label,
        reason=f"Review the record: {why}" if forced else reason,
        step_id=step.id,
        citation=step.citation,
        flags=flags,
        forced_review=bool(forced),
        suggested_outcome=own.outcome,
        suggested_label=own.label,
        suggested_reason=own.text,
        trace=trace,
    )
