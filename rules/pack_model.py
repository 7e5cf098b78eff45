"""The shape of a loaded policy pack (see `rules.packs` for loading and the file format)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from rules.model import Flag, Outcome

RELEVANCE = ("prop64", "prop64_and_related")

DEFAULT_LABELS: dict[Outcome, str] = {
    Outcome.DISMISS: "Eligible for Dismissal",
    Outcome.REDUCE: "Eligible for Reduction",
    Outcome.NOT_ELIGIBLE: "Not eligible",
    Outcome.REVIEW: "Hand Review",
}


@dataclass(frozen=True, slots=True)
class Condition:
    """An extra predicate a step requires (`and = [{ predicate = ..., params = ... }]`)."""

    predicate: str
    params: Mapping[str, object]
    raw_params: Mapping[str, object] = field(default_factory=dict)

    def __hash__(self) -> int:  # params is a dict: hash what identifies the condition
        return hash((self.predicate, repr(sorted(self.raw_params.items(), key=repr))))


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a pack: if `predicate` (and every `also` condition) matches, decide."""

    id: str
    predicate: str
    params: Mapping[str, object]  # resolved, typed values
    outcome: Outcome
    label: str
    reason: str  # template, e.g. "Dismiss all HS {section} convictions"
    citation: str = ""
    when: str = ""  # pack parameter that must be on for the step to be tried
    also: tuple[Condition, ...] = ()
    raw_params: Mapping[str, object] = field(default_factory=dict)  # as written ("$age")
    line: int = 0
    # What a `review` step offers the reviewer (see `rules.suggest`): `suggest` is an outcome
    # (with `suggest_label`/`suggest_reason`), "next" (what the later steps decide) or
    # "floor" (what the statute floor pack decides); else `question` asks what resolves it.
    suggest: str = ""
    suggest_label: str = ""
    suggest_reason: str = ""  # template; with "next"/"floor", text put before their reason
    question: str = ""  # template

    def __hash__(self) -> int:  # params is a dict: hash what identifies the step
        return hash((self.id, self.predicate, self.outcome, self.reason, self.line))


@dataclass(frozen=True, slots=True)
class Pack:
    """A loaded, validated policy pack."""

    id: str
    title: str
    version: str
    jurisdiction: str
    county: str
    compute_at: dt.date | None
    parameters: Mapping[str, object]
    steps: tuple[Step, ...]
    relevance: str = "prop64"
    force_review_flags: frozenset[Flag] = frozenset(Flag)
    source: str = ""
    content_hash: str = ""
    description: str = ""
    # The statute floor pack (`california-statute`), attached to every other pack when it
    # loads: review suggestions are held to it (`rules.suggest`), never harsher than the law.
    floor: Pack | None = None

    def __hash__(self) -> int:  # parameters is a dict; the content hash identifies the pack
        return hash((self.id, self.content_hash, self.county, self.source))
