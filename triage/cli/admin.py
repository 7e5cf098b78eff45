"""CLI commands: doctor (check a database) and backup (a consistent private copy)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from triage import maintenance
from triage.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    acting,
    open_db,
    out,
    print_json,
    safe,
)

_MARK = {maintenance.OK: "ok     ", maintenance.WARN: "WARN   ", maintenance.PROBLEM: "PROBLEM"}


def doctor_cmd(
    db_path: DbOption = DEFAULT_DB,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings (e.g. loose file modes) as problems.")
    ] = False,
    expect_head: Annotated[
        list[str] | None,
        typer.Option(
            "--expect-head",
            help="An audit head recorded earlier: ENTRIES:HASH, an export's manifest.json "
            "(or its folder) or a backup file. The chain must still hold it. Repeatable.",
        ),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="The office's audit key (default: $TRIAGE_AUDIT_KEY, "
            "else ~/.config/triage/audit.key).",
        ),
    ] = None,  # fmt: skip
    as_json: JsonOption = False,
) -> None:
    """Check a database: integrity, foreign keys, the audit hash chain and its seals,
    decisions, notes, imported rows and runs against their audit entries, append-only
    triggers, pragmas, file modes and orphaned rows. Exit 1 when anything is wrong."""
    report = maintenance.doctor(db_path, key_path=key, expect_heads=expect_head or [])
    failed = bool(report.problems or (strict and report.warnings))
    if as_json:
        print_json({"path": report.path, "ok": not failed, "audit_head": report.audit_head,
                    "checks": [asdict(c) for c in report.checks]})  # fmt: skip
    else:
        for check in report.checks:
            # Messages can quote what a damaged or tampered file holds (table names, faults).
            out.print(f"{_MARK[check.status]} {check.name}: {safe(check.message)}")
        n, w = len(report.problems), len(report.warnings)
        verdict = "healthy" if not n and not w else f"{n} problem(s), {w} warning(s)"
        out.print(f"{safe(db_path)}: {verdict}")
    if failed:
        raise typer.Exit(1)


def backup_cmd(
    dest: Annotated[Path, typer.Argument(help="The new backup file (must not exist yet).")],
    db_path: DbOption = DEFAULT_DB,
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer",
            help="Who takes it (default: your OS account; another name: the database owner only).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Copy the database to DEST while others keep working: a consistent snapshot, created
    readable by you only, never overwriting a file, recorded in the audit trail."""
    who = acting(reviewer, db_path)
    conn = open_db(db_path)
    try:
        result = maintenance.backup(conn, dest, who)
    finally:
        conn.close()
    if as_json:
        print_json(asdict(result))
        return
    out.print(
        f"backup written: {safe(result.path)} ({result.bytes:,} bytes, {result.audit_entries} audit "
        f"entries, sha256 {result.sha256[:16]}..., {result.seconds:.2f} s)"
    )
    # Kept anywhere but the database, it lets `triage doctor --expect-head` catch a trail
    # cut short or rewritten later.
    out.print(f"audit head: {result.audit_head}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("doctor")(doctor_cmd)
    app.command("backup")(backup_cmd)
