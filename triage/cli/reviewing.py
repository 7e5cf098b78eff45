"""CLI commands for reviewing: queue, decide, note, undo, grounds (claims and history: cli/cases).

Each command is a thin call into `triage.review` (the code path the TUI uses) and prints
the result. Record data reaches the terminal only through `clean()`; the reviewer is the OS
account, never an environment variable (`--reviewer NAME` is for the database's owner and is
recorded "NAME via OWNER"). Role checks and refusals live in the service layer.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer

from triage import grounds, review, runs
from triage.cli.choices import DecideChoice, DecisionChoice, OutcomeChoice
from triage.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    acting,
    open_db,
    out,
    print_json,
)
from triage.display import clean
from triage.errors import UsageError
from triage.review import ConvictionItem, QueueFilter
from triage.review.filters import check_filter

# How `triage queue` spells each filter field in its messages.
_QUEUE_OPTIONS = {"outcome": "--outcome", "reason": "--reason", "flag": "--flag",
                  "county": "--county", "reviewer": "--decided-by", "decision": "--decision"}  # fmt: skip

ReviewerOption = Annotated[
    str | None,
    typer.Option(
        "--reviewer",
        help="Record for someone else: the database owner only, recorded 'NAME via OWNER' "
        "(default: your OS account, never $USER).",
    ),
]
RunOption = Annotated[
    int | None, typer.Option("--run", help="Classification run (default: the active one).")
]


def _run_id(conn: Any, run: int | None) -> int:
    return runs.resolve(conn, run).id


def _item_json(item: ConvictionItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "subject_id": item.subject_id,
        "name": item.name,
        "cnt_order": item.cnt_order,
        "date": item.date,
        "county": item.county,
        "court_number": item.court_number,
        "offense": item.offense,
        "section": item.section,
        "felony": item.felony,
        "outcome": item.outcome,
        "label": item.label,
        "reason": item.reason,
        "flags": list(item.flags),
        "suggested_outcome": item.suggested_outcome,
        "suggested_label": item.suggested_label,
        "suggested_reason": item.suggested_reason,
        "question": item.question,
        "decision": item.decision,
        "version": item.decision_version,
        "decided_by": item.decided_by,
    }


def queue_cmd(
    outcome: Annotated[
        OutcomeChoice, typer.Option("--outcome", help="Determination outcome.")
    ] = OutcomeChoice.review,
    reason: Annotated[str | None, typer.Option("--reason", help="Exact reason text.")] = None,
    flag: Annotated[str | None, typer.Option("--flag", help="A review flag.")] = None,
    county: Annotated[str | None, typer.Option("--county", help="Conviction county.")] = None,
    court_case: Annotated[
        str | None, typer.Option("--court-case", help="Court number (OFN), exact.")
    ] = None,
    decided_by: Annotated[
        str | None, typer.Option("--decided-by", help="Currently decided by this reviewer.")
    ] = None,
    decision: Annotated[
        DecisionChoice | None, typer.Option("--decision", help="Current decision.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", help="Prefix of a name, CII, SUBJECT_ID or court number."),
    ] = None,
    include_decided: Annotated[
        bool, typer.Option("--all", help="Include convictions already decided.")
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many.")] = None,
    run: RunOption = None,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """List the convictions awaiting review, each with the KEY that `triage decide` takes.

    A flag, county, reason, decision or reviewer that matches nothing in the run is refused
    with the valid choices (exit 2), rather than listing 0 cases."""
    decided_filter = None if include_decided or decision or decided_by else False
    flt = QueueFilter(
        outcome=None if outcome is OutcomeChoice.any else outcome.value,
        reason=reason,
        flag=flag,
        county=county,
        court_case=court_case,
        decided=decided_filter,
        reviewer=decided_by,
        search=search,
        decision=None if decision is None else decision.value,
    )
    if limit is not None and limit < 0:
        raise UsageError("--limit: use 0 or more")
    conn = open_db(db_path)
    try:
        run_id = _run_id(conn, run)
        check_filter(conn, run_id, flt, _QUEUE_OPTIONS.__getitem__)
        items = review.queue_convictions(conn, run_id, flt, limit=limit)
        cases = review.queue_count(conn, run_id, flt)
    finally:
        conn.close()
    if as_json:
        print_json({"run": run_id, "cases": cases, "convictions": [_item_json(i) for i in items]})
        return
    out.print(f"run {run_id}: {cases:,} cases; {len(items):,} convictions listed")
    for i in items:
        _print_queue_item(i)


def _print_queue_item(i: ConvictionItem) -> None:
    state = f"{i.decision} v{i.decision_version}" if i.decision else "undecided"
    out.print(
        f"{clean(i.key)}  {clean(i.name)}  {clean(i.date)}  {clean(i.county)}  "
        f"{clean(i.section or i.offense)}  {i.outcome}: {clean(i.reason)}  [{state}]"
        + (f"  flags: {' '.join(clean(f) for f in i.flags)}" if i.flags else "")
    )
    if i.suggested_outcome is not None:
        out.print(f"    suggests {i.suggested_outcome}: {clean(i.suggested_reason)}")
    elif i.question:
        out.print(f"    asks: {clean(i.question)}")


def decide_cmd(
    key: Annotated[str, typer.Argument(help="Conviction key SUBJECT_ID:CNT_ORDER.")],
    decision: Annotated[
        DecideChoice,
        typer.Option(
            "--decision",
            help="What to record; accept: the run's suggestion (for not_eligible, with the "
            "grounds its step cites).",
        ),
    ],
    note: Annotated[str | None, typer.Option("--note", help="A note to keep with it.")] = None,
    grounds_text: Annotated[
        str | None,
        typer.Option(
            "--grounds",
            help="With not_eligible: why relief is challenged, comma-separated ids from "
            "`triage grounds` (court exhibits print their labels and citations).",
        ),
    ] = None,
    expect_version: Annotated[
        int | None,
        typer.Option(
            "--expect-version",
            help="Refuse (conflict) unless the conviction is still at this decision version.",
        ),
    ] = None,
    reviewer: ReviewerOption = None,
    run: RunOption = None,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Record a decision on one conviction (the same code path as the review app)."""
    who = acting(reviewer, db_path)
    conn = open_db(db_path)
    try:
        run_id = _run_id(conn, run) if run is not None else None
        chosen, accepted = decision.value, None
        if decision is DecideChoice.accept:  # the suggestion of the run the decision will cite
            run_id = run_id if run_id is not None else _run_id(conn, None)
            accepted = review.acceptance(conn, key, run_id)
            chosen = accepted.decision
            if grounds_text is None:  # the grounds the pack's step cites, unless given
                grounds_text = accepted.grounds_text
        result = review.decide(
            conn, key, chosen, who, expected_version=expect_version, note=note,
            run_id=run_id, grounds_text=grounds_text,
        )  # fmt: skip
    finally:
        conn.close()
    if as_json:
        print_json({**asdict(result), "reviewer": who, "grounds": grounds_text or ""})
        return
    if not result.changed:
        out.print(f"{clean(key)}: already {result.decision}, nothing written")
        return
    was = f", was {result.previous}" if result.previous else ""
    out.print(f"{clean(key)}: {result.decision} (version {result.version}{was}) by {who}")
    if accepted is not None and accepted.implied is not None:
        out.print(_implied_line(accepted.implied, grounds_text))


