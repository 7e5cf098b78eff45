"""CLI: the review app (`triage review`, and bare `triage` on ./sample.db)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from triage import __version__
from triage.cli.common import DEFAULT_DB, DbOption, acting
from triage.errors import TriageError, UsageError
from triage.review.model import QueueFilter

FilterOption = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        help="Start with a queue filter FIELD=VALUE (repeatable). Fields: outcome, reason, "
        "flag, county, court, decided (yes/no), reviewer, decision, search. "
        "outcome=any shows every outcome.",
    ),
]
ReviewerOption = Annotated[
    str | None,
    typer.Option(
        "--reviewer",
        help="Record decisions for someone else: the database owner only, recorded 'NAME via "
        "OWNER' (default: your OS account; $USER is not trusted).",
    ),
]
KeysOption = Annotated[
    Path | None,
    typer.Option(
        "--keys",
        help="Key map (TOML: binding id = key). Default: "
        "~/.config/triage/keys.toml when it exists.",
    ),
]

_FIELDS = {
    "outcome",
    "reason",
    "flag",
    "county",
    "court",
    "decided",
    "reviewer",
    "decision",
    "search",
}


def parse_filters(items: list[str]) -> dict[str, object]:
    """`--filter FIELD=VALUE` options as QueueFilter keyword arguments."""
    out: dict[str, object] = {}
    for item in items:
        field, sep, value = item.partition("=")
        field = field.strip().lower()
        if not sep or field not in _FIELDS:
            raise UsageError(
                f"--filter {item.split('=')[0]!r}: use FIELD=VALUE with FIELD one of "
                + ", ".join(sorted(_FIELDS))
            )
        value = value.strip()
        if field == "decided":
            if value.lower() not in ("yes", "no", "true", "false", "any"):
                raise UsageError("--filter decided=: use yes, no or any")
            out["decided"] = None if value.lower() == "any" else value.lower() in ("yes", "true")
        elif field == "outcome":
            out["outcome"] = None if value.lower() in ("any", "*", "") else value
        else:
            out["court_case" if field == "court" else field] = value or None
    return out


def _check_against_run(db_path: Path, flt: QueueFilter) -> None:
    """Refuse a --filter value that names nothing in the active run, before the app starts
    (a filter showing 0 cases would read as an empty queue)."""
    from triage import db
    from triage.review.filters import check_filter

    conn = db.connect(db_path)
    try:
        run_id = db.active_run_id(conn)
        if run_id is not None:
            check_filter(conn, run_id, flt, lambda field: f"--filter {field}=")
    finally:
        conn.close()


def run_review(
    db_path: Path, reviewer: str | None, filters: list[str] | None, keys: Path | None
) -> None:
    # Imported here so `triage --help` and the other commands never pay for Textual.
    from triage.tui import keymap as keymaps
    from triage.tui.app import ReviewApp

    who = acting(reviewer, db_path)
    flt = QueueFilter(**parse_filters(filters or []))  # type: ignore[arg-type]
    from triage.review import queue as queue_rules

    queue_rules.validate(flt)
    if filters:
        _check_against_run(db_path, flt)
    path = keys or keymaps.default_path()
    user_keys = keymaps.load(path, ReviewApp.collect_bindings(), required=keys is not None)
    # No --filter: the app opens with the reviewer's saved filter and sort.
    saved = flt if filters else None
    app = ReviewApp(db_path, who, queue_filter=saved, keymap=user_keys, keymap_path=path)
    code = app.run()
    rc = app.return_code or 0
    if rc:
        sys.exit(rc)
    if code:
        sys.exit(code)


def _print_version(value: bool) -> None:
    if value:
        print(f"triage {__version__}")
        raise typer.Exit()


VersionOption = Annotated[
    bool,
    typer.Option(
        "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
    ),
]

NO_SAMPLE = (
    f"no ./{DEFAULT_DB} in this folder: `triage sample` builds one (fictional people) to try "
    "the review app; `triage review --db PATH` opens your own; `triage --help` lists commands"
)


def register(app: typer.Typer) -> None:
    @app.callback(invoke_without_command=True)
    def _default(ctx: typer.Context, version: VersionOption = False) -> None:
        """With no command, open the review app on ./sample.db."""
        if ctx.invoked_subcommand is None:
            if not DEFAULT_DB.exists():
                raise TriageError(NO_SAMPLE)
            run_review(DEFAULT_DB, None, None, None)

    @app.command("review")
    def review_cmd(
        db_path: DbOption = DEFAULT_DB,
        reviewer: ReviewerOption = None,
        filters: FilterOption = None,
        keys: KeysOption = None,
    ) -> None:
        """Open the review app: the queue of cases awaiting a decision, keyboard only."""
        run_review(db_path, reviewer, filters, keys)
