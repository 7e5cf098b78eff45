"""CLI: the review app (`triage review`, and bare `triage`)."""

from __future__ import annotations

import typer

from triage.cli.common import DEFAULT_DB, err


def register(app: typer.Typer) -> None:
    @app.callback(invoke_without_command=True)
    def _default(ctx: typer.Context) -> None:
        """With no command, open the review app on ./sample.db."""
        if ctx.invoked_subcommand is None:
            err.print(f"triage: the review app is not built yet; try `triage --help` ({DEFAULT_DB})")
            raise typer.Exit(1)
