"""What a `review` outcome offers the reviewer: a suggestion to accept, or the question.

Every review determination carries one of two things (issue 11: "enter accepts the
suggestion"):

* a suggestion: the outcome the pack would give without the doubt that sent the conviction
  to a person (a flag, a prior the office may raise, a step that is office policy), with its
  reason and citation, so one key can accept it; or
* a question: where no suggestion is honest (how much cannabis? was it a sale? how old at
  the offense?), the fact a person must find to resolve it. `suggested_outcome` stays None
  and the question is the suggestion's reason.

A pack's step says which (`suggest`/`question`, see `rules.pack_loader`). Whatever it says,
a suggestion is held to the statute floor (`california-statute`, HS 11361.8) for a Prop 64
conviction: when the floor gives more relief than the pack's suggestion, the floor's answer
is suggested and the reason names both, so relief is never withheld silently. Where the
floor itself asks a question, a pack's `not_eligible` gives way to that question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rules.model import Determination, Outcome

# More relief ranks higher; a question sits between relief and none (a person decides).
_RELIEF: dict[Outcome | None, int] = {
    Outcome.DISMISS: 3,
    Outcome.REDUCE: 2,
    None: 1,
    Outcome.NOT_ELIGIBLE: 0,
}

FLOOR_PREFIX = "Statute floor: "


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An outcome to accept (`outcome` set), or a question (`outcome` None, `text` asks)."""

    outcome: Outcome | None
    label: str
    text: str
    held: bool = False  # already the floor's answer, or already held to it

    def as_held(self) -> Suggestion:
        return replace(self, held=True)


def question(text: str) -> Suggestion:
    return Suggestion(None, "", text)


def cited(reason: str, step_id: str, citation: str) -> str:
    """A reason with where it comes from, e.g. `... (step felony-11359: HS 11361.8(e)-(f))`."""
    where = f"step {step_id}: {citation}" if citation else f"step {step_id}"
    return f"{reason} ({where})" if step_id else reason


# `cited`'s mark: "(step ID: CITATION)", where a citation may hold one level of parentheses
# ("HS 11358(d)(1) (the office may oppose reduction)").
_CITED = re.compile(r"\(step ([^\s:()]+)(?:: ((?:[^()]|\([^()]*\))*))?\)")


def cited_source(text: str) -> tuple[str, str] | None:
    """The (step id, citation) `cited` wrote into a suggestion's text: the first mark, which
    is the step that decided (a wrapping step's mark, e.g. `serving`, follows it); None when
    the text names no step (the review step's own suggestion)."""
    found = _CITED.search(text)
    if found is None:
        return None
    return found.group(1), (found.group(2) or "").strip()


def from_determination(det: Determination, prefix: str = "") -> Suggestion:
    """What a determination would have the reviewer accept: its outcome when it decides,
    else its own suggestion or question (which the engine has held to the floor already)."""
    if det.outcome is not Outcome.REVIEW:
        return Suggestion(
            det.outcome, det.label, prefix + cited(det.reason, det.step_id, det.citation)
        )
    text = det.suggested_reason
    if det.forced_review:  # a flag forced it: the suggestion is the deciding step's answer
        text = cited(text, det.step_id, det.citation)
    if det.suggested_outcome in (None, Outcome.REVIEW):
        # A question leads, so a reviewer reads what to find out first; where it came from
        # (e.g. "statute floor") follows.
        where = prefix.strip().rstrip(":").strip()
        return question(f"{text} ({where})" if where else text).as_held()
    return Suggestion(det.suggested_outcome, det.suggested_label, prefix + text, held=True)


def held_to_floor(own: Suggestion, floor: Suggestion) -> Suggestion:
    """`own`, unless the statute floor's answer gives more relief: then the floor's, with
    the pack's own suggestion named so the reviewer sees what was raised and why."""
    if _RELIEF[own.outcome] >= _RELIEF[floor.outcome]:
        return own
    was = f"suggests {own.outcome.value}" if own.outcome is not None else "asks"
    then = "gives more" if floor.outcome is not None else "leaves it to a person"
    text = f"{floor.text.rstrip('.')}. The pack {was}: {own.text.rstrip('.')}; the floor {then}."
    return Suggestion(floor.outcome, floor.label, text)


def relief_rank(outcome: Outcome | None) -> int:
    """How much relief an outcome (None: a question) gives, for comparing with the floor."""
    return _RELIEF[outcome]
