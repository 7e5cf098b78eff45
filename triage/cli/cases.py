"""CLI commands on one case or conviction: claim, release, history.

Thin calls into `triage.review`, as in `triage.cli.reviewing`; record data reaches the
terminal only through `clean()`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from triage import review
from triage.cli.common import DEFAULT_DB, DbOption, JsonOption, acting, open_db, out, print_json
from triage.cli.reviewing import ReviewerOption, RunOption, _run_id
from triage.display import clean
from triage.errors import UsageError
from triage.review import QueueFilter


def claim_cmd(
    subject_id: Annotated[str | None, typer.Argument(help="SUBJECT_ID of the case.")] = None,
    next_case: Annotated[
        bool, typer.Option("--next", help="Claim the next unclaimed case with pending work.")
    ] = False,
    minutes: Annotated[int, typer.Option("--minutes", help="Lease length.")] = 15,
    reviewer: ReviewerOption = None,
    run: RunOption = None,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Claim a case (a lease, renewed by claiming again) so others are not handed it."""
    if (subject_id is None) == (not next_case):
        raise UsageError("give a SUBJECT_ID or --next (not both)")
    who = acting(reviewer, db_path)
    conn = open_db(db_path)
    try:
        if next_case:
            got = review.claim_next(conn, _run_id(conn, run), who, QueueFilter(), minutes=minutes)
            held = None if got is None else review.claim_holder(conn, got)
        else:
            assert subject_id is not None
            got = subject_id if review.claim(conn, subject_id, who, minutes=minutes) else None
            held = review.claim_holder(conn, subject_id)
    finally:
        conn.close()
    if as_json:
        print_json({"claimed": got, "holder": held[0] if held else None,
                    "expires_at": held[1] if held else None})  # fmt: skip
    elif got is not None and held is not None:
        out.print(f"{clean(got)}: claimed by {who} until {held[1]}")
    elif next_case:
        out.print("no unclaimed case with pending work")
    elif held is not None:
        out.print(f"{clean(subject_id)}: already claimed by {clean(held[0])} until {held[1]}")
    if got is None:
        raise typer.Exit(1)


def release_cmd(
    subject_id: Annotated[str, typer.Argument(help="SUBJECT_ID of the case.")],
    supervisor: Annotated[
        bool,
        typer.Option(
            "--supervisor", help="Release another reviewer's claim (supervisor role; audited)."
        ),
    ] = False,
    reviewer: ReviewerOption = None,
    db_path: DbOption = DEFAULT_DB,
) -> None:
    """Release a claim: your own, or (a supervisor) anyone's with --supervisor."""
    who = acting(reviewer, db_path)
    conn = open_db(db_path)
    try:
        released = review.release(conn, subject_id, who, supervisor=supervisor)
    finally:
        conn.close()
    out.print(f"{clean(subject_id)}: {'released' if released else 'was not claimed'}")


def history_cmd(
    key: Annotated[str, typer.Argument(help="Conviction key SUBJECT_ID:CNT_ORDER.")],
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """A conviction's full history: determinations per run, decisions, notes, audit."""
    conn = open_db(db_path)
    try:
        story = review.conviction_history(conn, key)
    finally:
        conn.close()
    if as_json:
        data = asdict(story)
        for entry in data["audit"]:
            entry["detail"] = json.loads(entry["detail"])
        print_json(data)
        return
    out.print(f"conviction {clean(story.key)} (SUBJECT_ID {clean(story.subject_id)})")
    out.print("determinations:")
    for d in story.determinations:
        flags = f" flags: {' '.join(clean(f) for f in d.flags)}" if d.flags else ""
        out.print(
            f"  run {d.run_id} ({clean(d.pack_id)} {clean(d.pack_version)}): {d.outcome} "
            f"{clean(d.label)}: {clean(d.reason)} [step {clean(d.step_id)}]{flags}"
        )
        if d.suggested_outcome is not None:
            out.print(f"    suggests {d.suggested_outcome}: {clean(d.suggested_reason)}")
        elif d.outcome == "review" and d.suggested_reason:
            out.print(f"    asks: {clean(d.suggested_reason)}")
    if not story.determinations:
        out.print("  (no run judged this conviction)")
    out.print("decisions:")
    for e in story.decisions:
        batch = f" batch {e.batch[:8]}" if e.batch else ""
        out.print(
            f"  v{e.version} {e.created_at} {clean(e.reviewer)} {e.action}: "
            f"{e.decision or 'undecided'} (was {e.previous or 'undecided'}){batch}"
        )
    if not story.decisions:
        out.print("  (none)")
    out.print("notes:")
    for n in story.notes:
        out.print(f"  {n.created_at} {clean(n.reviewer)}: {clean(n.text)}")
    if not story.notes:
        out.print("  (none)")
    out.print("audit:")
    for a in story.audit:
        out.print(f"  #{a.id} {a.at} {clean(a.actor)} {clean(a.action)} {clean(a.detail)}")


def register(app: typer.Typer) -> None:
    app.command("claim")(claim_cmd)
    app.command("release")(release_cmd)
    app.command("history")(history_cmd)
