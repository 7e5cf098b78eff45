"""Option values from a fixed vocabulary, as enums: `--help` lists them, shell completion
offers them, and Typer refuses anything else (exit 2) before a command runs.

Each enum spells out the vocabulary the service layer defines (`db.OUTCOMES`,
`db.DECISIONS`, plus `any` and `accept` where a command takes them);
tests/cli/test_cli_packaging.py holds them equal, so neither can drift.
"""

from __future__ import annotations

from enum import StrEnum


class OutcomeChoice(StrEnum):
    """`queue --outcome`: a determination outcome, or any."""

    dismiss = "dismiss"
    reduce = "reduce"
    not_eligible = "not_eligible"
    review = "review"
    any = "any"


class DecisionChoice(StrEnum):
    """`queue --decision`: what a reviewer recorded."""

    dismiss = "dismiss"
    reduce = "reduce"
    not_eligible = "not_eligible"
    defer = "defer"


class DecideChoice(StrEnum):
    """`decide --decision`: what to record, or accept (the run's suggestion)."""

    dismiss = "dismiss"
    reduce = "reduce"
    not_eligible = "not_eligible"
    defer = "defer"
    accept = "accept"


class TableFormat(StrEnum):
    """`results --format`."""

    csv = "csv"
    json = "json"
