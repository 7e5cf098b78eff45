"""CLI commands: classify, results, stats, and the policy pack tools.

These are thin: they resolve arguments into a pack and dates, call `triage.classify` or the
read-only reports of `triage.run_reports`, and print. Record data reaches the terminal only
through `clean()`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from rules.errors import RulesError
from rules.packs import (
    Pack,
    Step,
    bundled_ids,
    check_pack,
    list_packs,
    load_pack,
    pack_from_gogen_options,
)
from triage import identity, runs
from triage.classify import RunSummary, classify_run
from triage.cli.choices import TableFormat
from triage.cli.common import DEFAULT_DB, DbOption, JsonOption, err, open_db, out, print_json
from triage.display import clean
from triage.errors import TriageError, UsageError
from triage.importers.sniff import input_problem
from triage.run_reports import (
    RESULT_COLUMNS,
    gather_stats,
    incomplete_imports,
    result_rows,
)

# ---------------------------------------------------------------------------------------------
# Resolving arguments


def _looks_like_path(spec: str) -> bool:
    return spec.endswith(".toml") or "/" in spec or "\\" in spec or Path(spec).is_file()


def resolve_pack(spec: str) -> Pack:
    """A pack by shipped id or by TOML path; one clear line when it is neither."""
    if _looks_like_path(spec):
        path = Path(spec)
        _check_pack_path(path)
        return load_pack(str(path))
    ids = bundled_ids()
    if spec not in ids:
        raise TriageError(
            f"--policy: unknown policy pack {spec!r}; available: {', '.join(ids)} "
            "(or give the path of a .toml pack)"
        )
    return load_pack(spec)


def _check_pack_path(path: Path) -> None:
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
    counts = ", ".join(f"{k} {v}" for k, v in summary.by_outcome.items()) or "none"
    return [
        f"run {summary.run_id}: {summary.pack_id} v{summary.pack_version} "
        f"({summary.county}, compute-at {summary.compute_at})",
        f"{summary.people} people, {summary.convictions} convictions classified: {counts}",
        f"{summary.seconds:.2f} s; run {summary.run_id} is now the active run",
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
            "--county or --policy).",
        ),
    ] = False,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Classify every conviction with a policy pack, as a new run (reviewer work is kept).

    Refused, leaving no run behind: a county no conviction is in (the counties present are
    listed, closest spelling first), a run that classifies no conviction, and (unless
    --force) a run that determines fewer than half of the convictions the active run did.
    """
    when = parse_date(compute_at, "--compute-at") if compute_at is not None else None
    county_name = county.strip().upper() if county is not None and county.strip() else None
    run_options: dict[str, Any] = {}
    if options is not None:
        if policy not in (None, "gogen"):
            raise UsageError("--options builds the gogen pack; leave out --policy or use gogen")
        run_options = {"gogen_options": _load_options(options), "options_file": options.name}
        pack = pack_from_gogen_options(options, county=county_name)
    elif policy is None:
        raise UsageError("--policy is required (see `triage policy list`)")
    else:
        pack = resolve_pack(policy)
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
    actor = identity.os_account()
    if not show:
        return classify_run(
            conn,
            pack,
            county=county,
            compute_at=compute_at,
            actor=actor,
            options=options,
            force=force,
        )
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("classifying", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return classify_run(
            conn,
            pack,
            county=county,
            compute_at=compute_at,
            actor=actor,
            options=options,
            progress=tick,
            force=force,
        )


# ---------------------------------------------------------------------------------------------
# results


def _clean_row(row: tuple[Any, ...]) -> list[Any]:
    values: list[Any] = [clean(v) if isinstance(v, str) else v for v in row]
    values[8] = bool(row[8])
    return values


def results_cmd(
    run: Annotated[
        int | None, typer.Option("--run", help="Run id (default: the active run).")
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.csv,
    db_path: DbOption = DEFAULT_DB,
) -> None:
    """One row per classified conviction of a run: where it came from and what the pack said."""
    conn = open_db(db_path)
    try:
        run_id = runs.resolve(conn, run).id
        stream = sys.stdout
        if fmt is TableFormat.csv:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(RESULT_COLUMNS)
            for row in result_rows(conn, run_id):
                values = _clean_row(row)
                values[8] = "true" if values[8] else "false"
                writer.writerow(values)
        else:
            stream.write("[")
            for n, row in enumerate(result_rows(conn, run_id)):
                item = dict(zip(RESULT_COLUMNS, _clean_row(row), strict=True))
                item["suggested_outcome"] = item["suggested_outcome"] or None
                stream.write(("," if n else "") + "\n  " + json.dumps(item, ensure_ascii=False))
            stream.write("\n]\n")
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# stats


def _print_stats(stats: dict[str, Any]) -> None:
    out.print(f"source rows     {stats['rows']}  (quarantined {stats['quarantined']})")
    out.print(f"people          {stats['people']}")
    out.print(f"convictions     {stats['convictions']}")
    run = stats["run"]
    if run is None:
        out.print("run             none yet (triage classify --policy ID)")
    else:
        out.print(
            f"run             {run['id']}: {clean(run['pack_id'])} v{clean(run['pack_version'])}"
            f" ({clean(run['county']) or 'all counties'}, compute-at {run['compute_at']}),"
            f" finished {run['finished_at']}"
        )
    dets = stats["determinations"]
    out.print(f"determinations  {dets['total']}")
    for outcome, n in dets["by_outcome"].items():
        out.print(f"  {outcome:<14}{n}")
    if dets["by_reason"]:
        out.print("by reason")
        for reason, n in dets["by_reason"].items():
            out.print(f"  {n:>7}  {clean(reason)}")
    decisions = stats["decisions"]
    kinds = ", ".join(f"{k} {v}" for k, v in decisions["by_kind"].items())
    out.print(
        f"decisions       {decisions['current']} current"
        + (f" ({kinds})" if kinds else "")
        + f", {decisions['entries']} entries"
    )
    out.print(f"notes           {stats['notes']}")


def stats_cmd(db_path: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Counts: rows, people, convictions, determinations, decisions, notes, the current run."""
    conn = open_db(db_path)
    try:
        stats = gather_stats(conn)
    finally:
        conn.close()
    if as_json:
        print_json(stats)
    else:
        _print_stats(stats)


# ---------------------------------------------------------------------------------------------
# policy list | show | check

policy_app = typer.Typer(help="Policy packs: list them, show one, check a pack file.")


@policy_app.command("list")
def policy_list(as_json: JsonOption = False) -> None:
    """The shipped policy packs."""
    packs = list_packs()
    if as_json:
        print_json([_pack_header(p) for p in packs])
        return
    for p in packs:
        county = p.county or "(no county)"
        out.print(clean(f"{p.id:<20} v{p.version:<8} {county:<14} {p.title}"))


def _pack_header(pack: Pack) -> dict[str, Any]:
    return {
        "id": pack.id,
        "title": pack.title,
        "version": pack.version,
        "jurisdiction": pack.jurisdiction,
        "county": pack.county,
        "compute_at": pack.compute_at.isoformat() if pack.compute_at is not None else None,
        "relevance": pack.relevance,
        "force_review_flags": sorted(f.value for f in pack.force_review_flags),
        "hash": pack.content_hash,
    }


@policy_app.command("show")
def policy_show(
    pack_id: Annotated[str, typer.Argument(metavar="ID", help="Pack id or .toml path.")],
    as_json: JsonOption = False,
) -> None:
    """A pack's header and its steps, in order."""
    pack = resolve_pack(pack_id)
    header = _pack_header(pack)
    steps = [_step_dict(s) for s in pack.steps]
    if as_json:
        print_json({**header, "parameters": _plain(dict(pack.parameters)), "steps": steps})
        return
    for key, value in header.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        out.print(clean(f"{key:<19} {shown if shown is not None else ''}"))
    if pack.parameters:
        out.print("parameters:")
    for name, value in pack.parameters.items():
        out.print(clean(f"  {name:<24} {json.dumps(_plain(value))}"))
    out.print("steps (first match decides):")
    for n, step in enumerate(steps, 1):
        params = ", ".join(f"{k}={v}" for k, v in step["params"].items())
        also = "".join(f" and {c}" for c in step["and"])
        when = f" [when {step['when']}]" if step["when"] else ""
        # Pack files are edited by offices: their text is shown, never interpreted.
        out.print(
            clean(
                f"  {n:>2}. {step['id']}: {step['predicate']}({params}){also}{when} -> "
                f'{step["outcome"]} "{step["label"]}" / "{step["reason"]}"'
            )
        )
        if step["citation"]:
            out.print(clean(f"      {step['citation']}"))
        if step["suggest"]:
            out.print(clean(f"      suggests {step['suggest']}: {step['suggest_reason']}".rstrip()))
        elif step["question"]:
            out.print(clean(f"      asks: {step['question']}"))


def _step_dict(step: Step) -> dict[str, Any]:
    return {
        "id": step.id,
        "predicate": step.predicate,
        "params": {k: _plain(v) for k, v in step.raw_params.items()},
        "when": step.when,
        "and": [c.predicate for c in step.also],
        "outcome": step.outcome.value,
        "label": step.label,
        "reason": step.reason,
        "citation": step.citation,
        "suggest": step.suggest,
        "suggest_reason": step.suggest_reason,
        "question": step.question,
        "line": step.line,
    }


def _plain(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A policy pack .toml file.")],
) -> None:
    """Validate a pack file; each problem is printed as file:line: message (exit 1)."""
    _check_pack_path(file)
    problems = check_pack(file)
    for problem in problems:
        err.print(clean(problem))
    if problems:
        raise typer.Exit(1)
    try:
        pack = load_pack(str(file))
    except RulesError as exc:  # check_pack should have said so; never print a traceback
        raise TriageError(str(exc)) from None
    out.print(f"{file}: ok ({pack.id} v{pack.version}, {len(pack.steps)} steps)")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("classify")(classify_cmd)
    app.command("results")(results_cmd)
    app.command("stats")(stats_cmd)
    app.add_typer(policy_app, name="policy")
