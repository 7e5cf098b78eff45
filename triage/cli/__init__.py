"""The `triage` command line. Thin: every command calls the service layer and prints.

Errors the user can fix are `TriageError`s: one line on stderr, exit 1 (2 for usage). A
refusal by role (`RefusedError`: not a supervisor, another reviewer's claim or decision)
is exit 1 and is in the audit trail; `--reviewer` from an account that does not own the
database is exit 2.
A full disk, wherever it surfaces (SQLITE_FULL, ENOSPC), is one line saying so and what was
kept, exit 74. Anything else is a bug: one line naming the exception type only (never its
message or locals, which may hold record data), exit 70.
"""

from __future__ import annotations

import os
import sys

import typer

from rules.errors import RulesError
from triage.cli import (
    admin,
    app_cmd,
    cases,
    classifying,
    exporting,
    importing,
    policies,
    reporting,
    reviewing,
    roles_cmd,
    sampling,
)
from triage.cli.common import err
from triage.display import clean
from triage.errors import DiskFullError, TriageError, is_disk_full

app = typer.Typer(
    name="triage",
    help="Prop 64 conviction triage: import DOJ files, classify, review, export.",
    no_args_is_help=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=True,
)

# `triage --help` groups commands in panels, by the module that registers them: a command
# added to a module lands in its panel without a list to keep up to date.
_PANELS = (
    (importing, "Import & classify"),
    (classifying, "Import & classify"),
    (reporting, "Import & classify"),
    (policies, "Import & classify"),
    (app_cmd, "Review"),
    (reviewing, "Review"),
    (cases, "Review"),
    (exporting, "Export"),
    (roles_cmd, "Maintenance"),
    (admin, "Maintenance"),
    (sampling, "Maintenance"),
)
for module, panel in _PANELS:
    commands, groups = len(app.registered_commands), len(app.registered_groups)
    module.register(app)
    for command in app.registered_commands[commands:]:
        command.rich_help_panel = panel
    for group in app.registered_groups[groups:]:
        group.rich_help_panel = panel


# What a full disk leaves, by command. Every write is a transaction or a staged file, so the
# write in progress was rolled back or removed; what came before it depends on the command.
_DISK_FULL = {
    "import": "importing: the chunk being written was rolled back, the rows before it are "
    "kept; free space and run the same import again to finish it",
    "classify": "classifying: the new run was not made active; the active run is unchanged",
    "export": "exporting: the staged files were removed; the files in the folder are untouched",
    "backup": "backing up: the partial copy was removed",
    "sample": "building the sample: the database is incomplete; remove it and build it again",
}
_SAVING = ("decide", "note", "undo", "claim", "release", "review", "roles")


def _disk_full_message() -> str:
    words = [a for a in sys.argv[1:] if not a.startswith("-")]
    command = words[0] if words else ""
    if command in _DISK_FULL:
        return f"disk full while {_DISK_FULL[command]}"
    if command in _SAVING:
        return "disk full while saving: nothing was saved"
    return "disk full: the write in progress was rolled back; nothing was half-written"


def _usage_line(exc: typer.TyperException) -> str:
    """Click's message for a bad argument on one line, naming the command (`triage decide:
    ...`) and where its help is."""
    # (Typer validates choices through pydantic, which prefixes "Value error, ".)
    message = " ".join(exc.format_message().replace("Value error, ", "").split())
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "triage"
    return f"{path}: {message} (see `{path} --help`)"


def main() -> None:
    # Everything triage writes (database, WAL, exports, backups) is for the owner only, or
    # for the folder's group in a shared setgid folder: triage sets those modes itself
    # (`db.file_mode_for`); anything else it might make stays private.
    os.umask(0o077)
    try:
        # Not standalone, so that usage errors come back here and print as one line like
        # every other error; exits (`typer.Exit`, --help, ^C as 130) come back as a code.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.TyperException as exc:
        err.print(clean(_usage_line(exc)))
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("triage: aborted")
        sys.exit(1)
    except TriageError as exc:
        if is_disk_full(exc) and not isinstance(exc, DiskFullError):
            err.print(f"triage: {_disk_full_message()}")
            sys.exit(DiskFullError.exit_code)
        # Messages name files and map/pack text: cleaned so an escape in a name cannot act.
        err.print(f"triage: {clean(exc)}")
        sys.exit(exc.exit_code)
    except RulesError as exc:
        err.print(f"triage: {clean(exc)}")
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - last-resort guard; see module docstring
        if is_disk_full(exc):
            err.print(f"triage: {_disk_full_message()}")
            sys.exit(DiskFullError.exit_code)
        if os.environ.get("TRIAGE_DEBUG") == "1":
            raise
        err.print(
            f"triage: internal error ({type(exc).__name__}); nothing further was written. "
            "Set TRIAGE_DEBUG=1 to see the traceback (it may contain record data)."
        )
        sys.exit(70)
