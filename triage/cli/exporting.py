"""CLI commands: `triage export KIND --out DIR` and `triage whatif`.

Thin: arguments are checked and resolved here, the work is done by
`triage.export.service.run_export` and `triage.whatif.compare`. Record data printed by
`whatif` goes through `clean()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from rules.packs import Pack, pack_from_gogen_options
from triage.cli.classifying import parse_date, resolve_pack
from triage.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    acting,
    err,
    open_db,
    out,
    print_json,
)
from triage.display import clean
from triage.errors import TriageError, UsageError
from triage.export import courts as court_names
from triage.export.service import (
    EXPORTERS,
    KINDS,
    PROFILES,
    Options,
    check_profile,
    pending_text,
    run_export,
)
from triage.whatif import WhatIfReport, compare

_IMPACT = {
    "CountSubjectsNoFelony": "people with no felony left",
    "CountSubjectsNoConvictionLast7Years": "people with no conviction in the last 7 years",
    "CountSubjectsNoConviction": "people with no conviction at all",
}


# Choices derived from the exporters' registry: a kind or profile cannot be offered without
# its writer. Shown in the usage line and completed by the shell; checked by the service
# (`check_kind`, `check_profile`) so a wrong one is one line naming the valid ones, like
# every other bad input (Typer's own choice error is a multi-line box).
_KIND_METAVAR = "|".join(KINDS)
_PROFILE_METAVAR = "|".join(PROFILES)


def _complete(choices: tuple[str, ...]) -> Callable[[str], list[str]]:
    return lambda incomplete: [c for c in choices if c.startswith(incomplete)]


_KIND_HELP = "What to export: " + "; ".join(f"{k} ({e.help})" for k, e in EXPORTERS.items())
_PROFILE_HELP = (
    "spreadsheet (CSV, formula-escaped, BOM, CRLF), machine (CSV, values exactly as stored) "
    "or xlsx (Excel workbooks of text cells; court and decisions). Default: "
    + ", ".join(f"{e.profiles[0]} for {k}" for k, e in EXPORTERS.items())
    + "."
)


KindArgument = Annotated[
    str,
    typer.Argument(
        help=_KIND_HELP,
        show_default=False,
        metavar=_KIND_METAVAR,
        autocompletion=_complete(KINDS),
    ),
]
OutOption = Annotated[
    Path,
    typer.Option("--out", help="Folder to write into (created if missing; its parent must exist)."),
]
ExportRunOption = Annotated[
    int | None, typer.Option("--run", help="Run id (default: the active run).")
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help=_PROFILE_HELP,
        metavar=_PROFILE_METAVAR,
        autocompletion=_complete(PROFILES),
    ),
]
AllowPendingOption = Annotated[
    bool,
    typer.Option(
        "--allow-pending",
        help="court: export even though convictions are still under review (they are "
        "left off and counted on every PDF).",
    ),
]
CourtsOption = Annotated[
    Path | None,
    typer.Option(
        "--courts",
        help="court: TOML naming the courts by ORI (default: courts.toml beside the "
        "database, else ~/.config/triage/courts.toml).",
    ),
]
ExporterOption = Annotated[
    str | None,
    typer.Option(
        "--reviewer",
        help="Who exports (default: your OS account; another name: the database owner only).",
    ),
]


def export_cmd(
    kind: KindArgument,
    out_dir: OutOption,
    run: ExportRunOption = None,
    profile: ProfileOption = None,
    allow_pending: AllowPendingOption = False,
    courts: CourtsOption = None,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
    reviewer: ExporterOption = None,
) -> None:
    """Export gogen-compatible files, court exhibits and orders, the decisions log or the
    summary."""
    check_profile(kind, profile)
    if courts is not None and kind != "court":
        raise UsageError("--courts: only for `export court`")
    book = court_names.book(courts, db_path) if kind == "court" else court_names.EMPTY
    actor = acting(reviewer, db_path)
    conn = open_db(db_path)
    try:
        manifest = run_export(
            conn, kind, out_dir, actor=actor, run_id=run, profile=profile,
            options=Options(allow_pending=allow_pending, courts=book),
        )  # fmt: skip
    finally:
        conn.close()
    _warn(manifest.get("details", {}))
    if as_json:
        print_json(manifest)
        return
    run_text = f"run {manifest['run_id']}" if manifest.get("run_id") else "no run"
    out.print(f"{kind} export ({run_text}, {manifest['profile']} profile) in {clean(out_dir)}:")
    for entry in manifest["files"]:
        rows = "" if entry["rows"] is None else f"  {entry['rows']} rows"
        out.print(f"  {clean(entry['name'])}{rows}")
    out.print("  manifest.json")


def _warn(details: dict[str, object]) -> None:
    """What a court export left off or could not name, on stderr (also in the manifest)."""
    pending = details.get("pending")
    if isinstance(pending, int) and pending:
        err.print(
            f"warning: {pending_text(pending)} and not listed (exported with --allow-pending)"
        )
    missing = details.get("court_not_recorded")
    if isinstance(missing, int) and missing:
        err.print(
            f"warning: {missing} listed conviction{'s' if missing != 1 else ''} with no court "
            'recorded ("Court not recorded: <county>"); name the courts with --courts FILE'
        )


def _scenarios(policies: list[str], options: list[Path], county: str | None) -> list[Pack]:
    packs = [resolve_pack(p) for p in policies]
    for path in options:
        if not path.is_file():
            raise TriageError(f"{path}: no such options file")
        packs.append(pack_from_gogen_options(path, county=county))
    if len(packs) != 2:
        raise UsageError(
            "whatif compares exactly two scenarios: give --policy twice, --options twice, "
            f"or one of each (got {len(packs)})"
        )
    return packs


def whatif_cmd(
    policy: Annotated[
        list[str] | None,
        typer.Option("--policy", help="A pack id or .toml; give two (or one with --options)."),
    ] = None,
    options: Annotated[
        list[Path] | None,
        typer.Option("--options", help="gogen/BEAR options JSON (builds the gogen pack)."),
    ] = None,
    county: Annotated[
        str | None, typer.Option("--county", help="County (default: the first pack's).")
    ] = None,
    compute_at: Annotated[
        str | None,
        typer.Option("--compute-at", help="YYYY-MM-DD (default: the first pack's, else today)."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Changes to list (text output; --json lists all).")
    ] = 50,
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Compare two packs (or option sets) on the same data; nothing is written."""
    county_name = county.strip().upper() if county and county.strip() else None
    when = parse_date(compute_at, "--compute-at") if compute_at is not None else None
    pack_a, pack_b = _scenarios(list(policy or []), list(options or []), county_name)
    run_county = county_name or pack_a.county.strip() or pack_b.county.strip()
    if not run_county:
        raise UsageError("--county is required: neither pack names a county")
    day = when or pack_a.compute_at or pack_b.compute_at or dt.date.today()
    conn = open_db(db_path)
    try:
        report = compare(conn, pack_a, pack_b, county=run_county, compute_at=day)
    finally:
        conn.close()
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report, limit)


