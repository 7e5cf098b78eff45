"""Shared pieces of the CLI: the --db option, opening the database, printing safely."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from triage import authority, db, identity
from triage.display import clean
from triage.errors import RefusedError

DEFAULT_DB = Path("sample.db")

DbOption = Annotated[Path, typer.Option("--db", help="The triage database.", show_default=True)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")]

# Record data goes through `clean()` before it reaches either console; rich markup is off so
# brackets in data print as brackets.
out = Console(markup=False, highlight=False, emoji=False, soft_wrap=True)
err = Console(stderr=True, markup=False, highlight=False, emoji=False, soft_wrap=True)


def open_db(path: Path, *, create: bool = False) -> sqlite3.Connection:
    return db.connect(path, create=create)


def acting(reviewer: str | None, db_path: Path) -> str:
    """Who the command acts as: the OS account, or `--reviewer` for the database's owner
    ("NAME via OWNER"). Anyone else's `--reviewer` is refused (exit 2) and the refusal is
    written to the database's audit trail."""
    try:
        return identity.reviewer(reviewer, db_path)
    except RefusedError as refused:
        authority.record_at(db_path, refused)
        raise


def print_json(value: Any) -> None:
    """JSON for scripts. Strings are escaped by json (control characters become \\uXXXX)."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def safe(value: object) -> str:
    """Record text for terminal output."""
    return clean(value)
