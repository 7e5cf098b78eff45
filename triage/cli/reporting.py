"""CLI commands: `triage results` (a run's determinations, row by row) and `triage stats`.

Read-only reports from `triage.run_reports`; record data reaches the terminal only through
`clean()`.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated, Any

import typer

from triage import runs
from triage.cli.choices import TableFormat
from triage.cli.common import DEFAULT_DB, DbOption, JsonOption, open_db, out, print_json
from triage.display import clean
from triage.run_reports import RESULT_COLUMNS, DatabaseStats, gather_stats, result_rows

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


def _print_stats(stats: DatabaseStats) -> None:
    out.print(f"source rows     {stats.rows}  (quarantined {stats.quarantined})")
    out.print(f"people          {stats.people}")
    out.print(f"convictions     {stats.convictions}")
    run = stats.run
    if run is None:
        out.print("run             none yet (triage classify --policy ID)")
    else:
        out.print(
            f"run             {run.id}: {clean(run.pack_id)} v{clean(run.pack_version)}"
            f" ({clean(run.county) or 'all counties'}, compute-at {run.compute_at}),"
            f" finished {run.finished_at}"
        )
    dets = stats.determinations
    out.print(f"determinations  {dets['total']}")
    for outcome, n in dets["by_outcome"].items():
        out.print(f"  {outcome:<14}{n}")
    if dets["by_reason"]:
        out.print("by reason")
        for reason, n in dets["by_reason"].items():
            out.print(f"  {n:>7}  {clean(reason)}")
    decisions = stats.decisions
    kinds = ", ".join(f"{k} {v}" for k, v in decisions["by_kind"].items())
    out.print(
        f"decisions       {decisions['current']} current"
        + (f" ({kinds})" if kinds else "")
        + f", {decisions['entries']} entries"
    )
    out.print(f"notes           {stats.notes}")


def stats_cmd(db_path: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Counts: rows, people, convictions, determinations, decisions, notes, the current run."""
    conn = open_db(db_path)
    try:
        stats = gather_stats(conn)
    finally:
        conn.close()
    if as_json:
        print_json(stats.as_dict())
    else:
        _print_stats(stats)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("results")(results_cmd)
    app.command("stats")(stats_cmd)