def _print_report(r: WhatIfReport, limit: int) -> None:
    out.print(f"What-if for {clean(r.county)}, compute-at {r.compute_at}, {r.people} people")
    out.print(f"  A: {clean(r.a.pack_id)} v{clean(r.a.pack_version)}  {clean(r.a.pack_title)}")
    out.print(f"  B: {clean(r.b.pack_id)} v{clean(r.b.pack_version)}  {clean(r.b.pack_title)}")
    out.print("Impact (A | B):")
    for key, label in _IMPACT.items():
        out.print(f"  {label}: {r.a.impact[key]} | {r.b.impact[key]}")
    out.print("Outcomes (A | B):")
    for outcome in sorted(set(r.a.by_outcome) | set(r.b.by_outcome)):
        out.print(
            f"  {outcome}: {r.a.by_outcome.get(outcome, 0)} | {r.b.by_outcome.get(outcome, 0)}"
        )
    out.print(f"Into review: {r.into_review}; out of review: {r.out_of_review}")
    for transition, count in r.transitions.items():
        out.print(f"  {transition}: {count}")
    out.print(f"Changed convictions: {len(r.changes)}")
    for c in r.changes[:limit]:
        out.print(
            f"  {clean(c.key)}  {clean(c.name)}  {clean(c.section)}  "
            f"{c.from_outcome} ({clean(c.from_reason)}) -> {c.to_outcome} "
            f"({clean(c.to_reason)})"
        )
    if len(r.changes) > limit:
        out.print(f"  ... {len(r.changes) - limit} more (use --limit or --json)")


def register(app: typer.Typer) -> None:
    """Add `triage export` and `triage whatif`."""
    app.command("export")(export_cmd)
    app.command("whatif")(whatif_cmd)
