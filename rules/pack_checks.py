"""Checks of a pack step's texts: reason templates, and what a review step suggests.

Kept apart from `rules.pack_loader` (which places problems at `file:line`): these take the
parsed values and report through the loader's `add(line, message)`.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from rules.model import Outcome
from rules.pack_model import DEFAULT_LABELS

# What a review step may suggest: an outcome, the later steps' answer, or the statute floor's.
SUGGEST_VALUES = ("dismiss", "reduce", "not_eligible", "next", "floor")


class Problems(Protocol):
    def add(self, line: int, message: str) -> None: ...


def default_label(suggest: str) -> str:
    """The label of a suggested outcome named in `suggest` ("" for next/floor)."""
    return (
        DEFAULT_LABELS[Outcome(suggest)] if suggest in ("dismiss", "reduce", "not_eligible") else ""
    )


def check_suggestion(
    entry: Mapping[str, Any],
    outcome: Outcome,
    texts: Mapping[str, str],
    line: Callable[[str], int],
    name: str,
    problems: Problems,
) -> None:
    """`suggest`/`question` belong to review steps: one of them, and an outcome suggested
    by name needs the reason a reviewer will read (its citation, or "office policy")."""
    given = [k for k in ("suggest", "suggest_label", "suggest_reason", "question") if k in entry]
    if outcome is not Outcome.REVIEW:
        if given:
            problems.add(line(given[0]), f"{name}: '{given[0]}' is only for review steps")
        return
    suggest = texts["suggest"]
    if suggest and suggest not in SUGGEST_VALUES:
        problems.add(line("suggest"), f"{name}: suggest must be one of {', '.join(SUGGEST_VALUES)}")
    if suggest and texts["question"]:
        problems.add(line("question"), f"{name}: give 'suggest' or 'question', not both")
    if not suggest and ("suggest_label" in entry or "suggest_reason" in entry):
        problems.add(line(given[0]), f"{name}: 'suggest_label'/'suggest_reason' need 'suggest'")
    if suggest in ("dismiss", "reduce", "not_eligible") and not texts["suggest_reason"]:
        problems.add(line("suggest"), f"{name}: suggest = \"{suggest}\" needs 'suggest_reason'")
    if suggest in ("next", "floor") and "suggest_label" in entry:
        problems.add(line("suggest_label"), f'{name}: suggest = "{suggest}" takes its label')


def template_problem(template: str, allowed: set[str]) -> str:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"is not a valid template ({exc}); write braces as {{{{ and }}}}"
    for _literal, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if spec or conversion:
            return f"field {{{field_name}}} must be a plain name"
        if field_name not in allowed:
            return f"uses unknown field {{{field_name}}} (available: {', '.join(sorted(allowed))})"
    return ""
