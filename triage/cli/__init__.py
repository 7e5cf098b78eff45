"""The `triage` command line. Thin: every command calls the service layer and prints.

Errors the user can fix are `TriageError`s: one line on stderr, exit 1 (2 for usage).
Anything else is a bug: one line naming the exception type only (never its message or
locals, which may hold record data), exit 70.
"""

from __future__ import annotations

import os
import sys

import typer

from rules.errors import RulesError
from triage.cli import (
    admin,
    app_cmd,
    classifying,
    exporting,
    importing,
    reviewing,
    sampling,
)
from triage.cli.common import err
from triage.display import clean
from triage.errors import TriageError

app = typer.Typer(
    name="triage",
    help="Prop 64 conviction triage: import DOJ files, classify, review, export.",
    no_args_is_help=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (app_cmd, importing, classifying, reviewing, admin, exporting, sampling):
    module.register(app)


def main() -> None:
    # Everything triage writes (database, WAL, exports, backups) is for the owner only.
    os.umask(0o077)
    try:
        app()  # standalone: click prints its own usage errors (exit 2) and handles ^C
    except TriageError as exc:
        # Messages name files and map/pack text: cleaned so an escape in a name cannot act.
        err.print(f"triage: {clean(exc)}")
        sys.exit(exc.exit_code)
    except RulesError as exc:
        err.print(f"triage: {clean(exc)}")
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - last-resort guard; see module docstring
        if os.environ.get("TRIAGE_DEBUG") == "1":
            raise
        err.print(
            f"triage: internal error ({type(exc).__name__}); nothing further was written. "
            "Set TRIAGE_DEBUG=1 to see the traceback (it may contain record data)."
        )
        sys.exit(70)
