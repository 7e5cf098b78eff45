"""CLI command: `triage classify`, and resolving packs and dates for it (and `whatif`).

Thin: it resolves arguments into a pack and dates, calls `triage.classify` and prints.
`results` and `stats` are in `reporting`, the pack tools in `policies`. Record data reaches
the terminal only through `clean()`.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from rules.packs import (
    Pack,
    bundled_ids,
    load_pack,
    pack_from_gogen_options,
)
from triage import identity
from triage.classify import RunSummary, classify_run
from triage.cli.common import DEFAULT_DB, DbOption, JsonOption, err, open_db, out, print_json
from triage.display import clean
from triage.errors import TriageError, UsageError
from triage.importers.sniff import input_problem
from triage.run_reports import (
    incomplete_imports,
)

# ---------------------------------------------------------------------------------------------
# Resolving arguments


def _looks_like_path(spec: str) -> bool:
    return spec.endswith(".toml") or "/" in spec or "\\" in spec or Path(spec).is_file()


def resolve_pack(spec: str) -> Pack:
    """A pack by shipped id or by TOML path; one clear line when it is neither."""
    if _looks_like_path(spec):
        path = Path(spec)
        check_pack_path(path)
        return load_pack(str(path))
    ids = bundled_ids()
    if spec not in ids:
        raise TriageError(
            f"--policy: unknown policy pack {spec!r}; available: {', '.join(ids)} "
            "(or give the path of a .toml pack)"
        )
    return load_pack(spec)


def check_pack_path(path: Path) -> None:
    """A pack path that is not a readable file, said as what it is (a folder, a link loop...)."""
    problem = input_problem(path)
    if problem == "no such file":
        raise TriageError(f"{path}: no such policy pack file")
    if problem is not None:
        raise TriageError(f"{path}: {problem}")


def parse_date(value: str, option: str) -> dt.date:
    """A YYYY-MM-DD option value, or a usage error naming the option."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date (use YYYY-MM-DD)") from None


def _default_compute_at(pack: Pack) -> dt.date:
    """The pack's compute-at date; a pack without one computes as of today, like gogen."""
    return pack.compute_at if pack.compute_at is not None else dt.date.today()


def _load_options(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TriageError(f"{path}: no such options file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TriageError(f"{path}: cannot read ({type(exc).__name__})") from None
    except json.JSONDecodeError as exc:
        raise TriageError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(loaded, dict):
        raise TriageError(f"{path}: expected a JSON object of gogen options")
    return loaded


# ---------------------------------------------------------------------------------------------
# classify


def _summary_lines(summary: RunSummary) -> list[str]:
    run = summary.run
    counts = ", ".join(f"{k} {v}" for k, v in summary.by_outcome.items()) or "none"
    return [
        f"run {run.id}: {run.pack_id} v{run.pack_version} "
        f"({run.county}, compute-at {run.compute_at})",
        f"{summary.people} people, {run.convictions} convictions classified: {counts}",
        f"{run.seconds:.2f} s; run {run.id} is now the active run",
    ]


def classify_cmd(
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="A shipped pack id (see `triage policy list`) or a .toml."),
    ] = None,
    county: Annotated[
        str | None, typer.Option("--county", help="County to classify (default: the pack's).")
    ] = None,
    compute_at: Annotated[
        str | None,
        typer.Option("--compute-at", help="Date eligibility is computed at, YYYY-MM-DD."),
    ] = None,
    options: Annotated[
        Path | None,
        typer.Option("--options", help="A gogen/BEAR options JSON: builds the gogen pack."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Make the run active even if it determines fewer than half of the "
            "convictions the active run determined (refused otherwise, as a likely wrong "
            "--county or --policy). Supervisors only, like classify itself.",
        ),
    ] = False,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Classify every conviction with a policy pack, as a new run (reviewer work is kept).

    Refused, leaving no run behind: a county no conviction is in (the counties present are
    listed, closest spelling first), a run that classifies no conviction, and (unless
    --force) a run that determines fewer than half of the convictions the active run did.
    Making a run active needs the supervisor role.
    """
    when = parse_date(compute_at, "--compute-at") if compute_at is not None else None
    county_name = county.strip().upper() if county is not None and county.strip() else None
    pack, run_options = _pack_and_options(policy, options, county_name)
    run_county = county_name or pack.county.strip()
    if not run_county:
        raise UsageError(f"--county is required: policy pack {pack.id} names no county")
    conn = open_db(db_path)
    try:
        _warn_incomplete_imports(conn)
        summary = _run_with_progress(
            conn,
            pack,
            county=run_county,
            compute_at=when if when is not None else _default_compute_at(pack),
            options=run_options,
            show=not as_json and err.is_terminal,
            force=force,
        )
    finally:
        conn.close()
    if as_json:
        print_json(summary.as_dict())
    else:
        for text in _summary_lines(summary):
            out.print(text)


def _pack_and_options(
    policy: str | None, options: Path | None, county: str | None
) -> tuple[Pack, dict[str, Any]]:
    """The pack `--policy`/`--options` name, and what the run records of the options file."""
    if options is not None:
        if policy not in (None, "gogen"):
            raise UsageError("--options builds the gogen pack; leave out --policy or use gogen")
        run_options = {"gogen_options": _load_options(options), "options_file": options.name}
        return pack_from_gogen_options(options, county=county), run_options
    if policy is None:
        raise UsageError("--policy is required (see `triage policy list`)")
    return resolve_pack(policy), {}


def _warn_incomplete_imports(conn: sqlite3.Connection) -> None:
    """A run over a half-imported file would quietly miss people: say so (not an error, since
    an import may legitimately be running alongside)."""
    for name in incomplete_imports(conn):
        err.print(
            f"triage: warning: the import of {clean(name)} has not completed; this run "
            "classifies only its rows imported so far (re-run `triage import` to finish it)"
        )


def _run_with_progress(
    conn: sqlite3.Connection,
    pack: Pack,
    *,
    county: str,
    compute_at: dt.date,
    options: dict[str, Any],
    show: bool,
    force: bool,
) -> RunSummary:
    run = partial(
        classify_run, conn, pack, county=county, compute_at=compute_at,
        actor=identity.os_account(), options=options, force=force,
    )  # fmt: skip
    if not show:
        return run()
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("classifying", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run(progress=tick)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("classify")(classify_cmd)
