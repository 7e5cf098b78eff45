"""The command-line reference (docs/cli.md), made from the commands' own `--help`.

    python -m triage.cli.reference --write docs/cli.md   # regenerate
    python -m triage.cli.reference --check docs/cli.md   # exit 1 when it is stale

Each command's help is rendered as `triage CMD --help` prints it at a fixed width, without
colour, so the file changes only when a command, an option or a help text does (or Typer's
layout: then regenerate). tests/cli/test_cli_reference.py fails when the file is stale.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer import rich_utils
from typer.testing import CliRunner

from triage.cli import app

WIDTH = 100
_ENV = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HEADER = (
    "# `triage` command reference\n\n"
    "Generated from the code by `python -m triage.cli.reference --write docs/cli.md`; "
    "do not edit by hand (a test fails when it is stale).\n"
)


@contextlib.contextmanager
def _plain_help() -> Iterator[None]:
    """Typer's help console at WIDTH, without colour, whatever the environment says
    (TERMINAL_WIDTH, FORCE_COLOR and GITHUB_ACTIONS are read when Typer is imported)."""
    saved = rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL, rich_utils.COLOR_SYSTEM
    rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL, rich_utils.COLOR_SYSTEM = WIDTH, False, None
    try:
        yield
    finally:
        rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL, rich_utils.COLOR_SYSTEM = saved


def _help(path: list[str]) -> str:
    with _plain_help():
        result = CliRunner().invoke(app, [*path, "--help"], env=_ENV, color=False)
    if result.exit_code != 0:
        raise RuntimeError(f"triage {' '.join(path)} --help exited {result.exit_code}")
    text = _ANSI.sub("", result.output)
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _commands(group: Any, ctx: Any, prefix: list[str]) -> list[tuple[str, list[str]]]:
    """(help panel, command path) for every command under `group`, in registration order."""
    found: list[tuple[str, list[str]]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        path = [*prefix, name]
        panel = str(getattr(command, "rich_help_panel", None) or "Commands")
        found.append((panel, path))
        if hasattr(command, "list_commands"):
            sub = command.make_context(name, [], parent=ctx, resilient_parsing=True)
            found.extend((panel, p) for _, p in _commands(command, sub, path))
    return found


def render() -> str:
    root = typer.main.get_command(app)
    ctx = root.make_context("triage", [], resilient_parsing=True)
    by_panel: dict[str, list[list[str]]] = {}
    for panel, path in _commands(root, ctx, []):
        by_panel.setdefault(panel, []).append(path)
    parts = [HEADER, "## triage\n", f"```text\n{_help([])}\n```\n"]
    for panel, paths in by_panel.items():
        parts.append(f"## {panel}\n")
        for path in paths:
            parts.append(f"### triage {' '.join(path)}\n")
            parts.append(f"```text\n{_help(path)}\n```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m triage.cli.reference")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, metavar="PATH", help="write the reference")
    mode.add_argument("--check", type=Path, metavar="PATH", help="exit 1 when PATH is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.write is not None:
        args.write.write_text(text, encoding="utf-8")
        return 0
    if not args.check.exists() or args.check.read_text(encoding="utf-8") != text:
        print(f"{args.check} is stale: python -m triage.cli.reference --write {args.check}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