def _implied_line(implied: grounds.Implied, recorded: str | None) -> str:
    """Which grounds accepting not_eligible recorded, and where they come from."""
    step = f"the pack's step {clean(implied.step_id)}"
    if not implied.ids:
        return (
            f"  no grounds recorded: {step} cites no criterion of HS 11361.8 "
            f"({clean(implied.citation) or 'no citation'}); the challenged list prints the "
            "pack's reason (add grounds with --grounds, see `triage grounds`)"
        )
    if recorded != ",".join(implied.ids):
        return f"  grounds recorded: {recorded} (as given; {step} cites {', '.join(implied.ids)})"
    return f"  grounds recorded: {recorded} (from {step}: {clean(implied.citation)})"


def grounds_cmd(as_json: JsonOption = False) -> None:
    """List the grounds a reviewer can give for challenging relief (decide --grounds)."""
    if as_json:
        print_json([asdict(g) for g in grounds.GROUNDS])
        return
    for g in grounds.GROUNDS:
        out.print(f"{g.id:<20} {g.label}" + (f"  [{g.citation}]" if g.citation else ""))


def note_cmd(
    target: Annotated[str, typer.Argument(help="SUBJECT_ID, or a conviction KEY.")],
    text: Annotated[str, typer.Argument(help="The note.")],
    reviewer: ReviewerOption = None,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Add a note on a person or on one conviction."""
    who = acting(reviewer, db_path)
    conn = open_db(db_path)
    try:
        added = review.add_note_to(conn, target, text, who)
    finally:
        conn.close()
    if as_json:
        print_json(asdict(added))
        return
    out.print(f"note {added.id} added on {clean(added.key or added.subject_id)} by {who}")


def undo_cmd(
    key: Annotated[str | None, typer.Argument(help="Conviction key to undo.")] = None,
    last: Annotated[
        bool, typer.Option("--last", help="Undo your latest decision (a whole bulk batch).")
    ] = False,
    expect_version: Annotated[
        int | None, typer.Option("--expect-version", help="Conflict unless still at this version.")
    ] = None,
    reviewer: ReviewerOption = None,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Undo a decision by recording a new entry that restores the state before it."""
    if (key is None) == (not last):
        raise UsageError("give a KEY or --last (not both)")
    who = acting(reviewer, db_path)
    conn = open_db(db_path)
    try:
        if last:
            results = review.undo_last_many(conn, who)
        else:
            assert key is not None
            results = [review.undo(conn, key, who, expected_version=expect_version)]
    finally:
        conn.close()
    if as_json:
        print_json([asdict(r) for r in results])
        return
    if not results:
        out.print(f"nothing to undo for {who}")
    for r in results:
        out.print(f"{clean(r.key)}: back to {r.decision or 'undecided'} (version {r.version})")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("queue")(queue_cmd)
    app.command("decide")(decide_cmd)
    app.command("note")(note_cmd)
    app.command("undo")(undo_cmd)
    app.command("grounds")(grounds_cmd)
